# Scale (issue 4): a submission larger than one provider batch becomes a set of batches that together yield exactly
# one result per request; -MaxBytesPerBatch and -MaxTokensPerBatch splits hold their limits; -MaxCost refuses before
# anything is uploaded. These tests assert behaviour only: timing and memory are measured by build.ps1 -Task Bench.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    # --instant: batches complete as soon as they are read, so 120,000 requests cost only their own processing.
    $emu = Start-TestEmulator -ArgumentList '--instant'
    $url = $emu.BaseUri
    $null = Initialize-TestEnvironment

    function New-ScaleCsv {
        <# A CSV of $Count rows (sku, name, colour) written directly: faster than building objects in a script loop. #>
        param([string] $Path, [int] $Count)
        $colours = 'red', 'green', 'blue', 'black', 'white'
        $sb = [Text.StringBuilder]::new(32 * $Count)
        $null = $sb.Append("sku,name,colour`n")
        for ($i = 1; $i -le $Count; $i++) {
            $null = $sb.Append('sku-').Append($i).Append(',Product ').Append($i).Append(',').Append($colours[$i % 5]).Append("`n")
        }
        [IO.File]::WriteAllText($Path, $sb.ToString())
    }

    function Get-InputFileBytes {
        <# The size of the input file the emulator holds for a batch. #>
        param([Parameter(Mandatory)] [string] $BatchId)
        $batch = Invoke-EmulatorApi $emu GET "/v1/batches/$BatchId"
        (Invoke-EmulatorApi $emu GET "/v1/files/$($batch.input_file_id)").bytes
    }

    function Get-JournalEntry {
        <# The journal entry of a created batch (what Submit recorded: requests, bytes, input tokens). #>
        param([Parameter(Mandatory)] [string] $BatchId)
        $submission = (Get-Content -Raw (Join-Path $env:IRISBATCH_HOME "ids/$BatchId")).Trim()
        Get-Content -Raw (Join-Path $env:IRISBATCH_HOME "submissions/$submission/entry.json") | ConvertFrom-Json
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe '120,000 rows with the default limits' {
    BeforeAll {
        $csv = Join-Path $TestDrive 'rows-120k.csv'
        New-ScaleCsv -Path $csv -Count 120000
        $batches = @(Import-Csv $csv |
                New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Name {name} in {colour}.' |
                Submit-IrisBatch -BaseUri $url)
        $done = @($batches | Wait-IrisBatch -PollInterval 0.2 -Timeout 300)
        # Only the ids are kept: 120,000 full results would hold hundreds of megabytes in this test process.
        [string[]] $ids = @($done | Get-IrisBatchResult | Select-Object -ExpandProperty CustomId)
    }

    It 'makes 3 batches of at most 50,000 requests (OpenAI''s limit), 120,000 in all' {
        $batches.Count | Should -Be 3
        @($batches | ForEach-Object Total) | Should -Be @(50000, 50000, 20000)
        ($batches | Measure-Object Total -Sum).Sum | Should -Be 120000
    }

    It 'gives the batches of the submission one set id' {
        @($batches | ForEach-Object SetId | Sort-Object -Unique).Count | Should -Be 1
        $batches[0].SetId | Should -Not -BeNullOrEmpty
        @($batches | ForEach-Object Id | Sort-Object -Unique).Count | Should -Be 3
    }

    It 'indexes the set in the journal: under sets, one file for the submission of each of its 3 batches' {
        $named = @(Get-ChildItem -LiteralPath (Join-Path $env:IRISBATCH_HOME "sets/$($batches[0].SetId)") -File | ForEach-Object Name | Sort-Object)
        $expected = @($batches | ForEach-Object { (Get-Content -Raw (Join-Path $env:IRISBATCH_HOME "ids/$($_.Id)")).Trim() } | Sort-Object)
        $named.Count | Should -Be 3
        $named | Should -Be $expected
    }

    It 'completes every batch' {
        $done.Count | Should -Be 3
        $done | ForEach-Object { $_.Status | Should -Be ([IrisBatch.BatchStatus]::Completed) }
        ($done | Measure-Object Succeeded -Sum).Sum | Should -Be 120000
    }

    It 'yields 120,000 results across the set, exactly one per custom id' {
        $ids.Count | Should -Be 120000
        $unique = [Collections.Generic.HashSet[string]]::new($ids)
        $unique.Count | Should -Be 120000
        $missing = @(for ($i = 1; $i -le 120000; $i++) { if (-not $unique.Contains("request-$i")) { "request-$i" } })
        $missing | Should -BeNullOrEmpty
    }

    It 'yields them in input order across the 3 batches (issue 18), though each result file is shuffled' {
        $inOrder = $true
        for ($i = 0; $i -lt 120000; $i++) { if ($ids[$i] -ne "request-$($i + 1)") { $inOrder = $false; break } }
        $inOrder | Should -BeTrue -Because "result $i is $($ids[$i])"
        # -Unordered streams one batch in its file's order, which the emulator shuffles: the same ids, another order.
        $last = $done | Where-Object Total -EQ 20000   # Wait-IrisBatch emits batches as they end, in any order
        [string[]] $fileOrder = @($last | Get-IrisBatchResult -Unordered | Select-Object -ExpandProperty CustomId)
        $fileOrder.Count | Should -Be 20000
        $fileOrder | Should -Not -Be $ids[100000..119999]
        @($fileOrder | Sort-Object) | Should -Be @($ids[100000..119999] | Sort-Object)
    }
}

Describe 'Input order (issue 18)' {
    It '-IncludeInput | Export-Csv on 50,000 rows in 3 batches gives the input rows in their order, with the result columns' {
        $csv = Join-Path $TestDrive 'rows-50k.csv'
        New-ScaleCsv -Path $csv -Count 50000
        $batches = @(Import-Csv $csv | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Colour {name} {colour}.' |
                Submit-IrisBatch -BaseUri $url -MaxRequestsPerBatch 20000)
        $batches.Count | Should -Be 3
        $out = Join-Path $TestDrive 'out-50k.csv'
        $batches | Wait-IrisBatch -PollInterval 0.2 -Timeout 300 | Get-IrisBatchResult -IncludeInput | Export-Csv -Path $out
        $rows = Import-Csv $out
        $rows.Count | Should -Be 50000
        $first = @($rows[0].psobject.Properties.Name)
        $first[0..2] | Should -Be 'sku', 'name', 'colour'
        $first | Should -Contain 'Output'
        $wrong = 0
        for ($i = 0; $i -lt 50000; $i++) { if ($rows[$i].sku -ne "sku-$($i + 1)") { $wrong++ } }
        $wrong | Should -Be 0
        $rows[49999].Output | Should -Be 'Echo: Colour Product 50000 red.'
    }

    It 'keeps the order of the submission across batches split by model (rows interleaved), by -SetId and piped' {
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 6)
        $a = @(1..6 | ForEach-Object { [pscustomobject]@{ n = "a$_-$tag" } } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {n}' -CustomId '{n}')
        $b = @(1..6 | ForEach-Object { [pscustomobject]@{ n = "b$_-$tag" } } | New-IrisBatchRequest -Model gpt-4.1-mini -Prompt 'Say {n}' -CustomId '{n}')
        $mixed = for ($i = 0; $i -lt 6; $i++) { $a[$i]; $b[$i] }
        $batches = @($mixed | Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval 0.2)
        $batches.Count | Should -Be 2
        $expected = @($mixed | ForEach-Object { $_.CustomId })
        @(Get-IrisBatchResult -SetId $batches[0].SetId | ForEach-Object CustomId) | Should -Be $expected
        @($batches[1], $batches[0] | Get-IrisBatchResult | ForEach-Object CustomId) | Should -Be $expected
    }

    It 'xAI lists results in the order its requests finished, not as added (spec §9.6); they still come back in input order' {
        $saved = $env:XAI_API_KEY
        $env:XAI_API_KEY = 'test-key'
        try {
            $tag = [guid]::NewGuid().ToString('N').Substring(0, 6)
            $batch = 1..40 | ForEach-Object { [pscustomobject]@{ n = "x$_-$tag" } } |
                New-IrisBatchRequest -Model grok-3-mini -Prompt 'Say {n}' -CustomId '{n}' |
                Submit-IrisBatch -Provider Xai -BaseUri "$($emu.Url)/xai/v1" | Wait-IrisBatch -PollInterval 0.2
            $expected = @(1..40 | ForEach-Object { "x$_-$tag" })
            $listed = @((Invoke-RestMethod -Uri "$($emu.Url)/xai/v1/batches/$($batch.Id)/results?limit=100" -Headers @{ Authorization = 'Bearer test-key' }).results |
                    ForEach-Object batch_request_id)
            $listed.Count | Should -Be 40
            $listed | Should -Not -Be $expected -Because 'xAI gives no order: the emulator must not hand them over as added'
            @($batch | Get-IrisBatchResult -Unordered | ForEach-Object CustomId) | Should -Be $listed
            @($batch | Get-IrisBatchResult | ForEach-Object CustomId) | Should -Be $expected
        }
        finally { $env:XAI_API_KEY = $saved }
    }
}

Describe 'Splitting by -MaxBytesPerBatch' {
    BeforeAll {
        $rows = @(New-TestRows -Count 300)
        $limit = 20000
        $batches = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name} ({colour}) for a catalogue, in one sentence.' |
                Submit-IrisBatch -BaseUri $url -MaxBytesPerBatch $limit)
    }

    It 'makes several batches of one set that hold all 300 requests' {
        $batches.Count | Should -BeGreaterThan 1
        ($batches | Measure-Object Total -Sum).Sum | Should -Be 300
        @($batches | ForEach-Object SetId | Sort-Object -Unique).Count | Should -Be 1
    }

    It 'uploads no input file larger than the limit' {
        $sizes = @($batches | ForEach-Object { Get-InputFileBytes $_.Id })
        $sizes | ForEach-Object { $_ | Should -BeLessOrEqual $limit }
        # The journal recorded the same sizes it uploaded.
        @($batches | ForEach-Object { (Get-JournalEntry $_.Id).Bytes }) | Should -Be $sizes
    }

    It 'fills each batch but the last close to the limit (the split is not arbitrary)' {
        $sizes = @($batches | ForEach-Object { Get-InputFileBytes $_.Id })
        $line = ($sizes | Measure-Object -Sum).Sum / 300
        $sizes | Select-Object -SkipLast 1 | ForEach-Object { $_ | Should -BeGreaterThan ($limit - 2 * $line) }
    }

    It 'yields exactly one result per request across the set' {
        $results = @($batches | Wait-IrisBatch -PollInterval 0.2 -Timeout 120 | Get-IrisBatchResult)
        $results.Count | Should -Be 300
        @($results | ForEach-Object CustomId | Sort-Object -Unique).Count | Should -Be 300
    }
}

