# Embedding batches (issue 17, spec §11.5): New-IrisBatchRequest -Endpoint Embeddings builds one input per row; OpenAI,
# Gemini, Mistral (§12.3) and Ollama run them; Anthropic, xAI, Azure OpenAI, Groq and Together refuse before any connection; results carry float[]
# vectors, CSV cells as compact JSON arrays, and -AsVectorFile writes a NumPy .npy file with its ids.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $poll = 0.1

    function New-Docs([int] $Count) {
        for ($i = 1; $i -le $Count; $i++) { [pscustomobject]@{ id = "doc-$i"; title = "Title $i"; body = "Body text number $i" } }
    }

    # The emulator's fake embedding model (src/IrisBatch.Emulator/Features/EmbeddingVectors.cs), loaded from the
    # published emulator: what each row's vector must be.
    $emulatorDll = Join-Path $PSScriptRoot '../../out/emulator/IrisBatch.Emulator.dll'
    if (-not ('IrisBatch.Emulator.EmbeddingVectors' -as [type])) { $null = [Reflection.Assembly]::LoadFrom((Resolve-Path $emulatorDll).Path) }

    # Whether two vectors hold the same floats (null is never the same).
    function Test-SameVector($a, $b) {
        if ($null -eq $a -or $null -eq $b) { return $false }
        $x = [float[]] @($a); $y = [float[]] @($b)
        if ($x.Length -ne $y.Length) { return $false }
        for ($i = 0; $i -lt $x.Length; $i++) { if ($x[$i] -ne $y[$i]) { return $false } }
        $true
    }

    # Reads a .npy file (format 1.0, '<f4') as the tests expect it: shape and rows.
    function Read-Npy([string] $Path) {
        $bytes = [IO.File]::ReadAllBytes($Path)
        $headerLength = $bytes[8] + 256 * $bytes[9]
        $header = [Text.Encoding]::ASCII.GetString($bytes, 10, $headerLength)
        if ($header -notmatch "'descr': '<f4', 'fortran_order': False, 'shape': \((\d+), (\d+)\)") { throw "bad header: $header" }
        $n = [int] $Matches[1]; $d = [int] $Matches[2]
        $rows = for ($r = 0; $r -lt $n; $r++) {
            $v = [float[]]::new($d)
            [Buffer]::BlockCopy($bytes, 10 + $headerLength + 4 * $d * $r, $v, 0, 4 * $d)
            , $v
        }
        [pscustomobject]@{ Rows = $n; Dimensions = $d; Vectors = @($rows); Bytes = $bytes.Length; HeaderEnd = 10 + $headerLength }
    }
}

Describe 'New-IrisBatchRequest -Endpoint Embeddings' {
    It 'builds one embedding request per row from the -Prompt template, with -Dimensions' {
        $r = @(New-Docs 3 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}: {body}' -CustomId '{id}' -Dimensions 16)
        $r.Count | Should -Be 3
        $r[1].Endpoint | Should -Be ([IrisBatch.RequestEndpoint]::Embeddings)
        $r[1].Prompt | Should -BeExactly 'Title 2: Body text number 2'
        $r[1].Dimensions | Should -Be 16
        $r[1].CustomId | Should -Be 'doc-2'
        @($r[1].Messages).Count | Should -Be 1
    }

    It 'takes a script block as for chat, and ignores a SystemPrompt column' {
        $row = [pscustomobject]@{ title = 'A'; SystemPrompt = 'ignored' }
        $r = $row | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt { $_.title.ToLower() + '!' }
        $r.Prompt | Should -BeExactly 'a!'
        $r.SystemPrompt | Should -BeNullOrEmpty
    }

    It '-<Name> with -Endpoint Embeddings is a parameter error, before any row' -ForEach @(
        @{ Name = 'SystemPrompt'; Extra = @{ SystemPrompt = 'x' } }
        @{ Name = 'Schema'; Extra = @{ Schema = @{ type = 'object'; properties = @{ a = @{ type = 'string' } } } } }
        @{ Name = 'Image'; Extra = @{ Image = 'https://example.com/a.png' } }
        @{ Name = 'Temperature'; Extra = @{ Temperature = 0.5 } }
        @{ Name = 'MaxTokens'; Extra = @{ MaxTokens = 10 } }
        @{ Name = 'ReasoningEffort'; Extra = @{ ReasoningEffort = 'low' } }
    ) {
        $script:built = 0
        $err = { New-Docs 2 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}' @Extra | ForEach-Object { $script:built++ } } |
            Should -Throw -PassThru
        $script:built | Should -Be 0
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidParameter,*'
        $err.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
        $err.Exception.Message | Should -BeLike "*-$Name*Embeddings*"
    }

    It '-Dimensions without -Endpoint Embeddings, or more than the model gives, is a parameter error' {
        { New-IrisBatchRequest -Model gpt-4o-mini -Prompt x -Dimensions 16 -ErrorAction Stop } | Should -Throw -ErrorId 'IrisBatch.InvalidParameter*'
        { New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt x -Dimensions 4096 -ErrorAction Stop } | Should -Throw '*at most 1536*'
        { New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-ada-002 -Prompt x -Dimensions 16 -ErrorAction Stop } | Should -Throw '*does not take -Dimensions*'
    }
}

