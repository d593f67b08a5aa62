# B6: the path users take, Get-IrisBatchResult -IncludeInput | Export-Csv, in input order across the batches of a
# submission whose results are already in the journal, against its floor Import-Csv | Export-Csv of the same rows,
# both in this process: the floor runs once untimed (warm), then timed (the median of -FloorRuns runs), then the case.
# Then, for the report only (the target is the ratio above): the case again, warm like its floor, and the floor over the
# case's own output, Import-Csv | Export-Csv of the same rows with the same columns (the input's and the result's), warm.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $IdsFile,
    [Parameter(Mandatory)] [string] $Csv,
    [Parameter(Mandatory)] [string] $OutCsv,
    [int] $FloorRuns = 3
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome
[string[]] $ids = @(Get-Content -LiteralPath $IdsFile | Where-Object { $_ })

# A floor: once untimed (warm: its code compiled, the CSV in the page cache), then the median of -FloorRuns timed runs,
# as one run of a pipeline this short moves with whatever else the machine does. Returns the median, then every run.
function Measure-Floor([string] $From) {
    Import-Csv -LiteralPath $From | Export-Csv -LiteralPath $OutCsv
    $runs = foreach ($i in 1..$FloorRuns) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Import-Csv -LiteralPath $From | Export-Csv -LiteralPath $OutCsv
        $clock.Stop()
        $clock.Elapsed.TotalSeconds
    }
    $sorted = @($runs | Sort-Object)
    , @(@($sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)]) + @($runs))
}

$measured = Measure-Floor $Csv
$floor = $measured[0]
$floors = @($measured | Select-Object -Skip 1)
$floorPeak = Get-PeakWorkingSet

$clock = [Diagnostics.Stopwatch]::StartNew()
Get-IrisBatchResult -Id $ids -IncludeInput | Export-Csv -LiteralPath $OutCsv
$clock.Stop()
$seconds = $clock.Elapsed.TotalSeconds
$peak = Get-PeakWorkingSet

# Not timed: the output has the input's rows in their order (its first column, sku, line by line), and their count.
$in = [IO.File]::ReadLines($Csv).GetEnumerator()
$rows = 0
$ordered = $true
foreach ($line in [IO.File]::ReadLines($OutCsv)) {
    if (-not $in.MoveNext()) { $ordered = $false; break }
    if ($rows -gt 0 -and $line.Substring(0, $line.IndexOf(',')) -ne $in.Current.Substring(0, $in.Current.IndexOf(','))) { $ordered = $false; break }
    $rows++
}

# The same columns: the case's output read and written again, as the floor above, untimed once and then its median.
$wideIn = "$OutCsv.wide.csv"
Move-Item -LiteralPath $OutCsv -Destination $wideIn -Force
$columns = @((Import-Csv -LiteralPath $wideIn | Select-Object -First 1).psobject.Properties).Count
$wideFloor = (Measure-Floor $wideIn)[0]

# The case warm: its second run in this process.
$clock = [Diagnostics.Stopwatch]::StartNew()
Get-IrisBatchResult -Id $ids -IncludeInput | Export-Csv -LiteralPath $OutCsv
$clock.Stop()
$warmSeconds = $clock.Elapsed.TotalSeconds

Remove-Item -LiteralPath $OutCsv, $wideIn -ErrorAction Ignore
Write-BenchResult @{
    seconds = $seconds; floorSeconds = $floor; floorRuns = @($floors); results = $rows - 1; ordered = $ordered
    casePeakWorkingSet = $peak; floorPeakWorkingSet = $floorPeak
    warmSeconds = $warmSeconds; sameColumnsFloorSeconds = $wideFloor; columns = $columns
}
