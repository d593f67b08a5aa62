# The README pipeline end to end against the emulator: requests from rows, results joined back to rows,
# failed rows and their resubmission. Issue 2, tests 1, 2, 8 and 9, and New-IrisBatchRequest's contract.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator
    $url = $emu.BaseUri
    $null = Initialize-TestEnvironment
    $poll = 0.5
    $failMessage = 'The emulator failed this request because its prompt contains [fail].'
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe 'Test 1: 1,000 CSV rows through Submit, Wait and Get-IrisBatchResult' {
    BeforeAll {
        $csv = Join-Path $TestDrive 'rows.csv'
        New-TestRows -Count 1000 | Export-Csv $csv -NoTypeInformation
        $rows = @(Import-Csv $csv)
        $results = @(Import-Csv $csv |
                New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name} ({colour}) in one sentence.' |
                Submit-IrisBatch -BaseUri $url |
                Wait-IrisBatch -PollInterval $poll -OutVariable waited |
                Get-IrisBatchResult)
        # custom id request-<n> is the 1-based position of the row in the pipeline
        $rowOf = @{}
        for ($i = 0; $i -lt $rows.Count; $i++) { $rowOf["request-$($i + 1)"] = $rows[$i] }
    }

    It 'ends with one completed batch of 1,000 succeeded requests' {
        $waited.Count | Should -Be 1
        $b = $waited[0]
        $b | Should -BeOfType ([IrisBatch.IrisBatchInfo])
        $b.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        $b.IsComplete | Should -BeTrue
        $b.Total | Should -Be 1000
        $b.Succeeded | Should -Be 1000
        $b.Failed | Should -Be 0
        $b.Provider | Should -Be 'OpenAI'
    }

    It 'reads a completed batch''s results again from the journal without asking the provider, unless -Refresh' {
        $id = $waited[0].Id
        $before = Get-EmulatorStats $emu
        $again = @(Get-IrisBatchResult -Id $id)
        $piped = @($waited[0] | Get-IrisBatchResult)
        $after = Get-EmulatorStats $emu
        $again.Count | Should -Be 1000
        $piped.Count | Should -Be 1000
        ((Get-EmulatorRouteCall $emu get -Stats $after) - (Get-EmulatorRouteCall $emu get -Stats $before)) | Should -Be 0
        ((Get-EmulatorRouteCall $emu download -Stats $after) - (Get-EmulatorRouteCall $emu download -Stats $before)) | Should -Be 0
        @($again | Where-Object Status -ne 'Succeeded').Count | Should -Be 0
        $again[0].RawResponse | Should -Match ('"custom_id":\s*"' + $again[0].CustomId + '"')
        $again[0].Request.CustomId | Should -Be $again[0].CustomId
        $refreshed = @(Get-IrisBatchResult -Id $id -Refresh)
        $last = Get-EmulatorStats $emu
        $refreshed.Count | Should -Be 1000
        ((Get-EmulatorRouteCall $emu get -Stats $last) - (Get-EmulatorRouteCall $emu get -Stats $after)) | Should -BeGreaterOrEqual 1
        ((Get-EmulatorRouteCall $emu download -Stats $last) - (Get-EmulatorRouteCall $emu download -Stats $after)) | Should -BeGreaterOrEqual 1
    }

    It 'emits exactly 1,000 results, one per custom id' {
        $results.Count | Should -Be 1000
        $results | ForEach-Object { $_ | Should -BeOfType ([IrisBatch.IrisBatchResult]) }
        $ids = @($results | ForEach-Object CustomId | Sort-Object -Unique)
        $ids.Count | Should -Be 1000
        Compare-Object $ids @(1..1000 | ForEach-Object { "request-$_" }) | Should -BeNullOrEmpty
    }

    It 'gives each row the fake model''s answer to its own prompt' {
        $wrong = foreach ($r in $results) {
            $row = $rowOf[$r.CustomId]
            $expected = "Echo: Describe $($row.name) ($($row.colour)) in one sentence."
            if ($r.Status -ne [IrisBatch.ResultStatus]::Succeeded -or $r.Output -cne $expected) { "$($r.CustomId): [$($r.Status)] $($r.Output)" }
        }
        $wrong | Should -BeNullOrEmpty
    }

    It 'joins each result to its input row and request' {
        $wrong = foreach ($r in $results) {
            $row = $rowOf[$r.CustomId]
            if ($r.Input.sku -ne $row.sku -or $r.Request.CustomId -ne $r.CustomId) { $r.CustomId }
        }
        $wrong | Should -BeNullOrEmpty
    }

    It 'round-trips the input columns through -IncludeInput | Export-Csv' {
        $out = Join-Path $TestDrive 'results.csv'
        $waited[0] | Get-IrisBatchResult -IncludeInput | Export-Csv $out -NoTypeInformation
        $back = @(Import-Csv $out)
        $back.Count | Should -Be 1000
        $names = @($back[0].psobject.Properties.Name)
        $names[0..7] | Should -Be @('sku', 'name', 'colour', 'CustomId', 'Status', 'Output', 'ErrorCode', 'ErrorMessage')
        $wrong = foreach ($b in $back) {
            $row = $rowOf[$b.CustomId]
            if (-not $row -or $b.sku -cne $row.sku -or $b.name -cne $row.name -or $b.colour -cne $row.colour -or
                $b.Status -ne 'Succeeded' -or $b.Output -cne "Echo: Describe $($row.name) ($($row.colour)) in one sentence.") { $b.CustomId }
        }
        $wrong | Should -BeNullOrEmpty
    }
}

