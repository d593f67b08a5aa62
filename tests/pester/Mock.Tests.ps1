# -Provider Mock through the cmdlets: no key, the lifecycle per poll and per time, markers, cancel, expiry,
# unknown ids, and its state in the journal folder shared with another pwsh.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $modulePath = Get-ModuleUnderTestPath

    function New-MockBatch([string[]] $Prompts, [string] $Name) {
        $Prompts | ForEach-Object { [pscustomobject]@{ text = $_ } } |
            New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{text}' |
            Submit-IrisBatch -Provider Mock -Name $Name
    }
}

Describe 'The mock provider' {
    BeforeEach {
        $null = Initialize-TestEnvironment
        Remove-Item env:OPENAI_API_KEY, env:IRISBATCH_MOCK_MODE, env:IRISBATCH_MOCK_STEP_SECONDS -ErrorAction Ignore
    }
    AfterEach {
        Remove-Item env:IRISBATCH_MOCK_MODE, env:IRISBATCH_MOCK_STEP_SECONDS -ErrorAction Ignore
        Clear-TestEnvironment
    }

    It 'needs no key and keeps its state in the journal folder' {
        $b = New-MockBatch 'hello' 'no-key'
        $b.Provider | Should -Be 'Mock'
        Test-Path (Join-Path $env:IRISBATCH_HOME "mock/batches/$($b.Id).json") | Should -BeTrue
    }

    It 'takes one step per poll: Pending, InProgress half done, Finalizing, Completed' {
        $b = New-MockBatch 'a', 'b', 'c', 'd' 'steps'
        $seen = 1..4 | ForEach-Object { $s = Get-IrisBatchStatus -Id $b.Id; "$($s.Status) $($s.Processed)/$($s.Total)" }
        $b.Status | Should -Be 'Pending'
        $seen | Should -Be 'InProgress 2/4', 'Finalizing 4/4', 'Completed 4/4', 'Completed 4/4'
    }

    It 'answers "Echo: " + the prompt, and fails [fail] with the emulator''s error' {
        $r = New-MockBatch 'hello there', 'no [fail]' 'answers' | Wait-IrisBatch | Get-IrisBatchResult
        ($r | Where-Object CustomId -EQ 'request-1').Output | Should -Be 'Echo: hello there'
        $failed = $r | Where-Object CustomId -EQ 'request-2'
        $failed.Status | Should -Be 'Failed'
        $failed.Error.Code | Should -Be 'emulated_failure'
        $failed.Error.HttpStatus | Should -Be 400
    }

    It 'expires half way with [expire]: the rest come back Expired' {
        $b = New-MockBatch 'a', 'b [expire]', 'c', 'd' 'expiring' | Wait-IrisBatch
        $b.Status | Should -Be 'Expired'
        ($b | Get-IrisBatchResult | Group-Object Status | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) | Should -Be 'Expired 2', 'Succeeded 2'
    }

    It 'fails validation with [invalid], naming the line' {
        $b = New-MockBatch 'a', '[invalid] b' 'invalid' | Wait-IrisBatch
        $b.Status | Should -Be 'Failed'
        $b.Errors[0].Line | Should -Be 2
    }

    It 'cancels through Cancelling, keeping the requests already done' {
        $b = New-MockBatch 'a', 'b', 'c', 'd' 'cancel'
        $stopping = $b | Stop-IrisBatch -PassThru -Confirm:$false
        $stopping.Status | Should -Be 'Cancelling'
        $stopping.IsComplete | Should -BeFalse
        ($b | Wait-IrisBatch).Status | Should -Be 'Cancelled'
        ($b | Get-IrisBatchResult | Group-Object Status | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) | Should -Be 'Cancelled 2', 'Succeeded 2'
    }

    It 'reports an unknown id as IrisBatch.NotFound' {
        { Get-IrisBatchStatus -Id batch_mock_unknown -Provider Mock -ErrorAction Stop } | Should -Throw -ErrorId 'IrisBatch.NotFound*'
    }

    It 'advances with time in time mode, and a wait needs no more than the steps' {
        $env:IRISBATCH_MOCK_MODE = 'time'
        $env:IRISBATCH_MOCK_STEP_SECONDS = '0.3'
        $b = New-MockBatch 'a', 'b' 'timed'
        (Get-IrisBatchStatus -Id $b.Id).Status | Should -Be 'Pending'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        ($b | Wait-IrisBatch -PollInterval 60).Status | Should -Be 'Completed'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.6
    }

    It 'is seen by another pwsh that shares the journal folder' {
        $b = New-MockBatch 'shared' 'shared'
        $script = Join-Path $TestDrive 'other.ps1'
        Set-Content -Path $script -Value "param([string] `$ModulePath, [string] `$Id); Import-Module `$ModulePath; (Get-IrisBatchStatus -Id `$Id | Wait-IrisBatch | Get-IrisBatchResult).Output"
        $out = Invoke-TestPwsh -File $script -ArgumentList @('-ModulePath', $modulePath, '-Id', $b.Id)
        $LASTEXITCODE | Should -Be 0
        $out | Should -Contain 'Echo: shared'
        (Get-IrisBatchStatus -Id $b.Id).Status | Should -Be 'Completed'
    }
}
