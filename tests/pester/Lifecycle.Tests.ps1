# Waiting, timing out, cancelling, expiring and -WhatIf against emulators with slow and fast clocks.
# Issue 2, tests 5 and 7, and the status/result cmdlets' contract.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    # fast: batches finish in about 0.4 s; slow: 8 s in progress (requests finish one by one), 2 s cancelling
    $emu = Start-TestEmulator
    $url = $emu.BaseUri
    $slow = Start-TestEmulator -InProgressMs 8000 -CancellingMs 2000
    $slowUrl = $slow.BaseUri
    $null = Initialize-TestEnvironment
    $poll = 0.5

    # Different rows on every call: Submit-IrisBatch recognises the same requests submitted twice
    # (exactly-once) and would hand back the earlier batch.
    function Submit-Rows([int] $Count, [string] $BaseUri) {
        New-TestRows -Count $Count -Prefix "Item $([guid]::NewGuid().ToString('N').Substring(0, 8))" |
            New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' | Submit-IrisBatch -BaseUri $BaseUri
    }
    function Get-HostText([scriptblock] $ScriptBlock) {
        # -WhatIf messages go to the host, not to a stream: a transcript sees them.
        $path = Join-Path $TestDrive "host-$([guid]::NewGuid().ToString('N')).txt"
        $null = Start-Transcript -Path $path -UseMinimalHeader
        try { $null = & $ScriptBlock }
        finally { $null = Stop-Transcript }
        Get-Content -Raw $path
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    if ($slow) { Stop-TestEmulator $slow }
    Clear-TestEnvironment
}

Describe 'Test 5: wait timeout, cancel, partial results' {
    BeforeAll {
        $batch = Submit-Rows -Count 20 -BaseUri $slowUrl
    }

    It 'Wait-IrisBatch -Timeout gives IrisBatch.WaitTimeout naming the batch, and emits its last known state' {
        Assert-WaitTimesOut -Batch $batch -Timeout 2 -Within 6 -PollInterval $poll
    }

    It 'after Stop-IrisBatch the status is Cancelling and not complete' {
        $before = (Get-EmulatorStats $slow).cancels
        $stopped = $batch | Stop-IrisBatch -PassThru -Confirm:$false
        (Get-EmulatorStats $slow).cancels | Should -Be ($before + 1)
        $stopped.Id | Should -Be $batch.Id
        $stopped.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelling)
        $stopped.IsComplete | Should -BeFalse
        $now = $batch | Get-IrisBatchStatus
        $now.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelling)
        $now.ProviderStatus | Should -Be 'cancelling'
        $now.IsComplete | Should -BeFalse
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
        $byStatus = $results | Group-Object { "$($_.Status)" } -AsHashTable -AsString
        $succeeded = if ($byStatus['Succeeded']) { $byStatus['Succeeded'].Count } else { 0 }
        $cancelled = if ($byStatus['Cancelled']) { $byStatus['Cancelled'].Count } else { 0 }
        ($succeeded + $cancelled) | Should -Be 20
        $cancelled | Should -BeGreaterThan 0 -Because 'the batch was stopped well before its requests finished'
        $succeeded | Should -Be $script:final.Succeeded
        $byStatus['Cancelled'] | ForEach-Object { $_.Output | Should -BeNullOrEmpty }
        $byStatus['Succeeded'] | ForEach-Object { $_.Output | Should -Be "Echo: Describe $($_.Input.name)" }
    }
}

Describe 'Stop-IrisBatch' {
    It 'emits nothing without -PassThru' {
        $b = Submit-Rows -Count 2 -BaseUri $slowUrl
        $out = $b | Stop-IrisBatch -Confirm:$false
        $out | Should -BeNullOrEmpty
    }

    It '-Wait waits through Cancelling to Cancelled' {
        $b = Submit-Rows -Count 2 -BaseUri $slowUrl
        $done = Stop-IrisBatch -Id $b.Id -Wait -PassThru -Confirm:$false
        $done.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled)
        $done.IsComplete | Should -BeTrue
    }
}