Describe 'Test 2: rows made to fail, and resubmitting only them' {
    BeforeAll {
        $rows = @(New-TestRows -Count 10)
        $rows[2].name = 'Broken [fail] widget'
        $rows[6].name = 'Another [fail] gadget'
        $batch = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
            Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll
        $results = @($batch | Get-IrisBatchResult)
    }

    It 'the batch completes with 8 succeeded and 2 failed' {
        $batch.Status | Should -Be Completed
        $batch.Succeeded | Should -Be 8
        $batch.Failed | Should -Be 2
        $results.Count | Should -Be 10
    }

    It 'failed rows come back Failed with the provider''s code, message and HTTP status' {
        $failed = @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Failed) | Sort-Object CustomId)
        $failed.CustomId | Should -Be @('request-3', 'request-7')
        foreach ($f in $failed) {
            $f.Error.Code | Should -Be 'emulated_failure'
            $f.Error.Message | Should -Be $failMessage
            $f.Error.HttpStatus | Should -Be 400
            $f.Output | Should -BeNullOrEmpty
        }
        ($failed | ForEach-Object { $_.Input.sku }) | Should -Be @('sku-3', 'sku-7')
    }

    It 'the other rows succeed' {
        $ok = @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Succeeded))
        $ok.Count | Should -Be 8
        $ok | ForEach-Object { $_.Output | Should -Be "Echo: Describe $($_.Input.name)." }
    }

    It 'Get-IrisBatchResult -Status Failed | Submit-IrisBatch submits exactly those rows again' {
        $before = Get-EmulatorStats $emu
        $retry = @($batch | Get-IrisBatchResult -Status Failed | Submit-IrisBatch -BaseUri $url)
        $after = Get-EmulatorStats $emu

        $retry.Count | Should -Be 1
        ($after.batches_created - $before.batches_created) | Should -Be 1
        ($after.uploads - $before.uploads) | Should -Be 1

        # What was uploaded: the two failed rows' requests, unchanged.
        $lines = @(Get-EmulatorFileLines $emu $retry[0].InputFileId)
        @($lines.custom_id | Sort-Object) | Should -Be @('request-3', 'request-7')
        $prompts = @($lines | ForEach-Object { @($_.body.messages | Where-Object role -EQ 'user')[-1].content } | Sort-Object)
        $prompts | Should -Be @('Describe Another [fail] gadget.', 'Describe Broken [fail] widget.')

        $again = @($retry | Wait-IrisBatch -PollInterval $poll | Get-IrisBatchResult | Sort-Object CustomId)
        $again.CustomId | Should -Be @('request-3', 'request-7')
        ($again | ForEach-Object { $_.Input.sku }) | Should -Be @('sku-3', 'sku-7')
    }

    It 'downloads a result file again when it was deleted from the journal, instead of calling its rows unreported (<File>)' -ForEach @(
        @{ File = 'output.jsonl' }
        @{ File = 'errors.jsonl' }
    ) {
        $entry = @(Get-ChildItem -Recurse -File $env:IRISBATCH_HOME -Filter entry.json | Where-Object { (Get-Content -Raw $_.FullName | ConvertFrom-Json).BatchId -eq $batch.Id })
        $entry.Count | Should -Be 1
        $gone = @(Get-Item (Join-Path $entry[0].Directory.FullName "results/$File"))
        $gone.Count | Should -Be 1
        Remove-Item $gone[0].FullName
        $before = Get-EmulatorStats $emu
        $read = @($batch | Get-IrisBatchResult)
        $after = Get-EmulatorStats $emu
        ($after.downloads - $before.downloads) | Should -BeGreaterOrEqual 1 -Because 'the journal''s download is no longer whole'
        Test-Path $gone[0].FullName | Should -BeTrue
        $read.Count | Should -Be 10
        @($read | Where-Object Status -NE 'Succeeded' | ForEach-Object CustomId | Sort-Object) | Should -Be @('request-3', 'request-7')
        @($read | Where-Object { $_.Error.Code -eq 'missing_result' }).Count | Should -Be 0
        $next = Get-EmulatorStats $emu
        $null = @($batch | Get-IrisBatchResult)
        ((Get-EmulatorStats $emu).downloads - $next.downloads) | Should -Be 0 -Because 'a whole download is read from the journal'
    }
}