Describe 'A request larger than -MaxBytesPerBatch' {
    It 'is IrisBatch.InvalidRequest naming its row and id; the others are submitted and no file is over the limit' {
        $limit = 2000
        $rows = @(New-TestRows -Count 6 -Prefix "Big $([guid]::NewGuid().ToString('N').Substring(0, 8))")
        $rows[2].name = 'x' * 3000   # row 3 alone is over the limit
        $batches = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
                Submit-IrisBatch -BaseUri $url -MaxBytesPerBatch $limit -ErrorVariable rowErrors -ErrorAction SilentlyContinue)
        @($rowErrors).Count | Should -Be 1
        $rowErrors[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest,*'
        $rowErrors[0].Exception.Message | Should -Match "Row 3 \('request-3'\)"
        $rowErrors[0].Exception.Message | Should -Match '2,000 bytes'
        ($batches | Measure-Object Total -Sum).Sum | Should -Be 5
        $batches | ForEach-Object { Get-InputFileBytes $_.Id | Should -BeLessOrEqual $limit }
    }
}

Describe 'Splitting by -MaxTokensPerBatch' {
    BeforeAll {
        $rows = @(New-TestRows -Count 200 -Prefix 'Gadget')
        $limit = 2000
        $prompt = 'Write a short, friendly product blurb for {name}, which comes in {colour}.'
        $batches = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt $prompt | Submit-IrisBatch -BaseUri $url -MaxTokensPerBatch $limit)
        $entries = @($batches | ForEach-Object { Get-JournalEntry $_.Id })
        # The same requests under a budget they all fit in: one batch, counted by the same tokenizer.
        $whole = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt $prompt | Submit-IrisBatch -BaseUri $url -MaxTokensPerBatch 1000000)
    }

    It 'makes several batches of one set that hold all 200 requests' {
        $batches.Count | Should -BeGreaterThan 1
        ($batches | Measure-Object Total -Sum).Sum | Should -Be 200
        @($batches | ForEach-Object SetId | Sort-Object -Unique).Count | Should -Be 1
        @($entries | ForEach-Object RequestCount) | Should -Be @($batches | ForEach-Object Total)
    }

    It 'puts no more input tokens in a batch than the budget, and fills each but the last close to it' {
        $perRequest = ($entries | Measure-Object InputTokens -Sum).Sum / 200
        $entries | ForEach-Object {
            $_.InputTokens | Should -BeGreaterThan 0
            $_.InputTokens | Should -BeLessOrEqual $limit
        }
        $entries | Select-Object -SkipLast 1 | ForEach-Object { $_.InputTokens | Should -BeGreaterThan ($limit - 2 * $perRequest) }
    }

    It 'counts each request''s tokens once across the set' {
        $whole.Count | Should -Be 1
        $wholeEntry = Get-JournalEntry $whole[0].Id
        $wholeEntry.RequestCount | Should -Be 200
        ($entries | Measure-Object InputTokens -Sum).Sum | Should -Be $wholeEntry.InputTokens
    }
}

