# The core end-to-end scenarios (issue 2: tests 1, 2, 4 (unknown id), 5 and 7) run unchanged for every provider:
# only -Provider, -BaseUri and the key's variable change. Issues 5 and 6, "Tests that must exist".
# One emulator per provider, with a fresh IRISBATCH_HOME and rows of its own.

BeforeDiscovery {
    # Path: what follows the emulator's URL in -BaseUri. KeyVariable: where the key is found (none for Ollama).
    # RemoteBatches: the provider has a batch API (the emulator counts the batches created there).
    # StopGoesThroughCancelling: Stop-IrisBatch answers Cancelling before the batch is Cancelled.
    $script:providerCases = @(
        @{
            Name = 'OpenAI'; Provider = 'OpenAI'; Path = '/v1'; KeyVariable = 'OPENAI_API_KEY'; EmulatorArgs = @()
            Model = 'gpt-4o-mini'; UnknownId = 'batch_doesnotexist'; FailCode = 'emulated_failure'
            RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            Name = 'Anthropic'; Provider = 'Anthropic'; Path = ''; KeyVariable = 'ANTHROPIC_API_KEY'; EmulatorArgs = @()
            Model = 'claude-haiku-4-5'; UnknownId = 'msgbatch_01doesnotexist'; FailCode = 'invalid_request_error'
            RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            Name = 'AzureOpenAI (dated api-version surface)'; Provider = 'AzureOpenAI'; Path = ''; KeyVariable = 'AZURE_OPENAI_API_KEY'
            EmulatorArgs = @(); Model = 'gpt-4o-mini-batch'; UnknownId = 'batch_doesnotexist'; FailCode = 'emulated_failure'
            RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            Name = 'AzureOpenAI (dated, preview shapes: ISO times, capitalised statuses, uploads pending before processed)'
            Provider = 'AzureOpenAI'; Path = ''; KeyVariable = 'AZURE_OPENAI_API_KEY'
            EmulatorArgs = @('--azure-tolerant-shapes', '--azure-file-processing-ms', '150'); Model = 'gpt-4o-mini-batch'
            UnknownId = 'batch_doesnotexist'; FailCode = 'emulated_failure'; RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            Name = 'AzureOpenAI (/openai/v1 surface)'; Provider = 'AzureOpenAI'; Path = '/openai/v1'; KeyVariable = 'AZURE_OPENAI_API_KEY'
            EmulatorArgs = @(); Model = 'gpt-4o-mini-batch'; UnknownId = 'batch_doesnotexist'; FailCode = 'emulated_failure'
            RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            Name = 'OpenAI-compatible host (/groq/openai/v1)'; Provider = 'OpenAI'; Path = '/groq/openai/v1'; KeyVariable = 'OPENAI_API_KEY'
            EmulatorArgs = @('--openai-prefix', '/groq/openai/v1'); Model = 'llama-3.1-8b-instant'; UnknownId = 'batch_doesnotexist'
            FailCode = 'emulated_failure'; RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            Name = 'Groq'; Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; EmulatorArgs = @()
            Model = 'llama-3.1-8b-instant'; UnknownId = 'batch_01doesnotexist'; FailCode = 'emulated_failure'
            RemoteBatches = $true; StopGoesThroughCancelling = $true; RemovesFiles = 2; RemovesBatches = 0
        }
        @{
            Name = 'Mistral'; Provider = 'Mistral'; Path = '/mistral/v1'; KeyVariable = 'MISTRAL_API_KEY'; EmulatorArgs = @()
            Model = 'mistral-small-latest'; UnknownId = '6f1c2d3e-0000-4000-8000-000000000000'; FailCode = 'emulated_failure'
            RemoteBatches = $true; StopGoesThroughCancelling = $true; RemovesFiles = 2; RemovesBatches = 1
        }
        @{
            Name = 'Together'; Provider = 'Together'; Path = '/together/v1'; KeyVariable = 'TOGETHER_API_KEY'; EmulatorArgs = @()
            Model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'; UnknownId = '6f1c2d3e-0000-4000-8000-000000000000'; FailCode = 'emulated_failure'
            RemoteBatches = $true; StopGoesThroughCancelling = $true; RemovesFiles = 2; RemovesBatches = 0
        }
        @{
            Name = 'Gemini'; Provider = 'Gemini'; Path = ''; KeyVariable = 'GEMINI_API_KEY'; EmulatorArgs = @()
            Model = 'gemini-2.5-flash'; UnknownId = 'batches/doesnotexist'; FailCode = @('INVALID_ARGUMENT', '3')
            RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            Name = 'Gemini (JOB_STATE_* states)'; Provider = 'Gemini'; Path = ''; KeyVariable = 'GEMINI_API_KEY'; EmulatorArgs = @('--gemini-job-states')
            Model = 'gemini-2.5-flash'; UnknownId = 'batches/doesnotexist'; FailCode = @('INVALID_ARGUMENT', '3')
            RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            Name = 'Xai'; Provider = 'Xai'; Path = '/xai/v1'; KeyVariable = 'XAI_API_KEY'; EmulatorArgs = @()
            Model = 'grok-4'; UnknownId = 'batch_doesnotexist'; FailCode = 'error'
            RemoteBatches = $true; StopGoesThroughCancelling = $true
        }
        @{
            # No batch API: the batch lives in the journal and runs while Wait-IrisBatch waits; nobody runs it after
            # a timed-out wait, so Stop-IrisBatch makes it Cancelled at once.
            Name = 'Ollama (/api/chat)'; Provider = 'Ollama'; Path = ''; KeyVariable = ''
            EmulatorArgs = @('--ollama-only', '--ollama-latency-ms', '1', '--ollama-max-parallel', '16')
            SlowConfig = @{ ollama_latency_ms = 400 }; FastConfig = @{ ollama_latency_ms = 1 }
            Model = 'llama3.2'; UnknownId = 'local_doesnotexist'; FailCode = 'http_400'
            RemoteBatches = $false; StopGoesThroughCancelling = $false
        }
        @{
            Name = 'Ollama (OpenAI-compatible /v1/chat/completions)'; Provider = 'Ollama'; Path = '/v1'; KeyVariable = ''
            EmulatorArgs = @('--ollama-only', '--ollama-latency-ms', '1', '--ollama-max-parallel', '16')
            SlowConfig = @{ ollama_latency_ms = 400 }; FastConfig = @{ ollama_latency_ms = 1 }
            Model = 'llama3.2'; UnknownId = 'local_doesnotexist'; FailCode = 'http_400'
            RemoteBatches = $false; StopGoesThroughCancelling = $false
        }
    )
    # Development aid: IRISBATCH_TEST_PROVIDERS='Gemini*,Ollama*' runs only those cases (-FullName cannot see <Name>).
    if ($env:IRISBATCH_TEST_PROVIDERS) {
        $patterns = $env:IRISBATCH_TEST_PROVIDERS -split ','
        $script:providerCases = @($providerCases | Where-Object { $n = $_.Name; $patterns | Where-Object { $n -like $_ } })
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $poll = 0.1
    $failMessage = 'The emulator failed this request because its prompt contains [fail].'

    function Get-SubmissionCount {
        # Local batches live in the journal only: a -WhatIf must not leave one behind either.
        $dir = Join-Path $env:IRISBATCH_HOME 'submissions'
        @(Get-ChildItem $dir -Directory -ErrorAction Ignore | Where-Object { Test-Path (Join-Path $_.FullName 'entry.json') }).Count
    }
}

Describe 'Provider <Name>' -ForEach $providerCases {
    BeforeAll {
        # Fast by default; the Stop and timeout scenarios slow batches down with /_emulator/config.
        $emu = Start-TestEmulator -ValidatingMs 20 -InProgressMs 200 -FinalizingMs 20 -CancellingMs 600 -ArgumentList $EmulatorArgs
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 6)
    }

    AfterAll {
        if ($emu) { Stop-TestEmulator $emu }
        Clear-TestEnvironment
    }

    Context '1,000 CSV rows with a template' {
        BeforeAll {
            $csv = Join-Path $TestDrive "rows-$tag.csv"
            New-TestRows -Count 1000 -Prefix "Item $tag" | Export-Csv $csv -NoTypeInformation
            $rows = @(Import-Csv $csv)
            $submitted = @(Import-Csv $csv | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name} ({colour}) in one sentence.' |
                    Submit-IrisBatch @at)
            $waited = @($submitted | Wait-IrisBatch -PollInterval $poll -Timeout 120 -ThrottleLimit 8)
            $results = @($waited | Get-IrisBatchResult)
            $rowOf = @{}
            for ($i = 0; $i -lt $rows.Count; $i++) { $rowOf["request-$($i + 1)"] = $rows[$i] }
        }

        It 'submits to the provider and ends Completed with 1,000 succeeded requests' {
            $submitted.Count | Should -BeGreaterThan 0
            $submitted | ForEach-Object {
                $_.Provider | Should -Be $Provider
                $_.BaseUri.TrimEnd('/') | Should -Be $at.BaseUri.TrimEnd('/')
            }
            $waited.Count | Should -Be $submitted.Count
            $waited | ForEach-Object {
                $_.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
                $_.IsComplete | Should -BeTrue
            }
            ($waited | Measure-Object Total -Sum).Sum | Should -Be 1000
            ($waited | Measure-Object Succeeded -Sum).Sum | Should -Be 1000
            ($waited | Measure-Object Failed -Sum).Sum | Should -Be 0
        }

        It 'emits exactly 1,000 results, one per custom id' {
            $results.Count | Should -Be 1000
            $ids = @($results | ForEach-Object CustomId | Sort-Object -Unique)
            $ids.Count | Should -Be 1000
            Compare-Object $ids @(1..1000 | ForEach-Object { "request-$_" }) | Should -BeNullOrEmpty
        }

        It 'gives each row the fake model''s answer to its own prompt, joined to its input' {
            $wrong = foreach ($r in $results) {
                $row = $rowOf[$r.CustomId]
                $expected = "Echo: Describe $($row.name) ($($row.colour)) in one sentence."
                if ($r.Status -ne [IrisBatch.ResultStatus]::Succeeded -or $r.Output -cne $expected -or $r.Input.sku -cne $row.sku) {
                    "$($r.CustomId): [$($r.Status)] $($r.Output) $($r.Error.Message)"
                }
            }
            @($wrong | Select-Object -First 5) | Should -BeNullOrEmpty
        }
    }

    Context 'Rows made to fail, and resubmitting only them' {
        BeforeAll {
            $rows = @(New-TestRows -Count 10 -Prefix "Fail $tag")
            $rows[2].name = "Broken [fail] widget $tag"
            $rows[6].name = "Another [fail] gadget $tag"
            $batch = $rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.' | Submit-IrisBatch @at |
                Wait-IrisBatch -PollInterval $poll -Timeout 60
            $results = @($batch | Get-IrisBatchResult)
        }

        It 'completes with 8 succeeded and 2 failed' {
            $batch.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
            $batch.Succeeded | Should -Be 8
            $batch.Failed | Should -Be 2
            $results.Count | Should -Be 10
        }

        It 'failed rows come back Failed with the provider''s message' {
            $failed = @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Failed) | Sort-Object CustomId)
            $failed.CustomId | Should -Be @('request-3', 'request-7')
            foreach ($f in $failed) {
                $f.Error.Message | Should -Be $failMessage
                $f.Error.Code | Should -BeIn @($FailCode)
                $f.Output | Should -BeNullOrEmpty
            }
            ($failed | ForEach-Object { $_.Input.sku }) | Should -Be @('sku-3', 'sku-7')
            $ok = @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Succeeded))
            $ok.Count | Should -Be 8
            $ok | ForEach-Object { $_.Output | Should -BeExactly "Echo: Describe $($_.Input.name)." }
        }

        It 'gives a failed result an HTTP status or none, never another kind of code' {
            $results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Failed) | ForEach-Object {
                if ($null -ne $_.Error.HttpStatus) { $_.Error.HttpStatus | Should -BeIn (400..599) }
            }
        }

        It 'Get-IrisBatchResult -Status Failed | Submit-IrisBatch submits exactly those rows again' {
            $before = Get-EmulatorChangeCount $emu
            $retry = @($batch | Get-IrisBatchResult -Status Failed | Submit-IrisBatch @at)
            $after = Get-EmulatorChangeCount $emu
            $retry.Count | Should -Be 1
            $retry[0].Id | Should -Not -Be $batch.Id
            if ($RemoteBatches) { ($after.Batches - $before.Batches) | Should -Be 1 }

            $again = $retry | Wait-IrisBatch -PollInterval $poll -Timeout 60
            $again.Total | Should -Be 2 -Because 'the provider ran exactly the two failed rows'
            $back = @($again | Get-IrisBatchResult | Sort-Object CustomId)
            $back.CustomId | Should -Be @('request-3', 'request-7')
            ($back | ForEach-Object { $_.Input.sku }) | Should -Be @('sku-3', 'sku-7')
            ($back | ForEach-Object { $_.Request.Prompt }) | Should -Be @("Describe Broken [fail] widget $tag.", "Describe Another [fail] gadget $tag.")
            $back | ForEach-Object { $_.Error.Message | Should -Be $failMessage }
        }
    }

    Context 'Issue 16 item 1: a resubmission goes back where it came from' {
        It 'sends failed rows back to the same provider, base URI and API version, named -retry1, and Get-IrisBatchStatus -Pending | Wait-IrisBatch finds it there' {
            # The default place (OpenAI at OPENAI_BASE_URL) is a dead local port: a request sent there fails at once.
            $savedBase = $env:OPENAI_BASE_URL
            $env:OPENAI_BASE_URL = 'http://127.0.0.1:9/v1'
            try {
                $rows = @(New-TestRows -Count 3 -Prefix "Retry $tag")
                $rows[1].name = "Broken [fail] retry $tag"
                $first = $rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.' | Submit-IrisBatch @at -Name "nightly-$tag" |
                    Wait-IrisBatch -PollInterval $poll -Timeout 60
                $failed = @($first | Get-IrisBatchResult -Status Failed)
                $failed.Count | Should -Be 1
                $failed[0].Request.Provider | Should -Be $Provider
                $failed[0].Request.BaseUri | Should -Be $first.BaseUri
                $failed[0].Request.BatchName | Should -Be "nightly-$tag-retry1"

                $retry = @($failed | Submit-IrisBatch -MaximumRetryCount 0)
                $retry.Count | Should -Be 1
                $retry[0].Provider | Should -Be $Provider
                $retry[0].BaseUri | Should -Be $first.BaseUri
                $retry[0].Name | Should -Be "nightly-$tag-retry1"

                $waited = @(Get-IrisBatchStatus -Pending -MaximumRetryCount 0 | Where-Object Id -EQ $retry[0].Id | Wait-IrisBatch -PollInterval $poll -Timeout 60)
                $waited.Count | Should -Be 1
                $waited[0].Provider | Should -Be $Provider
                $waited[0].Total | Should -Be 1
                $again = @($waited | Get-IrisBatchResult)
                $again.CustomId | Should -Be 'request-2'
                $again[0].Request.BatchName | Should -Be "nightly-$tag-retry2"
            }
            finally { $env:OPENAI_BASE_URL = $savedBase }
        }
    }

    Context 'An unknown id' {
        It 'Get-IrisBatchStatus: non-terminating IrisBatch.NotFound targeting the id' {
            $out = @(Get-IrisBatchStatus -Id $UnknownId @at -ErrorVariable ev -ErrorAction SilentlyContinue)
            $out | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'IrisBatch.NotFound,IrisBatch.Commands.GetIrisBatchStatusCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $ev[0].TargetObject | Should -Be $UnknownId
        }

        It 'Get-IrisBatchResult and Stop-IrisBatch: IrisBatch.NotFound' {
            foreach ($cmd in 'Get-IrisBatchResult', 'Stop-IrisBatch') {
                $extra = if ($cmd -eq 'Stop-IrisBatch') { @{ Confirm = $false } } else { @{ } }
                $err = try { $null = & $cmd -Id $UnknownId @at @extra -ErrorAction Stop } catch { $_ }
                $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotFound,*' -Because $cmd
            }
        }

        It 'Wait-IrisBatch: non-terminating IrisBatch.NotFound' {
            $out = @(Wait-IrisBatch -Id $UnknownId @at -PollInterval $poll -Timeout 10 -ErrorVariable ev -ErrorAction SilentlyContinue)
            $out | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'IrisBatch.NotFound,IrisBatch.Commands.WaitIrisBatchCommand'
            $ev[0].TargetObject | Should -Be $UnknownId
        }
    }

    Context 'Wait timeout, Stop, and the partial results of a cancelled batch' {
        BeforeAll {
            # Requests finish one by one over 5 s (Ollama: 0.4 s each, 4 at a time); cancelling takes 0.6 s.
            $slowConfig = if ($SlowConfig) { $SlowConfig } else { @{ in_progress_ms = 5000; cancelling_ms = 600 } }
            $null = Set-EmulatorConfig $emu $slowConfig
            $batch = New-TestRows -Count 20 -Prefix "Slow $tag" | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' |
                Submit-IrisBatch @at
        }
        AfterAll {
            $fastConfig = if ($FastConfig) { $FastConfig } else { @{ in_progress_ms = 200; cancelling_ms = 600 } }
            $null = Set-EmulatorConfig $emu $fastConfig
        }

        It 'Wait-IrisBatch -Timeout gives IrisBatch.WaitTimeout naming the batch, and emits its last known state' {
            Assert-WaitTimesOut -Batch $batch -Timeout 1 -Within 5 -PollInterval $poll
        }

        It 'Stop-IrisBatch: Cancelling and not complete' {
            $before = Get-EmulatorChangeCount $emu
            $stopped = $batch | Stop-IrisBatch -PassThru -Confirm:$false
            $stopped.Id | Should -Be $batch.Id
            if ($RemoteBatches) { (Get-EmulatorChangeCount $emu).Cancels | Should -Be ($before.Cancels + 1) }
            if ($StopGoesThroughCancelling) {
                $stopped.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelling)
                $stopped.IsComplete | Should -BeFalse
            }
            else {
                # No batch API (Ollama): nobody runs it after the timed-out wait, so the stop makes it Cancelled at once.
                $stopped.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled)
                $stopped.IsComplete | Should -BeTrue
            }
        }

        It 'Get-IrisBatchStatus after Stop: still Cancelling (or already Cancelled), never running again' {
            $now = $batch | Get-IrisBatchStatus
            if ($StopGoesThroughCancelling -and $now.Status -ne [IrisBatch.BatchStatus]::Cancelled) {
                $now.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelling)
                $now.IsComplete | Should -BeFalse
            }
            elseif ($StopGoesThroughCancelling) { $now.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled) -Because 'it was not Cancelling, so it ended' }
            else { $now.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled) -Because 'a batch nobody runs is cancelled at once' }
        }

        It 'Wait-IrisBatch ends at Cancelled' {
            $script:final = $batch | Wait-IrisBatch -PollInterval $poll -Timeout 30
            $script:final.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled)
            $script:final.IsComplete | Should -BeTrue
        }

        It 'accounts for every request of the cancelled batch' {
            $results = @($script:final | Get-IrisBatchResult)
            $results.Count | Should -Be 20
            @($results.CustomId | Sort-Object -Unique).Count | Should -Be 20
            $succeeded = @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Succeeded))
            $cancelled = @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Cancelled))
            ($succeeded.Count + $cancelled.Count) | Should -Be 20
            $cancelled.Count | Should -BeGreaterThan 0 -Because 'the batch was stopped well before its requests finished'
            $succeeded.Count | Should -Be $script:final.Succeeded
            $cancelled | ForEach-Object { $_.Output | Should -BeNullOrEmpty }
            $succeeded | ForEach-Object { $_.Output | Should -BeExactly "Echo: Describe $($_.Input.name)" }
        }

        It 'Stop-IrisBatch -WhatIf cancels nothing' {
            $b = New-TestRows -Count 3 -Prefix "Keep $tag" | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' | Submit-IrisBatch @at
            $before = Get-EmulatorChangeCount $emu
            $text = Get-TranscriptText { $b | Stop-IrisBatch -WhatIf }
            $after = Get-EmulatorChangeCount $emu
            $after.Calls | Should -Be $before.Calls
            $after.Cancels | Should -Be $before.Cancels
            ($b | Get-IrisBatchStatus).Status | Should -Not -BeIn @([IrisBatch.BatchStatus]::Cancelling, [IrisBatch.BatchStatus]::Cancelled)
            $text | Should -Match ([regex]::Escape($b.Id))
        }
    }

    # Where a case says what Remove-IrisBatch deletes at the provider (the input and output files; Mistral also the job).
    if ($_.ContainsKey('RemovesFiles')) {
        Context 'Remove-IrisBatch' {
            It 'deletes the batch''s files (and the job where the provider has a delete) and its journal entry' {
                $b = New-TestRows -Count 3 -Prefix "Remove $tag" | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll -Timeout 60
                @($b | Get-IrisBatchResult).Count | Should -Be 3
                $before = Get-EmulatorStats $emu
                $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru
                $after = Get-EmulatorStats $emu
                ($after.files_deleted - $before.files_deleted) | Should -Be $RemovesFiles
                ($after.batches_deleted - $before.batches_deleted) | Should -Be $RemovesBatches
                $removed.JournalEntryRemoved | Should -BeTrue
                $err = try { $null = $b | Remove-IrisBatch -Confirm:$false -ErrorAction Stop } catch { $_ }
                "$($err.FullyQualifiedErrorId)" | Should -Not -BeLike 'IrisBatch.ProviderError*'
            }
        }
    }

    Context '-WhatIf on Submit-IrisBatch' {
        It 'sends nothing, records nothing, and says what it would send where' {
            $before = Get-EmulatorChangeCount $emu
            $journaled = Get-SubmissionCount
            $text = Get-TranscriptText {
                $script:whatIfOut = New-TestRows -Count 3 -Prefix "WhatIf $tag" | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' |
                    Submit-IrisBatch @at -WhatIf
            }
            $script:whatIfOut | Should -BeNullOrEmpty
            $after = Get-EmulatorChangeCount $emu
            $after.Calls | Should -Be $before.Calls
            $after.Uploads | Should -Be $before.Uploads
            $after.Batches | Should -Be $before.Batches
            Get-SubmissionCount | Should -Be $journaled
            $text | Should -Match 'What if'
            $text | Should -Match '\b3 requests?\b'
            $text | Should -Match ([regex]::Escape($Model))
            $text | Should -Match ([regex]::Escape(([uri] $emu.Url).Authority))
        }
    }
}

