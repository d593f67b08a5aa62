#
# Module manifest for IrisBatch.
# ModuleVersion is a placeholder: build.ps1 stamps it from <Version> in Directory.Build.props
# (the one place the version is set) when it copies this file into out/IrisBatch; a version with a
# suffix (0.2.0-beta1) becomes ModuleVersion plus Prerelease.
#
@{
    # No root module: PowerShell loads a root module's assembly as it reads the manifest, before any of the module's
    # code runs, and the loader must choose which IrisBatch.dll is loaded. Nested modules load in their order:
    # IrisBatch.Loader loads the precompiled IrisBatch.Core and IrisBatch from r2r/<platform>/ where the module ships
    # them (see src/IrisBatch.Loader); IrisBatch.dll, the cmdlets, then comes as the one already loaded, or the
    # portable copy beside this file (Windows PowerShell, other platforms).
    NestedModules        = @('IrisBatch.Loader.dll', 'IrisBatch.dll')
    ModuleVersion        = '0.0.0'
    GUID                 = 'e91d2543-43ab-4930-b86e-3ab8f4ad4961'
    Author               = 'IrisBatch contributors'
    CompanyName          = 'IrisBatch contributors'
    Copyright            = '(c) 2026 IrisBatch contributors. MIT License.'
    Description          = 'Run LLM batch jobs from the PowerShell pipeline: build one request per row, submit them to a provider''s batch API (OpenAI, Azure OpenAI, Anthropic, Gemini, xAI, Groq, Mistral, Together, or Ollama run locally) at about half the price of live calls, wait with progress, and get typed results joined back to the input rows. A journal on disk makes submission exactly-once and lets any later session collect the results; a mock provider lets you test your scripts with Pester offline.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')

    FormatsToProcess     = @('IrisBatch.Format.ps1xml')
    TypesToProcess       = @()

    CmdletsToExport      = @(
        'New-IrisBatchRequest'
        'Submit-IrisBatch'
        'Get-IrisBatchStatus'
        'Wait-IrisBatch'
        'Get-IrisBatchResult'
        'Stop-IrisBatch'
        'Remove-IrisBatch'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    PrivateData          = @{
        PSData = @{
            Tags         = @('LLM', 'Batch', 'OpenAI', 'Anthropic', 'Gemini', 'AzureOpenAI', 'AI', 'GPT', 'CSV', 'Pipeline',
                             'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            # Where the project is published; change both here when it moves.
            ProjectUri   = 'https://github.com/irisbatch/IrisBatch'
            LicenseUri   = 'https://github.com/irisbatch/IrisBatch/blob/main/LICENSE'
            ReleaseNotes = 'First release. Seven cmdlets (New-IrisBatchRequest, Submit-IrisBatch, Get-IrisBatchStatus, Wait-IrisBatch, Get-IrisBatchResult, Stop-IrisBatch, Remove-IrisBatch) over the batch APIs of OpenAI and compatible hosts, Azure OpenAI, Anthropic, Gemini, xAI, Groq, Mistral and Together, and local batches for Ollama; clean-up of finished batches at the provider and in the journal; an on-disk journal for exactly-once submission and results joined to their rows in any later session; token and cost preview with -WhatIf and -MaxCost; retries with Invoke-RestMethod''s parameters; a mock provider for Pester tests; help, views and tab completion. Verified on PowerShell 7.6; not yet run on Windows PowerShell 5.1 (see the README).'
        }
    }
}