Describe 'Test 8: a completed batch with only failures (no output file)' {
    BeforeAll {
        $rows = @(New-TestRows -Count 4 -Prefix 'Doomed [fail] item')
        $batch = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
            Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll
    }

    It 'completes with every request failed, an error file and no output file' {
        $batch.Status | Should -Be Completed
        $batch.Succeeded | Should -Be 0
        $batch.Failed | Should -Be 4
        $batch.OutputFileId | Should -BeNullOrEmpty
        $batch.ErrorFileId | Should -Not -BeNullOrEmpty
    }

    It 'yields all its results as Failed' {
        $results = @($batch | Get-IrisBatchResult | Sort-Object CustomId)
        $results.Count | Should -Be 4
        $results.CustomId | Should -Be @('request-1', 'request-2', 'request-3', 'request-4')
        foreach ($r in $results) {
            $r.Status | Should -Be ([IrisBatch.ResultStatus]::Failed)
            $r.Error.Code | Should -Be 'emulated_failure'
            $r.Error.Message | Should -Be $failMessage
        }
    }
}

Describe 'Test 9: a row missing a template property' {
    BeforeAll {
        $rows = @(
            [pscustomobject]@{ sku = 'sku-1'; name = 'One' }
            [pscustomobject]@{ sku = 'sku-2'; name = 'Two' }
            [pscustomobject]@{ sku = 'sku-3' }
            [pscustomobject]@{ sku = 'sku-4'; name = 'Four' }
            [pscustomobject]@{ sku = 'sku-5'; name = 'Five' }
        )
        $results = @($rows |
                New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' -ErrorVariable bad -ErrorAction SilentlyContinue |
                Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll | Get-IrisBatchResult)
    }

    It 'gives IrisBatch.InvalidRequest naming the row and the property' {
        $bad.Count | Should -Be 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest,*'
        $bad[0].Exception.Message | Should -Match '\b3\b'
        $bad[0].Exception.Message | Should -Match '\bname\b'
    }

    It 'submits the rest, keeping their positional ids' {
        $results.Count | Should -Be 4
        @($results.CustomId | Sort-Object) | Should -Be @('request-1', 'request-2', 'request-4', 'request-5')
        $results | ForEach-Object { $_.Status | Should -Be Succeeded }
    }

    It 'rejects a custom id that is not portable, and keeps going' {
        $in = @(
            [pscustomobject]@{ name = 'a'; custom_id = 'fine_id-1' }
            [pscustomobject]@{ name = 'b'; custom_id = 'has space' }
            [pscustomobject]@{ name = 'c'; custom_id = 'x' * 65 }
            [pscustomobject]@{ name = 'd'; custom_id = 'fine_id-4' }
            [pscustomobject]@{ name = 'e'; custom_id = "ends_in_newline`n" }
        )
        $reqs = @($in | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -ErrorVariable badIds -ErrorAction SilentlyContinue)
        $reqs.CustomId | Should -Be @('fine_id-1', 'fine_id-4')
        # The same mistake on three rows: the first in full, then one summary of the others (issue 16 item 5).
        $badIds.Count | Should -Be 2
        $badIds | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest,*' }
        $badIds[0].Exception.Message | Should -Match "^Row 2: the custom id 'has space' from the input's column 'custom_id'"
        $badIds[1].Exception.Message | Should -Match '2 more rows failed the same way as row 2 .* Rows: 3, 5\.'
    }

    It 'reports a missing image file on every row once, then once with the count, and keeps the good rows' {
        $dir = Join-Path $TestDrive 'images'
        $null = New-Item -ItemType Directory -Force $dir
        [IO.File]::WriteAllBytes((Join-Path $dir 'ok.png'), [byte[]] (0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0))
        $in = 1..6 | ForEach-Object { [pscustomobject]@{ name = "n$_"; img = Join-Path $dir $(if ($_ -eq 4) { 'ok.png' } else { "gone-$_.png" }) } }
        $reqs = @($in | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -Image '{img}' -ErrorVariable badImages -ErrorAction SilentlyContinue)
        $reqs.CustomId | Should -Be @('request-4')
        $badImages.Count | Should -Be 2 -Because 'the same mistake on five rows is written once in full, then once as a summary'
        $badImages | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest,*' }
        $badImages[0].Exception.Message | Should -Be "Row 1: the image file '$(Join-Path $dir 'gone-1.png')' does not exist."
        $badImages[1].Exception.Message | Should -Be '4 more rows failed the same way as row 1 (5 rows in all): the image file does not exist. Rows: 2, 3, 5, 6.'
        $badImages[1].TargetObject.Count | Should -Be 5
    }
}

