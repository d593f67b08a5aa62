#
# Module manifest for IrisBatch.
# ModuleVersion is a placeholder: build.ps1 stamps it from <Version> in Directory.Build.props
# (the one place the version is set) when it copies this file into out/IrisBatch.
#
@{
    RootModule           = 'IrisBatch.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = 'e91d2543-43ab-4930-b86e-3ab8f4ad4961'
    Author               = 'IrisBatch contributors'
    CompanyName          = 'IrisBatch contributors'
    Copyright            = '(c) IrisBatch contributors. All rights reserved.'
    Description          = 'Run LLM batch jobs from the PowerShell pipeline: build requests from rows, submit them to a provider''s batch API (OpenAI first), wait with progress, and get typed results joined back to the input rows.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')

    # Formats and help are added by the build when they exist (see build.ps1).
    FormatsToProcess     = @()
    TypesToProcess       = @()

    CmdletsToExport      = @(
        'New-IrisBatchRequest'
        'Submit-IrisBatch'
        'Get-IrisBatchStatus'
        'Wait-IrisBatch'
        'Get-IrisBatchResult'
        'Stop-IrisBatch'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    PrivateData          = @{
        PSData = @{
            Tags         = @('LLM', 'Batch', 'OpenAI', 'AI', 'GPT', 'CSV', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = ''   # to be filled when the project is published
            LicenseUri   = ''   # to be filled when the licence is chosen
            ReleaseNotes = ''
        }
    }
}
