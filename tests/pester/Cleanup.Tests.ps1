# Issue 18: what it cost (Cost per result and per batch, from usage x batch price), and nothing left behind
# (Remove-IrisBatch, Get-IrisBatchStatus -Local, Get-IrisBatchResult -RemoveAfter), against the emulator.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    # An Azure deployment with a name of its own: result bodies name the model behind it (spec §2, §1.8).
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 60 -FinalizingMs 10 -CancellingMs 10 `
        -ArgumentList '--azure-deployment', 'my-gpt4o-batch=gpt-4o-mini-2024-07-18', '--azure-deployment', 'house-deploy-9=house-model-9-2026-01-01'
    $url = $emu.BaseUri
    $null = Initialize-TestEnvironment
    $savedKeys = @{}
    foreach ($name in 'ANTHROPIC_API_KEY', 'AZURE_OPENAI_API_KEY', 'GEMINI_API_KEY', 'MISTRAL_API_KEY', 'GROQ_API_KEY', 'TOGETHER_API_KEY', 'XAI_API_KEY') {
        $savedKeys[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, 'test-key')
    }
    $poll = 0.05
    $prices = Get-Content -Raw (Join-Path $PSScriptRoot '../../src/IrisBatch.Core/Estimates/prices.json') | ConvertFrom-Json

    # Rows never seen before (the journal would hand back an earlier batch of the same requests); -Fail makes those
    # rows fail at the emulator, so the batch has an error file.
    function New-Rows([int] $Count = 4, [int[]] $Fail = @()) {
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        foreach ($i in 1..$Count) {
            [pscustomobject]@{ name = "Lamp $tag $i$(if ($i -in $Fail) { ' [fail]' })" }
        }
    }
    function Submit-Done([object[]] $Rows, [string] $Model = 'gpt-4o-mini', [hashtable] $Extra = @{}) {
        $Rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' | Submit-IrisBatch -BaseUri $url @Extra |
            Wait-IrisBatch -PollInterval $poll
    }
    function Get-Stat([string] $Name) { (Get-EmulatorStats $emu).$Name }
    function Get-RouteTotal {
        $s = Get-EmulatorStats $emu
        $n = 0
        foreach ($p in $s.routes.psobject.Properties) { $n += [long] $p.Value }
        $n
    }
    function Test-InJournal([string] $Id) {
        [bool] (Get-IrisBatchStatus -Local | Where-Object Id -EQ $Id)
    }
    function Get-HostText([scriptblock] $ScriptBlock) {
        $path = Join-Path $TestDrive "host-$([guid]::NewGuid().ToString('N')).txt"
        $null = Start-Transcript -Path $path -UseMinimalHeader
        try { $null = & $ScriptBlock }
        finally { $null = Stop-Transcript }
        Get-Content -Raw $path
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    foreach ($name in $savedKeys.Keys) { [Environment]::SetEnvironmentVariable($name, $savedKeys[$name]) }
    Clear-TestEnvironment
}

Describe 'What it cost' {
    It 'Cost is usage x the batch price per result, 0 for a failed one, and the batch Cost is their sum' {
        $b = Submit-Done (New-Rows -Count 5 -Fail 3)
        $results = @($b | Get-IrisBatchResult)
        $results.Count | Should -Be 5
        $p = $prices.models.'gpt-4o-mini'
        [decimal] $sum = 0
        foreach ($r in $results) {
            $r.Cost | Should -BeOfType ([decimal])
            if ($r.Status -eq 'Succeeded') {
                $expected = ($r.Usage.InputTokens * [decimal] $p.input + $r.Usage.OutputTokens * [decimal] $p.output) / 1000000
                $r.Usage.InputTokens | Should -BeGreaterThan 0
                $r.Cost | Should -Be $expected
                $r.Cost | Should -BeGreaterThan 0
            }
            else { $r.Cost | Should -Be 0 }
            $sum += $r.Cost
        }
        @($results | Where-Object Status -EQ Failed).Count | Should -Be 1
        $status = $b | Get-IrisBatchStatus -WarningVariable warned
        $status.Collected | Should -BeTrue
        $status.Cost | Should -Be $sum
        # The emulator reports the batch's usage too (OpenAI's batch-level usage): the same tokens, the same cost, no warning.
        $status.Usage | Should -Not -BeNullOrEmpty
        $status.ProviderCost | Should -Be $sum
        $warned.Count | Should -Be 0
        # -IncludeInput rows carry each result's Cost after the result columns, for a CSV with the row's cost.
        $rows = @($b | Get-IrisBatchResult -IncludeInput)
        @($rows[0].PSObject.Properties.Name)[-6..-1] | Should -Be @('CustomId', 'Status', 'Output', 'ErrorCode', 'ErrorMessage', 'Cost')
        ($rows | ForEach-Object { "$($_.CustomId)=$($_.Cost)" }) | Should -Be ($results | ForEach-Object { "$($_.CustomId)=$($_.Cost)" })
    }

    It 'where the batch-level usage disagrees with the results'' sum, both are shown and one warning says so' {
        # "[usage-drift]": the emulator's batch object counts 1,000 more input tokens than that line's own usage.
        $rows = @(New-Rows -Count 4)
        $rows[1].name += ' [usage-drift]'
        $b = Submit-Done $rows
        $results = @($b | Get-IrisBatchResult)
        $results.Count | Should -Be 4
        [decimal] $sum = 0
        [long] $inputSum = 0
        foreach ($r in $results) { $sum += $r.Cost; $inputSum += $r.Usage.InputTokens }
        $status = $b | Get-IrisBatchStatus -WarningVariable warned
        $status.Cost | Should -Be $sum -Because 'Cost is the sum of the results'
        $status.Usage.InputTokens | Should -Be ($inputSum + 1000)
        $status.ProviderCost | Should -Be ($sum + 1000 * [decimal] $prices.models.'gpt-4o-mini'.input / 1000000) -Because 'ProviderCost prices the provider''s usage'
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match ([regex]::Escape($b.Id))
        "$($warned[0])" | Should -Match ([regex]::Escape(('{0:N0} input' -f ($inputSum + 1000))))
        "$($warned[0])" | Should -Match ([regex]::Escape(('{0:N0} input' -f $inputSum)))
    }

    It 'Cost is empty before the results are collected' {
        $b = Submit-Done (New-Rows -Count 2)
        $status = $b | Get-IrisBatchStatus
        $status.Collected | Should -BeFalse
        $status.Cost | Should -BeNullOrEmpty
    }

    It 'a model with no known price: Cost is $null and one warning names the model' {
        $b = Submit-Done (New-Rows -Count 6) -Model 'house-model-7'
        $results = @($b | Get-IrisBatchResult -WarningVariable warned)
        $results.Count | Should -Be 6
        $results | ForEach-Object { $_.Cost | Should -BeNullOrEmpty }
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match 'house-model-7'
        ($b | Get-IrisBatchStatus).Cost | Should -BeNullOrEmpty
    }

    It 'an Anthropic batch that mixes models: each result at its own request''s model, the estimate at each model''s price' {
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $rows = foreach ($i in 1..4) {
            [pscustomobject]@{ name = "Lamp $tag $i"; Model = $(if ($i % 2) { 'claude-haiku-4-5' } else { 'claude-opus-4-7' }) }
        }
        # Priced at its first model (haiku) the estimate is about 0.0007 USD; at each model's price about 0.002.
        { $rows | New-IrisBatchRequest -Prompt 'Describe {name}' -MaxTokens 64 |
                Submit-IrisBatch -Provider Anthropic -BaseUri $url -MaxCost 0.001 -ErrorAction Stop 3>$null } |
            Should -Throw -ErrorId 'IrisBatch.CostLimitExceeded*'
        $preview = ($rows | New-IrisBatchRequest -Prompt 'Describe {name}' -MaxTokens 64 |
                Submit-IrisBatch -Provider Anthropic -BaseUri $url -WhatIf 6>&1 3>$null) -join "`n"
        $preview | Should -Match '(?m)^\s+1 claude-haiku-4-5\s+2 '
        $preview | Should -Match '(?m)^\s+claude-opus-4-7\s+2 '

        $b = @($rows | New-IrisBatchRequest -Prompt 'Describe {name}' -MaxTokens 64 |
                Submit-IrisBatch -Provider Anthropic -BaseUri $url 3>$null | Wait-IrisBatch -PollInterval $poll)
        $b.Count | Should -Be 1
        $results = @($b | Get-IrisBatchResult)
        $results.Count | Should -Be 4
        [decimal] $sum = 0
        foreach ($r in $results) {
            $p = $prices.models.($r.Request.Model)
            $r.Usage.InputTokens | Should -BeGreaterThan 0
            $r.Cost | Should -Be (($r.Usage.InputTokens * [decimal] $p.input + $r.Usage.OutputTokens * [decimal] $p.output) / 1000000)
            $sum += $r.Cost
        }
        @($results | Where-Object { $_.Request.Model -eq 'claude-opus-4-7' }).Count | Should -Be 2
        ($b | Get-IrisBatchStatus).Cost | Should -Be $sum
    }

    It 'Anthropic prompt-cache writes: each at its TTL''s cache-write price, above the input price; the batch Cost their sum' {
        # The emulator's "[cache-write]" writes half the prompt to the 5-minute cache, "[cache-write-1h]" to the 1-hour
        # one, "[cached]" reads the rest (spec §11.6: cache_creation_input_tokens, cache_creation split, cache_read_input_tokens).
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $rows = @(
            [pscustomobject]@{ name = "Lamp $tag one of many [cache-write]" }
            [pscustomobject]@{ name = "Lamp $tag two of many [cache-write-1h] [cached]" }
            [pscustomobject]@{ name = "Lamp $tag three" })
        $model = 'claude-haiku-4-5'
        $p = $prices.models.$model
        $b = $rows | New-IrisBatchRequest -Model $model -Prompt 'Describe {name}' -MaxTokens 64 |
            Submit-IrisBatch -Provider Anthropic -BaseUri $url 3>$null | Wait-IrisBatch -PollInterval $poll
        $results = @($b | Get-IrisBatchResult)
        $results.Count | Should -Be 3
        [decimal] $sum = 0
        foreach ($r in $results) {
            $u = $r.Usage
            $plain = $u.InputTokens - $u.CachedTokens - $u.CacheWriteTokens
            $r.Cost | Should -Be (($plain * [decimal] $p.input + $u.CachedTokens * [decimal] $p.cached_input +
                    ($u.CacheWriteTokens - $u.CacheWrite1hTokens) * [decimal] $p.cache_write + $u.CacheWrite1hTokens * [decimal] $p.cache_write_1h +
                    $u.OutputTokens * [decimal] $p.output) / 1000000)
            $sum += $r.Cost
        }
        $five = $results | Where-Object { $_.Output -match 'one of many' }
        $five.Usage.CacheWriteTokens | Should -BeGreaterThan 0
        $five.Usage.CacheWrite1hTokens | Should -Be 0
        $five.Cost | Should -BeGreaterThan (($five.Usage.InputTokens * [decimal] $p.input + $five.Usage.OutputTokens * [decimal] $p.output) / 1000000)
        $hour = $results | Where-Object { $_.Output -match 'two of many' }
        $hour.Usage.CacheWrite1hTokens | Should -Be $hour.Usage.CacheWriteTokens
        $hour.Usage.CacheWrite1hTokens | Should -BeGreaterThan 0
        $hour.Usage.CachedTokens | Should -BeGreaterThan 0
        ($results | Where-Object { $_.Output -match 'three' }).Usage.CacheWriteTokens | Should -Be 0
        ($b | Get-IrisBatchStatus).Cost | Should -Be $sum
    }

    It 'Azure with a deployment name: each result at the price of the model the provider reports, the batch Cost their sum' {
        # spec §2: the JSONL model is the deployment name, which no price table knows; each result line's
        # response.body.model is the model that answered, a dated snapshot priced as gpt-4o-mini.
        $b = New-Rows -Count 4 -Fail 2 | New-IrisBatchRequest -Model my-gpt4o-batch -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider AzureOpenAI -BaseUri "$($emu.Url)/openai/v1" 3>$null | Wait-IrisBatch -PollInterval $poll
        $results = @($b | Get-IrisBatchResult -WarningVariable warned)
        $results.Count | Should -Be 4
        $warned.Count | Should -Be 0 -Because 'the reported model has a price'
        $p = $prices.models.'gpt-4o-mini'
        [decimal] $sum = 0
        foreach ($r in $results) {
            if ($r.Status -eq 'Succeeded') {
                $r.ResponseModel | Should -Be 'gpt-4o-mini-2024-07-18'
                $r.Usage.InputTokens | Should -BeGreaterThan 0
                $r.Cost | Should -Be (($r.Usage.InputTokens * [decimal] $p.input + $r.Usage.OutputTokens * [decimal] $p.output) / 1000000)
            }
            else { $r.Cost | Should -Be 0 }
            $sum += $r.Cost
        }
        @($results | Where-Object Status -EQ Succeeded).Count | Should -Be 3
        $sum | Should -BeGreaterThan 0
        $status = $b | Get-IrisBatchStatus -WarningVariable statusWarned
        $status.Cost | Should -Be $sum
        # The batch-level usage is priced by the model the results said answered (recorded when they were collected),
        # as the deployment name has no price: the same tokens, the same cost, no warning.
        $status.Usage | Should -Not -BeNullOrEmpty
        $status.ProviderCost | Should -Be $sum
        $statusWarned.Count | Should -Be 0
    }

    It 'Azure with a deployment whose reported model has no price either: Cost is $null, one warning names both' {
        $b = New-Rows -Count 3 | New-IrisBatchRequest -Model house-deploy-9 -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider AzureOpenAI -BaseUri "$($emu.Url)/openai/v1" 3>$null | Wait-IrisBatch -PollInterval $poll
        $results = @($b | Get-IrisBatchResult -WarningVariable warned)
        $results.Count | Should -Be 3
        $results | ForEach-Object { $_.Cost | Should -BeNullOrEmpty }
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match "'house-deploy-9'"
        "$($warned[0])" | Should -Match "'house-model-9-2026-01-01'"
        $results[0].ResponseModel | Should -Be 'house-model-9-2026-01-01'
    }

    It 'Get-IrisBatchStatus -SetId sums the cost of a set' {
        $set = @(Submit-Done (New-Rows -Count 5) -Extra @{ MaxRequestsPerBatch = 2 })
        $set.Count | Should -Be 3
        $setId = $set[0].SetId
        $results = @(Get-IrisBatchResult -SetId $setId)
        $results.Count | Should -Be 5
        [decimal] $sum = 0
        foreach ($r in $results) { $sum += $r.Cost }
        $status = @(Get-IrisBatchStatus -SetId $setId -InformationVariable info)
        $status.Count | Should -Be 3
        [decimal] $batches = 0
        foreach ($s in $status) { $batches += $s.Cost; $s.SetCost | Should -Be $sum }
        $batches | Should -Be $sum
        "$info" | Should -Match ([regex]::Escape("$setId"))
    }

    It 'the README''s nightly job runs as written: the CSV in input order with each row''s cost, the bill, nothing left behind' {
        Import-Module (Join-Path $PSScriptRoot '../../build/HelpMarkdown.psm1') -Force
        $block = @(Get-MarkdownCodeBlock -Path (Join-Path $PSScriptRoot '../../README.md') | Where-Object Heading -EQ 'A nightly job')
        $block.Count | Should -Be 1
        $dir = Join-Path $TestDrive 'nightly'
        $null = New-Item -ItemType Directory -Force $dir
        # Rows never seen before, one of them failing at the emulator, so the batch has an error file too.
        $rows = @(New-Rows -Count 6 -Fail 4)
        for ($i = 0; $i -lt $rows.Count; $i++) { $rows[$i] | Add-Member -NotePropertyName sku -NotePropertyValue "sku-$($i + 1)" }
        $rows | Select-Object sku, name | Export-Csv (Join-Path $dir 'products.csv')
        $files = Get-Stat 'files_deleted'
        $env:OPENAI_BASE_URL = $url
        # As written but for the wait's poll (30 s by default): the block runs in a child scope, which sees this default.
        $PSDefaultParameterValues = @{ 'Wait-IrisBatch:PollInterval' = $poll }
        Push-Location $dir
        try { $said = @(& ([scriptblock]::Create($block[0].Code)) 3>&1) }
        finally { Pop-Location; Remove-Item env:OPENAI_BASE_URL }
        $out = @(Import-Csv (Join-Path $dir "out-$(Get-Date -Format yyyyMMdd).csv"))
        ($out | ForEach-Object sku) | Should -Be ($rows | ForEach-Object sku)
        @($out[0].PSObject.Properties.Name)[-6..-1] | Should -Be @('CustomId', 'Status', 'Output', 'ErrorCode', 'ErrorMessage', 'Cost')
        ($out | Where-Object Status -EQ Failed).sku | Should -Be 'sku-4'
        ($out | Where-Object Status -EQ Failed).Cost | Should -Be '0'
        [decimal] $sum = 0
        foreach ($o in $out) { $sum += [decimal] $o.Cost }
        $sum | Should -BeGreaterThan 0
        "$said" | Should -Match ([regex]::Escape(("Tonight's batches cost USD {0:N4}" -f $sum)))
        (Get-Stat 'files_deleted') - $files | Should -Be 3 -Because 'the input, output and error files go'
        @(Get-IrisBatchStatus -Local | Where-Object Name -EQ 'nightly').Count | Should -Be 0
    }

    It 'the README''s "What it cost" lines run as written on a batch ($batch): the results'' sum, the journal''s, the set''s' {
        Import-Module (Join-Path $PSScriptRoot '../../build/HelpMarkdown.psm1') -Force
        $block = @(Get-MarkdownCodeBlock -Path (Join-Path $PSScriptRoot '../../README.md') | Where-Object Heading -EQ 'What it cost')
        $block.Count | Should -Be 1
        $batch = Submit-Done (New-Rows -Count 3 -Fail 2)
        $said = @(& ([scriptblock]::Create($block[0].Code)) -ErrorAction Stop)
        $said.Count | Should -Be 4
        [decimal] $said[1] | Should -Be ([decimal] $said[0]) -Because 'the batch''s Cost is the sum of its results'' Cost'
        [decimal] $said[1] | Should -BeGreaterThan 0
        $said[2].Id | Should -Be $batch.Id
        $said[2].SetCost | Should -Be $said[1]
        $said[3].Sum | Should -BeGreaterOrEqual ([double] $said[1])
    }
}

