# Issue 15: a journal folder that cannot be written is IrisBatch.JournalUnavailable, naming the path and the OS error,
# on every cmdlet that keeps its record there; nothing is sent first. (A file where the folder should be: refused
# whoever runs the tests, root included, on every OS.)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $homeDir = Initialize-TestEnvironment
    $blocker = Join-Path $homeDir 'a-file'
    Set-Content -Path $blocker -Value 'in the way'
    $env:IRISBATCH_HOME = Join-Path $blocker 'journal'
}

AfterAll {
    $env:IRISBATCH_HOME = $homeDir
    Clear-TestEnvironment
}

Describe 'An unwritable journal folder' {
    It '<Name> stops with IrisBatch.JournalUnavailable naming the folder' -ForEach @(
        @{ Name = 'Submit-IrisBatch'; Run = { New-IrisBatchRequest -InputObject @{ a = 1 } -Model gpt-4o-mini -Prompt 'x {a}' | Submit-IrisBatch -Provider Mock } }
        @{ Name = 'Wait-IrisBatch'; Run = { Wait-IrisBatch -Id batch_x -Provider Mock -Timeout 1 } }
        @{ Name = 'Get-IrisBatchStatus'; Run = { Get-IrisBatchStatus -Id batch_x -Provider Mock } }
        @{ Name = 'Get-IrisBatchStatus (list)'; Run = { Get-IrisBatchStatus } }
        @{ Name = 'Get-IrisBatchResult'; Run = { Get-IrisBatchResult -Id batch_x -Provider Mock } }
        @{ Name = 'Stop-IrisBatch'; Run = { Stop-IrisBatch -Id batch_x -Provider Mock -Confirm:$false } }
        @{ Name = 'Remove-IrisBatch'; Run = { Remove-IrisBatch -Id batch_x -Provider Mock -Confirm:$false } }
    ) {
        $err = $null
        try { & $Run -ErrorAction Stop | Out-Null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.JournalUnavailable,*'
        $err.Exception.Message | Should -BeLike "*$($env:IRISBATCH_HOME)*"
        $err.Exception.InnerException | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -BeLike "*$($err.Exception.InnerException.Message)*" -Because 'the OS error is named'
    }
}

Describe 'A journal entry that cannot be read' {
    BeforeEach {
        $env:IRISBATCH_HOME = Join-Path $homeDir "damaged-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        function New-Requests([string] $Tag) {
            1..3 | ForEach-Object { [pscustomobject]@{ text = "$Tag $_" } } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{text}'
        }
        # Two running batches; then the entry of the first is damaged (a disk error, a bad hand edit).
        $requests = @(New-Requests 'damaged')
        $damaged = $requests | Submit-IrisBatch -Provider Mock
        $kept = New-Requests 'kept' | Submit-IrisBatch -Provider Mock
        $entryFile = Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'submissions') -Filter entry.json -Recurse |
            Where-Object { (Get-Content -Raw $_.FullName) -match [regex]::Escape($damaged.Id) }
        Set-Content -Path $entryFile.FullName -Value '{"SubmissionId": "cut short'
        $mockBatches = { @(Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'mock/batches') -Filter '*.json').Count }
    }
    AfterEach { $env:IRISBATCH_HOME = $homeDir }

    It 'Get-IrisBatchStatus -<Switch> names it with IrisBatch.JournalError and still lists the others' -ForEach @(
        @{ Switch = 'Pending' }
        @{ Switch = 'Local' }
    ) {
        $switches = @{ $Switch = $true }
        $listed = @(Get-IrisBatchStatus @switches -ErrorVariable failed -ErrorAction SilentlyContinue)
        $listed.Id | Should -Be @($kept.Id)
        @($failed).Count | Should -Be 1 -Because 'a batch that may still be running or uncollected must not vanish from the list unsaid'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.JournalError,*'
        $failed[0].Exception.Message | Should -BeLike "*$($entryFile.FullName)*"
        "$($failed[0].TargetObject)" | Should -Be $entryFile.FullName
    }

    It 'Submit-IrisBatch of the same requests stops with IrisBatch.JournalError naming it and submits nothing; -Force submits' {
        $before = & $mockBatches
        $again = $requests | Submit-IrisBatch -Provider Mock -ErrorVariable failed -ErrorAction SilentlyContinue
        $again | Should -BeNullOrEmpty -Because 'whether these requests already have a batch is unknown: a new one could pay twice'
        (& $mockBatches) | Should -Be $before
        @($failed).Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.JournalError,*'
        $failed[0].Exception.Message | Should -BeLike "*$($entryFile.FullName)*-Force*"

        $forced = $requests | Submit-IrisBatch -Provider Mock -Force -ErrorAction Stop
        $forced.Id | Should -Not -Be $damaged.Id
        (& $mockBatches) | Should -Be ($before + 1)
    }
}

Describe 'A created batch whose id pointer was never written (the process died between the two writes)' {
    BeforeEach {
        $env:IRISBATCH_HOME = Join-Path $homeDir "unindexed-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        # Anything not found in the journal goes to the default provider: a closed port here, never the internet.
        $env:OPENAI_BASE_URL = 'http://127.0.0.1:9/v1'
        $requests = @(1..3 | ForEach-Object { [pscustomobject]@{ text = "unindexed $_" } } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{text}')
        $batch = $requests | Submit-IrisBatch -Provider Mock
        Remove-Item -LiteralPath (Join-Path $env:IRISBATCH_HOME "ids/$($batch.Id)")
    }
    AfterEach {
        $env:IRISBATCH_HOME = $homeDir
        Remove-Item env:OPENAI_BASE_URL -ErrorAction Ignore
    }

    It 'is found by its id alone again after <How>' -ForEach @(
        @{ How = 'Get-IrisBatchStatus -Pending'; Run = { $null = Get-IrisBatchStatus -Pending } }
        @{ How = 'the same Submit-IrisBatch again'; Run = { $null = $requests | Submit-IrisBatch -Provider Mock -WarningAction SilentlyContinue } }
    ) {
        & $Run
        $found = Get-IrisBatchStatus -Id $batch.Id -MaximumRetryCount 0 -ErrorAction Stop
        $found.Provider | Should -Be 'Mock' -Because 'where the batch lives comes from the journal'
        @(Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'submissions') -Filter entry.json -Recurse).Count | Should -Be 1
    }
}
