# Errors with stable ids, checked before anything is sent where the contract says so.
# Issue 2, tests 3, 4 and 6, and Submit-IrisBatch's local checks (empty input, metadata limits).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator
    $url = $emu.BaseUri
    $null = Initialize-TestEnvironment
    $poll = 0.5

    # Different rows on every call: Submit-IrisBatch recognises the same requests submitted twice
    # (exactly-once) and would hand back the earlier batch, which would hide what a test checks.
    function New-Requests([int] $Count = 3) {
        New-TestRows -Count $Count -Prefix "Item $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
            New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}'
    }
    # Counters that prove nothing reached the provider (the stats route itself is not counted).
    function Get-SentCount {
        $s = Get-EmulatorStats $emu
        [pscustomobject]@{ Uploads = $s.uploads; Batches = $s.batches_created; Cancels = $s.cancels }
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe 'Test 3: duplicate custom ids' {
    It 'throws IrisBatch.DuplicateCustomId naming the id, and uploads nothing' {
        $before = Get-SentCount
        $rows = @(New-TestRows -Count 5)
        $rows[3].sku = 'sku-2'
        $err = { $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' -CustomId '{sku}' |
                Submit-IrisBatch -BaseUri $url } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.DuplicateCustomId,*'
        $err.Exception.Message | Should -Match 'sku-2'
        $after = Get-SentCount
        $after.Uploads | Should -Be $before.Uploads
        $after.Batches | Should -Be $before.Batches
    }

    It 'says what went wrong when the requests of two New-IrisBatchRequest calls share their default ids' {
        # Each call numbers its rows from 1: both requests are 'request-1' from row 1 ("rows 1 and 1" said nothing).
        $before = Get-SentCount
        $err = { @((New-Requests -Count 1), (New-Requests -Count 1)) | Submit-IrisBatch -BaseUri $url } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.DuplicateCustomId,*'
        $err.Exception.Message | Should -Match "'request-1'"
        $err.Exception.Message | Should -Not -Match 'rows 1 and 1'
        $err.Exception.Message | Should -Match '-CustomId'
        (Get-SentCount).Uploads | Should -Be $before.Uploads
    }
}

Describe 'Test 4: keys and ids' {
    It 'no key: IrisBatch.MissingApiKey before anything is sent' {
        $saved = $env:OPENAI_API_KEY
        Remove-Item env:OPENAI_API_KEY
        try {
            $before = Get-SentCount
            $err = { New-Requests | Submit-IrisBatch -BaseUri $url } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.MissingApiKey,*'
            $after = Get-SentCount
            $after.Uploads | Should -Be $before.Uploads
            $after.Batches | Should -Be $before.Batches
        }
        finally { $env:OPENAI_API_KEY = $saved }
    }

    It 'wrong key: IrisBatch.Unauthorized from Submit-IrisBatch, and no batch is created' {
        $before = Get-SentCount
        $wrong = ConvertTo-SecureString 'wrong-key' -AsPlainText -Force
        $err = try { $null = New-Requests | Submit-IrisBatch -BaseUri $url -ApiKey $wrong -ErrorAction Stop } catch { $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.Unauthorized,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        (Get-SentCount).Batches | Should -Be $before.Batches
    }

    It 'wrong key: IrisBatch.Unauthorized from Get-IrisBatchStatus' {
        $wrong = ConvertTo-SecureString 'wrong-key' -AsPlainText -Force
        $err = try { $null = Get-IrisBatchStatus -Id 'batch_whatever' -BaseUri $url -ApiKey $wrong -ErrorAction Stop } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.Unauthorized,*'
    }

    It 'unknown id: non-terminating IrisBatch.NotFound targeting the id; the other ids go on' {
        $real = New-Requests -Count 1 | Submit-IrisBatch -BaseUri $url
        $out = @('batch_doesnotexist', $real.Id | Get-IrisBatchStatus -BaseUri $url -ErrorVariable ev -ErrorAction SilentlyContinue)
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotFound,*'
        $ev[0].FullyQualifiedErrorId | Should -Be 'IrisBatch.NotFound,IrisBatch.Commands.GetIrisBatchStatusCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].TargetObject | Should -Be 'batch_doesnotexist'
        $out.Count | Should -Be 1
        $out[0].Id | Should -Be $real.Id
    }

    It 'unknown id with -Id: IrisBatch.NotFound from Wait-IrisBatch, Get-IrisBatchResult and Stop-IrisBatch too' {
        foreach ($cmd in 'Wait-IrisBatch', 'Get-IrisBatchResult', 'Stop-IrisBatch') {
            $extra = if ($cmd -eq 'Stop-IrisBatch') { @{ Confirm = $false } } else { @{} }
            $err = try { $null = & $cmd -Id 'batch_nothere' -BaseUri $url @extra -ErrorAction Stop } catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotFound,*' -Because $cmd
        }
    }
}

Describe 'Test 6: a batch the provider fails at validation' {
    It 'shows Failed with its errors and line numbers (unknown model)' {
        $b = New-TestRows -Count 3 | New-IrisBatchRequest -Model invalid-model -Prompt 'Describe {name}' |
            Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll
        $b.Status | Should -Be ([IrisBatch.BatchStatus]::Failed)
        $b.ProviderStatus | Should -Be 'failed'
        $b.IsComplete | Should -BeTrue
        $b.Errors.Count | Should -BeGreaterThan 0
        $b.Errors | ForEach-Object {
            $_.Code | Should -Be 'model_not_found'
            $_.Message | Should -Not -BeNullOrEmpty
            $_.Line | Should -BeIn @(1, 2, 3)
        }
        @($b.Errors | ForEach-Object Line) | Should -Contain 1
    }

    It 'counts each request it was sent as Failed, as its results do (the provider counts 0/0/0)' {
        $b = New-TestRows -Count 3 | New-IrisBatchRequest -Model invalid-model -Prompt 'Describe {name}' |
            Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll
        $b.Status | Should -Be ([IrisBatch.BatchStatus]::Failed)
        "$($b.Total)/$($b.Succeeded)/$($b.Failed)" | Should -Be '3/0/3'
        "$((Get-IrisBatchStatus -Id $b.Id).Failed)" | Should -Be '3'
        "$((Get-IrisBatchStatus -Local | Where-Object Id -EQ $b.Id).Failed)" | Should -Be '3'
        $results = @($b | Get-IrisBatchResult)
        @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Failed)).Count | Should -Be 3
        $results.Count | Should -Be 3
    }

    It 'shows the line of a bad input line in a batch submitted by another client' {
        $ok = '{{"custom_id":"{0}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":"hi"}}]}}}}'
        $raw = New-RawBatch $emu -Lines @(($ok -f 'a'), ($ok -f 'b'), ($ok -f 'a'), ($ok -f 'c'))
        $b = Wait-IrisBatch -Id $raw.id -BaseUri $url -PollInterval $poll
        $b.Status | Should -Be Failed
        $b.Errors.Count | Should -BeGreaterThan 0
        @($b.Errors | ForEach-Object Line) | Should -Contain 3
        $b.Errors[0].Code | Should -Not -BeNullOrEmpty
    }

    It 'Get-IrisBatchResult on such a batch (not in the journal, no result files) says why it lists nothing' {
        $ok = '{{"custom_id":"{0}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":"hi"}}]}}}}'
        $raw = New-RawBatch $emu -Lines @(($ok -f 'x'), ($ok -f 'x'))
        $null = Wait-IrisBatch -Id $raw.id -BaseUri $url -PollInterval $poll
        $results = @(Get-IrisBatchResult -Id $raw.id -BaseUri $url -WarningVariable warned 3>$null)
        $results.Count | Should -Be 0
        @($warned).Count | Should -Be 1
        "$($warned[0])" | Should -Match ([regex]::Escape($raw.id))
        "$($warned[0])" | Should -Match 'not submitted from this journal'
    }
}