Describe 'Remove-IrisBatch' {
    It 'deletes the input, output and error files and the journal entry' {
        $b = Submit-Done (New-Rows -Count 4 -Fail 2)
        $b.ErrorFileId | Should -Not -BeNullOrEmpty
        $null = $b | Get-IrisBatchResult
        $setDir = Join-Path $env:IRISBATCH_HOME "sets/$($b.SetId)"
        Test-Path -LiteralPath $setDir | Should -BeTrue
        $before = Get-Stat files_deleted
        $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru
        (Get-Stat files_deleted) - $before | Should -Be 3
        $removed.Deleted.Count | Should -Be 3
        $removed.JournalEntryRemoved | Should -BeTrue
        Test-InJournal $b.Id | Should -BeFalse
        Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'ids') | Where-Object Name -EQ $b.Id | Should -BeNullOrEmpty
        # The set's index went with its only entry.
        Test-Path -LiteralPath $setDir | Should -BeFalse
    }

    It 'deletes 2 files when the batch has no error file, by -Id' {
        $b = Submit-Done (New-Rows -Count 3)
        $b.ErrorFileId | Should -BeNullOrEmpty
        $null = $b | Get-IrisBatchResult
        $before = Get-Stat files_deleted
        Remove-IrisBatch -Id $b.Id -Confirm:$false
        (Get-Stat files_deleted) - $before | Should -Be 2
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'removes a batch named again in the same pipeline once (its results piped in: their BatchId binds -Id)' {
        $b = Submit-Done (New-Rows -Count 4)
        $results = @($b | Get-IrisBatchResult)
        $before = Get-Stat files_deleted
        $calls = Get-RouteTotal
        $removed = @($results | Remove-IrisBatch -Confirm:$false -PassThru -ErrorVariable failed -ErrorAction SilentlyContinue)
        $failed.Count | Should -Be 0
        $removed.Count | Should -Be 1
        (Get-Stat files_deleted) - $before | Should -Be 2
        (Get-RouteTotal) - $calls | Should -Be 3 -Because 'one status call and two deletes, not a call per result'
        Test-InJournal $b.Id | Should -BeFalse
        $again = @(Remove-IrisBatch -Id $b.Id, $b.Id -Provider OpenAI -BaseUri $url -Confirm:$false -ErrorVariable twice -ErrorAction SilentlyContinue)
        $twice.Count | Should -Be 1 -Because 'one error for the batch (no longer in the journal: never collected here), not one per time it is named'
        $twice[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotCollected,*'
    }

    It 'a batch its provider no longer knows (deleted there, or another account): the journal entry goes, and one warning says what may stay there' {
        $other = Start-TestEmulator -ValidatingMs 10 -InProgressMs 60 -FinalizingMs 10 -CancellingMs 10
        try {
            $b = New-Rows -Count 3 -Fail 2 | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' |
                Submit-IrisBatch -BaseUri $other.BaseUri | Wait-IrisBatch -PollInterval $poll
            $null = $b | Get-IrisBatchResult
            Reset-Emulator $other   # it forgets every batch and file, as another account's key would not see them
            $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru -WarningVariable warned -ErrorVariable failed
            $failed.Count | Should -Be 0
            $removed.JournalEntryRemoved | Should -BeTrue
            @($removed.Deleted).Count | Should -Be 0
            $warned.Count | Should -Be 1
            "$($warned[0])" | Should -Match ([regex]::Escape($b.Id))
            "$($warned[0])" | Should -Match 'OpenAI'
            "$($warned[0])" | Should -Match 'output and error files'
            Test-InJournal $b.Id | Should -BeFalse
        }
        finally { Stop-TestEmulator $other }
    }

    It 'a file already gone is not an error' {
        $b = Submit-Done (New-Rows -Count 3)
        $null = $b | Get-IrisBatchResult
        $null = Invoke-RestMethod -Method Delete -Uri "$url/files/$($b.OutputFileId)" -Headers @{ Authorization = 'Bearer test-key' }
        $before = Get-Stat files_deleted
        $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru -ErrorVariable failed
        $failed.Count | Should -Be 0
        (Get-Stat files_deleted) - $before | Should -Be 1
        $removed.AlreadyGone.Count | Should -Be 1
        Test-InJournal $b.Id | Should -BeFalse
    }

    It '-KeepLocal keeps the results readable with no download' {
        $b = Submit-Done (New-Rows -Count 4 -Fail 4)
        $first = @($b | Get-IrisBatchResult)
        $before = Get-Stat files_deleted
        Remove-IrisBatch -Id $b.Id -KeepLocal -Confirm:$false
        (Get-Stat files_deleted) - $before | Should -Be 3
        Test-InJournal $b.Id | Should -BeTrue
        $calls = Get-RouteTotal
        $again = @(Get-IrisBatchResult -Id $b.Id)
        (Get-RouteTotal) | Should -Be $calls
        $again.Count | Should -Be 4
        ($again | ForEach-Object { "$($_.CustomId)|$($_.Status)|$($_.Output)" }) | Should -Be ($first | ForEach-Object { "$($_.CustomId)|$($_.Status)|$($_.Output)" })
        # -Refresh cannot download files that are gone: it fails, and the journal's copy is still there, whole.
        { Get-IrisBatchResult -Id $b.Id -Refresh -ErrorAction Stop } | Should -Throw -ErrorId 'IrisBatch.NotFound*'
        $kept = @(Get-IrisBatchResult -Id $b.Id)
        ($kept | ForEach-Object { "$($_.CustomId)|$($_.Status)|$($_.Output)" }) | Should -Be ($first | ForEach-Object { "$($_.CustomId)|$($_.Status)|$($_.Output)" })
        # Removing it for good later deletes nothing more at the provider, and the entry.
        Remove-IrisBatch -Id $b.Id -Confirm:$false
        (Get-Stat files_deleted) - $before | Should -Be 3
        Test-InJournal $b.Id | Should -BeFalse
    }

    It '-KeepLocal -Force on a batch never collected (<Provider>) downloads its results first: they stay readable, as the provider gave them, with no download' -ForEach @(
        @{ Provider = 'OpenAI'; Path = '/v1'; Model = 'gpt-4o-mini'; Files = 3 }
        @{ Provider = 'Mistral'; Path = '/mistral/v1'; Model = 'mistral-small-latest'; Files = 3 }
        @{ Provider = 'Anthropic'; Path = ''; Model = 'claude-haiku-4-5'; Files = 0 }
    ) {
        $b = New-Rows -Count 3 -Fail 2 | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' -MaxTokens 64 |
            Submit-IrisBatch -Provider $Provider -BaseUri "$($emu.Url)$Path" 3>$null | Wait-IrisBatch -PollInterval $poll
        $before = Get-Stat files_deleted
        $removed = $b | Remove-IrisBatch -KeepLocal -Force -PassThru
        (Get-Stat files_deleted) - $before | Should -Be $Files
        @($removed.Deleted).Count | Should -BeGreaterThan 0
        $calls = Get-RouteTotal
        $results = @($b | Get-IrisBatchResult -ErrorVariable failed -ErrorAction SilentlyContinue)
        (Get-RouteTotal) | Should -Be $calls -Because 'the results were kept here before the provider''s copies went'
        $failed.Count | Should -Be 0
        $results.Count | Should -Be 3
        ($results | ForEach-Object { "$($_.CustomId)=$($_.Status)" }) | Should -Be @('request-1=Succeeded', 'request-2=Failed', 'request-3=Succeeded')
        ($results | Where-Object Status -EQ Failed).ErrorCode | Should -Not -Be 'missing_result'
    }

    It '-KeepLocal<Extra> on a batch that failed validation: its results read as before, the batch''s own errors per line, with no download' -ForEach @(
        @{ Extra = ''; Collect = $true }
        @{ Extra = ' -Force (never collected)'; Collect = $false }
    ) {
        # A model the emulator does not know fails the batch at validation: OpenAI's batch object lists one error per
        # input line, and writes no output or error file (spec §1.5). Those errors are the requests' results.
        $b = New-Rows -Count 3 | New-IrisBatchRequest -Model invalid-model -Prompt 'Describe {name}' |
            Submit-IrisBatch -BaseUri $url 3>$null | Wait-IrisBatch -PollInterval $poll
        $b.Status | Should -Be ([IrisBatch.BatchStatus]::Failed)
        @($b.Errors).Count | Should -Be 3
        $b.OutputFileId | Should -BeNullOrEmpty
        $expected = @($b.Errors | ForEach-Object { "request-$($_.Line)|Failed|$($_.Code)|$($_.Message)" })
        if ($Collect) { @($b | Get-IrisBatchResult 3>$null).Count | Should -Be 3 }
        $b | Remove-IrisBatch -KeepLocal -Force:(-not $Collect) -Confirm:$false -ErrorVariable failed
        $failed.Count | Should -Be 0
        $calls = Get-RouteTotal
        $byId = @(Get-IrisBatchResult -Id $b.Id -ErrorVariable readFailed 3>$null)
        $byLocal = @(Get-IrisBatchStatus -Local | Where-Object Id -EQ $b.Id | Get-IrisBatchResult 3>$null)
        (Get-RouteTotal) | Should -Be $calls -Because 'the batch is gone at the provider: the journal has all of it'
        $readFailed.Count | Should -Be 0
        foreach ($read in $byId, $byLocal) {
            @($read | ForEach-Object { "$($_.CustomId)|$($_.Status)|$($_.ErrorCode)|$($_.ErrorMessage)" }) | Should -Be $expected
        }
    }

    It 'refuses a batch whose results were never collected (IrisBatch.NotCollected) unless -Force' {
        $b = Submit-Done (New-Rows -Count 2)
        $before = Get-Stat files_deleted
        $b | Remove-IrisBatch -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable refused
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotCollected,*'
        (Get-Stat files_deleted) | Should -Be $before
        Test-InJournal $b.Id | Should -BeTrue
        $b | Remove-IrisBatch -Force
        (Get-Stat files_deleted) - $before | Should -Be 2
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'refuses a running batch (IrisBatch.NotComplete), even with -Force' {
        $null = Set-EmulatorConfig $emu @{ in_progress_ms = 600000 }
        try {
            $b = New-Rows -Count 2 | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' | Submit-IrisBatch -BaseUri $url
        }
        finally { $null = Set-EmulatorConfig $emu @{ in_progress_ms = 60 } }
        $before = Get-Stat files_deleted
        $b | Remove-IrisBatch -Force -ErrorAction SilentlyContinue -ErrorVariable refused
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotComplete,*'
        (Get-Stat files_deleted) | Should -Be $before
        Test-InJournal $b.Id | Should -BeTrue
        $null = $b | Stop-IrisBatch -Confirm:$false
    }

    It '-WhatIf lists the files and the journal entry, and deletes nothing' {
        $b = Submit-Done (New-Rows -Count 3 -Fail 1)
        $null = $b | Get-IrisBatchResult
        $before = Get-Stat files_deleted
        $text = Get-HostText { $b | Remove-IrisBatch -WhatIf }
        foreach ($id in $b.InputFileId, $b.OutputFileId, $b.ErrorFileId) { $text | Should -Match ([regex]::Escape($id)) }
        $text | Should -Match 'journal entry'
        (Get-Stat files_deleted) | Should -Be $before
        Test-InJournal $b.Id | Should -BeTrue
    }

    It 'Anthropic: deletes the ended batch itself (no files there)' {
        $b = New-Rows -Count 3 | New-IrisBatchRequest -Model claude-haiku-4-5 -Prompt 'Describe {name}' -MaxTokens 64 |
            Submit-IrisBatch -Provider Anthropic -BaseUri $emu.Url | Wait-IrisBatch -PollInterval $poll
        $results = @($b | Get-IrisBatchResult)
        $results.Count | Should -Be 3
        $results | ForEach-Object { $_.Cost | Should -BeGreaterThan 0 }
        $files = Get-Stat files_deleted
        $batches = Get-Stat batches_deleted
        $b | Remove-IrisBatch -Confirm:$false
        (Get-Stat batches_deleted) - $batches | Should -Be 1
        (Get-Stat files_deleted) | Should -Be $files
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'Anthropic -KeepLocal: the batch is gone at the provider, and Get-IrisBatchStatus and Wait-IrisBatch answer from the journal' {
        $b = New-Rows -Count 3 | New-IrisBatchRequest -Model claude-haiku-4-5 -Prompt 'Describe {name}' -MaxTokens 64 |
            Submit-IrisBatch -Provider Anthropic -BaseUri $emu.Url 3>$null | Wait-IrisBatch -PollInterval $poll
        $results = @($b | Get-IrisBatchResult)
        [decimal] $sum = 0
        foreach ($r in $results) { $sum += $r.Cost }
        $batches = Get-Stat batches_deleted
        $b | Remove-IrisBatch -KeepLocal -Confirm:$false
        (Get-Stat batches_deleted) - $batches | Should -Be 1
        # The provider answers 404 for it now; the journal's record, final when it was removed, is its state.
        $status = Get-IrisBatchStatus -Id $b.Id -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 0
        $status.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        $status.Collected | Should -BeTrue
        $status.Cost | Should -Be $sum
        $waited = $b | Wait-IrisBatch -PollInterval $poll -Timeout 10 -ErrorVariable waitFailed -ErrorAction SilentlyContinue
        $waitFailed.Count | Should -Be 0
        $waited.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        @($b | Get-IrisBatchResult).Count | Should -Be 3
    }

    It 'Azure OpenAI: deletes the input, output and error files (spec §2: the files API of §1.3)' {
        $b = New-Rows -Count 3 -Fail 2 | New-IrisBatchRequest -Model gpt-4o-mini-batch -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider AzureOpenAI -BaseUri "$($emu.Url)/openai/v1" | Wait-IrisBatch -PollInterval $poll
        $b.ErrorFileId | Should -Not -BeNullOrEmpty
        @($b | Get-IrisBatchResult).Count | Should -Be 3
        $files = Get-Stat files_deleted
        $batches = Get-Stat batches_deleted
        $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru
        (Get-Stat files_deleted) - $files | Should -Be 3
        @($removed.Deleted | ForEach-Object { "$_" }) | Sort-Object | Should -Be @("error file $($b.ErrorFileId)", "input file $($b.InputFileId)", "output file $($b.OutputFileId)")
        (Get-Stat batches_deleted) | Should -Be $batches -Because 'Azure, like OpenAI, has no batch delete'
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'Gemini, inline: deletes the ended batch itself (spec §4 DELETE /v1beta/batches/{id}), no files' {
        $b = New-Rows -Count 3 | New-IrisBatchRequest -Model gemini-2.5-flash -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider Gemini -BaseUri $emu.Url | Wait-IrisBatch -PollInterval $poll
        @($b | Get-IrisBatchResult).Count | Should -Be 3
        $files = Get-Stat files_deleted
        $batches = Get-Stat batches_deleted
        $b | Remove-IrisBatch -Confirm:$false
        (Get-Stat batches_deleted) - $batches | Should -Be 1
        (Get-Stat files_deleted) | Should -Be $files
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'Gemini, file mode (a batch over 20 MB): deletes the input file, the responses file and the batch' {
        # 4 rows with a 5 MB system prompt each: over the inline limit, so the input goes up as a file.
        $big = 'word ' * 1000000
        $b = New-Rows -Count 4 | New-IrisBatchRequest -Model gemini-2.5-flash -Prompt 'Describe {name}' -SystemPrompt $big |
            Submit-IrisBatch -Provider Gemini -BaseUri $emu.Url | Wait-IrisBatch -PollInterval $poll
        $b.InputFileId | Should -Not -BeNullOrEmpty
        @($b | Get-IrisBatchResult).Count | Should -Be 4
        $files = Get-Stat files_deleted
        $batches = Get-Stat batches_deleted
        $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru
        (Get-Stat files_deleted) - $files | Should -Be 2
        (Get-Stat batches_deleted) - $batches | Should -Be 1
        @($removed.Deleted).Count | Should -Be 3
        Test-InJournal $b.Id | Should -BeFalse
    }

    It '<Provider>, a batch with an error file: deletes what it keeps (<Kinds>), and the journal entry' -ForEach @(
        # spec §12.2/§12.5: Mistral files and its batch job; §13.2: Groq files, no batch delete; §14.2/§14.5: Together files,
        # no batch delete; §5: xAI keeps no files and has no delete; §6: Ollama runs nothing remotely.
        @{ Provider = 'Mistral'; Path = '/mistral/v1'; Model = 'mistral-small-latest'; Kinds = 'input, output, error file, batch'; FileCount = 3; BatchCount = 1 }
        @{ Provider = 'Groq'; Path = '/groq/openai/v1'; Model = 'llama-3.1-8b-instant'; Kinds = 'input, output, error file'; FileCount = 3; BatchCount = 0 }
        @{ Provider = 'Together'; Path = '/together/v1'; Model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'; Kinds = 'input, output, error file'; FileCount = 3; BatchCount = 0 }
        @{ Provider = 'Xai'; Path = '/xai/v1'; Model = 'grok-4'; Kinds = 'nothing'; FileCount = 0; BatchCount = 0 }
        @{ Provider = 'Ollama'; Path = ''; Model = 'llama3.2'; Kinds = 'nothing'; FileCount = 0; BatchCount = 0 }
    ) {
        $b = New-Rows -Count 3 -Fail 2 | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' -MaxTokens 64 |
            Submit-IrisBatch -Provider $Provider -BaseUri "$($emu.Url)$Path" 3>$null | Wait-IrisBatch -PollInterval $poll
        @($b | Get-IrisBatchResult).Count | Should -Be 3
        $filesBefore = Get-Stat files_deleted
        $batchesBefore = Get-Stat batches_deleted
        $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru -ErrorVariable failed
        $failed.Count | Should -Be 0
        (Get-Stat files_deleted) - $filesBefore | Should -Be $FileCount
        (Get-Stat batches_deleted) - $batchesBefore | Should -Be $BatchCount
        $expected = @(@($b.InputFileId, $b.OutputFileId, $b.ErrorFileId) | Where-Object { $_ }).Count
        $expected | Should -Be $FileCount
        @($removed.Deleted).Count | Should -Be ($FileCount + $BatchCount)
        $removed.JournalEntryRemoved | Should -BeTrue
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'Gemini, file mode: an input file already gone (Gemini deletes uploads after 48 hours, and answers 403 for a file it no longer has) is not an error' {
        $big = 'word ' * 1000000
        $b = New-Rows -Count 4 | New-IrisBatchRequest -Model gemini-2.5-flash -Prompt 'Describe {name}' -SystemPrompt $big |
            Submit-IrisBatch -Provider Gemini -BaseUri $emu.Url | Wait-IrisBatch -PollInterval $poll
        $b.InputFileId | Should -Not -BeNullOrEmpty
        @($b | Get-IrisBatchResult).Count | Should -Be 4
        $name = if ($b.InputFileId -like 'files/*') { $b.InputFileId } else { "files/$($b.InputFileId)" }
        $null = Invoke-RestMethod -Method Delete -Uri "$($emu.Url)/v1beta/$name" -Headers @{ 'x-goog-api-key' = 'test-key' }
        $gone = try { Invoke-RestMethod -Method Delete -Uri "$($emu.Url)/v1beta/$name" -Headers @{ 'x-goog-api-key' = 'test-key' }; $null } catch { $_ }
        [int] $gone.Exception.Response.StatusCode | Should -Be 403 -Because 'the emulator answers as Gemini does'
        $files = Get-Stat files_deleted
        $removed = $b | Remove-IrisBatch -Confirm:$false -PassThru -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 0
        @($removed.AlreadyGone | ForEach-Object { "$_" }) | Should -Be @("input file $($b.InputFileId)")
        (Get-Stat files_deleted) - $files | Should -Be 1 -Because 'the responses file'
        Test-InJournal $b.Id | Should -BeFalse
    }

    It 'Get-IrisBatchResult -RemoveAfter with -Status is refused before anything is read: the results it leaves out would be deleted unseen' {
        $b = Submit-Done (New-Rows -Count 3 -Fail 2)
        $before = Get-Stat files_deleted
        $got = [Collections.Generic.List[object]]::new()
        { $b | Get-IrisBatchResult -Status Failed -RemoveAfter -ErrorAction Stop | ForEach-Object { $got.Add($_) } } |
            Should -Throw -ErrorId 'IrisBatch.InvalidParameter*'
        $got.Count | Should -Be 0
        (Get-Stat files_deleted) | Should -Be $before
        Test-InJournal $b.Id | Should -BeTrue
        @($b | Get-IrisBatchResult).Count | Should -Be 3
    }

    It 'Get-IrisBatchResult -RemoveAfter emits every result, then removes the batch' {
        $b = Submit-Done (New-Rows -Count 3)
        $before = Get-Stat files_deleted
        $results = @($b | Get-IrisBatchResult -RemoveAfter)
        $results.Count | Should -Be 3
        (Get-Stat files_deleted) - $before | Should -Be 2
        Test-InJournal $b.Id | Should -BeFalse
    }
}

Describe 'Get-IrisBatchStatus -Local' {
    BeforeAll {
        $collected = Submit-Done (New-Rows -Count 3)
        $null = $collected | Get-IrisBatchResult
        $uncollected = Submit-Done (New-Rows -Count 3 -Fail 2)
        $null = $uncollected | Get-IrisBatchStatus
    }

    It 'lists the journal''s batches with no network call' {
        $calls = Get-RouteTotal
        $list = @(Get-IrisBatchStatus -Local)
        (Get-RouteTotal) | Should -Be $calls
        $mine = $list | Where-Object Id -EQ $collected.Id
        $mine | Should -BeOfType ([IrisBatch.IrisBatchInfo])
        $mine.Provider | Should -Be 'OpenAI'
        $mine.Model | Should -Be 'gpt-4o-mini'
        $mine.Status | Should -Be Completed
        $mine.Total | Should -Be 3
        $mine.Succeeded | Should -Be 3
        $mine.Collected | Should -BeTrue
        $mine.Cost | Should -BeGreaterThan 0
        $mine.CreatedAt | Should -Not -BeNullOrEmpty
        $other = $list | Where-Object Id -EQ $uncollected.Id
        $other.Collected | Should -BeFalse
        $other.Cost | Should -BeNullOrEmpty
        # Not collected: its counts as the provider last gave them.
        $other.Status | Should -Be Completed
        $other.Total | Should -Be 3
        $other.Succeeded | Should -Be 2
        $other.Failed | Should -Be 1
    }

    It 'lists a batch submitted elsewhere and collected here with the status its provider gave (so -Status finds it), and it is not pending' {
        $raw = New-RawBatch -Emulator $emu -Lines @(
            '{"custom_id":"elsewhere-1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Describe a lamp"}]}}')
        $null = Wait-IrisBatch -Id $raw.id -BaseUri $url -PollInterval $poll
        @(Get-IrisBatchResult -Id $raw.id -BaseUri $url).Count | Should -Be 1
        $mine = Get-IrisBatchStatus -Local | Where-Object Id -EQ $raw.id
        $mine.Collected | Should -BeTrue
        $mine.Status | Should -Be Completed
        @(Get-IrisBatchStatus -Local -Status Completed | Where-Object Id -EQ $raw.id).Count | Should -Be 1
        @(Get-IrisBatchStatus -Pending | Where-Object Id -EQ $raw.id).Count | Should -Be 0
    }

    It '-Before and -Status filter, and the monthly clean-up pipeline removes only what matches' {
        @(Get-IrisBatchStatus -Local -Before (Get-Date).AddDays(-30)).Count | Should -Be 0
        @(Get-IrisBatchStatus -Local -Before (Get-Date).AddMinutes(1) | Where-Object Id -EQ $collected.Id).Count | Should -Be 1
        @(Get-IrisBatchStatus -Local -Status Failed | Where-Object Id -EQ $collected.Id).Count | Should -Be 0
        @(Get-IrisBatchStatus -Local -Status Completed | Where-Object Id -EQ $collected.Id).Count | Should -Be 1
        $before = Get-Stat files_deleted
        Get-IrisBatchStatus -Local -Before (Get-Date).AddDays(-30) | Remove-IrisBatch -Confirm:$false
        (Get-Stat files_deleted) | Should -Be $before
        Test-InJournal $collected.Id | Should -BeTrue
    }
}
