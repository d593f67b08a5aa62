# Issue 16: the everyday path as a new user walks it: one clear error instead of a flood, {_}, empty cells,
# the custom id from an Id column, and a build without warnings. Items are numbered as in the issue.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

Describe 'Issue 16 item 5: a per-row error that repeats is reported once, then counted' {
    It 'gives the first row''s error with its columns and the nearest one, then one summary with the count and 10 row numbers' {
        $rows = 1..1000 | ForEach-Object { [pscustomobject]@{ name = "n$_"; price = $_ } }
        $out = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {title}' -ErrorVariable errs -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        $errs.Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest*'
        $errs[0].Exception.Message | Should -Match '^Row 1: '
        $errs[0].Exception.Message | Should -Match "no property 'title'"
        $errs[0].Exception.Message | Should -Match 'Its properties: name, price'
        $errs[0].Exception.Message | Should -Match 'Did you mean \{name\}\?'
        $errs[1].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest*'
        $errs[1].Exception.Message | Should -Match '999 more rows failed the same way as row 1 \(1,000 rows in all\)'
        $errs[1].Exception.Message | Should -Match 'First rows: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 989 more\.'
        $errs[1].TargetObject.Count | Should -Be 1000
        $errs[1].TargetObject.Rows | Should -Be (2..11)
    }

    It 'suggests up to 3 nearest columns, nearest first, a tie in full, and a column holding the placeholder''s name before closer spellings' {
        # A tie at the same distance: both are offered, not the first in alphabetical order only.
        $null = [pscustomobject]@{ price = 1; name = 'n' } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {title}' -ErrorVariable tie -ErrorAction SilentlyContinue
        $tie[0].Exception.Message | Should -Match 'Its properties: price, name\. Did you mean \{name\}\? Or \{price\}\?$'
        # size is nearer to title than name by edit distance; name is still offered.
        $null = [pscustomobject]@{ name = 'n'; size = 1 } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {title}' -ErrorVariable near -ErrorAction SilentlyContinue
        $near[0].Exception.Message | Should -Match 'Its properties: name, size\. Did you mean \{size\}\? Or \{name\}\?$'
        # A column that holds the placeholder's name comes first; never more than 3 names.
        $row = [pscustomobject]@{ name = 'n'; size = 1; book_title = 't'; tile = 'x'; colour = 'c' }
        $null = $row | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {title}' -ErrorVariable held -ErrorAction SilentlyContinue
        $held[0].Exception.Message | Should -Match 'Its properties: name, size, book_title, tile, colour\. Did you mean \{book_title\}\? Or \{tile\} or \{size\}\?$'
    }

    It 'keeps the output a stream: good rows come out as they go, between the first error and the summary' {
        $rows = 1..6 | ForEach-Object { if ($_ % 2) { [pscustomobject]@{ name = "n$_" } } else { [pscustomobject]@{ other = "o$_" } } }
        $seen = [Collections.Generic.List[string]]::new()
        $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {name}' -ErrorVariable errs -ErrorAction SilentlyContinue |
            ForEach-Object { $seen.Add("$($_.CustomId) errors=$($errs.Count)") }
        $seen | Should -Be 'request-1 errors=0', 'request-3 errors=1', 'request-5 errors=1'
        $errs.Count | Should -Be 2
        $errs[1].Exception.Message | Should -Match '2 more rows failed the same way as row 2 \(3 rows in all\): .* Rows: 4, 6\.'
    }

    It 'reports bad custom ids once too, and different mistakes each once' {
        $rows = 1..30 | ForEach-Object { [pscustomobject]@{ name = "n$_"; key = "bad key $_" } }
        $null = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {name} {missing}' -CustomId '{key}' -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1.Count | Should -Be 2
        $e1[1].Exception.Message | Should -Match '29 more rows'
        $null = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {name}' -CustomId '{key}' -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2.Count | Should -Be 2
        $e2[0].Exception.Message | Should -Match "Row 1: the custom id 'bad key 1' made by -CustomId is not valid"
        $e2[1].Exception.Message | Should -Match '29 more rows failed the same way as row 1'
    }

    It 'applies to Submit-IrisBatch''s per-request errors too (hand-made requests with bad custom ids)' {
        $null = Initialize-TestEnvironment
        try {
            $reqs = 1..25 | ForEach-Object {
                $r = [IrisBatch.IrisBatchRequest]::new()
                $r.CustomId = if ($_ -le 2) { "ok-$_" } else { "bad id $_" }
                $r.Model = 'gpt-4o-mini'
                $r.Messages = [IrisBatch.ChatMessage[]] @([IrisBatch.ChatMessage]::new('user', "hi $_"))
                $r
            }
            $b = $reqs | Submit-IrisBatch -Provider Mock -ErrorVariable errs -ErrorAction SilentlyContinue
            $b.Total | Should -Be 2
            $errs.Count | Should -Be 2
            $errs[0].Exception.Message | Should -Match "^Request 3: the custom id 'bad id 3' is not valid"
            $errs[1].Exception.Message | Should -Match '22 more rows failed the same way as row 3 \(23 rows in all\).* First rows: 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 12 more\.'
        }
        finally { Clear-TestEnvironment }
    }

    It 'writes no summary when only one row fails' {
        $rows = [pscustomobject]@{ name = 'a' }, [pscustomobject]@{ x = 'b' }
        $out = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -ErrorVariable errs -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $errs.Count | Should -Be 1
    }
}