Describe 'Ctrl+C during Wait-IrisBatch' {
    It 'stops the wait within a second, mid poll interval, and never cancels the remote batch' {
        # Issue 2: "Ctrl+C stops the wait within a second and never cancels the remote batch". PowerShell's Stop() is
        # what Ctrl+C does to a running pipeline; the wait is stopped once its first poll has reached the emulator.
        $b = Submit-Rows -Count 3 -BaseUri $slowUrl
        $route = "GET /v1/batches/{batch_id}"
        $before = Get-EmulatorStats $slow
        $polls = Get-EmulatorRouteCall $slow $route -Stats $before
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', (Get-ModuleUnderTestPath)).AddStatement()
            $null = $ps.AddCommand('Wait-IrisBatch').AddParameter('Id', $b.Id).AddParameter('BaseUri', $slowUrl).AddParameter('PollInterval', 30)
            $handle = $ps.BeginInvoke()
            $null = Wait-EmulatorRouteCall $slow $route -Count ($polls + 1)
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 1
            $ps.InvocationStateInfo.State | Should -Be ([Management.Automation.PSInvocationState]::Stopped)
        }
        finally { $ps.Dispose() }
        (Get-EmulatorStats $slow).cancels | Should -Be $before.cancels
        ($b | Get-IrisBatchStatus).Status | Should -Not -BeIn @([IrisBatch.BatchStatus]::Cancelling, [IrisBatch.BatchStatus]::Cancelled)
    }
}

Describe 'Test 7: -WhatIf changes nothing on the provider' {
    It 'Submit-IrisBatch -WhatIf uploads and creates nothing, and says what it would send where' {
        $before = Get-EmulatorStats $slow
        $text = Get-HostText {
            $script:whatIfOut = New-TestRows -Count 3 | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' |
                Submit-IrisBatch -BaseUri $slowUrl -WhatIf
        }
        $script:whatIfOut | Should -BeNullOrEmpty
        $after = Get-EmulatorStats $slow
        $after.uploads | Should -Be $before.uploads
        $after.batches_created | Should -Be $before.batches_created
        $text | Should -Match 'What if'
        $text | Should -Match '\b3 requests?\b'
        $text | Should -Match 'gpt-4o-mini'
        $text | Should -Match ([regex]::Escape(([uri] $slowUrl).Authority))
    }

    It 'Submit-IrisBatch -WhatIf gives each batch''s bytes: the size of the input file a real submit uploads' {
        # Issue 2: "-WhatIf says how many requests, bytes, models and batches"; issue 4: "per batch of the set: requests, bytes, ...".
        $prefix = "Bytes $([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $requests = @(New-TestRows -Count 5 -Prefix $prefix | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}')
        $text = Get-HostText { $requests | Submit-IrisBatch -BaseUri $url -MaxRequestsPerBatch 3 -WhatIf }
        $batches = @($requests | Submit-IrisBatch -BaseUri $url -MaxRequestsPerBatch 3)
        $batches.Count | Should -Be 2
        $sizes = @($batches | ForEach-Object { (Invoke-EmulatorApi $emu GET "/v1/files/$($_.InputFileId)").bytes })
        $lines = $text -split "`r?`n"
        $lines | Where-Object { $_ -match '^Batch\s+Model\s+Requests\s+Bytes\s' } | Should -Not -BeNullOrEmpty
        $rows = @($lines | Where-Object { $_ -match '^\s*\d+\s+gpt-4o-mini\s' })
        $rows.Count | Should -Be 2
        $shown = @($rows | ForEach-Object { [long](($_ -split '\s+' | Where-Object { $_ })[3] -replace ',', '') })
        $shown | Should -Be $sizes
        $total = ($sizes | Measure-Object -Sum).Sum
        ($lines | Where-Object { $_ -match '^What if:' }) | Should -Match ("5 requests in 2 batch\(es\), {0} bytes" -f $total.ToString('N0', [cultureinfo]::InvariantCulture))
    }

    It 'Stop-IrisBatch -WhatIf cancels nothing' {
        $b = Submit-Rows -Count 3 -BaseUri $slowUrl
        $before = Get-EmulatorStats $slow
        $text = Get-HostText { $b | Stop-IrisBatch -WhatIf }
        (Get-EmulatorStats $slow).cancels | Should -Be $before.cancels
        ($b | Get-IrisBatchStatus).Status | Should -Not -BeIn @([IrisBatch.BatchStatus]::Cancelling, [IrisBatch.BatchStatus]::Cancelled)
        $text | Should -Match ([regex]::Escape($b.Id))
    }
}

