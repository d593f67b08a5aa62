# How a status and a listing of batches are read where the provider's answer is at an edge:
# - A batch that ended with no request answered (every request failed or expired: an Anthropic batch just ends) is not
#   taken back when the same requests are submitted again: it would give them nothing again.
# - Get-IrisBatchStatus -First N follows the provider's list pages. A page that says there is more but gives no cursor
#   to it, or a cursor it gave before (OpenAI's has_more/last_id §1.4, Anthropic's has_more/last_id §3.2, Groq's
#   paging.next_cursor §13.5), cannot be followed: the batches read are listed, then a non-terminating
#   IrisBatch.InvalidResponse says the listing is incomplete, as the exactly-once look-up treats the same list (the
#   emulator's 'body' fault gives each page). A page with no batches but a new cursor is followed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $fast = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10
}

AfterAll {
    if ($fast) { Stop-TestEmulator $fast }
    Clear-TestEnvironment
}

Describe '<Provider>: the same requests again after a batch that ended with none answered' -ForEach @(
    @{ Provider = 'Anthropic'; Path = ''; KeyVariable = 'ANTHROPIC_API_KEY'; Model = 'claude-haiku-4-5' }
    @{ Provider = 'OpenAI'; Path = '/v1'; KeyVariable = 'OPENAI_API_KEY'; Model = 'gpt-4o-mini' }
) {
    BeforeAll { $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable }
    AfterAll { Clear-TestEnvironment }

    It 'is a new batch: the one that answered nothing is not taken back' {
        # Every request errors (the emulator's [fail] marker). The batch ends (Anthropic: ended; OpenAI: completed) with
        # nothing answered; reused, the same requests would get nothing again, and nothing of it was paid for.
        $rows = @(New-TestRows -Count 2 -Prefix 'Broken [fail]')
        $first = $rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider $Provider -BaseUri "$($fast.Url)$Path" -ErrorAction Stop |
            Wait-IrisBatch -PollInterval 0.05 -Timeout 60 -ErrorAction Stop
        $first.Succeeded | Should -Be 0
        $first.Failed | Should -Be 2
        $again = $rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider $Provider -BaseUri "$($fast.Url)$Path" -ErrorAction Stop -WarningVariable warned
        $again.Id | Should -Not -Be $first.Id
        ($warned -join "`n") | Should -Not -Match 'already submitted'
    }

    It 'a batch with an answer is still taken back (no second payment)' {
        $rows = @(New-TestRows -Count 2)
        $rows[1].name = 'Broken [fail]'
        $first = $rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider $Provider -BaseUri "$($fast.Url)$Path" -ErrorAction Stop |
            Wait-IrisBatch -PollInterval 0.05 -Timeout 60 -ErrorAction Stop
        $first.Succeeded | Should -Be 1
        $again = $rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider $Provider -BaseUri "$($fast.Url)$Path" -ErrorAction Stop -WarningVariable warned
        $again.Id | Should -Be $first.Id
        ($warned -join "`n") | Should -Match 'already submitted as batch'
    }
}