Describe 'Issue 16 item 6: {_} is the whole input object as text' {
    It 'makes one request per plain string, with no errors' {
        $out = @('a', 'b' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {_}' -ErrorVariable errs)
        $errs.Count | Should -Be 0
        $out.Messages.Content | Should -Be 'Say a', 'Say b'
    }

    It 'points a string input that names a property at {_}' {
        $null = 'a' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {name}' -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].Exception.Message | Should -Match 'write \{_\} for the whole input'
    }

    It 'is documented, with the script block alternative' {
        $help = Get-Help New-IrisBatchRequest -Full | Out-String
        $help | Should -Match '\{_\}'
        $help | Should -Match 'script block'
    }
}

Describe 'Issue 16 item 7: an empty cell warns once per column' {
    It 'names each column and how many rows were empty; -AllowEmpty silences it' {
        $rows = 1..5 | ForEach-Object { [pscustomobject]@{ name = $(if ($_ -in 2, 4) { '' } else { "n$_" }); note = $(if ($_ -eq 3) { ' ' } else { 'x' }); ok = 'y' } }
        $out = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name} {note} {ok} {name}' -WarningVariable warns -WarningAction SilentlyContinue)
        $out.Count | Should -Be 5
        $warns.Count | Should -Be 2
        ($warns -join "`n") | Should -Match "The column 'name' was empty in 2 of 5 rows \(rows 2, 4\)"
        ($warns -join "`n") | Should -Match "The column 'note' was empty in 1 of 5 rows \(rows 3\)"
        ($warns -join "`n") | Should -Match '-AllowEmpty'
        $out = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name} {note}' -AllowEmpty -WarningVariable quiet)
        $out.Count | Should -Be 5
        $quiet.Count | Should -Be 0
    }
}

