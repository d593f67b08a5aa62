# Durable local batches on servers without a batch API (-Provider Ollama), issue 6: the requests run inside the
# process that waits, each answer journaled as it arrives, spread over several servers with -ThrottleLimit each.
# Two emulators started with --ollama-only play two Ollama servers; their counters say what was executed where.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $poll = 0.1

    # The waiting process: Wait-IrisBatch by id alone (the journal says where the batch lives), then its status.
    $waiter = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-ollama-waiter-$([guid]::NewGuid().ToString('N').Substring(0, 8)).ps1"
    Set-Content $waiter -Value @'
param($ModulePath, $Id, $ThrottleLimit)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$b = Wait-IrisBatch -Id $Id -ThrottleLimit $ThrottleLimit -PollInterval 0.1 -Timeout 120
"STATUS=$($b.Status)"
'@

    function Start-Waiter([string] $Id, [int] $ThrottleLimit = 8) {
        Start-TestPwsh -File $waiter -ArgumentList @((Get-ModuleUnderTestPath), $Id, $ThrottleLimit)
    }

    # Answers written per server, and per prompt over all servers (a prompt is one request: rows are distinct).
    function Get-OllamaCount([object[]] $Servers) {
        $byPrompt = @{}
        $each = foreach ($s in $Servers) {
            $st = Get-EmulatorStats $s
            foreach ($p in $st.ollama_by_prompt.psobject.Properties) { $byPrompt[$p.Name] = [long] $byPrompt[$p.Name] + [long] $p.Value }
            [pscustomobject]@{ Requests = [long] $st.ollama_requests; Duplicates = [long] $st.ollama_duplicates; Rejected = [long] $st.ollama_rejected }
        }
        [pscustomobject]@{
            Total        = [long] ($each | Measure-Object Requests -Sum).Sum
            PerServer    = @($each.Requests)
            Duplicates   = [long] ($each | Measure-Object Duplicates -Sum).Sum
            Prompts      = $byPrompt.Count
            MaxPerPrompt = [long] ($byPrompt.Values | Measure-Object -Maximum).Maximum
        }
    }

    function Submit-OllamaRows([int] $Count, [string] $Prefix, [string[]] $BaseUri) {
        New-TestRows -Count $Count -Prefix $Prefix | New-IrisBatchRequest -Model llama3.2 -Prompt 'Describe {name} ({colour}).' |
            Submit-IrisBatch -Provider Ollama -BaseUri $BaseUri
    }
}

AfterAll {
    Remove-Item $waiter -ErrorAction Ignore
}

