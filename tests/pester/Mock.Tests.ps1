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

# The mock keeps files as OpenAI does (the input, and a finished batch's output and error files, in mock/files), so
# Remove-IrisBatch deletes them there as it does at OpenAI (Cleanup.Tests.ps1): a deleted file is gone from the store.
Describe 'Remove-IrisBatch with the mock provider' {
    BeforeAll {
        function Get-StorePath([string] $FileId) { Join-Path $env:IRISBATCH_HOME "mock/files/$FileId.jsonl" }
        function Get-StoreFiles { @(Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'mock/files') -Filter *.jsonl | ForEach-Object { $_.BaseName } | Sort-Object) }
        function Get-MockSteps([string] $Id) { (Get-Content -Raw (Join-Path $env:IRISBATCH_HOME "mock/batches/$Id.json") | ConvertFrom-Json).Steps }
        function Test-InJournal([string] $Id) { [bool] (Get-IrisBatchStatus -Local | Where-Object Id -EQ $Id) }
        function Get-FileItems($Batch) {
            @("input file $($Batch.InputFileId)", "output file $($Batch.OutputFileId)", "error file $($Batch.ErrorFileId)") |
                Where-Object { $_ -notmatch ' $' } | Sort-Object
        }
        function Get-HostText([scriptblock] $ScriptBlock) {
            $path = Join-Path $TestDrive "host-$([guid]::NewGuid().ToString('N')).txt"
            $null = Start-Transcript -Path $path -UseMinimalHeader
            try { $null = & $ScriptBlock }
            finally { $null = Stop-Transcript }
            Get-Content -Raw $path
        }
        # A finished batch whose results were collected; '[fail]' in a prompt gives it an error file.
        function New-Collected([string[]] $Prompts, [string] $Name) {
            $b = New-MockBatch $Prompts $Name | Wait-IrisBatch
            $null = $b | Get-IrisBatchResult
            $b
        }
    }
    BeforeEach {
        $null = Initialize-TestEnvironment
        Remove-Item env:OPENAI_API_KEY, env:IRISBATCH_MOCK_MODE, env:IRISBATCH_MOCK_STEP_SECONDS -ErrorAction Ignore
    }
    AfterEach { Clear-TestEnvironment }

    It 'deletes exactly the input, output and error files of the batch from the store, and its journal entry' {
        $other = New-Collected 'x', 'y [fail]' 'other'
        $b = New-Collected 'a', 'b [fail]', 'c' 'three'
        $b.ErrorFileId | Should -Not -BeNullOrEmpty
        $mine = $b.InputFileId, $b.OutputFileId, $b.ErrorFileId
        foreach ($id in $mine) { Test-Path (Get-StorePath $id) | Should -BeTrue }
        $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru -ErrorVariable failed
        $failed.Count | Should -Be 0
        @($removed.Deleted | ForEach-Object { "$_" } | Sort-Object) | Should -Be (Get-FileItems $b)
        $removed.AlreadyGone.Count | Should -Be 0
        $removed.JournalEntryRemoved | Should -BeTrue
        Test-InJournal $b.Id | Should -BeFalse
        Get-StoreFiles | Should -Be @($other.InputFileId, $other.OutputFileId, $other.ErrorFileId | Sort-Object) -Because 'only that batch''s files go'
        @($other | Get-IrisBatchResult -Refresh).Count | Should -Be 2
    }

    It 'deletes 2 files when every request succeeded (no error file), by -Id' {
        $b = New-Collected 'a', 'b' 'two'
        $b.ErrorFileId | Should -BeNullOrEmpty
        Get-StoreFiles | Should -Be @($b.InputFileId, $b.OutputFileId | Sort-Object)
        $removed = Remove-IrisBatch -Id $b.Id -Confirm:$false -PassThru
        @($removed.Deleted | ForEach-Object { "$_" } | Sort-Object) | Should -Be (Get-FileItems $b)
        $removed.Deleted.Count | Should -Be 2
        Get-StoreFiles | Should -BeNullOrEmpty
        Test-InJournal $b.Id | Should -BeFalse
    }

    It '-WhatIf lists the files and the journal entry, and deletes nothing' {
        $b = New-Collected 'a', 'b [fail]' 'whatif'
        $text = Get-HostText { $b | Remove-IrisBatch -WhatIf }
        foreach ($id in $b.InputFileId, $b.OutputFileId, $b.ErrorFileId) { $text | Should -Match ([regex]::Escape($id)) }
        $text | Should -Match 'journal entry'
        foreach ($id in $b.InputFileId, $b.OutputFileId, $b.ErrorFileId) { Test-Path (Get-StorePath $id) | Should -BeTrue }
        Test-InJournal $b.Id | Should -BeTrue
        ($b | Remove-IrisBatch -Confirm:$false -PassThru).Deleted.Count | Should -Be 3 -Because 'they were all still there'
    }

    It '-KeepLocal deletes the files and keeps the results readable with no call to the mock; removing for good later is no error' {
        $b = New-MockBatch 'a', 'b [fail]', 'c' 'keep' | Wait-IrisBatch
        $first = @($b | Get-IrisBatchResult)
        $removed = Remove-IrisBatch -Id $b.Id -KeepLocal -Confirm:$false -PassThru
        @($removed.Deleted | ForEach-Object { "$_" } | Sort-Object) | Should -Be (Get-FileItems $b)
        $removed.KeptLocal | Should -BeTrue
        $removed.JournalEntryRemoved | Should -BeFalse
        Get-StoreFiles | Should -BeNullOrEmpty
        Test-InJournal $b.Id | Should -BeTrue
        # Each call to the mock for this batch takes a step; a download could only fail now that its files are gone.
        $steps = Get-MockSteps $b.Id
        $again = @(Get-IrisBatchResult -Id $b.Id -ErrorVariable failed)
        $failed.Count | Should -Be 0
        Get-MockSteps $b.Id | Should -Be $steps
        ($again | ForEach-Object { "$($_.CustomId)|$($_.Status)|$($_.Output)" }) | Should -Be ($first | ForEach-Object { "$($_.CustomId)|$($_.Status)|$($_.Output)" })
        # As for OpenAI (Cleanup.Tests.ps1): the entry remembers the files went, so nothing more is deleted or reported.
        $second = Remove-IrisBatch -Id $b.Id -Confirm:$false -PassThru -ErrorVariable failed
        $failed.Count | Should -Be 0
        $second.Deleted.Count | Should -Be 0
        $second.JournalEntryRemoved | Should -BeTrue
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'a file already gone from the store is reported AlreadyGone, not an error' {
        $b = New-Collected 'a', 'b [fail]' 'gone'
        Remove-Item -LiteralPath (Get-StorePath $b.OutputFileId)
        $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru -ErrorVariable failed
        $failed.Count | Should -Be 0
        @($removed.AlreadyGone | ForEach-Object { "$_" }) | Should -Be "output file $($b.OutputFileId)"
        @($removed.Deleted | ForEach-Object { "$_" } | Sort-Object) | Should -Be @("error file $($b.ErrorFileId)", "input file $($b.InputFileId)")
        Get-StoreFiles | Should -BeNullOrEmpty
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'Get-IrisBatchResult -Refresh after -KeepLocal is IrisBatch.NotFound naming the deleted file, as OpenAI''s 404' {
        $b = New-Collected 'a', 'b' 'refresh'
        $null = $b | Remove-IrisBatch -KeepLocal -Confirm:$false
        $got = @($b | Get-IrisBatchResult -Refresh -ErrorAction SilentlyContinue -ErrorVariable failed)
        $got.Count | Should -Be 0
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotFound,*'
        $failed[0].TargetObject | Should -Be $b.Id
        "$($failed[0])" | Should -Match ([regex]::Escape($b.OutputFileId))
    }

    It 'refuses a batch never collected unless -Force, which deletes the files it has at the mock all the same' {
        $b = New-MockBatch 'a', 'b [fail]' 'uncollected' | Wait-IrisBatch
        $b | Remove-IrisBatch -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable refused
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotCollected,*'
        Get-StoreFiles | Should -Be @($b.InputFileId, $b.OutputFileId, $b.ErrorFileId | Sort-Object)
        ($b | Remove-IrisBatch -Force -PassThru).Deleted.Count | Should -Be 3
        Get-StoreFiles | Should -BeNullOrEmpty
    }

    It 'Get-IrisBatchResult -RemoveAfter emits every result, then deletes the files and the entry' {
        $b = New-MockBatch 'a', 'b' 'after' | Wait-IrisBatch
        @($b | Get-IrisBatchResult -RemoveAfter).Output | Should -Be 'Echo: a', 'Echo: b'
        Get-StoreFiles | Should -BeNullOrEmpty
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'Get-IrisBatchResult -RemoveAfter -WhatIf emits every result, says what it would remove, and deletes nothing' {
        $b = New-MockBatch 'a', 'b' 'after-whatif' | Wait-IrisBatch
        $got = [Collections.Generic.List[object]]::new()
        $text = Get-HostText { $b | Get-IrisBatchResult -RemoveAfter -WhatIf | ForEach-Object { $got.Add($_) } }
        $got.Output | Should -Be 'Echo: a', 'Echo: b'
        $text | Should -Match "What if: .*$([regex]::Escape($b.InputFileId))"
        Get-StoreFiles | Should -Be @($b.InputFileId, $b.OutputFileId | Sort-Object)
        Test-InJournal $b.Id | Should -BeTrue
        # Collected now, so a later removal needs no -Force.
        ($b | Remove-IrisBatch -Confirm:$false -PassThru).Deleted.Count | Should -Be 2
    }
}