Describe 'New-IrisBatchRequest builds requests from rows' {
    It 'outputs one IrisBatchRequest per input object, keeping the input' {
        $rows = @(New-TestRows -Count 3)
        $reqs = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}')
        $reqs.Count | Should -Be 3
        $reqs | ForEach-Object { $_ | Should -BeOfType ([IrisBatch.IrisBatchRequest]) }
        $reqs.CustomId | Should -Be @('request-1', 'request-2', 'request-3')
        $reqs.Model | Should -Be @('gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini')
        $reqs[1].Prompt | Should -Be 'Describe Product 2'
        $reqs[1].InputObject.sku | Should -Be 'sku-2'
    }

    It 'gives the same default ids for the same input every run' {
        $a = @(New-TestRows -Count 4 | New-IrisBatchRequest -Model m -Prompt '{name}').CustomId
        $b = @(New-TestRows -Count 4 | New-IrisBatchRequest -Model m -Prompt '{name}').CustomId
        $b | Should -Be $a
    }

    It 'expands {Property} and keeps {{ }} as literal braces' {
        $r = [pscustomobject]@{ name = 'Lamp'; colour = 'red' } |
            New-IrisBatchRequest -Model m -Prompt 'Return {{"item": "{name}"}} in {colour}' -SystemPrompt 'You sell {colour} things.'
        $r.Prompt | Should -Be 'Return {"item": "Lamp"} in red'
        $r.SystemPrompt | Should -Be 'You sell red things.'
    }

    It 'runs a script block prompt with $_ set to the row' {
        $r = [pscustomobject]@{ name = 'Lamp'; price = 12 } |
            New-IrisBatchRequest -Model m -Prompt { "$($_.name) costs $($_.price * 2)" } -SystemPrompt { "Row $($_.name)" }
        $r.Prompt | Should -Be 'Lamp costs 24'
        $r.SystemPrompt | Should -Be 'Row Lamp'
    }

    It 'binds Model, Prompt and CustomId from the row''s columns' {
        $rows = @(
            [pscustomobject]@{ Model = 'gpt-4o-mini'; Prompt = 'First question'; Id = 'q-1' }
            [pscustomobject]@{ Model = 'gpt-4.1-mini'; Prompt = 'Second question'; Id = 'q-2' }
        )
        $reqs = @($rows | New-IrisBatchRequest)
        $reqs.Model | Should -Be @('gpt-4o-mini', 'gpt-4.1-mini')
        $reqs.Prompt | Should -Be @('First question', 'Second question')
        $reqs.CustomId | Should -Be @('q-1', 'q-2')
    }

    It 'takes a SystemPrompt column as it is, unless -SystemPrompt is given' {
        $rows = @(
            [pscustomobject]@{ name = 'Lamp'; SystemPrompt = 'Answer as {name}.' }
            [pscustomobject]@{ name = 'Desk' }
        )
        $reqs = @($rows | New-IrisBatchRequest -Model m -Prompt 'Describe {name}')
        $reqs[0].SystemPrompt | Should -Be 'Answer as {name}.'   # a value from the row is not a template
        $reqs[1].SystemPrompt | Should -BeNullOrEmpty
        @($reqs[1].Messages).Count | Should -Be 1
        $given = @($rows | New-IrisBatchRequest -Model m -Prompt 'Describe {name}' -SystemPrompt 'Be brief about {name}.')
        $given.SystemPrompt | Should -Be @('Be brief about Lamp.', 'Be brief about Desk.')
    }

    It 'reads CSV rows straight from their own properties, and sees properties that type data adds' {
        # The direct listing (InstancePropertyLister) must be the one in use on this PowerShell, or the rows fall back
        # to PowerShell's slower public listing without anyone noticing.
        $lister = (Get-Command New-IrisBatchRequest).ImplementingType.Assembly.GetType('IrisBatch.Conversion.InstancePropertyLister')
        $lister.GetProperty('Available', [Reflection.BindingFlags] 'NonPublic, Static').GetValue($null) | Should -BeTrue

        $typeName = 'IrisBatchTest.Row' + [guid]::NewGuid().ToString('N')
        Update-TypeData -TypeName $typeName -MemberType ScriptProperty -MemberName Shout -Value { $this.name.ToUpperInvariant() }
        try {
            $plain = [pscustomobject]@{ name = 'lamp'; colour = 'red' }
            $typed = [pscustomobject]@{ name = 'desk'; colour = 'oak' }
            $typed.PSObject.TypeNames.Insert(0, $typeName)
            $plain2 = [pscustomobject]@{ name = 'chair'; colour = 'blue' }
            $reqs = @($plain, $typed, $plain2 | New-IrisBatchRequest -Model m -Prompt '{name} in {colour}' -ErrorAction SilentlyContinue -ErrorVariable bad)
            $reqs.Prompt | Should -Be @('lamp in red', 'desk in oak', 'chair in blue')
            # The journal's copy of each row: its own properties, and for the typed row the one type data adds.
            ($reqs[0].InputJson | ConvertFrom-Json).PSObject.Properties.Name | Should -Be @('name', 'colour')
            ($reqs[1].InputJson | ConvertFrom-Json).PSObject.Properties.Name | Should -Be @('name', 'colour', 'Shout')
            ($reqs[1].InputJson | ConvertFrom-Json).Shout | Should -Be 'DESK'
            ($reqs[2].InputJson | ConvertFrom-Json).PSObject.Properties.Name | Should -Be @('name', 'colour')
            $shouted = @($typed | New-IrisBatchRequest -Model m -Prompt 'Say {Shout}')
            $shouted.Prompt | Should -Be 'Say DESK'
            $bad | Should -BeNullOrEmpty
        }
        finally {
            Remove-TypeData -TypeName $typeName -ErrorAction SilentlyContinue
        }
    }

    It 'accepts a custom id template' {
        $reqs = @(New-TestRows -Count 2 | New-IrisBatchRequest -Model m -Prompt '{name}' -CustomId 'item-{sku}')
        $reqs.CustomId | Should -Be @('item-sku-1', 'item-sku-2')
    }

    It 'takes a full message list with -Messages' {
        $messages = @(
            @{ role = 'system'; content = 'Be brief.' }
            @{ role = 'user'; content = 'Hello there' }
        )
        $r = [pscustomobject]@{ n = 1 } | New-IrisBatchRequest -Model gpt-4o-mini -Messages $messages -CustomId 'msg-1'
        $r.Prompt | Should -Be 'Hello there'
        $r.SystemPrompt | Should -Be 'Be brief.'
        $res = $r | Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll | Get-IrisBatchResult
        $res.Output | Should -Be 'Echo: Hello there'
    }

    It 'passes -MaxTokens, -Temperature and every -Body field through to the provider' {
        $b = [pscustomobject]@{ name = 'Lamp' } |
            New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' -MaxTokens 50 -Temperature 0.25 `
                -Body @{ response_format = @{ type = 'json_object' }; top_p = 0.9; seed = 7 } |
            Submit-IrisBatch -BaseUri $url
        $line = @(Get-EmulatorFileLines $emu $b.InputFileId)
        $line.Count | Should -Be 1
        $line[0].method | Should -Be 'POST'
        $line[0].url | Should -Be '/v1/chat/completions'
        $body = $line[0].body
        $body.model | Should -Be 'gpt-4o-mini'
        $maxTokens = if ($body.psobject.Properties['max_completion_tokens']) { $body.max_completion_tokens } else { $body.max_tokens }
        $maxTokens | Should -Be 50
        $body.temperature | Should -Be 0.25
        $body.response_format.type | Should -Be 'json_object'
        $body.top_p | Should -Be 0.9
        $body.seed | Should -Be 7
    }
}