Describe 'Ollama: 1,000 requests at -ThrottleLimit 8 on two servers, the waiting process killed midway (SIGKILL) and resumed' {
    BeforeAll {
        # 80 ms per answer, 8 at a time on each server: about 200 answers a second, so a kill lands midway even when a
        # busy machine slows the test's polling (at 30 ms the batch could end between two polls).
        $servers = @(1, 2 | ForEach-Object { Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '80', '--ollama-max-parallel', '8' })
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
        $batch = Submit-OllamaRows -Count 1000 -Prefix 'Durable item' -BaseUri $servers.Url
    }
    AfterAll {
        $servers | Where-Object { $_ } | ForEach-Object { Stop-TestEmulator $_ }
        Clear-TestEnvironment
    }

    It 'Submit-IrisBatch records the batch and returns at once: Pending, nothing sent to either server' {
        $batch.Provider | Should -Be 'Ollama'
        $batch.Id | Should -Match '^local_'
        $batch.Status | Should -Be ([IrisBatch.BatchStatus]::Pending)
        $batch.Total | Should -Be 1000
        $batch.BaseUri -split ',' | ForEach-Object { $_.TrimEnd('/') } | Should -Be @($servers.Url)
        (Get-OllamaCount $servers).Total | Should -Be 0
    }

    It 'a waiting process runs the requests on both servers and is killed midway' {
        $child = Start-Waiter -Id $batch.Id -ThrottleLimit 8
        try {
            $null = Wait-TestCondition -TimeoutSeconds 60 -IntervalMs 20 -Because 'the waiter should have some answered' {
                (Get-OllamaCount $servers).Total -ge 200 -or $child.Process.HasExited
            }
        }
        # SIGKILL to that one process, as Stop-Process does (a tree kill stops it first and lets answers pile up).
        finally { if (-not $child.Process.HasExited) { $child.Process.Kill() }; $end = Stop-TestPwsh $child }
        $child.Process.ExitCode | Should -Not -Be 0 -Because "the waiter was killed, not finished: $($end.Output)"
        # Answers that were on the wire when it died are not counted by the servers: wait until none is in flight.
        $null = Wait-TestCondition -Because 'the servers finish the calls in flight' { @($servers | Where-Object { (Get-EmulatorStats $_).ollama_in_flight -ne 0 }).Count -eq 0 }
        $script:atKill = Get-OllamaCount $servers
        $script:atKill.Total | Should -BeGreaterOrEqual 200
        $script:atKill.Total | Should -BeLessThan 1000 -Because 'the kill should land midway'
        $script:atKill.PerServer | ForEach-Object { $_ | Should -BeGreaterThan 0 -Because 'requests spread across both servers' }
    }

    It 'the journal shows the batch half done, from the answers that reached it' {
        $now = Get-IrisBatchStatus -Id $batch.Id
        $now.Status | Should -Be ([IrisBatch.BatchStatus]::InProgress)
        $now.IsComplete | Should -BeFalse
        $now.Succeeded | Should -BeGreaterThan 0
        $now.Succeeded | Should -BeLessOrEqual $script:atKill.Total
        # Answers the servers wrote that the killed process never journaled: lost with it, so they must run again.
        # SIGKILL gives no chance to finish: an answer on the wire when it lands (or while the kernel tears the process
        # down, before its sockets close) is lost. A signal the process can see loses none (next Describe).
        $script:lost = $script:atKill.Total - $now.Succeeded - $now.Failed
        $script:lost | Should -BeGreaterOrEqual 0
        $script:lost | Should -BeLessOrEqual 16 -Because 'at most -ThrottleLimit 8 requests per server were in flight'
    }

    It 'a new process resumes it: the journaled requests never run again, only the unfinished ones run' {
        $child = Start-Waiter -Id $batch.Id -ThrottleLimit 8
        $end = Stop-TestPwsh $child -TimeoutSeconds 90
        $end.ExitCode | Should -Be 0 -Because $end.Output
        $end.Output | Should -Match 'STATUS=Completed'
        $script:after = Get-OllamaCount $servers
        $script:after.Prompts | Should -Be 1000 -Because 'every request ran'
        $script:after.Total | Should -Be (1000 + $script:lost) -Because 'only the answers lost with the killed process ran twice'
        $script:after.MaxPerPrompt | Should -BeLessOrEqual 2
        ($script:after.Total - $script:atKill.Total) | Should -BeGreaterThan 0 -Because 'the second process ran the rest'
    }

    It 'all 1,000 results come back, each with the fake model''s answer' {
        $done = Wait-IrisBatch -Id $batch.Id -PollInterval $poll -Timeout 10
        $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        $done.Succeeded | Should -Be 1000
        $results = @(Get-IrisBatchResult -Id $batch.Id)
        $results.Count | Should -Be 1000
        @($results.CustomId | Sort-Object -Unique).Count | Should -Be 1000
        $wrong = foreach ($r in $results) {
            if ($r.Status -ne [IrisBatch.ResultStatus]::Succeeded -or $r.Output -cne "Echo: Describe $($r.Input.name) ($($r.Input.colour)).") { $r.CustomId }
        }
        @($wrong) | Should -BeNullOrEmpty
        (Get-OllamaCount $servers).Total | Should -Be $script:after.Total -Because 'collecting the results runs nothing again'
    }
}

BeforeDiscovery {
    # A signal ignored by this process is ignored by its children too: SIGHUP under nohup, SIGINT (and SIGQUIT) in a
    # job a non-interactive shell started with '&'. A child then keeps running when it gets that signal, as it should,
    # so that signal's case cannot run here and is skipped (Linux's /proc/self/status: SigIgn, bit N-1 for signal N).
    $ignoredSignals = [uint64] 0
    if (Test-Path /proc/self/status) {
        $mask = (Get-Content /proc/self/status | Where-Object { $_ -like 'SigIgn:*' }) -replace '^SigIgn:\s*', ''
        if ($mask) { $ignoredSignals = [Convert]::ToUInt64($mask, 16) }
    }
}

