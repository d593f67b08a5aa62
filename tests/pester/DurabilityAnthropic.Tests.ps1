# The fault matrix of the durability issue (issue 3, test 1; Durability.Tests.ps1 runs it for OpenAI) for Anthropic's
# Message Batches (issue 5: "the fault matrix of the durability issue runs for Anthropic too"). Anthropic has no upload:
# the requests go inline with the create, and results come from results_url. The emulator's route names cover
# Anthropic's routes (create = POST /v1/messages/batches, download = GET .../{id}/results, ...); its injected errors
# use Anthropic's envelope, and 529 (overloaded) is retryable there.

BeforeDiscovery {
    # 'list' is only called to look for a batch whose create answer was lost, so its runs also lose the create's
    # answer; 'cancel' runs stop the batch instead of waiting for it.
    $faults = @(
        @{ Fault = '429 with Retry-After'; Rule = @{ kind = 'status'; status_code = 429; retry_after = 1; retry_after_ms = 30 } }
        @{ Fault = '500'; Rule = @{ kind = 'status'; status_code = 500 } }
        @{ Fault = '502'; Rule = @{ kind = 'status'; status_code = 502 } }
        @{ Fault = '503'; Rule = @{ kind = 'status'; status_code = 503 } }
        @{ Fault = '529 overloaded'; Rule = @{ kind = 'status'; status_code = 529 } }
        @{ Fault = 'reset before acting'; Rule = @{ kind = 'reset_before' } }
        @{ Fault = 'reset after acting'; Rule = @{ kind = 'reset_after' } }
        @{ Fault = 'slower than the timeout, before acting'; Rule = @{ kind = 'slow'; delay_ms = 1800 }; Slow = $true }
        @{ Fault = 'slower than the timeout, after acting'; Rule = @{ kind = 'slow'; delay_ms = 1800; after = $true }; Slow = $true }
        @{ Fault = 'truncated body'; Rule = @{ kind = 'truncate' } }
    )
    $matrix = foreach ($route in 'create', 'get', 'list', 'cancel', 'download') {
        foreach ($f in $faults) { @{ Route = $route; Fault = $f.Fault; Rule = $f.Rule; Slow = [bool] $f['Slow'] } }
    }
    $matrix = @($matrix) + @{ Route = 'download'; Fault = 'malformed result line'; Rule = @{ kind = 'malformed_line'; line = 7 }; Slow = $false }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10
    $null = Initialize-ProviderTestEnvironment -KeyVariable 'ANTHROPIC_API_KEY'
    $at = @{ Provider = 'Anthropic'; BaseUri = $emu.Url }
    $poll = 0.05

    function New-Requests([int] $Count = 1000, [string] $Tag = 'row') {
        # Rows never seen before, so the journal does not hand back an earlier batch of the same requests.
        New-TestRows -Count $Count -Prefix "$Tag $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
            New-IrisBatchRequest -Model claude-haiku-4-5 -Prompt 'Describe {name}.' -MaxTokens 64
    }

}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe 'Anthropic: every fault on every route during the pipeline of 1,000 rows' {
    It '<Fault> on <Route>: one result per custom id, one batch' -ForEach $matrix {
        Invoke-FaultMatrixCase -Emulator $emu -Route $Route -Rule $Rule -Slow $Slow -CancellingMs 1500 -Submit {
            param($net)
            New-Requests -Tag "$Route $($Rule.kind)" | Submit-IrisBatch @at @net -ErrorAction Stop
        }
    }
}

Describe 'Anthropic: seeded random faults on every route at once' {
    It 'random 503s and 529s, lost answers and cut bodies everywhere: one result per custom id, one batch' {
        Reset-Emulator $emu
        $null = Add-EmulatorFault $emu -Route '*' -Kind status -StatusCode 503 -Probability 0.1 -Seed 21
        $null = Add-EmulatorFault $emu -Route '*' -Kind status -StatusCode 529 -Probability 0.1 -Seed 22
        $null = Add-EmulatorFault $emu -Route '*' -Kind reset_after -Probability 0.1 -Seed 23
        $null = Add-EmulatorFault $emu -Route '*' -Kind truncate -Probability 0.1 -Seed 24
        $results = @(New-Requests -Tag 'chaos' | Submit-IrisBatch @at -ErrorAction Stop |
                Wait-IrisBatch -PollInterval $poll -Timeout 60 -ErrorAction Stop | Get-IrisBatchResult -ErrorAction Stop)
        Assert-OneResultPerRequest $results
        @($results | Where-Object { "$($_.Status)" -ne 'Succeeded' }) | Should -BeNullOrEmpty
        $stats = Get-EmulatorStats $emu
        $stats.batches_created | Should -Be 1
        $stats.faults_injected | Should -BeGreaterThan 0
    }
}

Describe 'Anthropic: a lost create whose lookup also fails is not sent again blindly' {
    It 'the create happened, its answer was lost, and listing fails on every attempt: still one batch' {
        Reset-Emulator $emu
        $null = Add-EmulatorFault $emu -Route create -Kind reset_after
        $null = Add-EmulatorFault $emu -Route list -Kind status -StatusCode 503 -Count 2
        $requests = @(New-Requests -Count 50 -Tag 'lookup create')

        $batch = $requests | Submit-IrisBatch @at -MaximumRetryCount 1 -ErrorAction SilentlyContinue -ErrorVariable failed
        if (-not $batch) {
            # Failing is fine (the journal knows where it stopped); the same Submit again must then finish the job.
            $batch = $requests | Submit-IrisBatch @at -ErrorAction Stop -WarningAction SilentlyContinue
        }
        (Get-EmulatorStats $emu).batches_created | Should -Be 1 -Because 'a create whose answer was lost must not be sent again while the lookup cannot tell whether it happened'
        $results = @($batch | Wait-IrisBatch -PollInterval $poll -Timeout 60 | Get-IrisBatchResult)
        Assert-OneResultPerRequest $results 50
    }
}

Describe 'Anthropic: a cancel whose answer was lost' {
    It 'is a success when the repeated cancel finds the batch already ended' {
        Reset-Emulator $emu
        # The cancel takes effect at once, so the repeated call finds the batch ended, not canceling.
        $null = Set-EmulatorConfig $emu @{ in_progress_ms = 60000; cancelling_ms = 0 }
        $batch = New-Requests -Count 20 -Tag 'lost cancel' | Submit-IrisBatch @at
        $null = Add-EmulatorFault $emu -Route cancel -Kind reset_after

        $stopped = $batch | Stop-IrisBatch -PassThru -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        (Get-EmulatorStats $emu).cancels | Should -Be 1
        ($batch | Get-IrisBatchStatus).Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled)
        @($failed | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" }) | Should -BeNullOrEmpty -Because 'the batch was cancelled as asked'
        $stopped.Status | Should -BeIn @([IrisBatch.BatchStatus]::Cancelling, [IrisBatch.BatchStatus]::Cancelled)
    }
}
