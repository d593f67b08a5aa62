# Submit-IrisBatch -WhatIf marks a reasoning model's estimated output with * and notes that the estimate leaves its
# reasoning tokens out (they are billed as output, spec §11.4). A reasoning model is what models.json says: OpenAI's
# "family": "reasoning", and Groq's models that take reasoning_effort ("efforts": gpt-oss, qwen3), whose reasoning is
# billed as output too. A plain chat model gets neither. The note's text is the same for every provider.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator
    $note = '* A reasoning model: the estimate excludes its reasoning tokens, which are billed as output tokens too.'
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe '<Provider> <Model>: Submit-IrisBatch -WhatIf' -ForEach @(
    @{ Provider = 'OpenAI'; Path = '/v1'; KeyVariable = 'OPENAI_API_KEY'; Model = 'o4-mini'; Reasoning = $true }
    @{ Provider = 'OpenAI'; Path = '/v1'; KeyVariable = 'OPENAI_API_KEY'; Model = 'gpt-4o-mini'; Reasoning = $false }
    @{ Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'openai/gpt-oss-20b'; Reasoning = $true }
    @{ Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'openai/gpt-oss-120b'; Reasoning = $true }
    @{ Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'qwen/qwen3-32b'; Reasoning = $true }
    @{ Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'llama-3.1-8b-instant'; Reasoning = $false }
) {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
    }
    AfterAll { Clear-TestEnvironment }

    It 'notes reasoning tokens only for a reasoning model (<Reasoning>), and sends nothing' {
        $before = Get-EmulatorChangeCount $emu | ConvertTo-Json -Compress
        $lines = @(New-TestRows -Count 2 | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' -MaxTokens 100 |
                Submit-IrisBatch @at -WhatIf 6>&1 3>$null | ForEach-Object { "$_" })
        Get-EmulatorChangeCount $emu | ConvertTo-Json -Compress | Should -Be $before
        $row = @($lines | Where-Object { $_ -match "^\s*1\s+$([regex]::Escape($Model))\s" })
        $row.Count | Should -Be 1 -Because ($lines -join "`n")
        if ($Reasoning) {
            $lines | Should -Contain $note
            $row[0] | Should -Match '\d \*\s'
        }
        else {
            $lines | Should -Not -Contain $note
            $row[0] | Should -Not -Match '\*'
        }
    }
}