Describe 'Submit-IrisBatch splits by model and Wait-IrisBatch takes many batches' {
    It 'refuses a hand-made request whose InputJson is not JSON, naming it, and submits the others' {
        $good = @([pscustomobject]@{ name = 'a' }, [pscustomobject]@{ name = 'b' } |
                New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}')
        $bad = [IrisBatch.IrisBatchRequest]::new()
        $bad.CustomId = 'hand-1'
        $bad.Model = 'gpt-4o-mini'
        $bad.Messages = [IrisBatch.ChatMessage[]] @([IrisBatch.ChatMessage]::new('user', 'hi'))
        $bad.InputJson = '{"name": "c"'
        $batch = @($good[0], $bad, $good[1]) | Submit-IrisBatch -BaseUri $url -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest*'
        $errs[0].Exception.Message | Should -Match "'hand-1'"
        $errs[0].Exception.Message | Should -Match 'InputJson'
        $lines = @(Get-EmulatorFileLines $emu $batch.InputFileId)
        $lines.custom_id | Should -Be @('request-1', 'request-2')
    }

    It 'sends each model''s requests as its own batch' {
        $rows = 1..6 | ForEach-Object {
            [pscustomobject]@{ Model = @('gpt-4o-mini', 'gpt-4.1-mini')[$_ % 2]; Prompt = "Question $_" }
        }
        $batches = @($rows | New-IrisBatchRequest | Submit-IrisBatch -BaseUri $url)
        $batches.Count | Should -Be 2
        @($batches.Model | Sort-Object) | Should -Be @('gpt-4.1-mini', 'gpt-4o-mini')
        foreach ($b in $batches) {
            $models = @(Get-EmulatorFileLines $emu $b.InputFileId | ForEach-Object { $_.body.model } | Sort-Object -Unique)
            $models | Should -Be @($b.Model)
        }
        $done = @($batches | Wait-IrisBatch -PollInterval $poll)
        $done.Count | Should -Be 2
        $done | ForEach-Object { $_.Status | Should -Be Completed }
        $results = @($done | Get-IrisBatchResult)
        $results.Count | Should -Be 6
        @($results.CustomId | Sort-Object -Unique).Count | Should -Be 6
        $results | ForEach-Object { $_.Output | Should -Be "Echo: $($_.Input.Prompt)" }
    }
}

