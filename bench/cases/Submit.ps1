# B1: Import-Csv | New-IrisBatchRequest | Submit-IrisBatch against the emulator, with the default limits.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Csv,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $Prompt,
    [string] $Model = 'gpt-4o-mini',
    # Written with the ids of the batches, one a line (for the cases that read their results).
    [string] $IdsFile
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome
$clock = [Diagnostics.Stopwatch]::StartNew()
$batches = @(Import-Csv -LiteralPath $Csv | New-IrisBatchRequest -Model $Model -Prompt $Prompt | Submit-IrisBatch -BaseUri $BaseUri)
$clock.Stop()
if ($IdsFile) { Set-Content -LiteralPath $IdsFile -Value @($batches | ForEach-Object Id) }
Write-BenchResult @{
    seconds  = $clock.Elapsed.TotalSeconds
    batches  = $batches.Count
    requests = [long] ($batches | Measure-Object Total -Sum).Sum
    sets     = @($batches | ForEach-Object SetId | Sort-Object -Unique).Count
}
