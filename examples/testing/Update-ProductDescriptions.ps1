<#
.SYNOPSIS
    A nightly job: one sentence of description for each product of a CSV, written by a model through a batch.

.DESCRIPTION
    An example of an operations script that uses IrisBatch. docs/testing.md shows how to test it with Pester and
    the mock provider; Update-ProductDescriptions.Tests.ps1 beside it is that test.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $InputCsv,
    [Parameter(Mandatory)] [string] $OutputCsv,
    [string] $Model = 'gpt-4o-mini',
    [string] $Provider = 'OpenAI',
    [double] $PollInterval = 300
)

$ErrorActionPreference = 'Stop'
Import-Module IrisBatch

$batches = Import-Csv $InputCsv |
    New-IrisBatchRequest -Model $Model -Prompt 'Describe {name} in one sentence.' -CustomId '{id}' |
    Submit-IrisBatch -Provider $Provider -Name product-descriptions

$results = @($batches | Wait-IrisBatch -PollInterval $PollInterval | Get-IrisBatchResult -IncludeInput)

$results | Where-Object Status -EQ 'Succeeded' |
    Select-Object id, name, @{ n = 'description'; e = { $_.Output } } |
    Export-Csv $OutputCsv

$failed = @($results | Where-Object Status -NE 'Succeeded')
foreach ($f in $failed) { Write-Warning "Product $($f.id): $($f.ErrorCode) $($f.ErrorMessage)" }

[pscustomobject]@{ Batches = @($batches).Count; Described = $results.Count - $failed.Count; Failed = $failed.Count }