Describe 'Embeddings with the Mock provider: vectors, CSV and the .npy file' {
    BeforeAll {
        $null = Initialize-TestEnvironment
        $batch = New-Docs 300 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}: {body}' -CustomId '{id}' -Dimensions 16 |
            Submit-IrisBatch -Provider Mock | Wait-IrisBatch -PollInterval $poll -Timeout 60
        $results = @($batch | Get-IrisBatchResult)
    }
    AfterAll { Clear-TestEnvironment }

    It '300 rows give 300 results, each the mock model''s vector of its row''s text, 16 long' {
        $results.Count | Should -Be 300
        $wrong = foreach ($r in $results) {
            $expected = [IrisBatch.Providers.Mock.MockModel]::Vector("$($r.Input.title): $($r.Input.body)", 16)
            if ($r.Status -ne 'Succeeded' -or $r.Embedding -isnot [float[]] -or $r.Embedding.Length -ne 16 -or
                -not (Test-SameVector $r.Embedding $expected)) { $r.CustomId }
        }
        @($wrong) | Should -BeNullOrEmpty
        $results[0].Output | Should -BeNullOrEmpty
        $results[0].Usage.InputTokens | Should -BeGreaterThan 0
        $results[0].Usage.OutputTokens | Should -Be 0
    }

    It '-AsVectorFile writes a (300, 16) float32 .npy file and the ids beside it, row for row' {
        $path = Join-Path $TestDrive 'mock.npy'
        $file = $batch | Get-IrisBatchResult -AsVectorFile $path
        $file.Count | Should -Be 300
        $file.Dimensions | Should -Be 16
        $file.IdsPath | Should -Be (Join-Path $TestDrive 'mock.ids.txt')
        $npy = Read-Npy $path
        $npy.Rows | Should -Be 300
        $npy.Dimensions | Should -Be 16
        ($npy.HeaderEnd % 64) | Should -Be 0
        $npy.Bytes | Should -Be ($npy.HeaderEnd + 300 * 16 * 4)
        $ids = @(Get-Content $file.IdsPath)
        $ids.Count | Should -Be 300
        $byId = @{}; foreach ($r in $results) { $byId[$r.CustomId] = $r.Embedding }
        $wrong = for ($i = 0; $i -lt 300; $i++) { if (-not (Test-SameVector $npy.Vectors[$i] $byId[$ids[$i]])) { $ids[$i] } }
        @($wrong) | Should -BeNullOrEmpty
    }

    It '-AsVectorFile refuses a chat batch piped in with it, naming the batch, and writes the embedding batch''s vectors' {
        # Before, a chat batch's answers were counted as results "with no vector" (as if they had failed) and an empty
        # .npy was written for a chat batch alone.
        $chat = 'a', 'b' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {_}' | Submit-IrisBatch -Provider Mock |
            Wait-IrisBatch -PollInterval $poll -Timeout 60
        $path = Join-Path $TestDrive 'mixed.npy'
        $file = @($chat, $batch) | Get-IrisBatchResult -AsVectorFile $path -ErrorVariable vectorErrors -ErrorAction SilentlyContinue -WarningVariable vectorWarnings
        $vectorErrors.Count | Should -Be 1
        $vectorErrors[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.UnsupportedEndpoint*'
        $vectorErrors[0].Exception.Message | Should -Match ([regex]::Escape($chat.Id))
        $vectorErrors[0].TargetObject | Should -Be $chat.Id
        $file.Count | Should -Be 300
        $file.Skipped | Should -Be 0
        @($vectorWarnings) | Should -BeNullOrEmpty
        @($chat | Get-IrisBatchResult).Count | Should -Be 2 -Because 'the chat batch is still there to collect'
    }
}

