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