# Issue 19, after its audit: what the parameterised scenarios above do not reach for Mistral, Together and Groq.
Describe 'Issue 19 audit: Mistral, Together and Groq details' {
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 20 -InProgressMs 200 -FinalizingMs 20 -CancellingMs 100
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'MISTRAL_API_KEY'
        $env:TOGETHER_API_KEY = 'test-key'
        $mistral = @{ Provider = 'Mistral'; BaseUri = "$($emu.Url)/mistral/v1" }
    }
    AfterAll {
        if ($emu) { Stop-TestEmulator $emu }
        Clear-TestEnvironment
    }

    It 'Mistral: an empty -Metadata value is IrisBatch.InvalidMetadata naming its key, before anything is uploaded' {
        $before = Get-EmulatorChangeCount $emu
        $err = try {
            $null = New-TestRows -Count 2 | New-IrisBatchRequest -Model 'mistral-small-latest' -Prompt 'Describe {name}' |
                Submit-IrisBatch @mistral -Metadata @{ team = 'ops'; a = '' } -ErrorAction Stop
        }
        catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidMetadata,*'
        $err.TargetObject | Should -Be 'a'
        $err.Exception.Message | Should -Match "'a'"
        $after = Get-EmulatorChangeCount $emu
        $after.Uploads | Should -Be $before.Uploads
        $after.Calls | Should -Be $before.Calls
    }

    It 'Mistral: 17 -Metadata pairs are not capped (the spec has no limit on their number)' {
        $pairs = @{}
        1..17 | ForEach-Object { $pairs["key$_"] = "value $_" }
        $b = New-TestRows -Count 2 | New-IrisBatchRequest -Model 'mistral-small-latest' -Prompt 'Describe {name}' |
            Submit-IrisBatch @mistral -Metadata $pairs -ErrorAction Stop
        $job = Invoke-EmulatorApi $emu GET "/mistral/v1/batch/jobs/$($b.Id)"
        @($job.metadata.psobject.Properties | Where-Object Name -Like 'key*').Count | Should -Be 17
        $job.metadata.key17 | Should -Be 'value 17'
    }

    It 'Mistral: Get-IrisBatchStatus -First 150 over 160 jobs lists 150 different jobs, newest first' {
        Reset-Emulator $emu
        $null = Set-EmulatorConfig $emu @{ validating_ms = 600000 }
        try {
            $file = Join-Path $TestDrive 'mistral-one.jsonl'
            [IO.File]::WriteAllText($file, '{"custom_id":"a","body":{"messages":[{"role":"user","content":"Hi"}]}}' + "`n")
            $headers = @{ Authorization = "Bearer $($emu.ApiKey)" }
            $uploaded = Invoke-RestMethod -Uri "$($emu.Url)/mistral/v1/files" -Method Post -Headers $headers -Form @{ purpose = 'batch'; file = Get-Item $file }
            $body = @{ input_files = @($uploaded.id); endpoint = '/v1/chat/completions'; model = 'mistral-small-latest' } | ConvertTo-Json
            1..160 | ForEach-Object {
                $null = Invoke-RestMethod -Uri "$($emu.Url)/mistral/v1/batch/jobs" -Method Post -Headers $headers -ContentType 'application/json' -Body $body
            }
            $expected = @((Invoke-EmulatorApi $emu GET '/mistral/v1/batch/jobs?page=0&page_size=200&order_by=-created').data.id)
            $expected.Count | Should -Be 160

            $listed = @(Get-IrisBatchStatus @mistral -First 150)
            $listed.Count | Should -Be 150
            @($listed.Id | Sort-Object -Unique).Count | Should -Be 150
            $listed.Id | Should -Be $expected[0..149]
        }
        finally { $null = Set-EmulatorConfig $emu @{ validating_ms = 20 } }
    }

    It 'Groq: -CompletionWindow takes <Window> as <Sent>' -ForEach @(
        @{ Window = '48h'; Sent = '2d' }
        @{ Window = '7d'; Sent = '7d' }
        @{ Window = ' 36H '; Sent = '36h' }
        @{ Window = '48:00:00'; Sent = '2d' }
        @{ Window = '7.00:00:00'; Sent = '7d' }
        @{ Window = (New-TimeSpan -Hours 30); Sent = '30h' }
    ) {
        $saved = $env:GROQ_API_KEY
        try {
            $env:GROQ_API_KEY = 'test-key'
            $b = New-TestRows -Count 1 | New-IrisBatchRequest -Model 'llama-3.1-8b-instant' -Prompt 'Describe {name}' |
                Submit-IrisBatch -Provider Groq -BaseUri "$($emu.Url)/groq/openai/v1" -CompletionWindow $Window -Force -ErrorAction Stop
            (Invoke-EmulatorApi $emu GET "/groq/openai/v1/batches/$($b.Id)").completion_window | Should -Be $Sent
        }
        finally { $env:GROQ_API_KEY = $saved }
    }

    It 'Groq: -CompletionWindow 48 is 48 ticks, refused as IrisBatch.InvalidCompletionWindow before anything is sent; ''48x'' does not bind' {
        $saved = $env:GROQ_API_KEY
        try {
            $env:GROQ_API_KEY = 'test-key'
            $before = Get-EmulatorChangeCount $emu
            $err = try { $null = New-TestRows -Count 1 | New-IrisBatchRequest -Model 'llama-3.1-8b-instant' -Prompt 'Describe {name}' |
                    Submit-IrisBatch -Provider Groq -BaseUri "$($emu.Url)/groq/openai/v1" -CompletionWindow 48 -ErrorAction Stop } catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidCompletionWindow,*'
            $err.Exception.Message | Should -BeLike "*'48h'*read as ticks*"
            (Get-EmulatorChangeCount $emu).Uploads | Should -Be $before.Uploads
            $err = try { $null = New-TestRows -Count 1 | New-IrisBatchRequest -Model 'llama-3.1-8b-instant' -Prompt 'Describe {name}' |
                    Submit-IrisBatch -Provider Groq -BaseUri "$($emu.Url)/groq/openai/v1" -CompletionWindow '48x' -ErrorAction Stop } catch { $_ }
            $err.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
            $err.Exception.ParameterName | Should -Be 'CompletionWindow'
            (Get-EmulatorChangeCount $emu).Uploads | Should -Be $before.Uploads
        }
        finally { $env:GROQ_API_KEY = $saved }
    }

    It 'Groq: GROQ_BASE_URL may be the host alone, as in the Groq SDK; the client adds /openai/v1' {
        $groqEmu = Start-TestEmulator -ValidatingMs 20 -InProgressMs 200 -FinalizingMs 20 -ArgumentList @('--openai-prefix', '/openai/v1')
        $saved = $env:GROQ_BASE_URL, $env:GROQ_API_KEY
        try {
            $env:GROQ_API_KEY = 'test-key'
            $env:GROQ_BASE_URL = $groqEmu.Url
            $b = New-TestRows -Count 3 | New-IrisBatchRequest -Model 'llama-3.1-8b-instant' -Prompt 'Describe {name}' | Submit-IrisBatch -Provider Groq
            $b.BaseUri.TrimEnd('/') | Should -Be "$($groqEmu.Url)/openai/v1"
            $done = $b | Wait-IrisBatch -PollInterval 0.1 -Timeout 60
            $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
            @($done | Get-IrisBatchResult | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Succeeded)).Count | Should -Be 3

            $env:GROQ_BASE_URL = "$($groqEmu.Url)/openai/v1"
            (Get-IrisBatchStatus -Provider Groq -Id $b.Id).Status | Should -Be ([IrisBatch.BatchStatus]::Completed) -Because 'a value with the path keeps working'
        }
        finally {
            $env:GROQ_BASE_URL, $env:GROQ_API_KEY = $saved
            Stop-TestEmulator $groqEmu
        }
    }
}

