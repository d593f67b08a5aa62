<#
.SYNOPSIS
    The README pipeline: one batch request per CSV row, submitted, waited for, and read back as a table.

.DESCRIPTION
    build.ps1 -Task Demo runs this in a child pwsh against a local emulator it starts:
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo

    Against the real OpenAI API (key in $env:OPENAI_API_KEY), the same pipeline is:
        Import-Module ./out/IrisBatch/IrisBatch.psd1
        Import-Csv examples/products.csv |
            New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name} in one sentence.' |
            Submit-IrisBatch | Wait-IrisBatch | Get-IrisBatchResult | Format-Table CustomId, Status, Output
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/IrisBatch/IrisBatch.psd1'),
    [Parameter(Mandatory)] [string] $BaseUri,
    # The emulator's key: a demo value, never a real secret.
    [string] $ApiKeyText = 'demo-key',
    [string] $CsvPath = (Join-Path $PSScriptRoot 'products.csv')
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

Write-Host "Submitting $((Import-Csv $CsvPath | Measure-Object).Count) requests from $CsvPath to $BaseUri"
Write-Host ''

Import-Csv $CsvPath |
    New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name} in one sentence.' |
    Submit-IrisBatch -BaseUri $BaseUri -ApiKey (ConvertTo-SecureString $ApiKeyText -AsPlainText -Force) |
    Wait-IrisBatch -PollInterval 1 |
    Get-IrisBatchResult |
    Format-Table CustomId, Status, Output |
    Out-Host
