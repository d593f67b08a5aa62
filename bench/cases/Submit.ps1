# B1: Import-Csv | New-IrisBatchRequest | Submit-IrisBatch against the emulator, with the default limits.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Csv,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $Prompt,
    [string] $Model = 'gpt-4o-mini',
    # Written with the ids of the batches, one a line (for the cases that read their results).
    [string] $IdsFile,
    # After the case, for the report only (not a target): the floor Import-Csv | Out-Null run warm in this process,
    # then the same submission again (-Force, warm).
    [switch] $Warm
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome
$clock = [Diagnostics.Stopwatch]::StartNew()
$batches = @(Import-Csv -LiteralPath $Csv | New-IrisBatchRequest -Model $Model -Prompt $Prompt | Submit-IrisBatch -BaseUri $BaseUri)
$clock.Stop()
$seconds = $clock.Elapsed.TotalSeconds
$peak = Get-PeakWorkingSet
if ($IdsFile) { Set-Content -LiteralPath $IdsFile -Value @($batches | ForEach-Object Id) }
$warmFigures = @{}
if ($Warm) {
    Import-Csv -LiteralPath $Csv | Out-Null
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Import-Csv -LiteralPath $Csv | Out-Null
    $clock.Stop()
    $warmFigures.sameProcessFloorSeconds = $clock.Elapsed.TotalSeconds
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $null = Import-Csv -LiteralPath $Csv | New-IrisBatchRequest -Model $Model -Prompt $Prompt | Submit-IrisBatch -BaseUri $BaseUri -Force
    $clock.Stop()
    $warmFigures.warmSeconds = $clock.Elapsed.TotalSeconds
}
Write-BenchResult (@{
    casePeakWorkingSet = $peak
    seconds  = $seconds
    batches  = $batches.Count
    requests = [long] ($batches | Measure-Object Total -Sum).Sum
    sets     = @($batches | ForEach-Object SetId | Sort-Object -Unique).Count
} + $warmFigures)