Describe 'Ollama: the waiting process stopped midway by <Signal> and resumed: every request executed exactly once' -Skip:($IsWindows) -ForEach @(
    @{ Signal = 'SIGTERM'; Number = 15; Why = 'kill, systemd and docker stopping it' }
    @{ Signal = 'SIGINT'; Number = 2; Why = 'Ctrl+C' }
    @{ Signal = 'SIGHUP'; Number = 1; Why = 'its terminal closed' }
) {
    BeforeAll {
        # 80 ms an answer at 16 in flight: about 5 s for 1,000, so after the first 200 a busy machine still has some 4 s to
        # deliver the signal midway (at 30 ms the whole batch could end between two polls of a loaded test process).
        $servers = @(1, 2 | ForEach-Object { Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '80', '--ollama-max-parallel', '8' })
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
        $batch = Submit-OllamaRows -Count 1000 -Prefix "Signalled $Signal item" -BaseUri $servers.Url
        Send-TestSignal -ProcessId $PID -Signal 0   # signal 0 sends nothing: it compiles the helper before the race
    }
    AfterAll {
        $servers | Where-Object { $_ } | ForEach-Object { Stop-TestEmulator $_ }
        Clear-TestEnvironment
    }

    It 'the process stops midway (<Why>), with every answer the servers gave in the journal' -Skip:((($ignoredSignals -shr ($Number - 1)) -band 1) -eq 1) {
        $child = Start-Waiter -Id $batch.Id -ThrottleLimit 8
        try {
            $null = Wait-TestCondition -TimeoutSeconds 60 -IntervalMs 20 -Because 'the waiter should have some answered' {
                (Get-OllamaCount $servers).Total -ge 200 -or $child.Process.HasExited
            }
            $child.Process.HasExited | Should -BeFalse -Because 'the signal should land midway'
            Send-TestSignal -ProcessId $child.Process.Id -Signal $Number
            $end = Stop-TestPwsh $child -TimeoutSeconds 15
        }
        catch { $null = Stop-TestPwsh $child -Kill; throw }
        $end.Output | Should -Not -Match 'STATUS=' -Because 'the wait was interrupted, not finished'
        $null = Wait-TestCondition -Because 'the servers finish the calls in flight' { @($servers | Where-Object { (Get-EmulatorStats $_).ollama_in_flight -ne 0 }).Count -eq 0 }
        $script:atStop = Get-OllamaCount $servers
        $script:atStop.Total | Should -BeLessThan 1000 -Because 'it stopped midway'
        $now = Get-IrisBatchStatus -Id $batch.Id
        $now.Status | Should -Be ([IrisBatch.BatchStatus]::InProgress)
        ($now.Succeeded + $now.Failed) | Should -Be $script:atStop.Total -Because 'the answers in flight were journaled before the process ended'
    }

    It 'a new process resumes it: the servers executed each of the 1,000 requests exactly once' -Skip:((($ignoredSignals -shr ($Number - 1)) -band 1) -eq 1) {
        $child = Start-Waiter -Id $batch.Id -ThrottleLimit 8
        $end = Stop-TestPwsh $child -TimeoutSeconds 90
        $end.ExitCode | Should -Be 0 -Because $end.Output
        $end.Output | Should -Match 'STATUS=Completed'
        $after = Get-OllamaCount $servers
        $after.Prompts | Should -Be 1000
        $after.Total | Should -Be 1000
        $after.Duplicates | Should -Be 0
        $after.MaxPerPrompt | Should -Be 1
        @(Get-IrisBatchResult -Id $batch.Id | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Succeeded)).Count | Should -Be 1000
    }
}

