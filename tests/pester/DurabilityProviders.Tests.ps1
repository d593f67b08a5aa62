# The fault matrix of the durability issue (Invoke-FaultMatrixCase, as Durability.Tests.ps1 runs it for OpenAI) for Groq,
# Mistral and Together (issue 19): 429 with Retry-After, 5xx, a create whose answer is lost, a truncated download and a
# malformed result line, each on 1,000 rows, end with exactly one upload, one batch and every result. The emulator
# serves each on its own prefix; its route names cover Mistral's /batch/jobs and Together's /files/upload.

BeforeDiscovery {
    $providers = @(
        @{ Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'llama-3.1-8b-instant' }
        @{ Provider = 'Mistral'; Path = '/mistral/v1'; KeyVariable = 'MISTRAL_API_KEY'; Model = 'mistral-small-latest' }
        @{ Provider = 'Together'; Path = '/together/v1'; KeyVariable = 'TOGETHER_API_KEY'; Model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo' }
    )
    $faults = @(
        @{ Route = 'create'; Fault = '429 with Retry-After'; Rule = @{ kind = 'status'; status_code = 429; retry_after = 1; retry_after_ms = 30 } }
        @{ Route = 'upload'; Fault = '500'; Rule = @{ kind = 'status'; status_code = 500 } }
        @{ Route = 'create'; Fault = 'reset after acting'; Rule = @{ kind = 'reset_after' } }
        @{ Route = 'download'; Fault = 'truncated body'; Rule = @{ kind = 'truncate' } }
        @{ Route = 'download'; Fault = 'malformed result line'; Rule = @{ kind = 'malformed_line'; line = 7 } }
    )
}

Describe '<Provider>: faults during the pipeline of 1,000 rows' -ForEach $providers {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $null = Import-ModuleUnderTest
        $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
    }
    AfterAll {
        if ($emu) { Stop-TestEmulator $emu }
        Clear-TestEnvironment
    }

    It '<Fault> on <Route>: one result per custom id, one upload, one batch' -ForEach $faults {
        Invoke-FaultMatrixCase -Emulator $emu -Route $Route -Rule $Rule -OneUpload -Submit {
            param($net)
            New-TestRows -Count 1000 -Prefix "$Route $($Rule.kind) $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
                New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.' | Submit-IrisBatch @at @net -ErrorAction Stop
        }
    }
}

Describe 'Together: the read of the input file after the create call refused more often than retried' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $null = Import-ModuleUnderTest
        $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'TOGETHER_API_KEY'
    }
    AfterAll {
        if ($emu) { Stop-TestEmulator $emu }
        Clear-TestEnvironment
    }

    It 'takes the batch it made instead of creating another' {
        # The upload's answer is lost (the file is found again by its name, so its line count is not known yet); the create
        # then reads the file's line count, and that read gets two 429s with one retry: the batch exists by then.
        $null = Add-EmulatorFault $emu -Route upload -Kind reset_after
        $null = Add-EmulatorFault $emu -Route 'GET /together/v1/files/{file_id}' -Kind status -StatusCode 429 -RetryAfterMs 20 -Count 2
        $batch = New-TestRows -Count 5 -Prefix "read 429 $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
            New-IrisBatchRequest -Model 'meta-llama/Llama-3.3-70B-Instruct-Turbo' -Prompt 'Describe {name}.' |
            Submit-IrisBatch -Provider Together -BaseUri "$($emu.Url)/together/v1" -MaximumRetryCount 1 -ErrorAction Stop 3>$null
        @(Get-EmulatorFault $emu)[1].injected | Should -Be 2 -Because 'the read after the create was refused'
        (Get-EmulatorStats $emu).batches_created | Should -Be 1 -Because 'a second batch would run the same requests twice'
        $batch.Total | Should -Be 5
    }
}