Describe 'Embeddings on OpenAI (emulator)' {
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10
        $null = Initialize-TestEnvironment
        $batch = New-Docs 300 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}: {body}' -CustomId '{id}' -Dimensions 16 |
            Submit-IrisBatch -BaseUri $emu.BaseUri | Wait-IrisBatch -PollInterval $poll -Timeout 60
        $results = @($batch | Get-IrisBatchResult)
    }
    AfterAll {
        $emu | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'sends one /v1/embeddings line per row: the text, dimensions 16 and base64 encoding' {
        $b = Invoke-EmulatorApi $emu GET "/v1/batches/$($batch.Id)"
        $b.endpoint | Should -Be '/v1/embeddings'
        $lines = @(Get-EmulatorFileLines $emu $b.input_file_id)
        $lines.Count | Should -Be 300
        $first = $lines | Where-Object custom_id -EQ 'doc-7'
        $first.url | Should -Be '/v1/embeddings'
        $first.body.input | Should -BeExactly 'Title 7: Body text number 7'
        $first.body.dimensions | Should -Be 16
        $first.body.encoding_format | Should -Be 'base64'
        $first.body.model | Should -Be 'text-embedding-3-small'
    }

    It '300 rows give 300 succeeded results with float[] vectors, usage and no output' {
        $results.Count | Should -Be 300
        @($results | Where-Object { $_.Status -ne 'Succeeded' -or $_.Embedding -isnot [float[]] -or $_.Embedding.Length -eq 0 }).Count | Should -Be 0
        @($results.CustomId | Sort-Object -Unique).Count | Should -Be 300
        $results[0].Usage.InputTokens | Should -BeGreaterThan 0
        $results[0].Output | Should -BeNullOrEmpty
    }

    It 'costs each result its input tokens at the embedding batch price (0.01 USD per 1M), nothing for output' {
        $wrong = foreach ($r in $results) {
            $expected = [decimal] $r.Usage.InputTokens * [decimal] 0.01 / [decimal] 1000000
            if ($null -eq $r.Cost -or [math]::Abs($r.Cost - $expected) -gt [decimal] 1e-12) { "$($r.CustomId): $($r.Cost) vs $expected" }
        }
        @($wrong) | Should -BeNullOrEmpty
    }

    It 'each vector is the emulator''s vector of the row''s text, 16 long (-Dimensions 16 honoured)' {
        $wrong = foreach ($r in $results) {
            $expected = [IrisBatch.Emulator.EmbeddingVectors]::Vector("$($r.Input.title): $($r.Input.body)", 16)
            if ($r.Embedding.Length -ne 16 -or -not (Test-SameVector $r.Embedding $expected)) { $r.CustomId }
        }
        @($wrong) | Should -BeNullOrEmpty
    }

    It 'the emulator answered in base64, and the module decoded it exactly' {
        $b = Invoke-EmulatorApi $emu GET "/v1/batches/$($batch.Id)"
        $lines = @(Get-EmulatorFileLines $emu $b.output_file_id | Select-Object -First 25)
        $byId = @{}; foreach ($r in $results) { $byId[$r.CustomId] = $r.Embedding }
        $wrong = foreach ($line in $lines) {
            $wire = $line.response.body.data[0].embedding
            if ($wire -isnot [string] -or -not (Test-SameVector $byId[$line.custom_id] ([IrisBatch.Embeddings.EmbeddingVector]::FromBase64($wire)))) { $line.custom_id }
        }
        $lines.Count | Should -Be 25
        @($wrong) | Should -BeNullOrEmpty
    }

    It '-IncludeInput | Export-Csv writes Embedding as a compact JSON array that reads back to the same floats' {
        $csv = Join-Path $TestDrive 'vectors.csv'
        $batch | Get-IrisBatchResult -IncludeInput | Export-Csv $csv
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 300
        $rows[0].PSObject.Properties.Name | Should -Contain 'Embedding'
        $rows[0].Embedding | Should -Match '^\[-?[0-9][^ ]*\]$'
        $byId = @{}; foreach ($r in $results) { $byId[$r.CustomId] = $r.Embedding }
        $wrong = foreach ($row in $rows) {
            $back = @($row.Embedding | ConvertFrom-Json)
            if (-not (Test-SameVector $back $byId[$row.CustomId]) -or $row.title -ne "Title $($row.CustomId -replace 'doc-')") { $row.CustomId }
        }
        @($wrong) | Should -BeNullOrEmpty
    }

    It '-WhatIf shows the input tokens and the embedding batch price, and -MaxCost holds' {
        $before = (Get-EmulatorStats $emu).uploads
        $said = Get-TranscriptText {
            New-Docs 3 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}: {body}' |
                Submit-IrisBatch -BaseUri $emu.BaseUri -WhatIf
        }
        $said | Should -Match 'What if: .*3 requests in 1 batch\(es\), [\d,]+ bytes, for text-embedding-3-small'
        $said | Should -Match '(?m)^\s*1 text-embedding-3-small\s+3\s+[\d,]+\s+[1-9]\d*\s+0\s+0\.0{4,}[1-9]\d*\s*$' -Because 'the row shows the input tokens, no output tokens and their cost, not 0.0000'
        $said | Should -Match 'Embeddings \(text-embedding-3-small\) have no output tokens: the input tokens at the embedding batch price of 0.01 USD per 1M input tokens'
        { New-Docs 3 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}: {body}' |
            Submit-IrisBatch -BaseUri $emu.BaseUri -MaxCost 0.0000000001 -ErrorAction Stop } | Should -Throw -ErrorId 'IrisBatch.CostLimitExceeded*'
        (Get-EmulatorStats $emu).uploads | Should -Be $before
    }
}