Describe 'The local record joins results to inputs after the submitting process has ended' {
    It 'finds the batch by id (no -BaseUri) and returns the rows of another process' {
        $script = Join-Path $TestDrive 'submit.ps1'
        Set-Content $script -Value @'
param($ModulePath, $BaseUri)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$b = 1..3 | ForEach-Object { [pscustomobject]@{ sku = "child-$_"; name = "Child item $_" } } |
    New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' |
    Submit-IrisBatch -BaseUri $BaseUri
"BATCH=$($b.Id)"
'@
        $output = Invoke-TestPwsh -File $script -ArgumentList @((Get-ModuleUnderTestPath), $url)
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $id = ($output | Select-String '^BATCH=(.+)$').Matches[0].Groups[1].Value
        $id | Should -Not -BeNullOrEmpty

        $done = Wait-IrisBatch -Id $id -PollInterval $poll
        $done.Status | Should -Be Completed
        $done.BaseUri.TrimEnd('/') | Should -Be $url.TrimEnd('/')

        $results = @(Get-IrisBatchResult -Id $id | Sort-Object CustomId)
        $results.Count | Should -Be 3
        ($results | ForEach-Object { $_.Input.sku }) | Should -Be @('child-1', 'child-2', 'child-3')
        $results[0].Output | Should -Be 'Echo: Describe Child item 1'

        $flat = @(Get-IrisBatchResult -Id $id -IncludeInput | Sort-Object CustomId)
        $flat[2].sku | Should -Be 'child-3'
        $flat[2].name | Should -Be 'Child item 3'
    }
}

