# B2: Get-IrisBatchResult over batches whose results are already in the journal, piped to Measure-Object.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $IdsFile
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome
[string[]] $ids = @(Get-Content -LiteralPath $IdsFile | Where-Object { $_ })
$clock = [Diagnostics.Stopwatch]::StartNew()
$m = Get-IrisBatchResult -Id $ids | Measure-Object
$clock.Stop()
Write-BenchResult @{ seconds = $clock.Elapsed.TotalSeconds; results = $m.Count }
