<#
.SYNOPSIS
    Runs the Pester suite against the published module; build.ps1 -Task Test starts this in a child pwsh.

.DESCRIPTION
    Writes into -ResultDirectory:
      pester.xml           NUnit XML, for CI viewers
      pester-summary.json  {passed, failed, skipped, total, failures: [{name, message}]} read by build.ps1
    Exit code: 0 when everything passed, 1 otherwise.

    By hand, after 'dotnet pwsh ./build.ps1':
      dotnet pwsh -NoProfile -File tests/pester/Invoke-Pester.ps1 -FullName '*WhatIf*'
#>
[CmdletBinding()]
param(
    [string] $PesterModule = (Join-Path $PSScriptRoot '../../.tools/packages/pester/5.7.1/tools/Pester.psd1'),
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/IrisBatch/IrisBatch.psd1'),
    [string] $ResultDirectory = (Join-Path $PSScriptRoot '../../out/test-results'),
    # examples/testing holds the users' example test that docs/testing.md shows: the suite runs it as it is.
    [string[]] $Path = @($PSScriptRoot, (Join-Path $PSScriptRoot '../../examples/testing')),
    # Comma-separated wildcards on the tests' full names (a single string survives -File argument passing).
    [string] $FullName
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }

$summaryPath = Join-Path $ResultDirectory 'pester-summary.json'
$null = New-Item -ItemType Directory -Force $ResultDirectory

# The test files import the module from here (TestHelpers.psm1: Import-ModuleUnderTest).
$env:IRISBATCH_TEST_MODULE = (Resolve-Path $ModulePath).Path
# Tests written as users write them (examples/testing) import it by name: the published folder comes first.
$env:PSModulePath = (Split-Path (Split-Path $env:IRISBATCH_TEST_MODULE)) + [IO.Path]::PathSeparator + $env:PSModulePath

if (-not (Test-Path $PesterModule)) {
    throw "Pester is missing at $PesterModule. 'dotnet pwsh ./build.ps1 -Task Test' downloads it (dotnet package download Pester@5.7.1 -o .tools/packages)."
}
Import-Module $PesterModule -Force

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$config.Output.StackTraceVerbosity = 'Filtered'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultDirectory 'pester.xml'
if ($FullName) { $config.Filter.FullName = @($FullName -split ',' | Where-Object { $_ }) }

function Get-ErrorText($ErrorRecords) {
    (@($ErrorRecords) | Where-Object { $_ } | ForEach-Object {
        if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.Exception.Message } else { "$_" }
    }) -join "`n"
}

function Get-BlockTest($Block) {
    foreach ($t in $Block.Tests) { $t }
    foreach ($b in $Block.Blocks) { Get-BlockTest $b }
}

$failures = [Collections.Generic.List[object]]::new()
try {
    $run = Invoke-Pester -Configuration $config
    $failed = $run.FailedCount
    foreach ($t in $run.Failed) {
        $message = Get-ErrorText $t.ErrorRecord
        if (-not $message) { $message = 'did not run: the setup of its block or file failed (see below)' }
        $failures.Add([ordered]@{ name = $t.ExpandedPath; message = $message })
    }
    # A failing BeforeAll/AfterAll or a file that cannot be loaded is reported on its own; it counts as
    # one more failure only when no test inside it already failed because of it.
    foreach ($b in $run.FailedBlocks) {
        $failures.Add([ordered]@{ name = "$($b.ExpandedPath) (block setup/teardown)"; message = Get-ErrorText $b.ErrorRecord })
        if (-not @(Get-BlockTest $b | Where-Object Result -EQ 'Failed')) { $failed++ }
    }
    foreach ($c in $run.FailedContainers) {
        $failures.Add([ordered]@{ name = "$($c.Item) (file)"; message = Get-ErrorText $c.ErrorRecord })
        if (-not @($c.Blocks | ForEach-Object { Get-BlockTest $_ } | Where-Object Result -EQ 'Failed')) { $failed++ }
    }
    $summary = [ordered]@{
        passed   = $run.PassedCount
        failed   = $failed
        skipped  = $run.SkippedCount
        notRun   = $run.NotRunCount
        total    = $run.TotalCount
        failures = @($failures)
    }
}
catch {
    $summary = [ordered]@{
        passed = 0; failed = 1; skipped = 0; notRun = 0; total = 0
        failures = @([ordered]@{ name = 'Invoke-Pester'; message = "Pester itself failed: $($_.Exception.Message)" })
    }
}

$summary | ConvertTo-Json -Depth 5 | Set-Content -Path $summaryPath -Encoding utf8NoBOM
exit ([int] ($summary.failed -gt 0))