Describe 'The README pipeline, with the key given only to Submit-IrisBatch' {
    # The issue: an IrisBatch says where it lives "so later cmdlets need nothing but the object or id";
    # build.ps1 -Task Demo runs exactly this pipeline on examples/products.csv.
    It 'runs Import-Csv | New | Submit -ApiKey | Wait | Get-IrisBatchResult without $env:OPENAI_API_KEY' {
        $saved = $env:OPENAI_API_KEY
        Remove-Item env:OPENAI_API_KEY
        try {
            $key = ConvertTo-SecureString 'test-key' -AsPlainText -Force
            $results = @(Import-Csv (Join-Path $PSScriptRoot '../../examples/products.csv') |
                    New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name} in one sentence.' |
                    Submit-IrisBatch -BaseUri $url -ApiKey $key |
                    Wait-IrisBatch -PollInterval $poll |
                    Get-IrisBatchResult)
        }
        finally { $env:OPENAI_API_KEY = $saved }
        $results.Count | Should -Be 10
        # products.csv has an id column, which binds to -CustomId through its alias Id
        @($results.CustomId | Sort-Object) | Should -Be @(1..10 | ForEach-Object { 'P{0:d3}' -f $_ })
        $results | ForEach-Object {
            $_.Status | Should -Be Succeeded
            $_.Output | Should -Be "Echo: Describe $($_.Input.name) in one sentence."
        }
    }
}