Describe '-MaxCost' {
    It 'refuses with IrisBatch.CostLimitExceeded and uploads nothing' {
        $prices = Join-Path $TestDrive 'prices.json'
        Set-Content -Path $prices -Value '{"taken":"2025-01-01","currency":"USD","models":{"gpt-4o-mini":{"input":1000,"output":1000}}}'
        $before = Get-EmulatorStats $emu
        $journalBefore = @(Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'submissions') -Directory -ErrorAction Ignore).Count
        $err = $null
        try {
            New-TestRows -Count 500 -Prefix 'Costly' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Price {name} ({colour}).' |
                Submit-IrisBatch -BaseUri $url -MaxRequestsPerBatch 200 -PriceTable $prices -MaxCost 0.5 -ErrorAction Stop
        }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.CostLimitExceeded,*'
        $err.Exception.Message | Should -Match 'Nothing was uploaded'
        $after = Get-EmulatorStats $emu
        $after.uploads | Should -Be $before.uploads
        $after.batches_created | Should -Be $before.batches_created
        @(Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'submissions') -Directory -ErrorAction Ignore).Count | Should -Be $journalBefore
    }

    It 'submits when the estimate is within the limit' {
        $prices = Join-Path $TestDrive 'prices-cheap.json'
        Set-Content -Path $prices -Value '{"taken":"2025-01-01","currency":"USD","models":{"gpt-4o-mini":{"input":0.1,"output":0.1}}}'
        $batches = @(New-TestRows -Count 10 -Prefix 'Cheap' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Price {name}.' |
                Submit-IrisBatch -BaseUri $url -PriceTable $prices -MaxCost 1)
        $batches.Count | Should -Be 1
        $batches[0].Total | Should -Be 10
    }
}