Describe 'Issue 19 audit: Together without /files/upload' {
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 20 -InProgressMs 200 -FinalizingMs 20 -CancellingMs 100 -ArgumentList @('--no-together-upload-route')
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'TOGETHER_API_KEY'
        $together = @{ Provider = 'Together'; BaseUri = "$($emu.Url)/together/v1" }
        $rows = @(New-TestRows -Count 5 -Prefix 'Redirect')
        $before = Get-EmulatorStats $emu
        $batch = $rows | New-IrisBatchRequest -Model 'meta-llama/Llama-3.3-70B-Instruct-Turbo' -Prompt 'Describe {name}' |
            Submit-IrisBatch @together | Wait-IrisBatch -PollInterval 0.1 -Timeout 60
        $after = Get-EmulatorStats $emu
    }
    AfterAll {
        if ($emu) { Stop-TestEmulator $emu }
        Clear-TestEnvironment
    }

    It 'uploads by the SDKs'' redirect flow (302, a PUT without the key, preprocess) once, and the batch runs every row' {
        $after.routes.'POST /together/v1/{**path}' - [long] $before.routes.'POST /together/v1/{**path}' | Should -Be 1 -Because 'files/upload answered 404 once'
        $after.routes.'PUT /together/_upload/{token}' - [long] $before.routes.'PUT /together/_upload/{token}' | Should -Be 1
        $after.routes.'POST /together/v1/files/{file_id}/preprocess' - [long] $before.routes.'POST /together/v1/files/{file_id}/preprocess' | Should -Be 1
        ($after.uploads - $before.uploads) | Should -Be 1
        ($after.batches_created - $before.batches_created) | Should -Be 1
        $batch.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        $results = @($batch | Get-IrisBatchResult)
        $results.Count | Should -Be 5
        @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Succeeded)).Count | Should -Be 5
    }

    It 'lists the finished batch from a fresh process with the counts -Id gives (5/5/0)' {
        $script = Join-Path $TestDrive 'list-together.ps1'
        Set-Content $script @'
param($ModulePath, $BaseUri, $Id)
Import-Module $ModulePath
$listed = Get-IrisBatchStatus -Provider Together -BaseUri $BaseUri -First 10 | Where-Object Id -EQ $Id
$one = Get-IrisBatchStatus -Provider Together -BaseUri $BaseUri -Id $Id
"list=$($listed.Total)/$($listed.Succeeded)/$($listed.Failed)"
"id=$($one.Total)/$($one.Succeeded)/$($one.Failed)"
'@
        $out = @(Invoke-TestPwsh -File $script -ArgumentList (Get-ModuleUnderTestPath), $together.BaseUri, $batch.Id)
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'list=5/5/0'
        $out | Should -Contain 'id=5/5/0'
    }
}
