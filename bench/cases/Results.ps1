# B2: Get-IrisBatchResult over batches whose results are already in the journal, piped to Measure-Object, cold.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $IdsFile,
    # The result files, for the figures reported after the case (not targets): the floor run warm in this process,
    # then the case again, warm.
    [string] $FilesFile
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome
[string[]] $ids = @(Get-Content -LiteralPath $IdsFile | Where-Object { $_ })
$clock = [Diagnostics.Stopwatch]::StartNew()
$m = Get-IrisBatchResult -Id $ids | Measure-Object
$clock.Stop()
$seconds = $clock.Elapsed.TotalSeconds
$peak = Get-PeakWorkingSet

$warm = @{}
if ($FilesFile) {
    [string[]] $files = @(Get-Content -LiteralPath $FilesFile | Where-Object { $_ })
    $warm.sameProcessFloorSeconds = (Measure-ReadLines $files).seconds
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $null = Get-IrisBatchResult -Id $ids | Measure-Object
    $clock.Stop()
    $warm.warmSeconds = $clock.Elapsed.TotalSeconds
}
Write-BenchResult (@{ seconds = $seconds; results = $m.Count; casePeakWorkingSet = $peak } + $warm)
