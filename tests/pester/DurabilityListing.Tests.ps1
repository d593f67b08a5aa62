# Issue 15: "where the look-up is ambiguous too, stop and say so". A create whose answer is lost is looked for in the
# provider's list of batches; a list answer that cannot be read (a 200 whose body is empty, {} or an HTML page, as a
# proxy or gateway in the way may send: the emulator's 'body' fault) says nothing about what the create made. Read as an
# empty list it would make IrisBatch create the batch again and pay twice. Each case loses the create's answer, makes the
# look-up's list unreadable for this run and the next, and then lets it be read: both runs stop with
# IrisBatch.CreateUnconfirmed and create nothing more; the third adopts the one batch, and every result comes back.
# Gemini and xAI may answer an empty list as {} (proto3 JSON leaves out an empty repeated field), so there {} is an
# empty list, but an HTML page or an empty body is unreadable. Anthropic lists once before its create (MatchesOnCountOnly): that listing passes (Skip 1).

BeforeDiscovery {
    $providers = @(
        @{ Provider = 'OpenAI'; Path = '/v1'; KeyVariable = 'OPENAI_API_KEY'; Model = 'gpt-4o-mini'; Uploads = 1; Skip = 0 }
        @{ Provider = 'AzureOpenAI'; Path = ''; KeyVariable = 'AZURE_OPENAI_API_KEY'; Model = 'gpt-4o-mini-batch'; Uploads = 1; Skip = 0 }
        @{ Provider = 'Anthropic'; Path = ''; KeyVariable = 'ANTHROPIC_API_KEY'; Model = 'claude-haiku-4-5'; Uploads = 0; Skip = 1 }
        @{ Provider = 'Gemini'; Path = ''; KeyVariable = 'GEMINI_API_KEY'; Model = 'gemini-2.5-flash'; Uploads = 0; Skip = 0; Bodies = 'html' }
        @{ Provider = 'Xai'; Path = '/xai/v1'; KeyVariable = 'XAI_API_KEY'; Model = 'grok-4'; Uploads = 0; Skip = 0; Bodies = 'html' }
        @{ Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'llama-3.1-8b-instant'; Uploads = 1; Skip = 0 }
        @{ Provider = 'Mistral'; Path = '/mistral/v1'; KeyVariable = 'MISTRAL_API_KEY'; Model = 'mistral-small-latest'; Uploads = 1; Skip = 0 }
        @{ Provider = 'Together'; Path = '/together/v1'; KeyVariable = 'TOGETHER_API_KEY'; Model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'; Uploads = 1; Skip = 0 }
    )
    $bodies = @(
        @{ Body = 'an HTML page'; Text = '<html><body>Service temporarily unavailable</body></html>' }
        @{ Body = '{}'; Text = '{}' }
        @{ Body = 'an empty body'; Text = '' }
    )
    foreach ($p in $providers) { $p.Cases = if ($p.Bodies -eq 'html') { @($bodies[0], $bodies[2]) } else { $bodies } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe '<Provider>: a create whose answer is lost, then a list answer that cannot be read' -ForEach $providers {
    It 'list answered with <Body>: CreateUnconfirmed twice, nothing created again, then the one batch is adopted' -ForEach $Cases {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
        Reset-Emulator $emu
        $requests = @(New-TestRows -Count 10 -Prefix "unreadable $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
                New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.')
        $null = Add-EmulatorFault $emu -Route create -Kind reset_after
        $null = Add-EmulatorFault $emu -Rule @{ route = 'list'; kind = 'body'; text = $Text; count = 2; skip = $Skip }

        foreach ($run in 1, 2) {
            $batch = $requests | Submit-IrisBatch @at -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue
            $batch | Should -BeNullOrEmpty -Because "run $run cannot know whether its batch exists"
            @($failed).Count | Should -Be 1 -Because "run ${run}: $($failed | Out-String)"
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.CreateUnconfirmed,*' -Because $failed[0].Exception.Message
            (Get-EmulatorStats $emu).batches_created | Should -Be 1 -Because "run $run must not create again what it could not look for"
        }
        @(Get-EmulatorFault $emu | Where-Object kind -eq 'body')[0].injected | Should -Be 2

        $batch = $requests | Submit-IrisBatch @at -ErrorAction Stop -WarningAction SilentlyContinue
        $results = @($batch | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 -ErrorAction Stop | Get-IrisBatchResult -ErrorAction Stop)
        Assert-OneResultPerRequest $results 10
        @($results | Where-Object { "$($_.Status)" -ne 'Succeeded' }) | Should -BeNullOrEmpty
        $stats = Get-EmulatorStats $emu
        $stats.batches_created | Should -Be 1
        $stats.uploads | Should -Be $Uploads
    }
}

Describe '<Provider>: an upload whose answer is lost, then a files list that cannot be read' -ForEach @($providers | Where-Object Uploads) {
    It 'files list answered with {}: UploadUnconfirmed twice, nothing uploaded again, then the one file is used' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
        Reset-Emulator $emu
        $requests = @(New-TestRows -Count 10 -Prefix "unreadable files $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
                New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.')
        $null = Add-EmulatorFault $emu -Route upload -Kind reset_after
        $null = Add-EmulatorFault $emu -Rule @{ route = 'list'; kind = 'body'; text = '{}'; count = 2 }

        foreach ($run in 1, 2) {
            $batch = $requests | Submit-IrisBatch @at -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue
            $batch | Should -BeNullOrEmpty
            @($failed).Count | Should -Be 1 -Because "run ${run}: $($failed | Out-String)"
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.UploadUnconfirmed,*' -Because $failed[0].Exception.Message
            $stats = Get-EmulatorStats $emu
            $stats.uploads | Should -Be 1 -Because "run $run must not upload again what it could not look for"
            $stats.batches_created | Should -Be 0
        }

        $batch = $requests | Submit-IrisBatch @at -ErrorAction Stop -WarningAction SilentlyContinue
        $results = @($batch | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 -ErrorAction Stop | Get-IrisBatchResult -ErrorAction Stop)
        Assert-OneResultPerRequest $results 10
        $stats = Get-EmulatorStats $emu
        $stats.uploads | Should -Be 1
        $stats.batches_created | Should -Be 1
    }
}

Describe '<Provider>: a create or upload answered 200 with a body that cannot be read' -ForEach $providers {
    BeforeDiscovery {
        $answers = @(
            @{ Route = 'create'; Body = '{} after it acted'; Rule = @{ kind = 'body'; text = '{}'; after = $true } }
            @{ Route = 'create'; Body = 'an HTML page after it acted'; Rule = @{ kind = 'body'; text = '<html><body>Bad gateway</body></html>'; after = $true } }
            @{ Route = 'create'; Body = '{} before it acted'; Rule = @{ kind = 'body'; text = '{}' } }
        )
        if ($Uploads) { $answers += @{ Route = 'upload'; Body = '{} after it acted'; Rule = @{ kind = 'body'; text = '{}'; after = $true } } }
    }
    It '<Route> answered with <Body>: looked up, not sent again blindly; one batch and every result' -ForEach $answers {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
        Reset-Emulator $emu
        $null = Add-EmulatorFault $emu -Rule (@{ route = $Route } + $Rule)
        $batch = New-TestRows -Count 10 -Prefix "unreadable answer $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
            New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.' | Submit-IrisBatch @at -ErrorAction Stop -WarningAction SilentlyContinue
        $batch.Id | Should -Not -BeNullOrEmpty
        $results = @($batch | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 -ErrorAction Stop | Get-IrisBatchResult -ErrorAction Stop)
        Assert-OneResultPerRequest $results 10
        @($results | Where-Object { "$($_.Status)" -ne 'Succeeded' }) | Should -BeNullOrEmpty
        $stats = Get-EmulatorStats $emu
        $stats.batches_created | Should -Be 1
        $stats.uploads | Should -Be $Uploads
        @(Get-EmulatorFault $emu)[0].injected | Should -Be 1
    }
}

Describe '<Provider>: a status poll answered 200 with {}' -ForEach $providers {
    It 'is a poll that failed, said in the verbose stream; the next poll goes on to every result' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
        Reset-Emulator $emu
        $batch = New-TestRows -Count 10 -Prefix "unreadable status $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
            New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.' | Submit-IrisBatch @at -ErrorAction Stop -WarningAction SilentlyContinue
        $null = Add-EmulatorFault $emu -Rule @{ route = 'get'; kind = 'body'; text = '{}' }
        $out = @($batch | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 -ErrorAction Stop -WarningAction SilentlyContinue -Verbose 4>&1)
        $done = @($out | Where-Object { $_ -is [IrisBatch.IrisBatchInfo] })
        $done.Count | Should -Be 1
        "$($done[0].Status)" | Should -Be 'Completed'
        @(Get-EmulatorFault $emu)[0].injected | Should -Be 1
        $said = @($out | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)
        ($said -join "`n") | Should -Match 'answered the status of batch \S+ without a batch' -Because 'the failed poll is said, not hidden'
        $results = @($done | Get-IrisBatchResult -ErrorAction Stop -WarningAction SilentlyContinue)
        Assert-OneResultPerRequest $results 10
    }
}

Describe '<Provider>: Get-IrisBatchStatus -First with a list answered 200 with {}' -ForEach @($providers | Where-Object { -not $_.Bodies }) {
    It 'is IrisBatch.InvalidResponse naming the missing list, not an empty listing' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
        Reset-Emulator $emu
        $null = Add-EmulatorFault $emu -Rule @{ route = 'list'; kind = 'body'; text = '{}' }
        $listed = @(Get-IrisBatchStatus @at -First 5 -ErrorAction SilentlyContinue -ErrorVariable failed)
        $listed.Count | Should -Be 0
        @($failed).Count | Should -Be 1 -Because 'a list that cannot be read is said, not shown as no batches'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidResponse,*'
        $failed[0].Exception.Message | Should -Match 'without its list'
    }
}