Describe 'Issue 16 item 3: a custom id from an Id column' {
    It 'says once, verbosely, which column the custom id comes from' {
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ Id = "id-$_"; name = "n$_" } }
        $verbose = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($verbose | Where-Object Message -Match "custom id comes from the input's 'Id' column").Count | Should -Be 1
    }

    It 'names the column in the error and suggests sanitising it or another column, once for all rows' {
        $rows = 1..20 | ForEach-Object { [pscustomobject]@{ Id = "user$_@example.com"; name = "n$_" } }
        $out = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -ErrorVariable errs -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        $errs.Count | Should -Be 2
        $m = $errs[0].Exception.Message
        $m | Should -Match "the custom id 'user1@example.com' from the input's column 'Id'"
        $m | Should -Not -Match 'property CustomId'
        $m | Should -Match ([regex]::Escape("-CustomId { `$_.Id -replace '[^A-Za-z0-9_-]', '_' }"))
        $m | Should -Match ([regex]::Escape("-CustomId '{OtherColumn}'"))
        $errs[1].Exception.Message | Should -Match '19 more rows'
    }

    It 'a -CustomId script block is no column: nothing is said of one, a bad id blames -CustomId, and a failing script is reported once' {
        $rows = 1..12 | ForEach-Object { [pscustomobject]@{ Email = "user$_@example.com"; name = "n$_" } }
        $said = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -CustomId { $_.Email } -Verbose -ErrorVariable bad -ErrorAction SilentlyContinue 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        @($said | Where-Object Message -Match 'custom id comes from').Count | Should -Be 0 -Because 'no column gives the custom id'
        $bad.Count | Should -Be 2
        $bad[0].Exception.Message | Should -Match "the custom id 'user1@example.com' made by -CustomId is not valid"
        $bad[0].Exception.Message | Should -Not -Match "column 'CustomId'"
        $bad[1].Exception.Message | Should -Match '11 more rows'
        $out = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -CustomId { throw 'no id here' } -ErrorVariable thrown -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        $thrown.Count | Should -Be 2 -Because 'a script that fails on every row is one error and one summary, as for -Prompt'
        $thrown[0].Exception.Message | Should -Match 'CustomId'
        $thrown[0].Exception.Message | Should -Match 'no id here'
        $thrown[1].Exception.Message | Should -Match '11 more rows'
        # A good script still makes every id, and a column still binds without one.
        ($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -CustomId { 'r-' + $_.name }).CustomId | Should -Be (1..12 | ForEach-Object { "r-n$_" })
        ([pscustomobject]@{ Id = 42; name = 'n' } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}').CustomId | Should -Be '42'
    }

    It 'a -Model script block runs per row in the command: one that fails or gives nothing is one error naming -Model and a count, not one per row' {
        $rows = 1..30 | ForEach-Object { [pscustomobject]@{ name = "n$_"; long = ($_ % 3 -eq 0) } }
        # A script that fails quoting the row's value: the same failure on every row all the same.
        $out = @($rows | New-IrisBatchRequest -Prompt '{name}' -Model { throw "no model for '$($_.name)'" } -ErrorVariable thrown -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        $thrown.Count | Should -Be 2 -Because 'a -Model script that fails on every row is one error and one summary, not 30 binding errors'
        $thrown[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidRequest*'
        $thrown[0].Exception.Message | Should -Match "^Row 1: the script block of -Model failed: no model for 'n1'"
        $thrown[1].Exception.Message | Should -Match '29 more rows failed the same way as row 1 \(30 rows in all\)'
        # One that gives nothing.
        $out = @($rows | New-IrisBatchRequest -Prompt '{name}' -Model { if ($_.missing) { 'gpt-5' } } -ErrorVariable none -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        $none.Count | Should -Be 2
        $none[0].Exception.Message | Should -Match 'the script block of -Model gave no model name'
        $none[1].Exception.Message | Should -Match '29 more rows'
        # One that works picks per row.
        ($rows | New-IrisBatchRequest -Prompt '{name}' -Model { if ($_.long) { 'gpt-5' } else { 'gpt-5-mini' } }).Model |
            Should -Be (1..30 | ForEach-Object { if ($_ % 3 -eq 0) { 'gpt-5' } else { 'gpt-5-mini' } })
        # A literal, and a Model column bound by name (from CSV rows too), as before.
        (New-IrisBatchRequest -Prompt 'hi' -Model gpt-4o-mini).Model | Should -Be 'gpt-4o-mini'
        $csv = "Model,name`ngpt-4o,a`ngpt-4o-mini,b" | ConvertFrom-Csv
        ($csv | New-IrisBatchRequest -Prompt '{name}').Model | Should -Be @('gpt-4o', 'gpt-4o-mini')
        (Get-Command New-IrisBatchRequest).Parameters['Model'].Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Count | Should -Be 1
    }

    It 'names a custom_id column the same way' {
        $null = [pscustomobject]@{ custom_id = 'a b'; name = 'n' } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].Exception.Message | Should -Match "from the input's column 'custom_id'"
    }
}

Describe 'Issue 16 item 13: warnings are errors in Release' {
    It 'sets TreatWarningsAsErrors for the Release configuration that build.ps1 builds' {
        $props = [xml](Get-Content -Raw (Join-Path $repoRoot 'Directory.Build.props'))
        $release = @($props.Project.PropertyGroup | Where-Object { $_.GetAttribute('Condition') -match "'Release'" })
        $release.Count | Should -Be 1
        $release[0].TreatWarningsAsErrors | Should -Be 'true'
    }
}

Describe 'Issue 16 items 1, 2 and 10: resubmission, -Pending without a key, one fix per error' {
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 20 -InProgressMs 100 -FinalizingMs 20
        $null = Initialize-TestEnvironment
        $savedBase = $env:OPENAI_BASE_URL
    }
    AfterAll {
        if ($emu) { Stop-TestEmulator $emu }
        $env:OPENAI_BASE_URL = $savedBase
        Clear-TestEnvironment
    }
    BeforeEach {
        # A new session without OPENAI_API_KEY, whose default place is a dead local port (never a real service).
        Remove-Item env:OPENAI_API_KEY -ErrorAction Ignore
        $env:OPENAI_BASE_URL = 'http://127.0.0.1:9/v1'
    }

    It 'item 1 (Mock): Get-IrisBatchResult -Status Failed | Submit-IrisBatch goes back to Mock, named -retry1 then -retry2, unless -Provider says otherwise' {
        $b = 'fine', 'no [fail]' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -Provider Mock -Name "mock-$(Get-Random)" | Wait-IrisBatch
        $failed = @($b | Get-IrisBatchResult -Status Failed)
        $failed.Count | Should -Be 1
        $failed[0].Request.Provider | Should -Be 'Mock'
        $retry = $failed | Submit-IrisBatch -MaximumRetryCount 0
        $retry.Provider | Should -Be 'Mock'
        $retry.BaseUri | Should -Be $b.BaseUri
        $retry.Name | Should -Be "$($b.Name)-retry1"
        $retry2 = $retry | Wait-IrisBatch | Get-IrisBatchResult -Status Failed | Submit-IrisBatch
        $retry2.Provider | Should -Be 'Mock'
        $retry2.Name | Should -Be "$($b.Name)-retry2"
        # Said otherwise: -Provider wins (-WhatIf: nothing is sent, no key needed).
        $said = Get-TranscriptText { $failed | Submit-IrisBatch -Provider OpenAI -BaseUri "$($emu.Url)/v1" -WhatIf }
        $said | Should -Match 'OpenAI'
        $said | Should -Not -Match 'Mock'
    }

    It 'item 1: a request from a result carries its batch''s name as Name (BatchName too); the default views stay, Export-Csv gains the column' {
        $b = 'fine', 'no [fail]' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -Provider Mock -Name "named-$(Get-Random)" | Wait-IrisBatch
        $request = @($b | Get-IrisBatchResult -Status Failed)[0].Request
        $request.Name | Should -Be "$($b.Name)-retry1"
        $request.BatchName | Should -Be $request.Name
        { $request.Name = 'other' } | Should -Throw -Because 'it is where the request came from, read-only'
        ('a' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}').Name | Should -BeNullOrEmpty -Because 'a new request comes from no batch'
        $header = @(($request | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })[0]
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be 'CustomId', 'Model', 'Prompt'
        ($request | Format-List | Out-String) | Should -Not -Match '(?m)^Name\s*:'
        $csv = @($request | ConvertTo-Csv) | ConvertFrom-Csv
        $csv.Name | Should -Be "$($b.Name)-retry1"
        $csv.CustomId | Should -Be $request.CustomId
    }

    It 'item 1 (Mock): Get-IrisBatchStatus -Pending | Wait-IrisBatch waits at Mock, with no OpenAI key' {
        $b = 'one', 'two' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -Provider Mock
        $done = @(Get-IrisBatchStatus -Pending | Where-Object Id -EQ $b.Id | Wait-IrisBatch)
        $done.Count | Should -Be 1
        $done[0].Provider | Should -Be 'Mock'
        $done[0].Status | Should -Be 'Completed'
    }

    It 'item 2: -Pending lists every batch; one whose key is missing keeps its last known state, with a non-terminating IrisBatch.MissingApiKey naming it' {
        $env:OPENAI_API_KEY = 'test-key'
        $openai = 'a', 'b' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -BaseUri "$($emu.Url)/v1"
        Remove-Item env:OPENAI_API_KEY
        $mock = 'c' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -Provider Mock
        $listed = @(Get-IrisBatchStatus -Pending -ErrorVariable errs -ErrorAction SilentlyContinue)
        $listed.Id | Should -Contain $openai.Id
        $listed.Id | Should -Contain $mock.Id
        ($listed | Where-Object Id -EQ $openai.Id).Status | Should -Be $openai.Status
        ($listed | Where-Object Id -EQ $mock.Id).Status | Should -Be 'InProgress' -Because 'the Mock batch was refreshed (one step per poll)'
        $keyErrors = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.MissingApiKey*' })
        $keyErrors.Count | Should -BeGreaterOrEqual 1
        @($keyErrors | Where-Object TargetObject -EQ $openai.Id).Count | Should -Be 1
        ($keyErrors | Where-Object TargetObject -EQ $openai.Id).Exception.Message | Should -Match ([regex]::Escape($openai.Id))
    }

    It 'item 2: Get-IrisBatchStatus -Pending | Wait-IrisBatch waits for the batches it can, with a non-terminating IrisBatch.MissingApiKey naming each one it cannot' {
        $env:OPENAI_API_KEY = 'test-key'
        $openai = 'a' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -BaseUri "$($emu.Url)/v1"
        Remove-Item env:OPENAI_API_KEY
        $mock = 'c' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -Provider Mock
        $waited = @(Get-IrisBatchStatus -Pending -ErrorAction SilentlyContinue | Where-Object Id -In $openai.Id, $mock.Id |
            Wait-IrisBatch -PollInterval 0.1 -Timeout 30 -ErrorVariable errs -ErrorAction SilentlyContinue)
        $waited.Id | Should -Be $mock.Id
        $waited[0].Status | Should -Be 'Completed'
        $keyErrors = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'IrisBatch.MissingApiKey*' })
        $keyErrors.Count | Should -Be 1
        $keyErrors[0].TargetObject | Should -Be $openai.Id
        $keyErrors[0].Exception.Message | Should -Match ([regex]::Escape($openai.Id))
    }

    # After item 2: the OpenAI batches made here would be pending, without a key, for the -Pending tests above.
    It 'item 1: a resubmission that -Provider and -BaseUri send elsewhere keeps its -retryN name, unless -Name is given' {
        $b = 'fine', 'no [fail]' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -Provider Mock -Name "moved-$(Get-Random)" | Wait-IrisBatch
        $failed = @($b | Get-IrisBatchResult -Status Failed)
        $env:OPENAI_API_KEY = 'test-key'
        try {
            $moved = $failed | Submit-IrisBatch -Provider OpenAI -BaseUri "$($emu.Url)/v1" -MaximumRetryCount 0
            $moved.Provider | Should -Be 'OpenAI'
            $moved.BaseUri | Should -BeLike "$($emu.Url)/v1*"
            $moved.Name | Should -Be "$($b.Name)-retry1"
            # -BaseUri alone redirects too (the session's provider, OpenAI).
            $based = $failed | Submit-IrisBatch -BaseUri "$($emu.Url)/v1" -MaximumRetryCount 0 -Force
            $based.Name | Should -Be "$($b.Name)-retry1"
            $named = $failed | Submit-IrisBatch -Provider OpenAI -BaseUri "$($emu.Url)/v1" -Name 'chosen' -MaximumRetryCount 0 -Force
            $named.Name | Should -Be 'chosen'
            # A new request sent with them has no batch to be named after.
            $fresh = 'x' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -Provider OpenAI -BaseUri "$($emu.Url)/v1" -MaximumRetryCount 0
            $fresh.Name | Should -BeNullOrEmpty
        }
        finally { Remove-Item env:OPENAI_API_KEY -ErrorAction Ignore }
    }

    It 'an empty or blank key variable does not stop -WhatIf, which sends nothing' {
        $req = 'a', 'b' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}'
        foreach ($blank in '', '   ') {
            $env:OPENAI_API_KEY = $blank
            $before = Get-EmulatorChangeCount $emu | ConvertTo-Json -Compress
            $said = Get-TranscriptText { $req | Submit-IrisBatch -BaseUri "$($emu.Url)/v1" -WhatIf -ErrorAction Stop }
            $said | Should -Match 'What if: .*2 requests'
            Get-EmulatorChangeCount $emu | ConvertTo-Json -Compress | Should -Be $before
        }
        Remove-Item env:OPENAI_API_KEY -ErrorAction Ignore
    }

    It 'an empty or blank ANTHROPIC_API_KEY is IrisBatch.MissingApiKey when really sending, with nothing sent' {
        $saved = $env:ANTHROPIC_API_KEY
        try {
            foreach ($blank in '', '   ') {
                $env:ANTHROPIC_API_KEY = $blank
                $before = Get-EmulatorChangeCount $emu | ConvertTo-Json -Compress
                $e = $null
                try { 'a' | New-IrisBatchRequest -Model claude-sonnet-4-5 -Prompt '{_}' | Submit-IrisBatch -Provider Anthropic -BaseUri $emu.Url -ErrorAction Stop }
                catch { $e = $_ }
                $e.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.MissingApiKey,*'
                $e.Exception.Message | Should -Match 'ANTHROPIC_API_KEY'
                Get-EmulatorChangeCount $emu | ConvertTo-Json -Compress | Should -Be $before
            }
        }
        finally { $env:ANTHROPIC_API_KEY = $saved }
    }

    It 'item 10: says the fix once, in the message or as the recommendation, not both' {
        $e = $null
        try { Get-IrisBatchStatus -Id batch_abc -Provider OpenAI -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.MissingApiKey*'
        $all = "$($e.Exception.Message) $($e.ErrorDetails.Message) $($e.ErrorDetails.RecommendedAction)"
        ([regex]::Matches($e.Exception.Message + ' ' + $e.ErrorDetails.RecommendedAction, '-ApiKey')).Count | Should -Be 1
        $shown = $e | Out-String
        ([regex]::Matches($shown, '-ApiKey')).Count | Should -Be 1
        $all | Should -Not -BeNullOrEmpty
    }
}

