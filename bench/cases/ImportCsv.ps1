# B1 baseline: the PowerShell pipeline alone, Import-Csv | Out-Null, warm: run once untimed first.
param([Parameter(Mandatory)] [string] $Csv)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-Csv -LiteralPath $Csv | Out-Null
$clock = [Diagnostics.Stopwatch]::StartNew()
Import-Csv -LiteralPath $Csv | Out-Null
$clock.Stop()
Write-BenchResult @{ seconds = $clock.Elapsed.TotalSeconds }
