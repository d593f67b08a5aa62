# Issue 14 against the published module and the emulator: structured output (-Schema) to results and CSV columns,
# class schemas, a bad schema, images from URLs and files, the Responses endpoint, and reasoning models, on each
# provider whose emulator side speaks the feature (spec §11): OpenAI, Azure OpenAI, Anthropic, Gemini, xAI, and Ollama
# (no batch API: the requests run when Wait-IrisBatch waits; the schema goes as /api/chat's "format", images as the
# message's base64 "images", and Ollama has no refusal field, so a refusal is plain text that fails the schema).

BeforeDiscovery {
    # OpenAIStyle: the Responses endpoint and OpenAI's reasoning models (gpt-5, o4-mini) are tested there.
    # UrlImages: the provider takes image URLs (Gemini and Ollama take files only). ThinkingModel: a model -ReasoningEffort
    # makes think. RefusalCode: what a refused answer fails with (Ollama has no refusal concept: its text is not JSON).
    # ReasoningTokens: the result's usage counts them (Ollama's prompt_eval_count/eval_count do not, spec §11.6).
    # PlainModel: a model models.json knows as a plain chat model, which the provider refuses -ReasoningEffort on (null:
    # not checked before upload). FileTypes: the image file types the provider reads (spec §11.2).
    $script:providerCases = @(
        @{ Name = 'OpenAI'; Provider = 'OpenAI'; Path = '/v1'; KeyVariable = 'OPENAI_API_KEY'; Model = 'gpt-4o-mini'; Feature = 'openai'; OpenAIStyle = $true; UrlImages = $true; ThinkingModel = 'gpt-5-mini'; RefusalCode = 'refusal'; ReasoningTokens = $true; PlainModel = 'gpt-4o-mini'; FileTypes = @('png', 'jpeg', 'gif', 'webp') }
        @{ Name = 'AzureOpenAI (/openai/v1)'; Provider = 'AzureOpenAI'; Path = '/openai/v1'; KeyVariable = 'AZURE_OPENAI_API_KEY'; Model = 'gpt-4o-mini-batch'; Feature = 'azure'; OpenAIStyle = $true; UrlImages = $true; ThinkingModel = 'gpt-5-mini-batch'; RefusalCode = 'refusal'; ReasoningTokens = $true; PlainModel = 'gpt-4o-mini'; FileTypes = @('png', 'jpeg', 'gif', 'webp') }
        @{ Name = 'Anthropic'; Provider = 'Anthropic'; Path = ''; KeyVariable = 'ANTHROPIC_API_KEY'; Model = 'claude-sonnet-4-5'; Feature = 'anthropic'; OpenAIStyle = $false; UrlImages = $true; ThinkingModel = 'claude-sonnet-4-5'; RefusalCode = 'refusal'; ReasoningTokens = $true; PlainModel = $null; FileTypes = @('png', 'jpeg', 'gif', 'webp') }
        @{ Name = 'Gemini'; Provider = 'Gemini'; Path = ''; KeyVariable = 'GEMINI_API_KEY'; Model = 'gemini-2.5-flash'; Feature = 'gemini'; OpenAIStyle = $false; UrlImages = $false; ThinkingModel = 'gemini-2.5-flash'; RefusalCode = 'refusal'; ReasoningTokens = $true; PlainModel = 'gemini-2.0-flash'; FileTypes = @('png', 'jpeg', 'webp') }
        @{ Name = 'Xai'; Provider = 'Xai'; Path = '/xai/v1'; KeyVariable = 'XAI_API_KEY'; Model = 'grok-4'; Feature = 'xai'; OpenAIStyle = $false; UrlImages = $true; ThinkingModel = 'grok-3-mini'; RefusalCode = 'refusal'; ReasoningTokens = $true; PlainModel = $null; FileTypes = @('png', 'jpeg') }
        @{ Name = 'Ollama'; Provider = 'Ollama'; Path = ''; KeyVariable = ''; Model = 'llama3.2'; Feature = 'ollama'; OpenAIStyle = $false; UrlImages = $false; ThinkingModel = 'qwen3'; RefusalCode = 'invalid_output'; ReasoningTokens = $false; PlainModel = $null; FileTypes = @('png', 'jpeg', 'gif', 'webp') }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10
    $poll = 0.2
    $schema = @{
        type       = 'object'
        properties = [ordered]@{
            category   = @{ type = 'string'; enum = @('lighting', 'kitchen', 'other') }
            confidence = @{ type = 'number' }
            tags       = @{ type = 'array'; items = @{ type = 'string' } }
            name       = @{ type = 'string' }
        }
    }
    function Get-Features([string] $Name) { (Get-EmulatorStats $emu).features.$Name }
    # A 1x1 PNG, and a text file that pretends to be one; a 1x1 GIF and WebP.
    $pngBytes = [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/kfYI5QAAAABJRU5ErkJggg==')
    $gifBytes = [Convert]::FromBase64String('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7')
    $webpBytes = [Convert]::FromBase64String('UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA=')
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe '<Name>: -Schema, images, Responses and reasoning models end to end' -ForEach $providerCases {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($emu.Url)$Path" }
    }

    Context '200 rows with a schema' {
        BeforeAll {
            $rows = foreach ($i in 1..200) {
                $marker = switch ($i) { 7 { ' [invalid-json]' } 8 { ' [truncate]' } 9 { ' [refuse]' } default { '' } }
                [pscustomobject]@{ sku = "sku-$i"; name = "Product $i$marker" }
            }
            $before = Get-Features $Feature
            $results = @($rows | New-IrisBatchRequest -Model $Model -Prompt 'Classify {name}.' -CustomId '{sku}' -Schema $schema |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            $after = Get-Features $Feature
            $byId = @{}
            foreach ($r in $results) { $byId[$r.CustomId] = $r }
        }

        It 'sends every request with the schema and gets 200 results' {
            ($after.schema_requests - $before.schema_requests) | Should -Be 200
            $results.Count | Should -Be 200
            @($results | Where-Object Status -eq 'Succeeded').Count | Should -Be 197
        }

        It 'parses each good answer into Parsed, with the schema''s properties' {
            $ok = $byId['sku-1']
            $ok.Parsed | Should -Not -BeNullOrEmpty
            $ok.Parsed.category | Should -BeIn 'lighting', 'kitchen', 'other'
            $ok.Parsed.PSObject.Properties.Name | Should -Be @('category', 'confidence', 'tags', 'name')
            ($ok.Output | ConvertFrom-Json).name | Should -Be $ok.Parsed.name
        }

        It 'fails the bad-JSON, truncated and refused answers with their codes, keeping the text' {
            $byId['sku-7'].Status | Should -Be 'Failed'
            $byId['sku-7'].Error.Code | Should -Be 'invalid_output'
            $byId['sku-7'].ErrorCode | Should -Be 'invalid_output' -Because 'the result has the flat rows'' ErrorCode and ErrorMessage too'
            $byId['sku-7'].ErrorMessage | Should -Be $byId['sku-7'].Error.Message
            $byId['sku-1'].ErrorCode | Should -BeNullOrEmpty
            $byId['sku-7'].Output | Should -Not -BeNullOrEmpty
            $byId['sku-7'].Parsed | Should -BeNullOrEmpty
            $byId['sku-8'].Status | Should -Be 'Failed'
            $byId['sku-8'].Error.Code | Should -Be 'truncated'
            $byId['sku-9'].Status | Should -Be 'Failed'
            $byId['sku-9'].Error.Code | Should -Be $RefusalCode -Because 'a refusal is refusal where the provider marks it, else text that is not JSON'
            $byId['sku-9'].Error.Message | Should -Not -BeNullOrEmpty
            if ($RefusalCode -eq 'invalid_output') { $byId['sku-9'].Output | Should -Match 'can''t|cannot|sorry' -Because 'the refusal text is kept' }
            @(Get-IrisBatchResult -Id $results[0].BatchId -Status Failed @at).CustomId | Sort-Object | Should -Be @('sku-7', 'sku-8', 'sku-9')
        }

        It 'resubmits the failed rows with their schema' {
            $schemaBefore = (Get-Features $Feature).schema_requests
            $again = @(Get-IrisBatchResult -Id $results[0].BatchId -Status Failed @at | Submit-IrisBatch @at -Force | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            ((Get-Features $Feature).schema_requests - $schemaBefore) | Should -Be 3
            $again.Count | Should -Be 3
            @($again | Where-Object { $_.Error.Code -in 'invalid_output', 'truncated', 'refusal' }).Count | Should -Be 3 -Because 'the markers are still in the prompts'
        }

        It 'gives Export-Csv the input columns, then the schema''s, then IrisBatch''s' {
            $csv = Join-Path $TestDrive "out-$Feature.csv"
            Get-IrisBatchResult -Id $results[0].BatchId -IncludeInput @at | Export-Csv $csv -NoTypeInformation
            $out = @(Import-Csv $csv)
            $out.Count | Should -Be 200
            $columns = $out[0].PSObject.Properties.Name
            $columns | Should -Be @('sku', 'name', 'category', 'confidence', 'tags', 'Parsed_name', 'CustomId', 'Status', 'Output', 'ErrorCode', 'ErrorMessage', 'Cost') -Because 'a schema property named like an input column gets the Parsed_ prefix'
            $row = $out | Where-Object sku -eq 'sku-1'
            $row.category | Should -BeIn 'lighting', 'kitchen', 'other'
            { $row.tags | ConvertFrom-Json } | Should -Not -Throw
            $row.tags | Should -Match '^\['
            ($out | Where-Object sku -eq 'sku-7').ErrorCode | Should -Be 'invalid_output'
        }
    }

    Context 'a class as the schema' {
        It 'gives Parsed as an instance of the class' {
            $r = @(Invoke-Expression @'
class ProductVerdict { [string] $category; [double] $confidence; [string[]] $tags; [string] $name }
[pscustomobject]@{ name = 'Aurora Desk Lamp' } |
    New-IrisBatchRequest -Model $Model -Prompt 'Classify {name}.' -Schema ([ProductVerdict]) |
    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at
'@)
            $r.Count | Should -Be 1
            $r[0].Status | Should -Be 'Succeeded'
            $r[0].Parsed.GetType().Name | Should -Be 'ProductVerdict'
            $r[0].Parsed.category | Should -Not -BeNullOrEmpty
            , $r[0].Parsed.tags | Should -BeOfType ([string[]])
        }
    }

    Context 'a bad schema' {
        It 'is one IrisBatch.InvalidSchema and nothing is uploaded' {
            $uploads = (Get-EmulatorStats $emu).uploads
            $changes = Get-EmulatorChangeCount $emu | ConvertTo-Json -Compress
            $errors = @()
            try {
                New-TestRows -Count 5 | New-IrisBatchRequest -Model $Model -Prompt 'x {name}' -Schema '{"type":"array","items":{"type":"string"}}' |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at
            }
            catch { $errors += $_ }
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidSchema*'
            (Get-EmulatorStats $emu).uploads | Should -Be $uploads
            Get-EmulatorChangeCount $emu | ConvertTo-Json -Compress | Should -Be $changes -Because 'no call was made (Ollama: no chat request ran)'
        }
    }

    Context '20 rows of images, 2 of them bad' {
        BeforeAll {
            $dir = Join-Path $TestDrive "photos-$Feature"
            $null = New-Item -ItemType Directory -Force $dir
            $rows = foreach ($i in 1..20) {
                if ($i % 2 -or -not $UrlImages) {
                    $file = Join-Path $dir "p$i.png"
                    [IO.File]::WriteAllBytes($file, $pngBytes)
                    [pscustomobject]@{ id = "img-$i"; image = $file }
                }
                else { [pscustomobject]@{ id = "img-$i"; image = "https://images.example.com/p$i.png" } }
            }
            $missing = Join-Path $dir 'missing.png'
            $notImage = Join-Path $dir 'notes.png'
            Set-Content -Path $notImage -Value 'not an image'
            $rows[4].image = $missing
            $rows[6].image = $notImage
            $before = Get-Features $Feature
            $results = @($rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe the photo.' -CustomId '{id}' -Image '{image}' -ErrorVariable imageErrors -ErrorAction SilentlyContinue |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            $after = Get-Features $Feature
        }

        It 'sends 18 image requests and answers them' {
            ($after.image_requests - $before.image_requests) | Should -Be 18
            ($after.image_url_parts - $before.image_url_parts) | Should -Be $(if ($UrlImages) { 10 } else { 0 })
            $results.Count | Should -Be 18
            @($results | Where-Object Status -ne 'Succeeded').Count | Should -Be 0
        }

        It 'reports the two bad rows as IrisBatch.InvalidRequest naming the row and the file' {
            $bad = @($imageErrors | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })
            $bad.Count | Should -Be 2
            $bad[0].Exception.Message | Should -Match 'Row 5'
            $bad[0].Exception.Message | Should -Match ([regex]::Escape($missing))
            $bad[1].Exception.Message | Should -Match 'Row 7'
            $bad[1].Exception.Message | Should -Match ([regex]::Escape($notImage))
        }
    }

    Context 'image files of each type' {
        It 'sends the file types the provider reads and refuses the others before upload, naming the row and the file' {
            $dir = Join-Path $TestDrive "types-$Feature"
            $null = New-Item -ItemType Directory -Force $dir
            $files = foreach ($f in @(@('p1.png', $pngBytes), @('p2.png', $pngBytes), @('p3.png', $pngBytes), @('a4.gif', $gifBytes), @('a5.webp', $webpBytes))) {
                $path = Join-Path $dir $f[0]
                [IO.File]::WriteAllBytes($path, $f[1])
                $path
            }
            $rows = for ($i = 0; $i -lt 5; $i++) { [pscustomobject]@{ id = "t-$($i + 1)"; image = $files[$i] } }
            $read = @('p1', 'p2', 'p3') + @(if ('gif' -in $FileTypes) { 'a4' }) + @(if ('webp' -in $FileTypes) { 'a5' })
            $before = Get-Features $Feature
            $results = @($rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe the photo.' -CustomId '{id}' -Image '{image}' |
                    Submit-IrisBatch @at -ErrorVariable typeErrors -ErrorAction SilentlyContinue | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            ((Get-Features $Feature).image_requests - $before.image_requests) | Should -Be $read.Count
            $results.Count | Should -Be $read.Count
            @($results | Where-Object Status -ne 'Succeeded') | ForEach-Object { "$($_.CustomId): $($_.Error)" } | Should -BeNullOrEmpty
            $refused = @($typeErrors | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })
            if ('gif' -in $FileTypes) { $refused.Count | Should -Be 0 }
            else {
                $refused.Count | Should -BeGreaterThan 0
                $refused[0].Exception.Message | Should -Match 'Row 4'
                $refused[0].Exception.Message | Should -Match ([regex]::Escape($files[3]))
                $refused[0].Exception.Message | Should -Match 'image/gif'
            }
        }
    }

    if (-not $UrlImages) {  # Gemini and Ollama take image data only (spec §11.2)
    Context '20 rows of URL and file images, 2 bad files, on a provider that takes no image URLs' {
        BeforeAll {
            $dir = Join-Path $TestDrive "mixed-$Feature"
            $null = New-Item -ItemType Directory -Force $dir
            $rows = foreach ($i in 1..20) {
                if ($i % 2) {
                    $file = Join-Path $dir "p$i.png"
                    [IO.File]::WriteAllBytes($file, $pngBytes)
                    [pscustomobject]@{ id = "mix-$i"; image = $file }
                }
                else { [pscustomobject]@{ id = "mix-$i"; image = "https://images.example.com/p$i.png" } }
            }
            $missing = Join-Path $dir 'missing.png'
            $notImage = Join-Path $dir 'notes.png'
            Set-Content -Path $notImage -Value 'not an image'
            $rows[2].image = $missing
            $rows[4].image = $notImage
            $before = Get-Features $Feature
            $results = @($rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe the photo.' -CustomId '{id}' -Image '{image}' -ErrorVariable newErrors -ErrorAction SilentlyContinue |
                    Submit-IrisBatch @at -ErrorVariable submitErrors -ErrorAction SilentlyContinue | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            $after = Get-Features $Feature
        }

        It 'sends the 8 good file rows only, as image data' {
            ($after.image_requests - $before.image_requests) | Should -Be 8
            ($after.image_url_parts - $before.image_url_parts) | Should -Be 0
            $results.Count | Should -Be 8
            @($results | Where-Object Status -ne 'Succeeded').Count | Should -Be 0
            $results.CustomId | Sort-Object | Should -Be @('mix-1', 'mix-11', 'mix-13', 'mix-15', 'mix-17', 'mix-19', 'mix-7', 'mix-9')
        }

        It 'names the two bad files, and refuses the 10 URL rows as IrisBatch.InvalidRequest once, with a count' {
            $files = @($newErrors | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })
            $files.Count | Should -Be 2
            $files[0].Exception.Message | Should -Match 'Row 3'
            $files[0].Exception.Message | Should -Match ([regex]::Escape($missing))
            $files[1].Exception.Message | Should -Match 'Row 5'
            $files[1].Exception.Message | Should -Match ([regex]::Escape($notImage))
            $urls = @($submitErrors | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })
            $urls.Count | Should -Be 2 -Because 'the first URL row, then one summary of the rest'
            $urls[0].Exception.Message | Should -Match "Row 2 .*$Provider does not take image URLs \('https://images\.example\.com/p2\.png'\)"
            $urls[1].Exception.Message | Should -Match '10 rows in all'
        }
    }
    }

    if ($OpenAIStyle) {  # Responses and OpenAI's reasoning models exist on OpenAI and Azure only: no test elsewhere
    Context 'the Responses endpoint' {
        It 'sends /v1/responses lines and reads the Response objects, with a schema, a refusal and usage' {
            $before = Get-Features $Feature
            $results = @(@([pscustomobject]@{ name = 'Lamp' }, [pscustomobject]@{ name = 'Grinder [refuse]' }) |
                    New-IrisBatchRequest -Model $Model -Prompt 'Classify {name}.' -SystemPrompt 'You classify products.' -Schema $schema -Endpoint Responses -MaxTokens 500 |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at | Sort-Object CustomId)
            $after = Get-Features $Feature
            ($after.responses_requests - $before.responses_requests) | Should -Be 2
            $results.Count | Should -Be 2
            $results[0].Status | Should -Be 'Succeeded'
            $results[0].Parsed.category | Should -BeIn 'lighting', 'kitchen', 'other'
            $results[0].Usage.InputTokens | Should -BeGreaterThan 0
            $results[0].Usage.OutputTokens | Should -BeGreaterThan 0
            $results[1].Status | Should -Be 'Failed'
            $results[1].Error.Code | Should -Be 'refusal'
        }
    }

    Context 'an answer stopped by the content filter' {
        It 'is Failed with ErrorCode content_filter and keeps its text, on <_>' -ForEach 'ChatCompletions', 'Responses' {
            $results = @(@([pscustomobject]@{ id = 'cf'; name = 'Lamp words here [content-filter]' }, [pscustomobject]@{ id = 'ok'; name = 'Lamp' }) |
                    New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.' -CustomId '{id}' -Endpoint $_ |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at | Sort-Object CustomId)
            $results.Count | Should -Be 2
            $results[0].CustomId | Should -Be 'cf'
            $results[0].Status | Should -Be 'Failed'
            $results[0].ErrorCode | Should -Be 'content_filter'
            $results[0].ErrorMessage | Should -Match 'content_filter'
            $results[0].Output | Should -Not -BeNullOrEmpty -Because 'the text written before the stop is kept'
            $results[1].Status | Should -Be 'Succeeded'
        }
    }
    }

    Context 'thinking on request' {
        It 'sends -ReasoningEffort low in the provider''s form, and the answers succeed with their reasoning tokens' {
            $before = Get-Features $Feature
            $results = @(New-TestRows -Count 3 | New-IrisBatchRequest -Model $ThinkingModel -Prompt 'Name {name} in two words.' -MaxTokens 4000 -ReasoningEffort low |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            ((Get-Features $Feature).reasoning_requests - $before.reasoning_requests) | Should -Be 3
            $results.Count | Should -Be 3
            @($results | Where-Object Status -ne 'Succeeded') | ForEach-Object { "$($_.CustomId): $($_.Error)" } | Should -BeNullOrEmpty
            if ($ReasoningTokens) { $results[0].Usage.ReasoningTokens | Should -BeGreaterThan 0 }
        }

        It 'takes -Temperature 1 (the default) with -ReasoningEffort, and the answers succeed' {
            # spec §11.4: reasoning models and Anthropic's extended thinking refuse a temperature other than 1, not 1.
            $results = @(New-TestRows -Count 2 | New-IrisBatchRequest -Model $ThinkingModel -Prompt 'Name {name} in two words.' -MaxTokens 4000 -ReasoningEffort low -Temperature 1 |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            $results.Count | Should -Be 2
            @($results | Where-Object Status -ne 'Succeeded') | ForEach-Object { "$($_.CustomId): $($_.Error)" } | Should -BeNullOrEmpty
        }
    }

    if ($PlainModel) {  # models.json knows it as a plain chat model, which the provider refuses an effort on
    Context '-ReasoningEffort on a plain model' {
        It 'is IrisBatch.InvalidRequest naming the row, the model and -ReasoningEffort, and nothing is uploaded' {
            $uploads = (Get-EmulatorStats $emu).uploads
            $errs = $null
            try {
                $null = New-TestRows -Count 3 | New-IrisBatchRequest -Model $PlainModel -Prompt 'x {name}' -ReasoningEffort low |
                    Submit-IrisBatch @at -ErrorVariable errs -ErrorAction SilentlyContinue
            }
            catch { }
            (Get-EmulatorStats $emu).uploads | Should -Be $uploads
            $first = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })[0]
            $first | Should -Not -BeNullOrEmpty
            $first.Exception.Message | Should -Match 'Row 1'
            $first.Exception.Message | Should -Match ([regex]::Escape($PlainModel))
            $first.Exception.Message | Should -Match '-ReasoningEffort'
        }
    }
    }

    if ($Provider -eq 'Gemini') {
    Context 'a Gemini 2.5 model models.json does not list' {
        It 'gets a thinking budget, as 2.5 models take, and the answers succeed' {
            $results = @(New-TestRows -Count 2 | New-IrisBatchRequest -Model 'gemini-2.5-flash-preview-09-2025' -Prompt 'Name {name}.' -MaxTokens 4000 -ReasoningEffort low |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            $results.Count | Should -Be 2
            @($results | Where-Object Status -ne 'Succeeded') | ForEach-Object { "$($_.CustomId): $($_.Error)" } | Should -BeNullOrEmpty
        }
    }
    }

    if ($OpenAIStyle) {  # Responses and OpenAI's reasoning models exist on OpenAI and Azure only: no test elsewhere
    Context 'reasoning models' {
        It 'sends gpt-5 and o4-mini with -MaxTokens and -ReasoningEffort, and all succeed with reasoning tokens' {
            foreach ($m in 'gpt-5', 'o4-mini') {
                $model = if ($Provider -eq 'AzureOpenAI') { "$m-batch" } else { $m }
                $results = @(New-TestRows -Count 3 | New-IrisBatchRequest -Model $model -Prompt 'Name {name} in two words.' -MaxTokens 2000 -ReasoningEffort low |
                        Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
                $results.Count | Should -Be 3
                @($results | Where-Object Status -ne 'Succeeded') | ForEach-Object { $_.Error } | Should -BeNullOrEmpty
                $results[0].Usage.ReasoningTokens | Should -BeGreaterThan 0
            }
        }

        It 'refuses -Temperature 0.2 on gpt-5 and o4-mini before anything is uploaded' {
            # (An Azure deployment named after its model is known as that model.)
            foreach ($m in 'gpt-5', 'o4-mini') {
                $uploads = (Get-EmulatorStats $emu).uploads
                $errs = $null
                $out = @()
                $empty = $null
                try {
                    $out = @(New-TestRows -Count 3 | New-IrisBatchRequest -Model $m -Prompt 'x {name}' -Temperature 0.2 -ErrorVariable errs -ErrorAction SilentlyContinue |
                            Submit-IrisBatch @at)
                }
                catch { $empty = $_ }
                $out.Count | Should -Be 0
                $empty.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.EmptyInput*' -Because 'no row was built, so Submit-IrisBatch has nothing to send'
                $empty.Exception.Message | Should -Match 'Nothing was uploaded' 
                (Get-EmulatorStats $emu).uploads | Should -Be $uploads
                $first = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })[0]
                $first.Exception.Message | Should -Match 'Row 1'
                $first.Exception.Message | Should -Match $m
                $first.Exception.Message | Should -Match 'temperature'
            }
        }

        It 'sends gpt-5.1 -Temperature 0.2 at reasoning effort none, and all succeed; refuses it at any other effort before upload' {
            # spec §11.4: gpt-5.1 and gpt-5.2 take temperature and top_p at reasoning effort none only (the emulator refuses
            # every other line, as the service does).
            $results = @(New-TestRows -Count 2 | New-IrisBatchRequest -Model 'gpt-5.1' -Prompt 'Name {name}.' -MaxTokens 2000 -Temperature 0.2 -Body @{ reasoning_effort = 'none' } |
                    Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
            $results.Count | Should -Be 2
            @($results | Where-Object Status -ne 'Succeeded') | ForEach-Object { "$($_.CustomId): $($_.Error)" } | Should -BeNullOrEmpty
            foreach ($effort in @{}, @{ ReasoningEffort = 'low' }) {
                $uploads = (Get-EmulatorStats $emu).uploads
                $errs = $null
                try { $null = New-TestRows -Count 2 | New-IrisBatchRequest -Model 'gpt-5.1' -Prompt 'x {name}' -Temperature 0.2 @effort -ErrorVariable errs -ErrorAction SilentlyContinue | Submit-IrisBatch @at }
                catch { }
                (Get-EmulatorStats $emu).uploads | Should -Be $uploads
                $first = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })[0]
                $first.Exception.Message | Should -Match 'Row 1'
                $first.Exception.Message | Should -Match 'gpt-5\.1'
                $first.Exception.Message | Should -Match 'reasoning effort none'
            }
        }

        It 'refuses -ReasoningEffort minimal on o4-mini (low, medium, high only) before anything is uploaded' {
            $uploads = (Get-EmulatorStats $emu).uploads
            $errs = $null
            try { $null = New-TestRows -Count 2 | New-IrisBatchRequest -Model 'o4-mini' -Prompt 'x {name}' -ReasoningEffort minimal | Submit-IrisBatch @at -ErrorVariable errs -ErrorAction SilentlyContinue }
            catch { }
            (Get-EmulatorStats $emu).uploads | Should -Be $uploads
            $first = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })[0]
            $first.Exception.Message | Should -Match 'Row 1'
            $first.Exception.Message | Should -Match "o4-mini.*'minimal'"
        }

        It 'refuses -Temperature 0.2 on a dated snapshot (o4-mini-2025-04-16) before anything is uploaded' {
            $uploads = (Get-EmulatorStats $emu).uploads
            $errs = $null
            try { $null = New-TestRows -Count 2 | New-IrisBatchRequest -Model 'o4-mini-2025-04-16' -Prompt 'x {name}' -Temperature 0.2 -ErrorVariable errs -ErrorAction SilentlyContinue | Submit-IrisBatch @at }
            catch { }
            (Get-EmulatorStats $emu).uploads | Should -Be $uploads
            $first = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest*' })[0]
            $first.Exception.Message | Should -Match 'Row 1'
            $first.Exception.Message | Should -Match 'o4-mini-2025-04-16'
            $first.Exception.Message | Should -Match 'temperature'
        }

        It 'takes -Temperature 1 and -Body @{ temperature = 1 } on gpt-5 and o4-mini, and all succeed' {
            foreach ($m in 'gpt-5', 'o4-mini') {
                $model = if ($Provider -eq 'AzureOpenAI') { "$m-batch" } else { $m }
                $a = @(New-TestRows -Count 2 | New-IrisBatchRequest -Model $model -Prompt 'Name {name}.' -MaxTokens 2000 -Temperature 1)
                $b = @(New-TestRows -Count 2 | New-IrisBatchRequest -Model $model -Prompt 'Name {name}.' -MaxTokens 2000 -Body @{ temperature = 1 } -CustomId 'b-{sku}')
                $a.Count + $b.Count | Should -Be 4 -Because 'New-IrisBatchRequest refuses no row'
                $results = @($a + $b | Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll @at | Get-IrisBatchResult @at)
                $results.Count | Should -Be 4
                @($results | Where-Object Status -ne 'Succeeded') | ForEach-Object { "$($_.CustomId): $($_.Error)" } | Should -BeNullOrEmpty
            }
        }
    }
    }
}

Describe 'Providers without the Responses endpoint' {
    It '<_> refuses -Endpoint Responses with one IrisBatch.UnsupportedEndpoint before any call' -ForEach 'Anthropic', 'Gemini', 'Xai' {
        $null = Initialize-ProviderTestEnvironment -KeyVariable "$($_.ToUpperInvariant())_API_KEY"
        $callsBefore = (Get-EmulatorStats $emu).routes | ConvertTo-Json -Compress -Depth 5
        $errors = @()
        try {
            New-TestRows -Count 3 | New-IrisBatchRequest -Model 'm' -Prompt 'x {name}' -Endpoint Responses |
                Submit-IrisBatch -Provider $_ -BaseUri $emu.Url
        }
        catch { $errors += $_ }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.UnsupportedEndpoint*'
        ((Get-EmulatorStats $emu).routes | ConvertTo-Json -Compress -Depth 5) | Should -Be $callsBefore
    }
}

# Issue 14 on the providers of issue 19 (spec §12-§14, audited against §11): a schema goes out as chat's response_format
# and comes back parsed; what their sections do not name (-ReasoningEffort, Responses; images for Mistral and Together)
# is refused for the row, or once for the endpoint, before anything is uploaded. Groq takes reasoning_effort on the
# models its SDK names (gpt-oss: low, medium, high), listed with those efforts in models.json.
Describe '<Name>: issue 14 features on a provider of issue 19' -ForEach @(
    # EffortRefused: how a row with -ReasoningEffort is refused (Groq takes it on the models models.json lists with efforts).
    @{ Name = 'Mistral'; Path = '/mistral/v1'; KeyVariable = 'MISTRAL_API_KEY'; Model = 'mistral-small-latest'; Images = $false; EffortRefused = '-ReasoningEffort is not supported for Mistral batches*' }
    @{ Name = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'llama-3.1-8b-instant'; Images = $true; EffortRefused = "model 'llama-3.1-8b-instant' has no reasoning effort or thinking setting on Groq*" }
    @{ Name = 'Together'; Path = '/together/v1'; KeyVariable = 'TOGETHER_API_KEY'; Model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'; Images = $false; EffortRefused = '-ReasoningEffort is not supported for Together batches*' }
) {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Name; BaseUri = "$($emu.Url)$Path" }
        # Submits the requests; returns the row errors written and whether the batch was refused as empty.
        function Submit-Refused($Requests) {
            $rowErrors = @()
            $empty = $null
            try { $null = $Requests | Submit-IrisBatch @at -ErrorVariable +rowErrors -ErrorAction SilentlyContinue }
            catch { $empty = $_ }
            # -ErrorVariable also holds the terminating error (as the exception that carried it): only error records count.
            [pscustomobject]@{ RowErrors = @($rowErrors | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }); Empty = $empty }
        }
    }
    AfterAll { Clear-TestEnvironment }

    It '-Schema: 20 rows come back Succeeded with their Parsed object' {
        $results = @(New-TestRows -Count 20 | New-IrisBatchRequest -Model $Model -Prompt 'Classify {name}' -Schema $schema -MaxTokens 200 |
            Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll -Timeout 60 | Get-IrisBatchResult)
        $results.Count | Should -Be 20
        @($results | Where-Object { $_.Status -ne 'Succeeded' -or $_.Parsed.category -notin 'lighting', 'kitchen', 'other' } |
            ForEach-Object { "$($_.CustomId): $($_.Status) $($_.Error)" }) | Should -BeNullOrEmpty
    }

    It '-ReasoningEffort: each row is IrisBatch.InvalidRequest naming it (once in full, then a count), and nothing is uploaded' {
        $uploads = (Get-EmulatorStats $emu).uploads
        $requests = @(New-TestRows -Count 3 | New-IrisBatchRequest -Model $Model -Prompt 'Name {name}' -ReasoningEffort low)
        $requests.Count | Should -Be 3 -Because 'New-IrisBatchRequest does not know the provider yet'
        $outcome = Submit-Refused $requests
        $outcome.RowErrors.Count | Should -Be 2 -Because 'the first row in full, then one summary of the other two'
        $outcome.RowErrors[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest,*'
        $outcome.RowErrors[0].Exception.Message | Should -BeLike "Row 1 *$EffortRefused"
        $outcome.RowErrors[1].Exception.Message | Should -BeLike '*Rows: 2, 3.'
        $outcome.Empty.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.EmptyInput,*'
        (Get-EmulatorStats $emu).uploads | Should -Be $uploads
    }

    It '-Endpoint Responses: one IrisBatch.UnsupportedEndpoint naming the provider, and nothing is uploaded' {
        $uploads = (Get-EmulatorStats $emu).uploads
        $outcome = Submit-Refused @(New-TestRows -Count 3 | New-IrisBatchRequest -Model $Model -Prompt 'Name {name}' -Endpoint Responses)
        $outcome.Empty.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.UnsupportedEndpoint,*'
        $outcome.Empty.Exception.Message | Should -BeLike "$Name has no Responses endpoint*"
        (Get-EmulatorStats $emu).uploads | Should -Be $uploads
    }

    It '-Image: refused for each row where the provider''s section names no image input, else answered' {
        $png = Join-Path $TestDrive 'one.png'
        [IO.File]::WriteAllBytes($png, $pngBytes)
        $uploads = (Get-EmulatorStats $emu).uploads
        $requests = @(New-TestRows -Count 2 | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' -Image $png)
        if ($Images) {
            $results = @($requests | Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll -Timeout 60 | Get-IrisBatchResult)
            @($results | Where-Object Status -EQ 'Succeeded').Count | Should -Be 2
            return
        }
        $outcome = Submit-Refused $requests
        $outcome.RowErrors[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest,*'
        $outcome.RowErrors[0].Exception.Message | Should -BeLike "Row 1 *images are not supported for $Name batches*"
        $outcome.Empty.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.EmptyInput,*'
        (Get-EmulatorStats $emu).uploads | Should -Be $uploads
    }
}

Describe 'Groq: -ReasoningEffort on the models that take it (models.json efforts, from groq-sdk)' {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'GROQ_API_KEY'
        $at = @{ Provider = 'Groq'; BaseUri = "$($emu.Url)/groq/openai/v1" }
    }
    AfterAll { Clear-TestEnvironment }

    It 'openai/gpt-oss-120b with -ReasoningEffort low: every row succeeds and counts its reasoning tokens' {
        $results = @(New-TestRows -Count 5 | New-IrisBatchRequest -Model 'openai/gpt-oss-120b' -Prompt 'Name {name}' -ReasoningEffort low -Temperature 0.5 |
            Submit-IrisBatch @at | Wait-IrisBatch -PollInterval $poll -Timeout 60 | Get-IrisBatchResult)
        $results.Count | Should -Be 5
        @($results | Where-Object Status -NE 'Succeeded' | ForEach-Object { "$($_.CustomId): $($_.Error)" }) | Should -BeNullOrEmpty
        @($results | Where-Object { $_.Usage.ReasoningTokens -le 0 }).Count | Should -Be 0
    }

    It 'an effort the model does not list (minimal) is IrisBatch.InvalidRequest naming the row and the efforts it takes; nothing is uploaded' {
        $uploads = (Get-EmulatorStats $emu).uploads
        $errors = @()
        try {
            $null = New-TestRows -Count 1 | New-IrisBatchRequest -Model 'openai/gpt-oss-20b' -Prompt 'Name {name}' -ReasoningEffort minimal |
                Submit-IrisBatch @at -ErrorVariable +errors -ErrorAction SilentlyContinue
        }
        catch { }
        $rowError = @($errors | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -like 'IrisBatch.InvalidRequest,*' })
        $rowError.Count | Should -Be 1
        $rowError[0].Exception.Message | Should -BeLike "Row 1 *model 'openai/gpt-oss-20b' does not take reasoning effort 'minimal'*low*medium*high*"
        (Get-EmulatorStats $emu).uploads | Should -Be $uploads
    }
}
