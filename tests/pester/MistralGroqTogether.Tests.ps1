# Issue 19, the wire of Mistral, Groq and Together end to end, where Providers.Tests.ps1's shared scenarios do not reach:
# - an expired batch at Mistral (TIMEOUT_EXCEEDED, §12.5), Groq (expired, §13.4) and Together (EXPIRED, §14.4) shows
#   Expired and accounts for every request: the answers that finished before it expired, and the rest Expired (from the
#   error file's batch_expired lines or, where a line is missing, from the batch's status). Lifecycle.Tests.ps1 checks
#   the same for OpenAI;
# - a -Name longer than a metadata value may be (512 characters at Mistral §12.3 and Groq/OpenAI) stays in the journal.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 3000 -FinalizingMs 10
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe '<Name>: an expired batch' -ForEach @(
    @{ Name = 'Mistral'; Path = '/mistral/v1'; KeyVariable = 'MISTRAL_API_KEY'; Model = 'mistral-small-latest'; ProviderStatus = 'TIMEOUT_EXCEEDED' }
    @{ Name = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'llama-3.1-8b-instant'; ProviderStatus = 'expired' }
    @{ Name = 'Together'; Path = '/together/v1'; KeyVariable = 'TOGETHER_API_KEY'; Model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'; ProviderStatus = 'EXPIRED' }
) {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Name; BaseUri = "$($emu.Url)$Path" }
    }
    AfterAll { Clear-TestEnvironment }

    It 'shows Expired and accounts for every request' {
        $b = New-TestRows -Count 10 | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' | Submit-IrisBatch @at
        # Expire it once some requests have finished and some have not (the provider's counts, or progress, say so).
        $null = Wait-TestCondition -Because 'some requests finish' { $s = $b | Get-IrisBatchStatus; $s.Succeeded -gt 0 -and $s.Succeeded -lt 10 }
        $null = Invoke-EmulatorExpire $emu $b.Id
        $now = $b | Get-IrisBatchStatus
        $now.Status | Should -Be ([IrisBatch.BatchStatus]::Expired)
        $now.ProviderStatus | Should -BeExactly $ProviderStatus
        $now.IsComplete | Should -BeTrue
        $results = @($now | Get-IrisBatchResult)
        $results.Count | Should -Be 10
        @($results.CustomId | Sort-Object -Unique).Count | Should -Be 10
        $results | ForEach-Object { "$($_.Status)" | Should -BeIn @('Succeeded', 'Expired') }
        $expired = @($results | Where-Object Status -EQ Expired)
        $expired.Count | Should -BeGreaterThan 0
        $expired | ForEach-Object { $_.Error.Code | Should -Be 'batch_expired' }
        $succeeded = @($results | Where-Object Status -EQ Succeeded)
        $succeeded.Count | Should -BeGreaterThan 0 -Because 'the requests that finished before it expired keep their answers'
        $succeeded | ForEach-Object { $_.Usage.InputTokens | Should -BeGreaterThan 0; $_.Cost | Should -BeGreaterThan 0 }
        @($expired | Where-Object { $_.Cost -ne 0 }).Count | Should -Be 0 -Because 'an expired request is not billed'
    }
}

Describe '<Name>: a -Name longer than a metadata value may be' -ForEach @(
    @{ Name = 'Mistral'; Path = '/mistral/v1'; KeyVariable = 'MISTRAL_API_KEY'; Model = 'mistral-small-latest'; Get = '/mistral/v1/batch/jobs/' }
    @{ Name = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'llama-3.1-8b-instant'; Get = '/groq/openai/v1/batches/' }
) {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Name; BaseUri = "$($emu.Url)$Path" }
    }
    AfterAll { Clear-TestEnvironment }

    # Before, the name went into the batch's metadata whole: the create call was refused (422 at Mistral: "String should
    # have at most 512 characters") after the file had been uploaded, and a retry of failed rows (-retryN) of a name near
    # the limit would have failed the same way.
    It 'creates the batch, keeps the name in the journal and leaves it out of the provider''s metadata' {
        $long = 'night-run-' + ('x' * 590)
        $uploads = (Get-EmulatorStats $emu).uploads
        $b = New-TestRows -Count 2 | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' | Submit-IrisBatch @at -Name $long -ErrorAction Stop
        (Get-EmulatorStats $emu).uploads | Should -Be ($uploads + 1)
        $b.Name | Should -BeExactly $long
        (Get-IrisBatchStatus -Id $b.Id @at).Name | Should -BeExactly $long -Because 'the journal keeps it'
        $remote = Invoke-EmulatorApi $emu GET "$Get$($b.Id)"
        $remote.metadata.PSObject.Properties.Name | Should -Not -Contain 'irisbatch_name'
        $remote.metadata.irisbatch_key | Should -Not -BeNullOrEmpty -Because 'the idempotency key still travels'
    }
}
