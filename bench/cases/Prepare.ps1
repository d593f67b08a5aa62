# B2 setup (not timed): submit a CSV with a long prompt, wait, and download the results into the journal once,
# so the timed runs read them from disk. Writes the batch ids to -IdsFile and the result files to -FilesFile.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Csv,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $Prompt,
    [Parameter(Mandatory)] [string] $IdsFile,
    [Parameter(Mandatory)] [string] $FilesFile,
    [string] $Model = 'gpt-4o-mini'
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome
$clock = [Diagnostics.Stopwatch]::StartNew()
$batches = @(Import-Csv -LiteralPath $Csv | New-IrisBatchRequest -Model $Model -Prompt $Prompt | Submit-IrisBatch -BaseUri $BaseUri |
        Wait-IrisBatch -PollInterval 0.2 -Timeout 600)
$submitted = $clock.Elapsed.TotalSeconds
$count = ($batches | Get-IrisBatchResult | Measure-Object).Count
Set-Content -LiteralPath $IdsFile -Value @($batches | ForEach-Object Id)
$files = Get-ChildItem -LiteralPath (Join-Path $JournalHome 'submissions') -Recurse -Filter 'output.jsonl' | ForEach-Object FullName
Set-Content -LiteralPath $FilesFile -Value @($files)
Write-BenchResult @{
    seconds       = $clock.Elapsed.TotalSeconds
    submitSeconds = $submitted
    batches       = $batches.Count
    results       = $count
    outputBytes   = [long] ($files | ForEach-Object { (Get-Item -LiteralPath $_).Length } | Measure-Object -Sum).Sum
}
