# Issue 15, "on every provider: a planted second candidate gives SubmissionUncertain, not a guess", and the two faults
# the issue names ("reset-after-create and 429-on-create each end with exactly 1 batch, 1 upload where the provider
# uploads, and all results") for Azure OpenAI, whose surface no other fault-matrix file runs (OpenAI: Durability.Tests;
# Anthropic: DurabilityAnthropic; Gemini, xAI: DurabilityGeminiXai; Groq, Mistral, Together: DurabilityProviders).
# The second candidate is planted by the emulator's 'duplicate' fault: the create call runs twice on the same body (a
# twin batch, as a concurrent run of the same submission would leave, carrying the same marker, input file and size),
# and its answer is lost. Anthropic's stranger, planted through its API, is in DurabilityGeminiXai.

BeforeDiscovery {
    $providers = @(
        @{ Provider = 'OpenAI'; Path = '/v1'; KeyVariable = 'OPENAI_API_KEY'; Model = 'gpt-4o-mini'; Uploads = 1 }
        @{ Provider = 'AzureOpenAI'; Path = ''; KeyVariable = 'AZURE_OPENAI_API_KEY'; Model = 'gpt-4o-mini-batch'; Uploads = 1 }
        @{ Provider = 'Anthropic'; Path = ''; KeyVariable = 'ANTHROPIC_API_KEY'; Model = 'claude-haiku-4-5'; Uploads = 0 }
        @{ Provider = 'Gemini'; Path = ''; KeyVariable = 'GEMINI_API_KEY'; Model = 'gemini-2.5-flash'; Uploads = 0 }  # inline under 19 MB
        @{ Provider = 'Xai'; Path = '/xai/v1'; KeyVariable = 'XAI_API_KEY'; Model = 'grok-4'; Uploads = 0 }
        @{ Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'llama-3.1-8b-instant'; Uploads = 1 }
        @{ Provider = 'Mistral'; Path = '/mistral/v1'; KeyVariable = 'MISTRAL_API_KEY'; Model = 'mistral-small-latest'; Uploads = 1 }
        @{ Provider = 'Together'; Path = '/together/v1'; KeyVariable = 'TOGETHER_API_KEY'; Model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'; Uploads = 1 }
    )
    $azureFaults = @(
        @{ Fault = 'reset after acting'; Rule = @{ kind = 'reset_after' } }
        @{ Fault = '429 with Retry-After'; Rule = @{ kind = 'status'; status_code = 429; retry_after = 1 } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10

    function New-Requests([string] $Model, [int] $Count, [string] $Tag) {
        # Rows never seen before, so the journal does not hand back an earlier batch of the same requests.
        New-TestRows -Count $Count -Prefix "$Tag $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
            New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.' -MaxTokens 64
    }

    # The batch ids an IrisBatch.SubmissionUncertain message lists after "could be the one it made:", each as
    # "<id> (created ..., N requests)" or "<id> (N requests)".
    function Get-CandidateId([string] $Message) {
        $list = ($Message -split 'could be the one it made: ', 2)[1]
        $list = ($list -split '\. IrisBatch adopted', 2)[0]
        @([regex]::Matches($list, '(\S+) \((?:created [^)]*, )?[\d,]+ requests\)') | ForEach-Object { $_.Groups[1].Value })
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe '<Provider>: a planted second candidate after a lost create' -ForEach $providers {
    It 'gives IrisBatch.SubmissionUncertain naming both, creates nothing more, and -AdoptBatchId settles it' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
        Reset-Emulator $emu
        $requests = @(New-Requests $Model 20 'planted')
        $null = Add-EmulatorFault $emu -Route create -Kind duplicate

        $batch = $requests | Submit-IrisBatch @at -ErrorAction SilentlyContinue -ErrorVariable failed
        $batch | Should -BeNullOrEmpty -Because 'nothing is adopted when two batches could be ours'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.SubmissionUncertain,*'
        $failed[0].Exception.Message | Should -Match '-AdoptBatchId'
        $ids = Get-CandidateId $failed[0].Exception.Message
        $ids.Count | Should -Be 2 -Because "the message names both twins: $($failed[0].Exception.Message)"
        $ids[0] | Should -Not -Be $ids[1]
        $stats = Get-EmulatorStats $emu
        $stats.batches_created | Should -Be 2 -Because 'the lost create and its twin; nothing more'
        $stats.uploads | Should -Be $Uploads -Because 'the input is uploaded once where the provider takes a file, never twice'

        # The same command again still refuses to guess and creates nothing.
        $again = $requests | Submit-IrisBatch @at -ErrorAction SilentlyContinue -ErrorVariable failedAgain -WarningAction SilentlyContinue
        $again | Should -BeNullOrEmpty
        $failedAgain[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.SubmissionUncertain,*'
        (Get-EmulatorStats $emu).batches_created | Should -Be 2

        $adopted = $requests | Submit-IrisBatch @at -AdoptBatchId $ids[1] -ErrorAction Stop -WarningAction SilentlyContinue
        $adopted.Id | Should -Be $ids[1]
        $results = @($adopted | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 -ErrorAction Stop | Get-IrisBatchResult -ErrorAction Stop)
        Assert-OneResultPerRequest $results 20
        @($results | Where-Object { "$($_.Status)" -ne 'Succeeded' }) | Should -BeNullOrEmpty
        $stats = Get-EmulatorStats $emu
        $stats.batches_created | Should -Be 2 -Because 'adopting creates nothing'
        $stats.uploads | Should -Be $Uploads
    }
}

Describe 'AzureOpenAI: faults on create during the pipeline of 1,000 rows' {
    It '<Fault> on create: one result per custom id, one upload, one batch' -ForEach $azureFaults {
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'AZURE_OPENAI_API_KEY'
        $at = @{ Provider = 'AzureOpenAI'; BaseUri = $emu.Url }
        Invoke-FaultMatrixCase -Emulator $emu -Route create -Rule $Rule -OneUpload -Submit {
            param($net)
            New-Requests 'gpt-4o-mini-batch' 1000 "create $($Rule.kind)" | Submit-IrisBatch @at @net -ErrorAction Stop
        }
    }
}

Describe 'Wait-IrisBatch: a status word outside the spec''s enum' {
    It 'is Unknown, not finished, and warned about on every poll that answers it, naming the word' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'OPENAI_API_KEY'
        Reset-Emulator $emu
        $batch = New-Requests 'gpt-4o-mini' 5 'unknown status' | Submit-IrisBatch -Provider OpenAI -BaseUri "$($emu.Url)/v1" -ErrorAction Stop
        # The next three answers about the batch say 'paused', a state OpenAI's spec does not have.
        $null = Add-EmulatorFault $emu -Route get -Kind status_word -Word paused -Count 3

        $done = $batch | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 -ErrorAction Stop -WarningVariable warned -WarningAction SilentlyContinue
        $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed) -Because 'the wait went on until a known end'
        $unknown = @($warned | Where-Object { "$_" -match "'paused'" })
        $unknown.Count | Should -Be 3 -Because 'each poll that answered the word says so'
        $unknown | ForEach-Object { "$_" | Should -Match ([regex]::Escape($batch.Id)) }
        "$($unknown[0])" | Should -Match 'not finished'
        (Get-EmulatorFault $emu)[0].injected | Should -Be 3

        # Seen on its own, the word is the status users read: Unknown, with the provider's word beside it.
        $null = Add-EmulatorFault $emu -Route get -Kind status_word -Word paused
        $status = $batch | Get-IrisBatchStatus -WarningVariable statusWarned -WarningAction SilentlyContinue
        $status.Status | Should -Be ([IrisBatch.BatchStatus]::Unknown)
        $status.ProviderStatus | Should -Be 'paused'
        @($statusWarned | Where-Object { "$_" -match "'paused'" }).Count | Should -Be 1
    }
}

Describe 'A submission folder half-written by a failure' {
    It 'is removed by the next Submit-IrisBatch, which then submits as usual' {
        $homeDir = Initialize-ProviderTestEnvironment -KeyVariable 'OPENAI_API_KEY'
        $submissions = Join-Path $homeDir 'submissions'
        # Three rows reach Submit-IrisBatch, then the pipeline fails upstream: nothing was sent, a spool was begun.
        {
            1..5 | ForEach-Object { if ($_ -eq 4) { throw 'the source failed at row 4' }; [pscustomobject]@{ name = "half $_" } } |
                New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' | Submit-IrisBatch -Provider Mock
        } | Should -Throw '*row 4*'
        $left = @(Get-ChildItem $submissions -Directory)
        $left.Count | Should -Be 1 -Because 'the failure left the spool of the first rows'
        Test-Path (Join-Path $left[0].FullName 'entry.json') | Should -BeFalse
        (Get-Content (Join-Path $left[0].FullName 'requests.jsonl')).Count | Should -Be 3

        $batch = New-TestRows -Count 2 -Prefix 'after' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
            Submit-IrisBatch -Provider Mock -ErrorAction Stop
        $batch | Should -Not -BeNullOrEmpty
        Test-Path $left[0].FullName | Should -BeFalse -Because 'the next run removes what the failure left'
        $now = @(Get-ChildItem $submissions -Directory)
        $now.Count | Should -Be 1
        Test-Path (Join-Path $now[0].FullName 'spool.lock') | Should -BeFalse -Because 'a part that was sent is the journal''s for good'
    }
}