Describe 'Get-IrisBatchResult on a batch that is not finished' {
    It 'gives IrisBatch.NotComplete naming its status' {
        $b = Submit-Rows -Count 2 -BaseUri $slowUrl
        $err = try { $null = $b | Get-IrisBatchResult -ErrorAction Stop } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotComplete,*'
        $err.Exception.Message | Should -Match 'Pending|InProgress|validating|in_progress'
    }

    It 'waits first with -Wait' {
        $b = Submit-Rows -Count 3 -BaseUri $url
        $results = @(Get-IrisBatchResult -Id $b.Id -Wait -PollInterval $poll)
        $results.Count | Should -Be 3
        $results | ForEach-Object { $_.Status | Should -Be Succeeded }
    }

    It 'filters with -Status' {
        $rows = @(New-TestRows -Count 4)
        $rows[1].name = 'Bad [fail] one'
        $b = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{name}' | Submit-IrisBatch -BaseUri $url |
            Wait-IrisBatch -PollInterval $poll
        @($b | Get-IrisBatchResult -Status Succeeded).Count | Should -Be 3
        @($b | Get-IrisBatchResult -Status Failed).CustomId | Should -Be @('request-2')
    }
}

Describe 'An expired batch' {
    It 'shows Expired and accounts for every request' {
        $b = Submit-Rows -Count 10 -BaseUri $slowUrl
        # Expire it once some requests have finished and some have not (the emulator's counts say so).
        $null = Wait-TestCondition -Because 'some requests finish' { $s = $b | Get-IrisBatchStatus; $s.Succeeded -gt 0 -and $s.Processed -lt 10 }
        $null = Invoke-EmulatorExpire $slow $b.Id
        $now = $b | Get-IrisBatchStatus
        $now.Status | Should -Be ([IrisBatch.BatchStatus]::Expired)
        $now.IsComplete | Should -BeTrue
        $results = @($now | Get-IrisBatchResult)
        $results.Count | Should -Be 10
        @($results.CustomId | Sort-Object -Unique).Count | Should -Be 10
        $results | ForEach-Object { "$($_.Status)" | Should -BeIn @('Succeeded', 'Expired') }
        @($results | Where-Object Status -EQ Expired).Count | Should -BeGreaterThan 0
        @($results | Where-Object Status -EQ Succeeded).Count | Should -BeGreaterThan 0 -Because 'the requests that finished before it expired keep their answers'
    }
}

Describe 'Get-IrisBatchStatus lists the provider''s batches' {
    BeforeAll {
        # A fresh emulator holding exactly 25 batches, created in a known order.
        $listEmu = Start-TestEmulator
        $line = '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}}'
        $created = @(1..25 | ForEach-Object { (New-RawBatch $listEmu -Lines $line).id })
        [array]::Reverse($created)   # newest first
    }
    AfterAll { if ($listEmu) { Stop-TestEmulator $listEmu } }

    It 'lists the newest 20 by default' {
        $list = @(Get-IrisBatchStatus -BaseUri $listEmu.BaseUri)
        $list.Count | Should -Be 20
        $list.Id | Should -Be $created[0..19]
    }

    It 'follows the pages until -First are listed' {
        @(Get-IrisBatchStatus -BaseUri $listEmu.BaseUri -First 3).Id | Should -Be $created[0..2]
        $all = @(Get-IrisBatchStatus -BaseUri $listEmu.BaseUri -First 1000)
        $all.Id | Should -Be $created
    }
}
