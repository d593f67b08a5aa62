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
    [string] $FullName,
    # Runs only share -Shard (1 to -ShardCount) of the test files: build.ps1 runs the shares side by side, each in a
    # pwsh of its own, as most of a test's time is spent waiting on the emulator or a child pwsh.
    [int] $Shard = 1,
    [int] $ShardCount = 1
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

# Seconds each file took in a full run on 2 cores, to share the files out evenly: a scheduling hint only (a file not
# listed counts as 5 seconds), so a stale figure makes one share finish later, never a test pass or fail.
$SecondsHint = @{
    'Durability.Tests.ps1' = 98; 'Providers.Tests.ps1' = 72; 'Ollama.Tests.ps1' = 53; 'Embeddings.Tests.ps1' = 49
    'DurabilityAnthropic.Tests.ps1' = 39; 'Features.Tests.ps1' = 20; 'Scale.Tests.ps1' = 16; 'Lifecycle.Tests.ps1' = 14
    'NewUser.Tests.ps1' = 10; 'Pipeline.Tests.ps1' = 9; 'NativeImages.Tests.ps1' = 8; 'DurabilityProviders.Tests.ps1' = 8
    'Cleanup.Tests.ps1' = 8; 'Package.Tests.ps1' = 7; 'DurabilityGeminiXai.Tests.ps1' = 7; 'Help.Tests.ps1' = 6
}

function Get-TestShare([string[]] $From, [int] $Index, [int] $Count) {
    <# The test files of share $Index of $Count: the longest first, each to the share with the least time so far. #>
    $files = @(foreach ($p in $From) {
            if (Test-Path -LiteralPath $p -PathType Container) { Get-ChildItem -LiteralPath $p -Recurse -File -Filter '*.Tests.ps1' }
            else { Get-Item -LiteralPath $p }
        }) | Sort-Object FullName -Unique
    $load = [double[]]::new($Count)
    $share = foreach ($f in $files | Sort-Object { - $(if ($SecondsHint.ContainsKey($_.Name)) { $SecondsHint[$_.Name] } else { 5 }) }, FullName) {
        $least = [Array]::IndexOf($load, ($load | Measure-Object -Minimum).Minimum)
        $load[$least] += $(if ($SecondsHint.ContainsKey($f.Name)) { $SecondsHint[$f.Name] } else { 5 })
        if ($least -eq $Index - 1) { $f.FullName }
    }
    @($share)
}

if ($ShardCount -lt 1 -or $Shard -lt 1 -or $Shard -gt $ShardCount) { throw "-Shard $Shard of -ShardCount ${ShardCount}: the share must be 1 to $ShardCount." }
if ($ShardCount -gt 1) {
    $Path = Get-TestShare $Path $Shard $ShardCount
    Write-Host ("Share {0} of {1}: {2}" -f $Shard, $ShardCount, (($Path | ForEach-Object { Split-Path -Leaf $_ }) -join ', '))
    if (-not $Path) {
        # More shares than test files: this one has none (an empty path would make Pester run the current folder).
        [ordered]@{ passed = 0; failed = 0; skipped = 0; notRun = 0; total = 0; failures = @(); files = @() } |
            ConvertTo-Json -Depth 5 | Set-Content -Path $summaryPath -Encoding utf8NoBOM
        exit 0
    }
}

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
        # The files this run was given (build.ps1 checks that its shares, together, ran every test file).
        files    = @($run.Containers | ForEach-Object { "$($_.Item)" })
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