Describe 'Issue 16 item 1: an Azure OpenAI batch''s api-version goes with it' {
    BeforeAll {
        $emu = Start-TestEmulator -ValidatingMs 20 -InProgressMs 100 -FinalizingMs 20
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'AZURE_OPENAI_API_KEY'
    }
    AfterAll {
        if ($emu) { Stop-TestEmulator $emu }
        Clear-TestEnvironment
    }

    It 'a resubmission and later commands use the batch''s api-version, not a later session''s $env:AZURE_OPENAI_API_VERSION, unless -ApiVersion says otherwise' {
        $b = 'fine', 'no [fail]' | New-IrisBatchRequest -Model gpt-4o-mini-batch -Prompt '{_}' |
            Submit-IrisBatch -Provider AzureOpenAI -BaseUri $emu.Url -ApiVersion 2025-04-01-preview -Name "azure-$(Get-Random)" |
            Wait-IrisBatch -PollInterval 0.1 -Timeout 60
        $b.BaseUri | Should -BeLike '*api-version=2025-04-01-preview'
        # A later session whose default api-version is another one.
        $env:AZURE_OPENAI_API_VERSION = '2024-10-01-preview'
        try {
            (Get-IrisBatchStatus -Id $b.Id).BaseUri | Should -Be $b.BaseUri
            $failed = @($b | Get-IrisBatchResult -Status Failed)
            $failed.Count | Should -Be 1
            $failed[0].Request.ApiVersion | Should -Be '2025-04-01-preview'
            $retry = $failed | Submit-IrisBatch -MaximumRetryCount 0
            $retry.Provider | Should -Be 'AzureOpenAI'
            $retry.BaseUri | Should -Be $b.BaseUri
            $retry.Name | Should -Be "$($b.Name)-retry1"
            # Said otherwise: -ApiVersion wins.
            $said = $failed | Submit-IrisBatch -ApiVersion 2024-08-01-preview -MaximumRetryCount 0
            $said.BaseUri | Should -BeLike '*api-version=2024-08-01-preview'
        }
        finally { Remove-Item env:AZURE_OPENAI_API_VERSION -ErrorAction Ignore }
    }
}