Describe 'Ollama: stopped (SIGTERM) while every request in flight is slower than the grace to answer' -Skip:($IsWindows) {
    BeforeAll {
        # 5 s per answer: the 4 requests in flight cannot answer within the stop's grace, so they are abandoned.
        $server = Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '5000', '--ollama-max-parallel', '8'
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
        $batch = Submit-OllamaRows -Count 8 -Prefix 'Slow item' -BaseUri $server.Url
        Send-TestSignal -ProcessId $PID -Signal 0
    }
    AfterAll {
        if ($server) { Stop-TestEmulator $server }
        Clear-TestEnvironment
    }

    It 'the process ends without waiting for them, and the server counts none of them as executed' {
        $child = Start-Waiter -Id $batch.Id -ThrottleLimit 4
        try {
            $null = Wait-EmulatorRouteCall $server 'POST /api/chat' -Count 4 -Process $child.Process
            Send-TestSignal -ProcessId $child.Process.Id -Signal 15
            $end = Stop-TestPwsh $child -TimeoutSeconds 4
        }
        catch { $null = Stop-TestPwsh $child -Kill; throw }
        $end.ExitCode | Should -Be 143 -Because "SIGTERM ended it, not the 4 s timeout: $($end.Output)"
        $null = Wait-TestCondition -Because 'the server finishes the calls in flight' { (Get-EmulatorStats $server).ollama_in_flight -eq 0 }
        (Get-OllamaCount @($server)).Total | Should -Be 0 -Because 'the abandoned requests were dropped by the server when their client went'
        $now = Get-IrisBatchStatus -Id $batch.Id
        ($now.Succeeded + $now.Failed) | Should -Be 0
    }

    It 'a later wait runs each of the 8 requests exactly once' {
        $null = Set-EmulatorConfig $server @{ ollama_latency_ms = 10 }
        $done = Wait-IrisBatch -Id $batch.Id -ThrottleLimit 4 -PollInterval $poll -Timeout 60
        $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        $count = Get-OllamaCount @($server)
        $count.Total | Should -Be 8
        $count.Duplicates | Should -Be 0
    }
}

