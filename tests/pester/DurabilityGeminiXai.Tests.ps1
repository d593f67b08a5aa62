# The fault matrix of the durability issue (issue 3, test 1) for Gemini and xAI (issue 15: "the fault matrix runs for
# Gemini and xAI too, with reset-after-create and reset-after-add"), and a planted second candidate (Anthropic, whose
# batches echo nothing but their size and time) giving IrisBatch.SubmissionUncertain. The emulator's route names cover
# Gemini's :batchGenerateContent and xAI's /requests ('add'); its injected errors use each provider's own envelope.

BeforeDiscovery {
    $cases = @(
        @{ Provider = 'Gemini'; Route = 'create'; Fault = 'reset after acting'; Rule = @{ kind = 'reset_after' } }
        @{ Provider = 'Gemini'; Route = 'create'; Fault = '429 with Retry-After'; Rule = @{ kind = 'status'; status_code = 429; retry_after = 1 } }
        @{ Provider = 'Gemini'; Route = 'create'; Fault = '503'; Rule = @{ kind = 'status'; status_code = 503 } }
        @{ Provider = 'Xai'; Route = 'create'; Fault = 'reset after acting'; Rule = @{ kind = 'reset_after' } }
        @{ Provider = 'Xai'; Route = 'create'; Fault = '429 with Retry-After'; Rule = @{ kind = 'status'; status_code = 429; retry_after = 1 } }
        @{ Provider = 'Xai'; Route = 'add'; Fault = 'reset after acting'; Rule = @{ kind = 'reset_after' } }
        @{ Provider = 'Xai'; Route = 'add'; Fault = '503'; Rule = @{ kind = 'status'; status_code = 503 } }
        @{ Provider = 'Xai'; Route = 'add'; Fault = '429 with Retry-After'; Rule = @{ kind = 'status'; status_code = 429; retry_after = 1 } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10
    $keys = @{ Gemini = 'GEMINI_API_KEY'; Xai = 'XAI_API_KEY'; Anthropic = 'ANTHROPIC_API_KEY' }
    $models = @{ Gemini = 'gemini-2.5-flash'; Xai = 'grok-4'; Anthropic = 'claude-haiku-4-5' }
    $paths = @{ Gemini = ''; Xai = '/xai/v1'; Anthropic = '' }

    function New-Requests([string] $Provider, [int] $Count = 1000, [string] $Tag = 'row') {
        New-TestRows -Count $Count -Prefix "$Tag $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
            New-IrisBatchRequest -Model $models[$Provider] -Prompt 'Describe {name}.' -MaxTokens 64
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe 'Gemini and xAI: faults on create and add during the pipeline of 1,000 rows' {
    It '<Provider>: <Fault> on <Route>: one result per custom id, one batch' -ForEach $cases {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $keys[$Provider]
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$($paths[$Provider])" }
        Invoke-FaultMatrixCase -Emulator $emu -Route $Route -Rule $Rule -Submit {
            param($net)
            New-Requests $Provider -Tag "$Route $($Rule.kind)" | Submit-IrisBatch @at @net -ErrorAction Stop
        }
        if ($Rule.kind -eq 'status' -and $Rule.status_code -eq 429) {
            $list = if ($Provider -eq 'Gemini') { 'GET /v1beta/batches' } else { 'GET /xai/v1/batches' }
            Get-EmulatorRouteCall $emu $list | Should -Be 0 -Because 'a 429 says nothing was made: retried without a look-up'
        }
    }
}

Describe 'xAI: add calls refused more often than retried' {
    It 'adds the rest to the one batch already created instead of creating another' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'XAI_API_KEY'
        Reset-Emulator $emu
        # Three 429s on the add call with two retries: the add step gives up while its batch already exists.
        $null = Add-EmulatorFault $emu -Route add -Kind status -StatusCode 429 -RetryAfterMs 20 -Count 3
        $batch = New-Requests Xai -Count 20 -Tag 'add 429' |
            Submit-IrisBatch -Provider Xai -BaseUri "$($emu.Url)/xai/v1" -MaximumRetryCount 2 -ErrorAction Stop
        $stats = Get-EmulatorStats $emu
        $stats.batches_created | Should -Be 1 -Because 'a second container would run the requests already added twice'
        (Get-EmulatorFault $emu)[0].injected | Should -Be 3
        $batch.Total | Should -Be 20
        $results = @($batch | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 | Get-IrisBatchResult)
        Assert-OneResultPerRequest $results 20
    }
}

Describe 'xAI: the read of a batch just filled refused more often than retried' {
    It 'takes the batch it made instead of creating another' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'XAI_API_KEY'
        Reset-Emulator $emu
        # Two 429s on the batch read with one retry: the read that follows the add calls gives up while its batch exists.
        $null = Add-EmulatorFault $emu -Route get -Kind status -StatusCode 429 -RetryAfterMs 20 -Count 2
        $batch = New-Requests Xai -Count 5 -Tag 'get 429' |
            Submit-IrisBatch -Provider Xai -BaseUri "$($emu.Url)/xai/v1" -MaximumRetryCount 1 -ErrorAction Stop 3>$null
        (Get-EmulatorStats $emu).batches_created | Should -Be 1 -Because 'a second batch would run the same requests twice'
        $batch.Total | Should -Be 5
    }
}

Describe 'Anthropic: a planted second candidate' {
    It 'gives IrisBatch.SubmissionUncertain naming both, creates nothing more, and -AdoptBatchId settles it' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'ANTHROPIC_API_KEY'
        $at = @{ Provider = 'Anthropic'; BaseUri = $emu.Url }
        Reset-Emulator $emu
        $requests = @(New-Requests Anthropic -Count 20 -Tag 'planted')
        # Someone else's batch of the same size, made a moment ago: Anthropic's batches echo nothing more to tell them apart.
        $body = @{ requests = @(1..20 | ForEach-Object {
                    @{ custom_id = "other-$_"; params = @{ model = 'claude-haiku-4-5'; max_tokens = 16; messages = @(@{ role = 'user'; content = "x $_" }) } } }) }
        $planted = Invoke-RestMethod -Method Post -Uri "$($emu.Url)/v1/messages/batches" -ContentType 'application/json' `
            -Headers @{ 'x-api-key' = $emu.ApiKey; 'anthropic-version' = '2023-06-01' } -Body ($body | ConvertTo-Json -Depth 10 -Compress)
        $null = Add-EmulatorFault $emu -Route create -Kind reset_after

        $batch = $requests | Submit-IrisBatch @at -ErrorAction SilentlyContinue -ErrorVariable failed
        $batch | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.SubmissionUncertain,*'
        $failed[0].Exception.Message | Should -Match ([regex]::Escape($planted.id))
        $failed[0].Exception.Message | Should -Match '-AdoptBatchId'
        (Get-EmulatorStats $emu).batches_created | Should -Be 2 -Because 'the planted batch and the lost create; nothing more'
        $listed = Invoke-RestMethod -Uri "$($emu.Url)/v1/messages/batches?limit=100" -Headers @{ 'x-api-key' = $emu.ApiKey; 'anthropic-version' = '2023-06-01' }
        $ours = @($listed.data.id | Where-Object { $_ -ne $planted.id })
        $ours.Count | Should -Be 1

        $adopted = $requests | Submit-IrisBatch @at -AdoptBatchId $ours[0] -ErrorAction Stop -WarningAction SilentlyContinue
        $adopted.Id | Should -Be $ours[0]
        (Get-EmulatorStats $emu).batches_created | Should -Be 2
        $results = @($adopted | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 | Get-IrisBatchResult)
        Assert-OneResultPerRequest $results 20
    }
}
