# B5: an embedding job end to end: Import-Csv | New-IrisBatchRequest -Endpoint Embeddings | Submit-IrisBatch (timed:
# submit), then Wait-IrisBatch, then Get-IrisBatchResult -IncludeInput | Export-Csv with every vector as a JSON array
# (timed: results to CSV). One process, so the peak working set covers both halves.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Csv,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $OutCsv,
    [string] $Model = 'text-embedding-3-small',
    [int] $Dimensions = 1536
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome
$clock = [Diagnostics.Stopwatch]::StartNew()
$batches = @(Import-Csv -LiteralPath $Csv |
        New-IrisBatchRequest -Endpoint Embeddings -Model $Model -Prompt '{name}: {description}' -Dimensions $Dimensions |
        Submit-IrisBatch -BaseUri $BaseUri)
$submitSeconds = $clock.Elapsed.TotalSeconds
$peakAfterSubmit = Get-PeakWorkingSet
$done = @($batches | Wait-IrisBatch -PollInterval 0.2 -Timeout 1800)
$waited = $clock.Elapsed.TotalSeconds
$batches | Get-IrisBatchResult -IncludeInput | Export-Csv -LiteralPath $OutCsv
$resultSeconds = $clock.Elapsed.TotalSeconds - $waited
# What came back: rows, and the length of the first vector (checks the file, not the objects).
$reader = [IO.StreamReader]::new($OutCsv)
$null = $reader.ReadLine()
$first = $reader.ReadLine()
$rows = 1
while ($null -ne $reader.ReadLine()) { $rows++ }
$reader.Dispose()
$vector = [regex]::Match($first, '"\[([^\]]*)\]"').Groups[1].Value
$csvBytes = (Get-Item -LiteralPath $OutCsv).Length
Remove-Item -LiteralPath $OutCsv
Write-BenchResult @{
    submitSeconds   = $submitSeconds
    waitSeconds     = $waited - $submitSeconds
    resultSeconds   = $resultSeconds
    batches         = $batches.Count
    completed       = @($done | Where-Object { $_.Status -eq 'Completed' }).Count
    rows            = $rows
    dimensions      = if ($vector) { $vector.Split(',').Count } else { 0 }
    csvBytes        = $csvBytes
    peakAfterSubmit = $peakAfterSubmit
}