Describe 'Ollama: a server that fails midway' {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
    }
    AfterAll { Clear-TestEnvironment }

    Context 'its connections drop after 40 answers' {
        BeforeAll {
            $servers = @(1, 2 | ForEach-Object { Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '5', '--ollama-max-parallel', '8' })
            # The second server answers 40 chats, then drops every connection before acting.
            $null = Invoke-EmulatorApi $servers[1] POST '/_emulator/faults' -Body @{ route = 'POST /api/chat'; kind = 'reset_before'; skip = 40; count = 100000 }
            $batch = Submit-OllamaRows -Count 300 -Prefix 'Dropped item' -BaseUri $servers.Url
            $done = $batch | Wait-IrisBatch -ThrottleLimit 4 -PollInterval $poll -Timeout 60
            $results = @($done | Get-IrisBatchResult)
        }
        AfterAll { $servers | Where-Object { $_ } | ForEach-Object { Stop-TestEmulator $_ } }

        It 'its requests are retried on the other server, and the batch completes' {
            $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
            $done.Succeeded | Should -Be 300
            $results.Count | Should -Be 300
            $results | ForEach-Object { $_.Status | Should -Be ([IrisBatch.ResultStatus]::Succeeded) }
            $faults = Invoke-EmulatorApi $servers[1] GET '/_emulator/faults'
            $faults.faults_injected | Should -BeGreaterThan 0 -Because 'the second server did drop connections'
        }

        It 'each request was executed exactly once over both servers' {
            $count = Get-OllamaCount $servers
            $count.PerServer[1] | Should -Be 40
            $count.Total | Should -Be 300
            $count.Duplicates | Should -Be 0
            $count.MaxPerPrompt | Should -Be 1
            $served = $results | Group-Object { ($_.RawResponse | ConvertFrom-Json).server.TrimEnd('/') } -AsHashTable -AsString
            $served[$servers[1].Url].Count | Should -Be 40
            $served[$servers[0].Url].Count | Should -Be 260
        }
    }

    Context 'it is down from the start, and the other one is given more than it takes at once' {
        BeforeAll {
            $live = Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '15', '--ollama-max-parallel', '2'
            # A server that refuses every connection: an emulator's address once it has stopped.
            $gone = Start-TestEmulator -ArgumentList '--ollama-only'
            $deadUrl = $gone.Url
            Stop-TestEmulator $gone
            $batch = Submit-OllamaRows -Count 300 -Prefix 'Detoured item' -BaseUri $live.Url, $deadUrl
            # -ThrottleLimit 8 on a server that takes 2: some calls are refused as busy, and a request refused there must
            # not then use up its attempts on the dead server (each of them answered at once with a refused connection).
            $done = $batch | Wait-IrisBatch -ThrottleLimit 8 -PollInterval $poll -Timeout 90
            $results = @($done | Get-IrisBatchResult)
        }
        AfterAll { if ($live) { Stop-TestEmulator $live } }

        It 'every request is answered by the live server, none fails for want of a server' {
            $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
            $failed = @($results | Where-Object Status -NE ([IrisBatch.ResultStatus]::Succeeded))
            @($failed | ForEach-Object { "$($_.CustomId): $($_.Error.Code) $($_.Error.Message)" }) | Should -BeNullOrEmpty
            $results.Count | Should -Be 300
            (Get-EmulatorStats $live).ollama_rejected | Should -BeGreaterThan 0 -Because 'the live server did refuse calls as busy'
            $count = Get-OllamaCount @($live)
            $count.Total | Should -Be 300
            $count.MaxPerPrompt | Should -Be 1
        }
    }

    Context 'it is stopped while a waiting process runs the batch' {
        BeforeAll {
            $servers = @(1, 2 | ForEach-Object { Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '30', '--ollama-max-parallel', '8' })
            $batch = Submit-OllamaRows -Count 400 -Prefix 'Orphaned item' -BaseUri $servers.Url
            $child = Start-Waiter -Id $batch.Id -ThrottleLimit 4
            try {
                $null = Wait-TestCondition -TimeoutSeconds 60 -IntervalMs 20 -Because 'the second server should answer some requests first' {
                    (Get-OllamaCount @($servers[1])).Total -ge 50 -or $child.Process.HasExited
                }
                Stop-TestEmulator $servers[1]
                $end = Stop-TestPwsh $child -TimeoutSeconds 90
            }
            catch { $null = Stop-TestPwsh $child -Kill; throw }
            $results = @(Get-IrisBatchResult -Id $batch.Id)
        }
        AfterAll { if ($servers) { Stop-TestEmulator $servers[0] } }

        It 'the waiting process finishes the batch on the remaining server' {
            $end.ExitCode | Should -Be 0 -Because $end.Output
            $end.Output | Should -Match 'STATUS=Completed'
            $results.Count | Should -Be 400
            $results | ForEach-Object { $_.Status | Should -Be ([IrisBatch.ResultStatus]::Succeeded) }
            @($results.CustomId | Sort-Object -Unique).Count | Should -Be 400
        }

        It 'the remaining server ran exactly the requests the stopped one did not answer' {
            $served = $results | Group-Object { ($_.RawResponse | ConvertFrom-Json).server.TrimEnd('/') } -AsHashTable -AsString
            $onStopped = if ($served[$servers[1].Url]) { $served[$servers[1].Url].Count } else { 0 }
            $onStopped | Should -BeGreaterOrEqual 50
            $survivor = Get-OllamaCount @($servers[0])
            $survivor.Duplicates | Should -Be 0
            $survivor.Total | Should -Be (400 - $onStopped)
        }
    }
}

