# B2 floor: [IO.File]::ReadLines(file) | Measure-Object over the same result files, warm: run once untimed first.
param([Parameter(Mandatory)] [string] $FilesFile)
. (Join-Path $PSScriptRoot 'Common.ps1')
[string[]] $files = @(Get-Content -LiteralPath $FilesFile | Where-Object { $_ })
foreach ($f in $files) { $null = ([IO.File]::ReadLines($f) | Measure-Object).Count }
$count = 0
$clock = [Diagnostics.Stopwatch]::StartNew()
foreach ($f in $files) { $count += ([IO.File]::ReadLines($f) | Measure-Object).Count }
$clock.Stop()
Write-BenchResult @{ seconds = $clock.Elapsed.TotalSeconds; lines = $count }