Describe '<Provider> has no embedding batches: IrisBatch.UnsupportedEndpoint before any connection' -ForEach @(
    @{ Provider = 'Anthropic'; Display = 'Anthropic'; Path = ''; KeyVariable = 'ANTHROPIC_API_KEY' }
    @{ Provider = 'Xai'; Display = 'xAI'; Path = '/xai/v1'; KeyVariable = 'XAI_API_KEY' }
    @{ Provider = 'AzureOpenAI'; Display = 'Azure OpenAI'; Path = ''; KeyVariable = 'AZURE_OPENAI_API_KEY' }
    # Groq's batch endpoints are chat completions only (§13.3), Together's chat and audio (§14.3).
    @{ Provider = 'Groq'; Display = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY' }
    @{ Provider = 'Together'; Display = 'Together'; Path = '/together/v1'; KeyVariable = 'TOGETHER_API_KEY' }
) {
    BeforeAll {
        $emu = Start-TestEmulator
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
    }
    AfterAll {
        $emu | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'refuses, naming the provider, and the emulator saw no request' {
        $script:out = 0
        $err = { New-Docs 5 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}' |
                Submit-IrisBatch -Provider $Provider -BaseUri "$($emu.Url)$Path" | ForEach-Object { $script:out++ } } | Should -Throw -PassThru
        $script:out | Should -Be 0
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.UnsupportedEndpoint,*'
        $err.Exception.Message | Should -BeLikeExactly "$Display has no embedding batches*" -Because 'messages name the provider as it spells itself'

        $n = 0; foreach ($p in (Get-EmulatorStats $emu).routes.psobject.Properties) { $n += [long] $p.Value }
        $n | Should -Be 0 -Because 'nothing may be sent for a batch the provider cannot run'
        @(Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'submissions') -ErrorAction Ignore).Count | Should -Be 0 -Because 'nothing stays spooled'
    }
}

Describe 'Several embedding inputs in -Body are refused, naming the row, before anything is uploaded' {
    # A result carries one vector, and OpenAI's 50,000-inputs limit (§1.9) counts every input: a request of two inputs
    # would lose a vector and make the splitter's count wrong. One input in -Body is sent as given.
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10
        $null = Initialize-TestEnvironment
    }
    AfterAll {
        $emu | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'refuses -Body input of two texts: IrisBatch.InvalidRequest naming row 1, and no upload' {
        $errs = $null
        $empty = $null
        $out = @()
        try {
            $out = @(New-Docs 3 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}' -CustomId '{id}' -Body @{ input = @('a', 'b') } |
                    Submit-IrisBatch -BaseUri $emu.BaseUri -ErrorVariable errs -ErrorAction SilentlyContinue)
        }
        catch { $empty = $_ }
        $out.Count | Should -Be 0
        $empty.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.EmptyInput*' -Because 'every row was refused'
        $first = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })[0]
        $first.Exception.Message | Should -BeLikeExactly "Row 1 ('doc-1'): -Body input holds 2 inputs*"
        (Get-EmulatorStats $emu).uploads | Should -Be 0
    }

    It 'sends one text given as -Body input as it is, and returns its vector' {
        $batch = New-Docs 2 | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{title}' -CustomId '{id}' -Dimensions 16 -Body @{ input = @('the same text') } |
            Submit-IrisBatch -BaseUri $emu.BaseUri | Wait-IrisBatch -PollInterval $poll -Timeout 60
        $results = @($batch | Get-IrisBatchResult)
        $results.Count | Should -Be 2
        $expected = [IrisBatch.Emulator.EmbeddingVectors]::Vector('the same text', 16)
        foreach ($r in $results) { Test-SameVector $r.Embedding $expected | Should -BeTrue }
    }
}

Describe 'OpenAI: an empty text or one over 8,192 tokens is refused naming its row, before upload; the other rows go on' {
    # Spec §11.5: each embedding input is "≤ 8192 tokens, not empty"; the service fails such a line a day later.
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10
        $null = Initialize-TestEnvironment
    }
    AfterAll {
        $emu | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'refuses rows 2 and 3 with IrisBatch.InvalidRequest, and uploads and answers rows 1 and 4' {
        $rows = @(
            [pscustomobject]@{ id = 'a'; text = 'a desk lamp' }
            [pscustomobject]@{ id = 'b'; text = '' }
            [pscustomobject]@{ id = 'c'; text = 'lamp ' * 9000 }
            [pscustomobject]@{ id = 'd'; text = 'an oak chair' }
        )
        $errs = $null
        $batch = $rows | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{text}' -CustomId '{id}' -AllowEmpty |
            Submit-IrisBatch -BaseUri $emu.BaseUri -ErrorVariable errs -ErrorAction SilentlyContinue | Wait-IrisBatch -PollInterval $poll -Timeout 60
        $refused = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })
        $refused.Count | Should -Be 2
        $refused[0].Exception.Message | Should -BeLikeExactly "Row 2 ('b'): the text to embed is empty*"
        $refused[1].Exception.Message | Should -BeLikeExactly "Row 3 ('c'): the text to embed has 9,00? tokens; text-embedding-3-small takes at most 8,192 per input*"
        (Get-EmulatorStats $emu).uploads | Should -Be 1
        $results = @($batch | Get-IrisBatchResult)
        @($results.CustomId) | Should -Be @('a', 'd')
        @($results | Where-Object Status -NE 'Succeeded').Count | Should -Be 0
    }
}