Describe 'Ollama: no server of the batch can be reached' {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
        # An address that refuses every connection (an emulator's, once it has stopped); a server is started there later.
        $gone = Start-TestEmulator -ArgumentList '--ollama-only'
        $deadUrl = $gone.Url
        $port = ([uri] $deadUrl).Port
        Stop-TestEmulator $gone
        $batch = Submit-OllamaRows -Count 40 -Prefix 'Patient item' -BaseUri $deadUrl

        # A waiting process that writes each warning to a file the moment it is written, then the batch's status.
        $flag = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-ollama-warned-$([guid]::NewGuid().ToString('N').Substring(0, 8)).txt"
        $patient = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-ollama-patient-$([guid]::NewGuid().ToString('N').Substring(0, 8)).ps1"
        Set-Content $patient -Value @'
param($ModulePath, $Id, $Flag)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$b = Wait-IrisBatch -Id $Id -ThrottleLimit 4 -PollInterval 0.1 -Timeout 120 3>&1 | ForEach-Object {
    if ($_ -is [Management.Automation.WarningRecord]) { Add-Content $Flag $_.Message } else { $_ }
}
"STATUS=$($b.Status)"
'@
    }
    AfterAll {
        if ($child -and -not $child.Process.HasExited) { $null = Stop-TestPwsh $child -Kill }
        if ($server) { Stop-TestEmulator $server }
        Remove-Item $patient, $flag -ErrorAction Ignore
        Clear-TestEnvironment
    }

    It 'a wait that times out while the server is down leaves every row pending, with one warning naming the server' {
        $last = @($batch | Wait-IrisBatch -ThrottleLimit 4 -PollInterval $poll -Timeout 5 -WarningVariable wv -WarningAction SilentlyContinue -ErrorVariable ev -ErrorAction SilentlyContinue)
        $last.Count | Should -Be 1
        $last[0].Failed | Should -Be 0 -Because 'no request reached a server, so none has failed'
        $last[0].Succeeded | Should -Be 0
        $last[0].IsComplete | Should -BeFalse
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.WaitTimeout,*'
        $down = @($wv | Where-Object { "$_" -match 'can be reached' })
        $down.Count | Should -Be 1 -Because 'one warning says the servers are unreachable, not one per try'
        "$($down[0])" | Should -Match ([regex]::Escape($deadUrl))
        "$($down[0])" | Should -Match 'pending'
        (Wait-IrisBatch -Id $batch.Id -Timeout 0.3 -PollInterval $poll -ErrorAction SilentlyContinue -WarningAction SilentlyContinue).Failed | Should -Be 0
    }

    It 'a waiting process started while the server is down carries on when it comes up: each request runs once and succeeds' {
        $script:child = Start-TestPwsh -File $patient -ArgumentList @((Get-ModuleUnderTestPath), $batch.Id, $flag)
        # The warning's text, not the file alone: Add-Content makes the file before it writes the line (CI once read it empty).
        $null = Wait-TestCondition -TimeoutSeconds 60 -IntervalMs 20 -Because 'the waiting process should warn that no server can be reached' {
            $child.Process.HasExited -or "$(Get-Content -Raw $flag -ErrorAction SilentlyContinue)" -match 'can be reached'
        }
        $child.Process.HasExited | Should -BeFalse -Because 'the waiting process keeps waiting for a server'
        Get-Content -Raw $flag | Should -Match ([regex]::Escape($deadUrl))
        $script:server = Start-TestEmulator -ArgumentList '--ollama-only', '--port', $port, '--ollama-latency-ms', '5'
        $end = Stop-TestPwsh $child -TimeoutSeconds 90
        $end.ExitCode | Should -Be 0 -Because $end.Output
        $end.Output | Should -Match 'STATUS=Completed'
        @(Get-Content $flag | Where-Object { $_ -match 'can be reached' }).Count | Should -Be 1
        $results = @(Get-IrisBatchResult -Id $batch.Id)
        $results.Count | Should -Be 40
        @($results | Where-Object Status -NE ([IrisBatch.ResultStatus]::Succeeded) | ForEach-Object { "$($_.CustomId): $($_.Error.Code) $($_.Error.Message)" }) | Should -BeNullOrEmpty
        $count = Get-OllamaCount @($server)
        $count.Total | Should -Be 40
        $count.Duplicates | Should -Be 0
        $count.MaxPerPrompt | Should -Be 1
    }
}

