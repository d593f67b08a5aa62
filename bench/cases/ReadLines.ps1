# B2 floor: [IO.File]::ReadLines(file) | Measure-Object over the same result files, warm: run once untimed first.
param([Parameter(Mandatory)] [string] $FilesFile)
. (Join-Path $PSScriptRoot 'Common.ps1')
[string[]] $files = @(Get-Content -LiteralPath $FilesFile | Where-Object { $_ })
Write-BenchResult (Measure-ReadLines $files)