Describe '<Provider>: Get-IrisBatchStatus -First with a list whose cursor <Case>' -ForEach @(
    @{
        Provider = 'OpenAI'; Path = '/v1'; KeyVariable = 'OPENAI_API_KEY'; Case = 'is missing though has_more is true'
        Pages = @(
            '{"object":"list","data":[{"id":"batch_a1","object":"batch","endpoint":"/v1/chat/completions","input_file_id":"file-a","completion_window":"24h","status":"completed","created_at":1796000002,"request_counts":{"total":1,"completed":1,"failed":0}},{"id":"batch_a2","object":"batch","endpoint":"/v1/chat/completions","input_file_id":"file-b","completion_window":"24h","status":"completed","created_at":1796000001,"request_counts":{"total":1,"completed":1,"failed":0}}],"first_id":"batch_a1","last_id":"batch_a2","has_more":true}'
            '{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":true}'
        )
        Listed = @('batch_a1', 'batch_a2'); Incomplete = $true
    }
    @{
        Provider = 'Anthropic'; Path = ''; KeyVariable = 'ANTHROPIC_API_KEY'; Case = 'repeats the one it was asked with'
        Pages = @(
            '{"data":[{"id":"msgbatch_a1","type":"message_batch","processing_status":"ended","request_counts":{"processing":0,"succeeded":1,"errored":0,"canceled":0,"expired":0},"ended_at":"2026-12-07T10:00:00Z","created_at":"2026-12-07T09:00:00Z","expires_at":"2026-12-08T09:00:00Z","archived_at":null,"cancel_initiated_at":null,"results_url":null}],"has_more":true,"first_id":"msgbatch_a1","last_id":"msgbatch_a1"}'
            '{"data":[{"id":"msgbatch_a2","type":"message_batch","processing_status":"ended","request_counts":{"processing":0,"succeeded":1,"errored":0,"canceled":0,"expired":0},"ended_at":"2026-12-07T08:00:00Z","created_at":"2026-12-07T07:00:00Z","expires_at":"2026-12-08T07:00:00Z","archived_at":null,"cancel_initiated_at":null,"results_url":null}],"has_more":true,"first_id":"msgbatch_a2","last_id":"msgbatch_a1"}'
        )
        Listed = @('msgbatch_a1', 'msgbatch_a2'); Incomplete = $true
    }
    @{
        Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Case = 'comes back again'
        Pages = @(
            '{"object":"list","data":[{"id":"batch_g1","object":"batch","endpoint":"/v1/chat/completions","input_file_id":"file_g1","completion_window":"24h","status":"completed","created_at":1796000002}],"paging":{"next_cursor":"cursor_g1"}}'
            '{"object":"list","data":[{"id":"batch_g2","object":"batch","endpoint":"/v1/chat/completions","input_file_id":"file_g2","completion_window":"24h","status":"completed","created_at":1796000001}],"paging":{"next_cursor":"cursor_g1"}}'
        )
        Listed = @('batch_g1', 'batch_g2'); Incomplete = $true
    }
    @{
        Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Case = 'moves on past a page with no batches'
        Pages = @(
            '{"object":"list","data":[],"paging":{"next_cursor":"cursor_g1"}}'
            '{"object":"list","data":[{"id":"batch_g2","object":"batch","endpoint":"/v1/chat/completions","input_file_id":"file_g2","completion_window":"24h","status":"completed","created_at":1796000001}]}'
        )
        Listed = @('batch_g2'); Incomplete = $false
    }
) {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        $at = @{ Provider = $Provider; BaseUri = "$($fast.Url)$Path" }
    }
    AfterAll { Clear-TestEnvironment }

    It 'lists the batches read, then says whether the listing is incomplete' {
        Reset-Emulator $fast
        foreach ($page in $Pages) { $null = Add-EmulatorFault $fast -Rule @{ route = 'list'; kind = 'body'; text = $page; count = 1 } }
        $out = @(Get-IrisBatchStatus @at -First 10 -ErrorAction Continue -WarningAction SilentlyContinue 2>&1)
        @(Get-EmulatorFault $fast | Where-Object injected -EQ 1).Count | Should -Be 2 -Because 'both pages were asked for'
        $batches = @($out | Where-Object { $_ -is [IrisBatch.IrisBatchInfo] })
        $errors = @($out | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
        $batches.Id | Should -Be $Listed
        if ($Incomplete) {
            $errors.Count | Should -Be 1 -Because 'a listing that stops early says so'
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidResponse,*'
            $errors[0].Exception.Message | Should -Match "$Provider's list of batches said page 2 was not the last"
            $errors[0].Exception.Message | Should -Match "the listing is incomplete; batches listed: $($Listed.Count)\."
            $out[-1] | Should -BeOfType ([Management.Automation.ErrorRecord]) -Because 'the batches read come first'
        }
        else {
            $errors | Should -BeNullOrEmpty
        }
    }

    # Only where the first page holds batches: -First can stop there.
    if ($Incomplete) {
    It 'asks no further page once -First is reached, and says nothing' {
        Reset-Emulator $fast
        foreach ($page in $Pages) { $null = Add-EmulatorFault $fast -Rule @{ route = 'list'; kind = 'body'; text = $page; count = 1 } }
        $want = @((ConvertFrom-Json $Pages[0]).data).Count
        $out = @(Get-IrisBatchStatus @at -First $want -ErrorAction Continue 2>&1)
        @($out | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        @($out).Count | Should -Be $want
        @(Get-EmulatorFault $fast | Where-Object injected -EQ 1).Count | Should -Be 1
    }
    }
}