Describe 'Ollama: Stop-IrisBatch while a process runs the batch' {
    BeforeAll {
        $server = Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '100', '--ollama-max-parallel', '4'
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
        $batch = Submit-OllamaRows -Count 200 -Prefix 'Stopped item' -BaseUri $server.Url
        $child = Start-Waiter -Id $batch.Id -ThrottleLimit 2
    }
    AfterAll {
        if ($child -and -not $child.Process.HasExited) { $null = Stop-TestPwsh $child -Kill }
        if ($server) { Stop-TestEmulator $server }
        Clear-TestEnvironment
    }

    It 'is Cancelling while the running process finishes what it has in flight' {
        $null = Wait-TestCondition -TimeoutSeconds 60 -IntervalMs 20 -Because 'some requests should have run' {
            (Get-OllamaCount @($server)).Total -ge 10 -or $child.Process.HasExited
        }
        $stopped = $batch | Stop-IrisBatch -PassThru -Confirm:$false
        $stopped.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelling)
        $stopped.IsComplete | Should -BeFalse
    }

    It 'the running process stops taking requests and its wait ends at Cancelled' {
        $script:end = Stop-TestPwsh $child -TimeoutSeconds 30
        $script:end.ExitCode | Should -Be 0 -Because $script:end.Output
        $script:end.Output | Should -Match 'STATUS=Cancelled'
        $final = Wait-IrisBatch -Id $batch.Id -PollInterval $poll -Timeout 10
        $final.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled)
        $final.IsComplete | Should -BeTrue
    }

    It 'the rest become Cancelled, and nothing runs after the stop' {
        $results = @(Get-IrisBatchResult -Id $batch.Id)
        $results.Count | Should -Be 200
        @($results.CustomId | Sort-Object -Unique).Count | Should -Be 200
        $succeeded = @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Succeeded))
        $cancelled = @($results | Where-Object Status -EQ ([IrisBatch.ResultStatus]::Cancelled))
        ($succeeded.Count + $cancelled.Count) | Should -Be 200
        $cancelled.Count | Should -BeGreaterThan 100 -Because 'the batch was stopped early'
        $count = Get-OllamaCount @($server)
        $count.Total | Should -Be $succeeded.Count -Because 'the server executed exactly the requests that have an answer'
        $null = Wait-TestCondition -Because 'the server finishes the calls in flight' { (Get-EmulatorStats $server).ollama_in_flight -eq 0 }
        (Get-OllamaCount @($server)).Total | Should -Be $count.Total
    }

    It 'a later wait does not run the cancelled requests' {
        $before = (Get-OllamaCount @($server)).Total
        $again = Wait-IrisBatch -Id $batch.Id -PollInterval $poll -Timeout 5
        $again.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled)
        (Get-OllamaCount @($server)).Total | Should -Be $before
    }
}

Describe 'Ollama: -ThrottleLimit bounds the requests in flight on each server' {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable ''
        # Each server refuses with 503 'server busy' whatever arrives beyond 3 requests in flight.
        $servers = @(1, 2 | ForEach-Object { Start-TestEmulator -ArgumentList '--ollama-only', '--ollama-latency-ms', '15', '--ollama-max-parallel', '3' })
    }
    AfterAll {
        $servers | Where-Object { $_ } | ForEach-Object { Stop-TestEmulator $_ }
        Clear-TestEnvironment
    }

    It '-ThrottleLimit 3: never more than 3 at once on a server (none refused)' {
        $done = Submit-OllamaRows -Count 300 -Prefix 'Bounded item' -BaseUri $servers.Url | Wait-IrisBatch -ThrottleLimit 3 -PollInterval $poll -Timeout 60
        $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        $done.Succeeded | Should -Be 300
        foreach ($s in $servers) {
            $st = Get-EmulatorStats $s
            $st.ollama_rejected | Should -Be 0 -Because 'the client never had more requests in flight than the server allows'
            $st.ollama_requests | Should -BeGreaterThan 0
        }
        (Get-OllamaCount $servers).Total | Should -Be 300
    }

    It '-ThrottleLimit 6 on servers that take 3: the refused requests are tried again and each runs once' {
        $before = Get-OllamaCount $servers
        $done = Submit-OllamaRows -Count 300 -Prefix 'Crowded item' -BaseUri $servers.Url | Wait-IrisBatch -ThrottleLimit 6 -MaximumRetryCount 20 -PollInterval $poll -Timeout 60
        $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        $done.Succeeded | Should -Be 300
        $rejected = ($servers | ForEach-Object { (Get-EmulatorStats $_).ollama_rejected } | Measure-Object -Sum).Sum
        $rejected | Should -BeGreaterThan 0 -Because 'six at once is more than the servers take, so the limit above was really tested'
        Write-Host "    refused as busy: $rejected of $(300 + $rejected) calls"
        $rejected | Should -BeLessThan 100 -Because 'a server that refuses as busy is given fewer calls at once, not the same six again'
        $after = Get-OllamaCount $servers
        ($after.Total - $before.Total) | Should -Be 300
        $after.Duplicates | Should -Be 0
        $after.MaxPerPrompt | Should -Be 1
    }
}