Describe 'A 120,000-row embedding job splits under the 50,000 inputs limit and returns every vector' {
    BeforeAll {
        $emu = Start-TestEmulator -ArgumentList '--instant'
        $null = Initialize-TestEnvironment
        $csv = Join-Path $TestDrive 'docs.csv'
        $sb = [Text.StringBuilder]::new(40 * 120000)
        $null = $sb.Append("id,text`n")
        for ($i = 1; $i -le 120000; $i++) { $null = $sb.Append('d-').Append($i).Append(',text ').Append($i).Append("`n") }
        [IO.File]::WriteAllText($csv, $sb.ToString())
        $batches = @(Import-Csv $csv | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{text}' -CustomId '{id}' -Dimensions 4 |
                Submit-IrisBatch -BaseUri $emu.BaseUri | Wait-IrisBatch -PollInterval $poll -Timeout 300)
    }
    AfterAll {
        $emu | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'is a set of three batches of at most 50,000 embedding inputs each' {
        $batches.Count | Should -Be 3
        @($batches.SetId | Sort-Object -Unique).Count | Should -Be 1
        ($batches.Total | Sort-Object) | Should -Be @(20000, 50000, 50000)
        foreach ($b in $batches) { (Invoke-EmulatorApi $emu GET "/v1/batches/$($b.Id)").endpoint | Should -Be '/v1/embeddings' }
    }

    It 'returns all 120,000 results, each with a vector, once' {
        $seen = [Collections.Generic.HashSet[string]]::new()
        $bad = 0
        $batches | Get-IrisBatchResult | ForEach-Object {
            if ($_.Status -ne 'Succeeded' -or $null -eq $_.Embedding -or -not $seen.Add($_.CustomId)) { $bad++ }
        }
        $bad | Should -Be 0
        $seen.Count | Should -Be 120000
    }
}

Describe 'Embeddings on Gemini (emulator): asyncBatchEmbedContent, joined back on the key' {
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'GEMINI_API_KEY'
        $batch = New-Docs 120 | New-IrisBatchRequest -Endpoint Embeddings -Model gemini-embedding-001 -Prompt '{title}: {body}' -CustomId '{id}' -Dimensions 64 |
            Submit-IrisBatch -Provider Gemini -BaseUri $emu.Url | Wait-IrisBatch -PollInterval $poll -Timeout 60
        $results = @($batch | Get-IrisBatchResult)
    }
    AfterAll {
        $emu | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'creates the batch at asyncBatchEmbedContent, inline' {
        $batch.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        (Get-EmulatorStats $emu).routes.PSObject.Properties.Name | Should -Contain 'POST /v1beta/models/{model}:asyncBatchEmbedContent'
        (Get-EmulatorStats $emu).uploads | Should -Be 0 -Because 'a small batch goes inline'
    }

    It 'costs each result its input tokens at gemini-embedding-001''s batch price (0.075 USD per 1M)' {
        $wrong = foreach ($r in $results) {
            $expected = [decimal] $r.Usage.InputTokens * [decimal] 0.075 / [decimal] 1000000
            if ($null -eq $r.Cost -or [math]::Abs($r.Cost - $expected) -gt [decimal] 1e-12) { "$($r.CustomId): $($r.Cost) vs $expected" }
        }
        @($wrong) | Should -BeNullOrEmpty
    }

    It 'gives every row its own vector: Gemini''s truncation of the row''s text to 64 dimensions' {
        $results.Count | Should -Be 120
        $wrong = foreach ($r in $results) {
            $expected = [IrisBatch.Emulator.EmbeddingVectors]::Truncated("$($r.Input.title): $($r.Input.body)", 3072, 64)
            if ($r.Status -ne 'Succeeded' -or -not (Test-SameVector $r.Embedding $expected) -or $r.CustomId -ne $r.Input.id) { $r.CustomId }
        }
        @($wrong) | Should -BeNullOrEmpty
        $results[0].Usage.InputTokens | Should -BeGreaterThan 0
        $results[0].Output | Should -BeNullOrEmpty
    }
}

Describe 'Embeddings on Mistral (emulator): a /v1/embeddings job, lines {custom_id, body}' {
    # Spec §12.3: /v1/embeddings is one of a Mistral batch job's endpoints; the job names the model. Before, Mistral refused
    # every embedding request with IrisBatch.UnsupportedEndpoint.
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'MISTRAL_API_KEY'
        $batch = New-Docs 50 | New-IrisBatchRequest -Endpoint Embeddings -Model mistral-embed -Prompt '{title}: {body}' -CustomId '{id}' |
            Submit-IrisBatch -Provider Mistral -BaseUri "$($emu.Url)/mistral/v1" | Wait-IrisBatch -PollInterval $poll -Timeout 60
        $results = @($batch | Get-IrisBatchResult)
    }
    AfterAll {
        $emu | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'creates a /v1/embeddings job for mistral-embed whose lines carry only the row''s text' {
        $job = Invoke-EmulatorApi $emu GET "/mistral/v1/batch/jobs/$($batch.Id)"
        $job.endpoint | Should -Be '/v1/embeddings'
        $job.model | Should -Be 'mistral-embed'
        $content = Invoke-WebRequest -Uri "$($emu.Url)/mistral/v1/files/$($job.input_files[0])/content" -Headers @{ Authorization = "Bearer $($emu.ApiKey)" }
        $text = if ($content.Content -is [byte[]]) { [Text.Encoding]::UTF8.GetString($content.Content) } else { $content.Content }
        $lines = @(foreach ($l in $text -split "`n") { if ($l.Trim()) { $l | ConvertFrom-Json } })
        $lines.Count | Should -Be 50
        $line = $lines | Where-Object custom_id -EQ 'doc-7'
        @($line.PSObject.Properties.Name) | Should -Be @('custom_id', 'body')
        @($line.body.PSObject.Properties.Name) | Should -Be @('input')
        $line.body.input | Should -BeExactly 'Title 7: Body text number 7'
    }

    It 'gives every row the emulator''s vector of its text, with usage and no output' {
        $results.Count | Should -Be 50
        # mistral-embed's vectors have 1,024 numbers (docs.mistral.ai, Text Embeddings: "It returns 1024"); the emulator
        # answered 768, its fallback, so a client sizing an index by the emulator's vectors was wrong for Mistral.
        $dims = 1024
        $wrong = foreach ($r in $results) {
            $expected = [IrisBatch.Emulator.EmbeddingVectors]::Vector("$($r.Input.title): $($r.Input.body)", $dims)
            if ($r.Status -ne 'Succeeded' -or $r.Embedding -isnot [float[]] -or $r.Embedding.Length -ne $dims -or -not (Test-SameVector $r.Embedding $expected) -or $r.CustomId -ne $r.Input.id) { $r.CustomId }
        }
        @($wrong) | Should -BeNullOrEmpty
        $results[0].Usage.InputTokens | Should -BeGreaterThan 0
        $results[0].Output | Should -BeNullOrEmpty
    }

    It 'costs each result its input tokens at mistral-embed''s batch price (0.05 USD per 1M), nothing for output' {
        $wrong = foreach ($r in $results) {
            $expected = [decimal] $r.Usage.InputTokens * [decimal] 0.05 / [decimal] 1000000
            if ($null -eq $r.Cost -or [math]::Abs($r.Cost - $expected) -gt [decimal] 1e-12) { "$($r.CustomId): $($r.Cost) vs $expected" }
        }
        @($wrong) | Should -BeNullOrEmpty
    }

    It '-Dimensions is refused for the row (no field for it in §12), and nothing is uploaded' {
        $before = (Get-EmulatorStats $emu).uploads
        $err = { New-Docs 2 | New-IrisBatchRequest -Endpoint Embeddings -Model mistral-embed -Prompt '{title}' -Dimensions 16 |
                Submit-IrisBatch -Provider Mistral -BaseUri "$($emu.Url)/mistral/v1" -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest,*'
        $err.Exception.Message | Should -BeLike 'Row 1 *-Dimensions*'
        (Get-EmulatorStats $emu).uploads | Should -Be $before
    }
}

Describe 'Embeddings on Ollama: /api/embed and /v1/embeddings through the journaled executor' -ForEach @(
    @{ Route = '/api/embed'; Path = '' }
    @{ Route = '/v1/embeddings'; Path = '/v1' }
) {
    BeforeAll {
        $server = Start-TestEmulator -ArgumentList '--ollama-only'
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
        $batch = New-Docs 40 | New-IrisBatchRequest -Endpoint Embeddings -Model nomic-embed-text -Prompt '{title}: {body}' -CustomId '{id}' |
            Submit-IrisBatch -Provider Ollama -BaseUri "$($server.Url)$Path" | Wait-IrisBatch -PollInterval $poll -Timeout 60
        $results = @($batch | Get-IrisBatchResult)
    }
    AfterAll {
        $server | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'runs each row once at <Route> and returns the server''s vector of its text' {
        $batch.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        (Get-EmulatorStats $server).routes."POST $Route" | Should -Be 40
        $results.Count | Should -Be 40
        $wrong = foreach ($r in $results) {
            $expected = [IrisBatch.Emulator.EmbeddingVectors]::Vector("$($r.Input.title): $($r.Input.body)", 768)
            if ($r.Status -ne 'Succeeded' -or -not (Test-SameVector $r.Embedding $expected)) { $r.CustomId }
        }
        @($wrong) | Should -BeNullOrEmpty
        $results[0].Usage.InputTokens | Should -BeGreaterThan 0
    }
}

Describe 'Ollama embeddings: the waiting process stopped midway (SIGTERM) and resumed: every row embedded exactly once' -Skip:($IsWindows) {
    BeforeAll {
        $waiter = Join-Path $TestDrive 'waiter.ps1'
        Set-Content $waiter -Value @'
param($ModulePath, $Id)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$b = Wait-IrisBatch -Id $Id -ThrottleLimit 8 -PollInterval 0.1 -Timeout 120
"STATUS=$($b.Status)"
'@
        function Get-EmbedCount([object[]] $Servers) {
            $byPrompt = @{}; $total = 0
            foreach ($s in $Servers) {
                $st = Get-EmulatorStats $s
                $total += [long] $st.ollama_requests
                foreach ($p in $st.ollama_by_prompt.psobject.Properties) { $byPrompt[$p.Name] = [long] $byPrompt[$p.Name] + [long] $p.Value }
            }
            [pscustomobject]@{ Total = $total; Prompts = $byPrompt.Count; MaxPerPrompt = [long] ($byPrompt.Values | Measure-Object -Maximum).Maximum }
        }
        $servers = @(1, 2 | ForEach-Object { Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '30', '--ollama-max-parallel', '8' })
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
        $rows = 600
        $batch = New-Docs $rows | New-IrisBatchRequest -Endpoint Embeddings -Model nomic-embed-text -Prompt '{title}: {body}' -CustomId '{id}' |
            Submit-IrisBatch -Provider Ollama -BaseUri $servers.Url
        Send-TestSignal -ProcessId $PID -Signal 0
    }
    AfterAll {
        $servers | Where-Object { $_ } | ForEach-Object { Stop-TestEmulator $_ }
        Clear-TestEnvironment
    }

    It 'stops midway with every vector the servers gave in the journal' {
        $child = Start-TestPwsh -File $waiter -ArgumentList @((Get-ModuleUnderTestPath), $batch.Id)
        try {
            $null = Wait-TestCondition -TimeoutSeconds 60 -IntervalMs 20 -Because 'the waiter should have some answered' {
                (Get-EmbedCount $servers).Total -ge 150 -or $child.Process.HasExited
            }
            $child.Process.HasExited | Should -BeFalse -Because 'the signal should land midway'
            Send-TestSignal -ProcessId $child.Process.Id -Signal 15
            $end = Stop-TestPwsh $child -TimeoutSeconds 15
        }
        catch { $null = Stop-TestPwsh $child -Kill; throw }
        $end.Output | Should -Not -Match 'STATUS='
        $null = Wait-TestCondition -Because 'the servers finish the calls in flight' { @($servers | Where-Object { (Get-EmulatorStats $_).ollama_in_flight -ne 0 }).Count -eq 0 }
        $script:atStop = Get-EmbedCount $servers
        $script:atStop.Total | Should -BeLessThan $rows
        $now = Get-IrisBatchStatus -Id $batch.Id
        ($now.Succeeded + $now.Failed) | Should -Be $script:atStop.Total -Because 'the answers in flight were journaled before the process ended'
    }

    It 'a new process finishes it: each row embedded exactly once, every vector right' {
        $child = Start-TestPwsh -File $waiter -ArgumentList @((Get-ModuleUnderTestPath), $batch.Id)
        $end = Stop-TestPwsh $child -TimeoutSeconds 90
        $end.Output | Should -Match 'STATUS=Completed'
        $after = Get-EmbedCount $servers
        $after.Prompts | Should -Be $rows
        $after.Total | Should -Be $rows
        $after.MaxPerPrompt | Should -Be 1
        $results = @(Get-IrisBatchResult -Id $batch.Id)
        $results.Count | Should -Be $rows
        $wrong = foreach ($r in $results) {
            $expected = [IrisBatch.Emulator.EmbeddingVectors]::Vector("$($r.Input.title): $($r.Input.body)", 768)
            if ($r.Status -ne 'Succeeded' -or -not (Test-SameVector $r.Embedding $expected)) { $r.CustomId }
        }
        @($wrong) | Should -BeNullOrEmpty
    }
}

Describe 'A Gemini embedding batch of 3,000 full-size vectors goes through file mode and keeps memory bounded' {
    # Inline answers sit in the batch's Operation twice and every poll fetches it: 3,000 vectors of 3,072 numbers made a
    # 221 MB Operation and a module peak of 1.5 GB after one status call. The module sends such a batch through file
    # mode (GeminiInputMode: answers estimated past 4 MB), so polls carry only the responses file's name and the
    # results stream from that file. Run in a child pwsh, so its peak (VmHWM) is this scenario's alone.
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'GEMINI_API_KEY'
        $rows = 3000
        $out = Join-Path $TestDrive 'gemini-scale'
        $null = New-Item -ItemType Directory $out
        $script = Join-Path $TestDrive 'gemini-scale.ps1'
        Set-Content $script -Value @'
param($ModulePath, $Url, $Rows, $Out)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$docs = for ($i = 1; $i -le $Rows; $i++) { [pscustomobject]@{ id = "doc-$i"; title = "Title $i"; body = "Body text number $i" } }
$batch = $docs | New-IrisBatchRequest -Endpoint Embeddings -Model gemini-embedding-001 -Prompt '{title}: {body}' -CustomId '{id}' |
    Submit-IrisBatch -Provider Gemini -BaseUri $Url | Wait-IrisBatch -PollInterval 0.1 -Timeout 120
$docs = $null
"BATCH=$($batch.Id)"
"STATUS=$((Get-IrisBatchStatus -Id $batch.Id).Status)"
$n = 0; $bad = 0
Get-IrisBatchResult -Id $batch.Id | ForEach-Object {
    $n++
    if ($_.Status -ne 'Succeeded' -or $_.Embedding.Length -ne 3072) { $bad++ }
    if ($_.CustomId -eq 'doc-7') {
        $bytes = [byte[]]::new(4 * $_.Embedding.Length)
        [Buffer]::BlockCopy($_.Embedding, 0, $bytes, 0, $bytes.Length)
        [IO.File]::WriteAllBytes((Join-Path $Out 'doc-7.f32'), $bytes)
    }
}
"RESULTS=$n"
"BAD=$bad"
if ($IsLinux) { "VMHWM_KB=" + ((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '\D', '') }
'@
        $lines = @(Invoke-TestPwsh -File $script -ArgumentList (Get-ModuleUnderTestPath), $emu.Url, $rows, $out)
        $exit = $LASTEXITCODE
        $said = @{}
        foreach ($l in $lines) { if ($l -match '^([A-Z_]+)=(.*)$') { $said[$Matches[1]] = $Matches[2] } }
    }
    AfterAll {
        $emu | Stop-TestEmulator
        Clear-TestEnvironment
    }

    It 'completes with 3,000 succeeded results of 3,072 numbers, doc-7''s the emulator''s vector of its text' {
        $exit | Should -Be 0 -Because ($lines -join "`n")
        $said.STATUS | Should -Be 'Completed'
        [int] $said.RESULTS | Should -Be $rows
        [int] $said.BAD | Should -Be 0
        $bytes = [IO.File]::ReadAllBytes((Join-Path $out 'doc-7.f32'))
        $vector = [float[]]::new($bytes.Length / 4)
        [Buffer]::BlockCopy($bytes, 0, $vector, 0, $bytes.Length)
        Test-SameVector $vector ([IrisBatch.Emulator.EmbeddingVectors]::Truncated('Title 7: Body text number 7', 3072, 3072)) | Should -BeTrue
    }

    It 'went through file mode: one upload, and the Operation names the input and responses files, with no inline answers' {
        (Get-EmulatorStats $emu).uploads | Should -Be 1
        $response = Invoke-WebRequest -Uri "$($emu.Url)/v1beta/$($said.BATCH)" -Headers @{ 'x-goog-api-key' = $emu.ApiKey }
        $response.RawContentLength | Should -BeLessThan 10000 -Because 'a status poll must not carry the vectors'
        $op = $response.Content | ConvertFrom-Json
        $op.metadata.inputConfig.fileName | Should -BeLike 'files/*'
        $op.metadata.output.responsesFile | Should -BeLike 'files/*'
        $op.response.responsesFile | Should -Be $op.metadata.output.responsesFile
        $op.metadata.output.PSObject.Properties.Name | Should -Not -Contain 'inlinedEmbedContentResponses'
    }

    It 'the module process peaked under 600 MB (VmHWM)' -Skip:(-not $IsLinux) {
        $said.VMHWM_KB | Should -Not -BeNullOrEmpty -Because ($lines -join "`n")
        Write-Host "    module peak (VmHWM): $([math]::Round([long] $said.VMHWM_KB / 1024)) MB"
        [long] $said.VMHWM_KB | Should -BeLessThan (600 * 1024)
    }
}

Describe 'The emulator writes a large inline embedding Operation without holding its vectors' -Skip:(-not $IsLinux) {
    # 5,000 inline rows of 3,072 numbers: a ~390 MB Operation, sent whole on every read as Gemini does (§4). Built as a
    # node per float it cost gigabytes (200,000 rows took the emulator past 20 GB); written as it is read, it stays small.
    BeforeAll {
        # --instant: the batch is done when created, so the create answer is already the whole Operation; it and one
        # read of it go to files (never parsed here: the test process would hold them).
        $emu = Start-TestEmulator -ArgumentList '--instant'
        $requests = for ($i = 1; $i -le 5000; $i++) { @{ request = @{ content = @{ parts = @(@{ text = "row text $i" }) } }; metadata = @{ key = "k$i" } } }
        $body = @{ batch = @{ displayName = 'big-inline'; inputConfig = @{ requests = @{ requests = @($requests) } } } } | ConvertTo-Json -Depth 10 -Compress
        $headers = @{ 'x-goog-api-key' = $emu.ApiKey }
        $created = Join-Path $TestDrive 'created.json'
        $file = Join-Path $TestDrive 'operation.json'
        Invoke-WebRequest -Method Post -Uri "$($emu.Url)/v1beta/models/gemini-embedding-001:asyncBatchEmbedContent" -Headers $headers -ContentType 'application/json' -Body $body -OutFile $created
        function Read-Head([string] $Path) {
            $reader = [IO.StreamReader]::new($Path)
            try { $head = [char[]]::new(4096); $n = $reader.Read($head, 0, 4096); -join $head[0..($n - 1)] }
            finally { $reader.Dispose() }
        }
        $name = if ((Read-Head $created) -match '^\{"name":"(batches/[^"]+)"') { $Matches[1] } else { throw "no name in $(Read-Head $created)" }
        Invoke-WebRequest -Uri "$($emu.Url)/v1beta/$name" -Headers $headers -OutFile $file
    }
    AfterAll {
        Remove-Item (Join-Path $TestDrive 'operation.json'), (Join-Path $TestDrive 'created.json') -ErrorAction Ignore
        $emu | Stop-TestEmulator
    }

    It 'sends every vector (5,000 twice) while the emulator peaks under 600 MB' {
        (Get-Item $file).Length | Should -BeGreaterThan 300MB
        (Get-Item $created).Length | Should -Be (Get-Item $file).Length
        Read-Head $file | Should -Match '"inlinedEmbedContentResponses":\{"inlinedResponses":\[\{"response":\{"embedding":\{"values":\[-?\d'
        $peak = [long] ((Get-Content "/proc/$($emu.Process.Id)/status" | Where-Object { $_ -like 'VmHWM:*' }) -replace '\D', '')
        Write-Host "    emulator peak (VmHWM): $([math]::Round($peak / 1024)) MB for $([math]::Round((Get-Item $file).Length / 1MB)) MB Operations"
        $peak | Should -BeLessThan (600 * 1024)
    }
}