Describe 'Submit-IrisBatch checks locally before sending' {
    It 'rejects empty input and sends nothing' {
        $before = Get-SentCount
        $err = try { $null = @() | Submit-IrisBatch -BaseUri $url -ErrorAction Stop } catch { $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.EmptyInput,*'
        (Get-SentCount).Uploads | Should -Be $before.Uploads
    }

    It 'rejects metadata over OpenAI''s limits (<Case>) and sends nothing' -ForEach @(
        @{ Case = '17 pairs'; Metadata = { $h = @{}; 1..17 | ForEach-Object { $h["k$_"] = 'v' }; $h } }
        @{ Case = '65-character key'; Metadata = { @{ ('k' * 65) = 'v' } } }
        @{ Case = '513-character value'; Metadata = { @{ k = ('v' * 513) } } }
    ) {
        $md = & $Metadata
        $before = Get-SentCount
        $err = try { $null = New-Requests | Submit-IrisBatch -BaseUri $url -Metadata $md -ErrorAction Stop } catch { $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidMetadata,*'
        (Get-SentCount).Uploads | Should -Be $before.Uploads
    }

    It 'takes OpenAI''s maxima (16 pairs, 64-character keys, 512-character values) with -Name, and sends them all' {
        # The limit is the provider's (spec §1.4: 16 pairs); IrisBatch's own keys must not take the user's room.
        $md = @{}
        1..15 | ForEach-Object { $md["k$_"] = "v$_" }
        $md[('k' * 64)] = 'v' * 512
        $b = New-Requests | Submit-IrisBatch -BaseUri $url -Name 'full-metadata' -Metadata $md -ErrorAction Stop
        $b.Name | Should -Be 'full-metadata'
        $b.Metadata.Count | Should -Be 16
        $remote = Invoke-EmulatorApi $emu GET "/v1/batches/$($b.Id)"
        @($remote.metadata.PSObject.Properties).Count | Should -Be 16
        foreach ($key in $md.Keys) { $remote.metadata.$key | Should -Be $md[$key] }
        $status = Get-IrisBatchStatus -Id $b.Id
        $status.Name | Should -Be 'full-metadata' -Because 'the journal keeps the name the provider had no room for'
        $status.Metadata.Count | Should -Be 16
    }

    It 'keeps -Name and -Metadata on the batch' {
        $b = New-Requests | Submit-IrisBatch -BaseUri $url -Name 'nightly-eval' -Metadata @{ team = 'search'; run = '42' }
        $b.Name | Should -Be 'nightly-eval'
        $b.Metadata['team'] | Should -Be 'search'
        $b.Metadata['run'] | Should -Be '42'
        $again = $b | Get-IrisBatchStatus
        $again.Name | Should -Be 'nightly-eval'
        $again.Metadata['team'] | Should -Be 'search'
    }

    It 'takes the base URI from $env:OPENAI_BASE_URL by default' {
        try {
            $env:OPENAI_BASE_URL = $url
            $b = New-Requests | Submit-IrisBatch
            $b.BaseUri.TrimEnd('/') | Should -Be $url.TrimEnd('/')
            $b.Provider | Should -Be 'OpenAI'
        }
        finally { Remove-Item env:OPENAI_BASE_URL -ErrorAction Ignore }
    }
}

Describe 'Resubmitting the same requests after a failed Submit-IrisBatch' {
    # The user fixes what was wrong and runs Submit-IrisBatch again: what they pass now is what the batch gets.
    It 'after a locally rejected -Metadata, uses the new -Name and -Metadata' {
        $reqs = @(New-Requests -Count 2)
        $tooMany = @{}; 1..17 | ForEach-Object { $tooMany["k$_"] = 'v' }
        $err = try { $null = $reqs | Submit-IrisBatch -BaseUri $url -Name 'first-try' -Metadata $tooMany -ErrorAction Stop } catch { $_ }
        $err | Should -Not -BeNullOrEmpty
        $b = $reqs | Submit-IrisBatch -BaseUri $url -Name 'second-try' -Metadata @{ fixed = 'yes' }
        $b.Name | Should -Be 'second-try'
        $b.Metadata['fixed'] | Should -Be 'yes'
    }

    It 'after a wrong key, uses the -Name and -Metadata given with the right key' {
        $reqs = @(New-Requests -Count 2)
        $wrong = ConvertTo-SecureString 'wrong-key' -AsPlainText -Force
        $err = try { $null = $reqs | Submit-IrisBatch -BaseUri $url -ApiKey $wrong -ErrorAction Stop } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.Unauthorized,*'
        $b = $reqs | Submit-IrisBatch -BaseUri $url -Name 'with-right-key' -Metadata @{ attempt = '2' } -WarningAction SilentlyContinue
        $b.Name | Should -Be 'with-right-key'
        $b.Metadata['attempt'] | Should -Be '2'
    }
}