Describe 'Issue 16 items 4 and 8: unknown models and the -WhatIf table' {
    BeforeAll {
        $null = Initialize-TestEnvironment
        $prices = Join-Path $TestDrive 'prices.json'
        $fresh = Join-Path $TestDrive 'fresh-prices.json'
        $table = @{ taken = '2025-01-01'; currency = 'USD'; models = @{
                'gpt-4o' = @{ input = 1.0; output = 4.0 }; 'gpt-4o-mini' = @{ input = 0.1; output = 0.4 }; 'gpt-5-mini' = @{ input = 0.2; output = 2.0 } } }
        $table | ConvertTo-Json -Depth 4 | Set-Content $prices
        $table.taken = [DateTime]::UtcNow.AddDays(-10).ToString('yyyy-MM-dd')
        $table | ConvertTo-Json -Depth 4 | Set-Content $fresh
        function New-Rows([int] $Count) { 1..$Count | ForEach-Object { [pscustomobject]@{ name = "Widget $_" } } }
    }
    AfterAll { Clear-TestEnvironment }

    It 'item 4: a misspelt model gets one warning with the nearest known names, and no price of another model' {
        $text = Get-TranscriptText {
            New-Rows 5 | New-IrisBatchRequest -Model gpt-4o-mni -Prompt 'Describe {name}' |
                Submit-IrisBatch -Provider Mock -PriceTable $prices -WhatIf -WarningVariable script:warns
        }
        $w = @($script:warns | Where-Object { "$_" -match 'gpt-4o-mni' })
        $w.Count | Should -Be 1
        "$($w[0])" | Should -Match 'not in IrisBatch''s list'
        "$($w[0])" | Should -Match 'Did you mean gpt-4o-mini'
        "$($w[0])" | Should -Match 'no price'
        $row = ($text -split "`r?`n") | Where-Object { $_ -match '^\s*1\s+gpt-4o-mni\b' }
        $row | Should -Match 'unknown$' -Because 'gpt-4o-mni must not be priced as gpt-4o'
    }

    It 'a model its provider retired gets one warning that says so, with the date and the current names near it' {
        # claude-3-5-haiku-20241022 left Anthropic's list on 2026-02-19 (prices.json keeps its price, marked retired).
        $null = New-Rows 3 | New-IrisBatchRequest -Model claude-3-5-haiku-20241022 -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider Anthropic -BaseUri 'http://127.0.0.1:9/' -WhatIf -WarningVariable script:retiredWarns
        $w = @($script:retiredWarns | Where-Object { "$_" -match 'claude-3-5-haiku-20241022' })
        $w.Count | Should -Be 1
        "$($w[0])" | Should -Match 'was retired by Anthropic on 2026-02-19'
        "$($w[0])" | Should -Match 'Did you mean claude-'
        "$($w[0])" | Should -Not -Match 'not in IrisBatch'
    }

    It 'item 4: a dated snapshot of a known name is known and priced as that name; an exact name gets no warning' {
        $text = Get-TranscriptText {
            New-Rows 2 | New-IrisBatchRequest -Model gpt-4o-mini-2024-07-18 -Prompt 'Describe {name}' |
                Submit-IrisBatch -Provider Mock -PriceTable $prices -WhatIf -WarningVariable script:warns2
        }
        @($script:warns2 | Where-Object { "$_" -match 'not in IrisBatch' }).Count | Should -Be 0
        $row = ($text -split "`r?`n") | Where-Object { $_ -match '^\s*1\s+gpt-4o-mini-2024-07-18\b' }
        $row | Should -Not -Match 'unknown'
        $null = New-Rows 1 | New-IrisBatchRequest -Model gpt-4o -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider Mock -PriceTable $prices -WhatIf -WarningVariable script:warns3
        @($script:warns3).Count | Should -Be 0
    }

    It 'item 8: -WhatIf shows one table row per batch, one total line, and the prices'' date, saying when it is over 90 days old' {
        $text = Get-TranscriptText {
            @(New-Rows 3 | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' -MaxTokens 100
                New-Rows 2 | New-IrisBatchRequest -Model gpt-4o -Prompt 'Describe {name}' -CustomId { 'b-' + ($_.name -replace ' ', '-') }) |
                Submit-IrisBatch -Provider Mock -PriceTable $prices -WhatIf
        }
        $lines = $text -split "`r?`n"
        $header = $lines | Where-Object { $_ -match '^Batch\s+Model\s+Requests\s+Bytes\s+Input tokens\s+Est\. output tokens\s+Est\. cost \(USD\)$' }
        @($header).Count | Should -Be 1
        $rows = @($lines | Where-Object { $_ -match '^\s*\d+\s+gpt-4o' })
        $rows.Count | Should -Be 2
        $mini = $rows | Where-Object { $_ -match 'gpt-4o-mini' }
        $mini | Should -Match '^\s*\d+\s+gpt-4o-mini\s+3\s+[\d,]+\s+[\d,]+\s+300\s+0\.\d{4,}$'
        $total = @($lines | Where-Object { $_ -match '^Total\s' })
        $total.Count | Should -Be 1
        $total[0] | Should -Match '^Total\s+5\s+'
        ($lines | Where-Object { $_ -match '^Prices: batch prices of 2025-01-01 .*days old: they may have changed' }) | Should -Not -BeNullOrEmpty
        @($lines | Where-Object { $_ -match '^What if:' }).Count | Should -Be 1
        ($lines | Where-Object { $_ -match '^What if:' }) | Should -Match '5 requests in 2 batch\(es\)'
        ($lines | ForEach-Object Length | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 200
    }

    It 'item 8: recent prices are not called old; a reasoning model''s output estimate says it excludes reasoning tokens' {
        $text = Get-TranscriptText {
            New-Rows 2 | New-IrisBatchRequest -Model gpt-5-mini -Prompt 'Describe {name}' | Submit-IrisBatch -PriceTable $fresh -WhatIf
        }
        $text | Should -Match 'Prices: batch prices of \d{4}-\d{2}-\d{2} \([^)]*\)\.'
        $text | Should -Not -Match 'days old'
        $text | Should -Match '\d \*'
        $text | Should -Match 'excludes its reasoning tokens'
    }
}

Describe 'Issue 16 items 11 and 12: the README and docs/testing.md work as written' {
    BeforeAll {
        Import-Module (Join-Path $repoRoot 'build/HelpMarkdown.psm1') -Force
        $modulePath = Get-ModuleUnderTestPath
        $readme = Get-Content -Raw (Join-Path $repoRoot 'README.md')
    }

    It 'item 11: the README says how long -Task Test takes and that it fetches Pester on its first run' {
        $para = ($readme -split "`n- \*\*") | Where-Object { $_ -like 'Test**' } | Select-Object -First 1
        $para | Should -Match 'Pester'
        $para | Should -Match 'first run'
        $para | Should -Match '\d+ minutes'
    }

    It 'item 11: the emulator started by hand as the README says serves the README''s pipeline' {
        $readme -match '(?s)<!-- readme-example: emulator-server -->\s*```\w*\n(.*?)\n```' | Should -BeTrue
        $server = $Matches[1].Trim()
        $server -match '^dotnet out/emulator/IrisBatch\.Emulator\.dll --port (\d+) --api-key (\S+)$' | Should -BeTrue -Because $server
        $port = $Matches[1]; $key = $Matches[2]
        $readme -match '(?s)<!-- readme-example: emulator -->\s*```powershell\n(.*?)\n```' | Should -BeTrue
        $client = $Matches[1]
        $client | Should -Match ([regex]::Escape("127.0.0.1:$port/v1"))
        $client | Should -Match ([regex]::Escape("'$key'"))

        # The same command line, on a free port (the README's may be taken on a shared machine).
        $emu = Start-TestEmulator -ApiKey $key -ValidatingMs 100 -InProgressMs 500 -FinalizingMs 100
        $saved = @{}
        foreach ($n in 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'IRISBATCH_HOME', 'IRISBATCH_PROVIDER') { $saved[$n] = [Environment]::GetEnvironmentVariable($n) }
        $env:IRISBATCH_HOME = Join-Path $TestDrive 'readme-journal'
        Remove-Item env:IRISBATCH_PROVIDER -ErrorAction Ignore
        $ps = [powershell]::Create()
        try {
            $code = $client.Replace("127.0.0.1:$port", ([uri] $emu.Url).Authority).Replace('./out/IrisBatch/IrisBatch.psd1', $modulePath)
            $null = $ps.AddScript("Set-Location -LiteralPath '$repoRoot'; `$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'").Invoke()
            $ps.Commands.Clear()
            $text = ($ps.AddScript($code).AddCommand('Out-String').AddParameter('Width', 200).Invoke()) -join "`n"
            $ps.Streams.Error | Should -BeNullOrEmpty
            $rows = @(Import-Csv (Join-Path $repoRoot 'examples/products.csv'))
            @($text -split "`n" | Where-Object { $_ -match '\bSucceeded\b.*Echo: Describe' }).Count | Should -Be $rows.Count
        }
        finally {
            $ps.Dispose()
            foreach ($kv in $saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($kv.Key, $kv.Value) }
            Stop-TestEmulator $emu
        }
    }

    It 'item 12: docs/testing.md says how to import the module (out/ or -Task Package) and how to get Pester' {
        $page = Get-Content -Raw (Join-Path $repoRoot 'docs/testing.md')
        $page | Should -Match ([regex]::Escape('Import-Module ./out/IrisBatch/IrisBatch.psd1'))
        $page | Should -Match 'PSModulePath'
        $page | Should -Match '-Task Package'
        $page | Should -Match 'Install-PSResource IrisBatch'
        $page | Should -Match 'Install-PSResource Pester'
        $page | Should -Match ([regex]::Escape('.tools/packages/pester/5.7.1/tools/Pester.psd1'))
    }

    It 'item 12: every IrisBatch call in docs/testing.md''s examples passes -Provider Mock (or the script''s -Provider, given Mock)' {
        $page = Join-Path $repoRoot 'docs/testing.md'
        $code = (Get-MarkdownCodeBlock -Path $page | ForEach-Object Code) -join "`n"
        $calls = [regex]::Matches($code, '(Submit-IrisBatch|Get-IrisBatchStatus)[^\n|]*')
        $calls.Count | Should -BeGreaterThan 0
        foreach ($c in $calls) { $c.Value | Should -Match '-Provider (Mock|\$Provider)' }
        $scriptRuns = [regex]::Matches($code, '& \$script [^\n]*')
        $scriptRuns.Count | Should -BeGreaterThan 0
        foreach ($c in $scriptRuns) { $c.Value | Should -Match '-Provider Mock' }
        # The tips' inline examples too.
        foreach ($m in [regex]::Matches((Get-Content -Raw $page), '`\{ (Get-IrisBatch\w+[^`]*)')) { $m.Groups[1].Value | Should -Match '-Provider Mock' }
    }

    It 'item 12: the page''s two examples, copied as written into an empty folder, pass in a fresh pwsh with no key' {
        $blocks = @(Get-MarkdownCodeBlock -Path (Join-Path $repoRoot 'docs/testing.md') | Where-Object { $_.Code.Contains("`n") })
        $blocks.Count | Should -Be 2
        $dir = Join-Path $TestDrive 'copied'
        $null = New-Item -ItemType Directory -Force $dir
        Set-Content -Path (Join-Path $dir 'Update-ProductDescriptions.ps1') -Value $blocks[0].Code
        Set-Content -Path (Join-Path $dir 'Update-ProductDescriptions.Tests.ps1') -Value $blocks[1].Code
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        $runner = Join-Path $TestDrive 'run-copied.ps1'
        Set-Content -Path $runner -Value @'
param([string] $ModuleFolder, [string] $Pester, [string] $Dir)
$ErrorActionPreference = 'Stop'
# A new user's session: no key of any provider, IrisBatch found on PSModulePath (as docs/testing.md says).
Get-ChildItem env: | Where-Object { $_.Name -match '_API_KEY$|^IRISBATCH_PROVIDER$|_BASE_URL$' } | ForEach-Object { Remove-Item "env:$($_.Name)" }
$env:PSModulePath = $ModuleFolder + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module $Pester
$r = Invoke-Pester -Path $Dir -PassThru -Output None
"RESULT $($r.PassedCount) $($r.FailedCount)"
'@
        $out = Invoke-TestPwsh -File $runner -ArgumentList @('-ModuleFolder', (Split-Path (Split-Path $modulePath)), '-Pester', $pester, '-Dir', $dir)
        ($out | Where-Object { $_ -like 'RESULT *' }) | Should -Be 'RESULT 3 0' -Because ($out -join "`n")
    }
}
