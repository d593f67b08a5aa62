# Durability, resilience and security (issue 3, "Tests that must exist" 1 to 6), against the published module and the
# emulator's fault injection (src/IrisBatch.Emulator/README.md). Timings are tiny and retries start at 20 ms so the
# whole file runs in a few minutes; where slowness is injected the cmdlets get -TimeoutSec 1.

BeforeDiscovery {
    # Test 1: every fault on every route. 'list' is only called to look for an upload or batch whose answer was lost,
    # so its runs also lose the create's answer; 'cancel' runs stop the batch instead of waiting for it.
    $faults = @(
        @{ Fault = '429 with Retry-After'; Rule = @{ kind = 'status'; status_code = 429; retry_after = 1; retry_after_ms = 30 } }
        @{ Fault = '500'; Rule = @{ kind = 'status'; status_code = 500 } }
        @{ Fault = '502'; Rule = @{ kind = 'status'; status_code = 502 } }
        @{ Fault = '503'; Rule = @{ kind = 'status'; status_code = 503 } }
        @{ Fault = 'reset before acting'; Rule = @{ kind = 'reset_before' } }
        @{ Fault = 'reset after acting'; Rule = @{ kind = 'reset_after' } }
        @{ Fault = 'slower than the timeout, before acting'; Rule = @{ kind = 'slow'; delay_ms = 2500 }; Slow = $true }
        @{ Fault = 'slower than the timeout, after acting'; Rule = @{ kind = 'slow'; delay_ms = 2500; after = $true }; Slow = $true }
        @{ Fault = 'truncated body'; Rule = @{ kind = 'truncate' } }
    )
    $matrix = foreach ($route in 'upload', 'create', 'get', 'list', 'cancel', 'download') {
        foreach ($f in $faults) { @{ Route = $route; Fault = $f.Fault; Rule = $f.Rule; Slow = [bool] $f['Slow'] } }
    }
    $matrix = @($matrix) + @{ Route = 'download'; Fault = 'malformed result line'; Rule = @{ kind = 'malformed_line'; line = 7 }; Slow = $false }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $modulePath = (Resolve-Path (Get-ModuleUnderTestPath)).Path
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10
    $url = $emu.BaseUri
    $null = Initialize-TestEnvironment
    $savedRetry = $env:IRISBATCH_RETRY_BASE_DELAY_MS
    $env:IRISBATCH_RETRY_BASE_DELAY_MS = '20'
    $poll = 0.05

    function New-Rows([int] $Count = 1000, [string] $Tag = 'row') {
        # Rows never seen before, so the journal does not hand back an earlier batch of the same requests.
        $prefix = "$Tag $([guid]::NewGuid().ToString('N').Substring(0, 8))"
        New-TestRows -Count $Count -Prefix $prefix
    }

    # Child pwsh processes (same version as this one), with stdout and stderr collected.
    function Start-ChildPwsh([string] $Script, [string[]] $ArgumentList = @(), [hashtable] $Environment = @{}) {
        $self = [Environment]::ProcessPath
        [string[]] $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { $self, (Join-Path $PSHOME 'pwsh.dll') } else { , $self }
        $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $Script) + $ArgumentList) {
            $psi.ArgumentList.Add([string] $a)
        }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        foreach ($kv in $Environment.GetEnumerator()) {
            if ($null -eq $kv.Value) { $null = $psi.Environment.Remove($kv.Key) } else { $psi.Environment[$kv.Key] = [string] $kv.Value }
        }
        $p = [Diagnostics.Process]::Start($psi)
        [pscustomobject]@{ Process = $p; Stdout = $p.StandardOutput.ReadToEndAsync(); Stderr = $p.StandardError.ReadToEndAsync() }
    }

    function Wait-ChildPwsh([object] $Child, [int] $TimeoutSec = 120) {
        $p = $Child.Process
        if (-not $p.WaitForExit($TimeoutSec * 1000)) {
            $p.Kill($true)
            $p.WaitForExit()
            throw "The child pwsh did not finish within $TimeoutSec s. stdout: $($Child.Stdout.Result) stderr: $($Child.Stderr.Result)"
        }
        $p.WaitForExit()
        $r = [pscustomobject]@{ ExitCode = $p.ExitCode; Stdout = $Child.Stdout.Result; Stderr = $Child.Stderr.Result }
        $p.Dispose()
        $r
    }

    function Stop-ChildPwsh([object] $Child) {
        $p = $Child.Process
        if (-not $p.HasExited) { $p.Kill($true) }
        $p.WaitForExit()
        $p.Dispose()
    }

    # Submits -Count rows named after -Prefix (the same prefix gives the same requests), then waits and collects the
    # results unless -SubmitOnly; writes a JSON summary to -OutPath.
    $submitScript = Join-Path $TestDrive 'submit.ps1'
    Set-Content -Path $submitScript -Value @'
param([string] $ModulePath, [string] $BaseUri, [string] $Prefix, [int] $Count, [string] $OutPath, [int] $Rounds = 1, [switch] $Pending)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$summary = [ordered]@{ rounds = @(); warnings = @() }
for ($round = 1; $round -le $Rounds; $round++) {
    $rows = 1..$Count | ForEach-Object { [pscustomobject]@{ sku = "sku-$_"; name = "$Prefix $round $_" } }
    $batch = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
        Submit-IrisBatch -BaseUri $BaseUri -WarningVariable +warned
    $done = $batch | Wait-IrisBatch -PollInterval 0.05 -Timeout 120
    $results = @($done | Get-IrisBatchResult)
    if ($Pending) { $null = Get-IrisBatchStatus -Pending }
    $summary.rounds += [ordered]@{
        batchId   = $batch.Id
        status    = "$($done.Status)"
        count     = $results.Count
        distinct  = @($results.CustomId | Sort-Object -Unique).Count
        succeeded = @($results | Where-Object { "$($_.Status)" -eq 'Succeeded' }).Count
        rightText = @($results | Where-Object { $_.Output -ceq "Echo: Describe $($_.Input.name)." }).Count
    }
}
$summary.warnings = @($warned | ForEach-Object { "$_" })
$summary | ConvertTo-Json -Depth 5 | Set-Content -Path $OutPath
'@
}

AfterAll {
    $env:IRISBATCH_RETRY_BASE_DELAY_MS = $savedRetry
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe 'Test 1: every fault on every route during the pipeline of 1,000 rows' {
    It '<Fault> on <Route>: one result per custom id, one upload, one batch' -ForEach $matrix {
        Invoke-FaultMatrixCase -Emulator $emu -Route $Route -Rule $Rule -Slow $Slow -OneUpload -Submit {
            param($net)
            New-Rows -Tag "$Route $($Rule.kind)" | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
                Submit-IrisBatch -BaseUri $url @net -ErrorAction Stop
        }
    }
}

Describe 'Test 1 (chaos): seeded random faults on every route at once' {
    It 'random 503s, lost answers and cut bodies everywhere: one result per custom id, one upload, one batch' {
        Reset-Emulator $emu
        $null = Add-EmulatorFault $emu -Route '*' -Kind status -StatusCode 503 -Probability 0.15 -Seed 11
        $null = Add-EmulatorFault $emu -Route '*' -Kind reset_after -Probability 0.1 -Seed 12
        $null = Add-EmulatorFault $emu -Route '*' -Kind truncate -Probability 0.1 -Seed 13
        $results = @(New-Rows -Tag 'chaos' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
                Submit-IrisBatch -BaseUri $url -ErrorAction Stop | Wait-IrisBatch -PollInterval $poll -Timeout 60 -ErrorAction Stop |
                Get-IrisBatchResult -ErrorAction Stop)
        Assert-OneResultPerRequest $results
        @($results | Where-Object { "$($_.Status)" -ne 'Succeeded' }) | Should -BeNullOrEmpty
        $stats = Get-EmulatorStats $emu
        $stats.uploads | Should -Be 1
        $stats.batches_created | Should -Be 1
        $stats.faults_injected | Should -BeGreaterThan 0
    }
}

Describe 'Test 1 (lookups fail too): a lost answer whose lookup also fails is not sent again blindly' {
    It 'the <Route> happened, its answer was lost, and listing fails on every attempt: still one <Route>' -ForEach @(
        @{ Route = 'upload'; Counter = 'uploads' }
        @{ Route = 'create'; Counter = 'batches_created' }
    ) {
        Reset-Emulator $emu
        $null = Add-EmulatorFault $emu -Route $Route -Kind reset_after
        # One retry per call: the lookup after the lost answer fails twice, i.e. for good.
        $null = Add-EmulatorFault $emu -Route list -Kind status -StatusCode 503 -Count 2
        $requests = @(New-Rows -Count 50 -Tag "lookup $Route" | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.')

        $batch = $requests | Submit-IrisBatch -BaseUri $url -MaximumRetryCount 1 -ErrorAction SilentlyContinue -ErrorVariable failed
        if (-not $batch) {
            # Failing is fine (the journal knows where it stopped); the same Submit again must then finish the job.
            $batch = $requests | Submit-IrisBatch -BaseUri $url -ErrorAction Stop
        }
        $stats = Get-EmulatorStats $emu
        $stats.$Counter | Should -Be 1 -Because "a $Route whose answer was lost must not be sent again while the lookup cannot tell whether it happened"
        $results = @($batch | Wait-IrisBatch -PollInterval $poll -Timeout 60 | Get-IrisBatchResult)
        Assert-OneResultPerRequest $results 50
    }
}

Describe 'Test 1 (full metadata): a lost create whose batch has no room for IrisBatch''s key' {
    It 'is found by its input file: one batch, all results' {
        # -Metadata with 16 pairs fills OpenAI's limit, so the batch carries no irisbatch_key: the look-up after the
        # lost answer must still recognise it (made from this submission's own upload) rather than create a second one.
        Reset-Emulator $emu
        $null = Add-EmulatorFault $emu -Route create -Kind reset_after
        $md = @{}
        1..16 | ForEach-Object { $md["k$_"] = "v$_" }
        $requests = @(New-Rows -Count 30 -Tag 'full metadata' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.')
        $batch = $requests | Submit-IrisBatch -BaseUri $url -Metadata $md -ErrorAction Stop
        (Get-EmulatorStats $emu).batches_created | Should -Be 1
        @($batch).Count | Should -Be 1
        $batch.Metadata.Count | Should -Be 16
        $results = @($batch | Wait-IrisBatch -PollInterval $poll -Timeout 60 | Get-IrisBatchResult)
        Assert-OneResultPerRequest $results 30
    }
}

Describe 'Test 1 (lost cancel): a cancel whose answer was lost' {
    It 'is a success when the repeated cancel finds the batch already cancelled' {
        $savedHome = $env:IRISBATCH_HOME
        $env:IRISBATCH_HOME = Join-Path $TestDrive 'lost-cancel-journal'   # its uncollected batch stays out of the shared journal
        try {
            Reset-Emulator $emu
            # The cancel takes effect at once, so the repeated call finds the batch cancelled, not cancelling.
            $null = Set-EmulatorConfig $emu @{ in_progress_ms = 60000; cancelling_ms = 0 }
            $batch = New-Rows -Count 20 -Tag 'lost cancel' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' | Submit-IrisBatch -BaseUri $url
            $null = Add-EmulatorFault $emu -Route cancel -Kind reset_after

            $stopped = $batch | Stop-IrisBatch -PassThru -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
            (Get-EmulatorStats $emu).cancels | Should -Be 1
            ($batch | Get-IrisBatchStatus).Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled)
            @($failed | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" }) | Should -BeNullOrEmpty -Because 'the batch was cancelled as asked'
            $stopped.Status | Should -BeIn @([IrisBatch.BatchStatus]::Cancelling, [IrisBatch.BatchStatus]::Cancelled)
        }
        finally { $env:IRISBATCH_HOME = $savedHome }
    }
}

Describe 'Test 2: a Submit-IrisBatch process killed at each journal state, then run again' {
    It 'killed <When>: the same pipeline again makes one batch, uploads once and loses nothing' -ForEach @(
        @{ When = 'before the upload (upload held)'; Route = 'upload'; Rule = @{ kind = 'slow'; delay_ms = 60000 }; State = 'Spooled'; Uploads = 0; Created = 0 }
        @{ When = 'after the upload (create held)'; Route = 'create'; Rule = @{ kind = 'slow'; delay_ms = 60000 }; State = 'Uploaded'; Uploads = 1; Created = 0 }
        @{ When = 'after the create (its answer held)'; Route = 'create'; Rule = @{ kind = 'slow'; delay_ms = 60000; after = $true }; State = 'Uploaded'; Uploads = 1; Created = 1 }
        @{ When = 'while waiting (batch created)'; Route = 'get'; Rule = @{ kind = 'slow'; delay_ms = 60000 }; State = 'Created'; Uploads = 1; Created = 1 }
    ) {
        Reset-Emulator $emu
        $savedHome = $env:IRISBATCH_HOME
        $env:IRISBATCH_HOME = Join-Path $TestDrive "kill-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        try {
            $prefix = "Kill $([guid]::NewGuid().ToString('N').Substring(0, 8))"
            $out = Join-Path $TestDrive "kill-$([guid]::NewGuid().ToString('N')).json"
            [string[]] $argv = '-ModulePath', $modulePath, '-BaseUri', $url, '-Prefix', $prefix, '-Count', 1000, '-OutPath', $out
            $null = Add-EmulatorFault $emu (@{ route = $Route } + $Rule)

            $first = Start-ChildPwsh $submitScript $argv
            try { $null = Wait-EmulatorRouteCall $emu $Route -TimeoutSec 90 -Process $first.Process }
            finally { Stop-ChildPwsh $first }
            Clear-EmulatorFault $emu

            $stats = Get-EmulatorStats $emu
            $stats.uploads | Should -Be $Uploads
            $stats.batches_created | Should -Be $Created
            $entries = @(Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'submissions') -Filter entry.json -Recurse)
            $entries.Count | Should -Be 1
            (Get-Content -Raw $entries[0].FullName | ConvertFrom-Json).State | Should -Be $State

            $second = Wait-ChildPwsh (Start-ChildPwsh $submitScript $argv) -TimeoutSec 120
            $second.ExitCode | Should -Be 0 -Because "the second run must finish: $($second.Stderr)"
            $summary = Get-Content -Raw $out | ConvertFrom-Json
            $summary.rounds[0].count | Should -Be 1000
            $summary.rounds[0].distinct | Should -Be 1000
            $summary.rounds[0].rightText | Should -Be 1000
            ($summary.warnings -join "`n") | Should -Match 'interrupted|already submitted' -Because 'the second run picks up the journal entry'

            $stats = Get-EmulatorStats $emu
            $stats.uploads | Should -Be 1
            $stats.batches_created | Should -Be 1
        }
        finally { $env:IRISBATCH_HOME = $savedHome }
    }
}

Describe 'Test 3: a new pwsh process with only the batch id' {
    BeforeAll {
        Reset-Emulator $emu
        $done = New-Rows -Count 100 -Tag 'by id done' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' | Submit-IrisBatch -BaseUri $url
        $null = Set-EmulatorConfig $emu @{ in_progress_ms = 60000; cancelling_ms = 200 }
        $running = New-Rows -Count 100 -Tag 'by id running' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' | Submit-IrisBatch -BaseUri $url
        $null = Set-EmulatorConfig $emu @{ in_progress_ms = 50; cancelling_ms = 10 }

        $script = Join-Path $TestDrive 'by-id.ps1'
        Set-Content -Path $script -Value @'
param([string] $ModulePath, [string] $DoneId, [string] $RunningId, [string] $OutPath)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$status = Get-IrisBatchStatus -Id $DoneId
$waited = Wait-IrisBatch -Id $DoneId -PollInterval 0.05 -Timeout 60
$results = @(Get-IrisBatchResult -Id $DoneId)
$stopped = Stop-IrisBatch -Id $RunningId -PassThru -Wait -PollInterval 0.05 -Timeout 60 -Confirm:$false
$partial = @(Get-IrisBatchResult -Id $RunningId)
[ordered]@{
    statusId = $status.Id; statusBaseUri = $status.BaseUri
    waited = "$($waited.Status)"
    count = $results.Count; distinct = @($results.CustomId | Sort-Object -Unique).Count
    rightText = @($results | Where-Object { $_.Output -ceq "Echo: Describe $($_.Input.name)." }).Count
    stopped = "$($stopped.Status)"
    partial = $partial.Count; partialStatuses = @($partial | ForEach-Object { "$($_.Status)" } | Sort-Object -Unique)
} | ConvertTo-Json | Set-Content -Path $OutPath
'@
        $out = Join-Path $TestDrive 'by-id.json'
        # Only the id: no -BaseUri, no $env:OPENAI_BASE_URL; the key comes from the environment.
        $child = Wait-ChildPwsh (Start-ChildPwsh $script @('-ModulePath', $modulePath, '-DoneId', $done.Id, '-RunningId', $running.Id, '-OutPath', $out) @{ OPENAI_BASE_URL = $null }) -TimeoutSec 120
        $summary = if (Test-Path $out) { Get-Content -Raw $out | ConvertFrom-Json }
    }

    It 'runs to the end' {
        $child.ExitCode | Should -Be 0 -Because $child.Stderr
    }

    It 'Get-IrisBatchStatus finds the batch and where it lives from the journal' {
        $summary.statusId | Should -Be $done.Id
        $summary.statusBaseUri | Should -Be $url
    }

    It 'Wait-IrisBatch and Get-IrisBatchResult give every result' {
        $summary.waited | Should -Be 'Completed'
        $summary.count | Should -Be 100
        $summary.distinct | Should -Be 100
        $summary.rightText | Should -Be 100
    }

    It 'Stop-IrisBatch cancels the running batch' {
        $summary.stopped | Should -Be 'Cancelled'
        (Get-EmulatorStats $emu).cancels | Should -Be 1
        $summary.partial | Should -Be 100
        @($summary.partialStatuses | Where-Object { $_ -notin 'Succeeded', 'Cancelled' }) | Should -BeNullOrEmpty
    }
}

Describe 'Test 4: two processes submitting and waiting at once against one journal' {
    BeforeAll {
        Reset-Emulator $emu
        $journal = Join-Path $TestDrive 'shared-journal'
        $outs = 1, 2 | ForEach-Object { Join-Path $TestDrive "concurrent-$_.json" }
        $children = foreach ($i in 1, 2) {
            Start-ChildPwsh $submitScript @('-ModulePath', $modulePath, '-BaseUri', $url, '-Prefix', "Process $i $([guid]::NewGuid().ToString('N'))",
                '-Count', 300, '-Rounds', 3, '-Pending', '-OutPath', $outs[$i - 1]) @{ IRISBATCH_HOME = $journal }
        }
        $ended = foreach ($c in $children) { Wait-ChildPwsh $c -TimeoutSec 150 }
    }

    It 'both processes complete every round with every result' {
        foreach ($i in 0, 1) {
            $ended[$i].ExitCode | Should -Be 0 -Because $ended[$i].Stderr
            $summary = Get-Content -Raw $outs[$i] | ConvertFrom-Json
            $summary.rounds.Count | Should -Be 3
            foreach ($r in $summary.rounds) {
                $r.status | Should -Be 'Completed'
                $r.count | Should -Be 300
                $r.distinct | Should -Be 300
                $r.rightText | Should -Be 300
            }
        }
        (Get-EmulatorStats $emu).batches_created | Should -Be 6
    }

    It 'the journal is intact: six entries that parse, each created and findable by its batch id' {
        $entries = @(Get-ChildItem (Join-Path $journal 'submissions') -Directory | ForEach-Object { Join-Path $_.FullName 'entry.json' })
        $entries.Count | Should -Be 6
        $ids = foreach ($path in $entries) {
            $path | Should -Exist
            $e = Get-Content -Raw $path | ConvertFrom-Json -ErrorAction Stop
            $e.State | Should -Be 'Created'
            $e.ResultsDownloaded | Should -BeTrue
            Get-Content -Raw (Join-Path $journal "ids/$($e.BatchId)") | Should -Be $e.SubmissionId
            $e.BatchId
        }
        @($ids | Sort-Object -Unique).Count | Should -Be 6
        @(Get-ChildItem $journal -Recurse -File -Filter '*.tmp') | Should -BeNullOrEmpty -Because 'no temporary file is left behind'
    }

    It 'a status refresh in one process does not undo the results another process collected meanwhile' {
        # Process 1 (a child): Get-IrisBatchStatus -Pending reads the entry, then its status call is held by a slow
        # fault. Process 2 (this one) collects the results meanwhile. Process 1 then records the status it got.
        # A journal of its own: -Pending refreshes every uncollected batch in it.
        $savedHome = $env:IRISBATCH_HOME
        $env:IRISBATCH_HOME = Join-Path $TestDrive 'refresh-race-journal'
        try {
            Reset-Emulator $emu
            $requests = @(New-Rows -Count 20 -Tag 'refresh race' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.')
            $batch = $requests | Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll -Timeout 60
            $pendingScript = Join-Path $TestDrive 'pending.ps1'
            Set-Content -Path $pendingScript -Value "param([string] `$ModulePath); `$ErrorActionPreference = 'Stop'; Import-Module `$ModulePath; `$null = Get-IrisBatchStatus -Pending"
            $null = Add-EmulatorFault $emu -Route get -Kind slow -DelayMs 3000
            $gets = Get-EmulatorRouteCall $emu get
            $refresher = Start-ChildPwsh $pendingScript @('-ModulePath', $modulePath)
            try {
                $null = Wait-EmulatorRouteCall $emu get -Count ($gets + 1) -TimeoutSec 60 -Process $refresher.Process
                $results = @($batch | Get-IrisBatchResult -ErrorAction Stop)
            }
            finally { $ended = Wait-ChildPwsh $refresher -TimeoutSec 60 }
            $ended.ExitCode | Should -Be 0 -Because $ended.Stderr
            $results.Count | Should -Be 20

            $entry = Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'submissions') -Filter entry.json -Recurse |
                ForEach-Object { Get-Content -Raw $_.FullName | ConvertFrom-Json } | Where-Object BatchId -EQ $batch.Id
            $again = @($requests | Submit-IrisBatch -BaseUri $url -WarningAction SilentlyContinue)
            $problems = @(
                if (-not $entry.ResultsCollected) { 'the entry says its results were never collected (the refresh wrote back what it had read before)' }
                if (@(Get-IrisBatchStatus -Pending | Where-Object Id -EQ $batch.Id)) { 'Get-IrisBatchStatus -Pending still lists the collected batch' }
                if ($again[0].Id -eq $batch.Id) { 'the same Submit-IrisBatch again hands back the collected batch instead of submitting the requests anew' }
            )
            $problems | Should -BeNullOrEmpty
        }
        finally { $env:IRISBATCH_HOME = $savedHome }
    }

    It 'journal files are readable by the user only (0600, folders 0700)' -Skip:$IsWindows {
        $open = foreach ($item in Get-ChildItem $journal -Recurse) {
            # nothing for group or others
            if (([int] $item.UnixFileMode -band 0x3F) -ne 0) { "$($item.FullName) $($item.UnixFileMode)" }
        }
        $open | Should -BeNullOrEmpty
    }
}

Describe 'Test 4 (same job twice): two processes submitting the same requests at once' {
    It 'make one batch: the second waits for the first and emits its batch, with a warning' {
        # Two scheduled tasks running the same job overlap: the second starts while the first is still uploading.
        Reset-Emulator $emu
        $journal = Join-Path $TestDrive 'same-job-journal'
        $prefix = "Same job $([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $outs = 1, 2 | ForEach-Object { Join-Path $TestDrive "same-job-$_.json" }
        [string[]] $argv = '-ModulePath', $modulePath, '-BaseUri', $url, '-Prefix', $prefix, '-Count', 200
        $null = Add-EmulatorFault $emu -Route upload -Kind slow -DelayMs 15000
        $first = Start-ChildPwsh $submitScript ($argv + '-OutPath', $outs[0]) @{ IRISBATCH_HOME = $journal }
        $ended = $null
        try {
            $null = Wait-EmulatorRouteCall $emu upload -TimeoutSec 90 -Process $first.Process
            $second = Start-ChildPwsh $submitScript ($argv + '-OutPath', $outs[1]) @{ IRISBATCH_HOME = $journal }
            $ended = @((Wait-ChildPwsh $first -TimeoutSec 150), (Wait-ChildPwsh $second -TimeoutSec 150))
        }
        finally { if (-not $ended) { Stop-ChildPwsh $first } }

        foreach ($e in $ended) { $e.ExitCode | Should -Be 0 -Because $e.Stderr }
        $stats = Get-EmulatorStats $emu
        $stats.uploads | Should -Be 1 -Because 'the second process must not upload the same requests again'
        $stats.batches_created | Should -Be 1 -Because 'the same requests must not be paid for twice'
        $summaries = $outs | ForEach-Object { Get-Content -Raw $_ | ConvertFrom-Json }
        $summaries[1].rounds[0].batchId | Should -Be $summaries[0].rounds[0].batchId
        ($summaries[1].warnings -join "`n") | Should -Match 'Another process is submitting these same 200 requests'
        ($summaries[1].warnings -join "`n") | Should -Match 'already submitted as batch'
        foreach ($s in $summaries) { $s.rounds[0].rightText | Should -Be 200 }
    }
}

Describe 'Test 5: a canary key through every cmdlet with -Verbose -Debug' {
    BeforeAll {
        $canary = "sk-canary-$([guid]::NewGuid().ToString('N'))"
        $canaryEmu = Start-TestEmulator -ApiKey $canary -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10
        $canaryHome = Join-Path $TestDrive 'canary-home'
        $canaryTemp = Join-Path $TestDrive 'canary-temp'
        $null = New-Item -ItemType Directory $canaryHome, $canaryTemp
        $capture = Join-Path $TestDrive 'canary-streams.txt'

        # Retries, lost answers and a cut download on the way, so their messages are written too.
        $null = Add-EmulatorFault $canaryEmu -Route get -Kind status -StatusCode 500 -Count 2
        $null = Add-EmulatorFault $canaryEmu -Route create -Kind reset_after
        $null = Add-EmulatorFault $canaryEmu -Route download -Kind truncate
        $null = Add-EmulatorFault $canaryEmu -Route list -Kind status -StatusCode 429 -RetryAfterMs 10 -Skip 1

        $script = Join-Path $TestDrive 'canary.ps1'
        Set-Content -Path $script -Value @'
param([string] $ModulePath, [string] $BaseUri, [string] $ControlUri, [string] $Capture)
$ErrorActionPreference = 'Continue'
$ProgressPreference = 'Continue'
Import-Module $ModulePath
$canary = $env:OPENAI_API_KEY
$common = @{ Verbose = $true; Debug = $true }
function Show($o) { $o; $o | Format-List * -Force | Out-String; $o | ConvertTo-Json -Depth 6 -WarningAction SilentlyContinue }
$all = & {
    $rows = 1..20 | ForEach-Object { [pscustomobject]@{ sku = "sku-$_"; name = "Canary $_" } }
    $requests = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' @common)
    Show $requests[0]
    $b = $requests | Submit-IrisBatch -BaseUri $BaseUri @common                      # key from the environment
    Show $b
    $requests | Submit-IrisBatch -BaseUri $BaseUri @common                            # the same again: the journal's batch, with a warning
    $requests | Submit-IrisBatch -BaseUri $BaseUri -WhatIf -Force @common
    $env:OPENAI_API_KEY = $null
    $plain = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {name}.' |
        Submit-IrisBatch -BaseUri $BaseUri -ApiKey $canary @common                    # a plain string, converted
    Show $plain
    $env:OPENAI_API_KEY = $canary
    Show (Get-IrisBatchStatus -Id $b.Id @common)
    Show (Get-IrisBatchStatus -BaseUri $BaseUri -First 5 @common)
    Show (Get-IrisBatchStatus -Pending @common)
    Show ($b | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 @common)
    $results = @($b | Get-IrisBatchResult @common)
    Show $results[0]
    $results | Export-Csv -Path (Join-Path ([IO.Path]::GetTempPath()) 'results.csv') -NoTypeInformation
    $null = Get-IrisBatchResult -Id $b.Id -Refresh -IncludeInput @common
    $plain | Wait-IrisBatch -PollInterval 0.05 -Timeout 60 @common | Get-IrisBatchResult -ApiKey $canary @common | Select-Object -First 1
    Invoke-RestMethod -Method Post -Uri "$ControlUri/_emulator/config" -ContentType 'application/json' -Body '{"in_progress_ms":60000}' | Out-Null
    $slow = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Stop {name}.' | Submit-IrisBatch -BaseUri $BaseUri @common
    Show ($slow | Stop-IrisBatch -PassThru -Wait -PollInterval 0.05 -Timeout 60 -Confirm:$false @common)
    # Errors: unknown id, bad id, insecure endpoint, quota.
    Get-IrisBatchStatus -Id batch_doesnotexist -BaseUri $BaseUri @common
    Get-IrisBatchStatus -Id '../../x' @common
    try { $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'X {name}' | Submit-IrisBatch -BaseUri 'http://example.invalid/v1' -ApiKey $canary @common } catch { $_ }
    try { Get-IrisBatchStatus -Id batch_x -BaseUri 'http://example.invalid/v1' -ApiKey $canary @common } catch { $_ }
    Invoke-RestMethod -Method Post -Uri "$ControlUri/_emulator/faults" -ContentType 'application/json' -Body '{"route":"create","kind":"quota"}' | Out-Null
    try { $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Quota {name}' | Submit-IrisBatch -BaseUri $BaseUri -ApiKey $canary @common } catch { $_ }
    Invoke-RestMethod -Method Post -Uri "$ControlUri/_emulator/faults" -ContentType 'application/json' -Body '{"route":"get","kind":"status","status_code":503,"count":50}' | Out-Null
    try { Get-IrisBatchStatus -Id $b.Id -MaximumRetryCount 1 -ApiKey $canary @common } catch { $_ }
} *>&1
$text = [Text.StringBuilder]::new()
foreach ($item in $all) {
    $null = $text.AppendLine(($item | Out-String))
    if ($item -is [Management.Automation.ErrorRecord]) {
        $null = $text.AppendLine(($item | Format-List * -Force | Out-String))
        $null = $text.AppendLine($item.Exception.ToString())
        $null = $text.AppendLine(($item.Exception | Format-List * -Force | Out-String))
        $null = $text.AppendLine("$($item.TargetObject)")
    }
    elseif ($item -is [Management.Automation.InformationalRecord] -or $item -is [Management.Automation.InformationRecord]) {
        $null = $text.AppendLine(($item | Format-List * -Force | Out-String))
    }
}
foreach ($e in $Error) {
    $null = $text.AppendLine(($e | Format-List * -Force | Out-String))
    $ex = $e.Exception
    while ($ex) { $null = $text.AppendLine(($ex | Format-List * -Force | Out-String)); $ex = $ex.InnerException }
}
[IO.File]::WriteAllText($Capture, $text.ToString())
"items: $($all.Count); errors: $($Error.Count)"
'@
        $child = Wait-ChildPwsh (Start-ChildPwsh $script @('-ModulePath', $modulePath, '-BaseUri', $canaryEmu.BaseUri, '-ControlUri', $canaryEmu.Url, '-Capture', $capture) @{
                OPENAI_API_KEY = $canary; IRISBATCH_HOME = $canaryHome; TMPDIR = $canaryTemp; TMP = $canaryTemp; TEMP = $canaryTemp
            }) -TimeoutSec 150
        $captured = if (Test-Path $capture) { Get-Content -Raw $capture } else { '' }

        function Find-Canary([string] $Path, [byte[]] $Bytes) {
            # Latin-1 maps each byte to one char, so a byte search becomes an ordinal string search. The key is looked
            # for as UTF-8 (and its random part alone), UTF-16 and base64: a header or a serialized secret shows one of them.
            $latin1 = [Text.Encoding]::Latin1
            $needles = [Collections.Generic.List[string]]::new()
            $needles.Add($canary)
            $needles.Add($canary.Substring('sk-canary-'.Length))
            $needles.Add($latin1.GetString([Text.Encoding]::Unicode.GetBytes($canary)))
            $needles.Add([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($canary)))
            $haystack = $latin1.GetString($Bytes)
            foreach ($n in $needles) {
                if ($haystack.IndexOf($n, [StringComparison]::Ordinal) -ge 0) { return $Path }
            }
        }
    }

    AfterAll {
        if ($canaryEmu) { Stop-TestEmulator $canaryEmu }
    }

    It 'the run went through every cmdlet, the faults and the errors' {
        $child.ExitCode | Should -Be 0 -Because $child.Stderr
        $stats = Get-EmulatorStats $canaryEmu
        $stats.batches_created | Should -Be 3
        $stats.cancels | Should -Be 1
        $stats.faults_injected | Should -BeGreaterOrEqual 6
        $captured | Should -Match 'VERBOSE|Retry' -Because 'the verbose stream was captured'
        $captured | Should -Match 'IrisBatch\.InvalidId'
        $captured | Should -Match 'IrisBatch\.InsecureEndpoint'
        $captured | Should -Match 'IrisBatch\.QuotaExceeded'
        $captured | Should -Match 'IrisBatch\.NotFound'
        @(Get-ChildItem $canaryHome -Recurse -File).Count | Should -BeGreaterThan 5
        # The search itself finds the key where it is.
        Find-Canary 'control' ([Text.Encoding]::UTF8.GetBytes("x $canary y")) | Should -Be 'control'
        Find-Canary 'control' ([Text.Encoding]::Unicode.GetBytes("x $canary y")) | Should -Be 'control'
        Find-Canary 'control' ([Text.Encoding]::UTF8.GetBytes('sk-canary-0123')) | Should -BeNullOrEmpty
    }

    It 'the canary appears in no output stream, error record or exception' {
        $hits = @(
            Find-Canary 'captured streams and $Error' ([Text.Encoding]::UTF8.GetBytes($captured))
            Find-Canary 'stdout' ([Text.Encoding]::UTF8.GetBytes($child.Stdout))
            Find-Canary 'stderr' ([Text.Encoding]::UTF8.GetBytes($child.Stderr))
        )
        $hits | Should -BeNullOrEmpty
    }

    It 'the canary appears in no file of the journal or the temporary folder' {
        $files = @(Get-ChildItem $canaryHome, $canaryTemp -Recurse -File -Force)
        $files.Count | Should -BeGreaterThan 0
        $hits = foreach ($f in $files) { Find-Canary $f.FullName ([IO.File]::ReadAllBytes($f.FullName)) }
        $hits | Should -BeNullOrEmpty
    }
}

Describe 'Test 6: each failure with its error id' {
    BeforeEach { Reset-Emulator $emu }

    Context 'path traversal ids' {
        BeforeAll {
            # A journal two folders down in the test drive: '../../x' would land beside them, where it is looked for.
            $savedHome = $env:IRISBATCH_HOME
            $env:IRISBATCH_HOME = Join-Path $TestDrive 'deep/down/journal'
            $null = New-Item -ItemType Directory -Force $env:IRISBATCH_HOME
        }
        AfterAll { $env:IRISBATCH_HOME = $savedHome }

        It '<Command> -Id ''<Id>'' is IrisBatch.InvalidId, sends nothing and touches nothing' -ForEach @(
            foreach ($cmd in 'Get-IrisBatchStatus', 'Wait-IrisBatch', 'Get-IrisBatchResult', 'Stop-IrisBatch') {
                foreach ($id in '../../x', '..\..\x', 'batch_1/../../../x', '/etc/passwd') { @{ Command = $cmd; Id = $id } }
            }
        ) {
            $before = @(Get-ChildItem $TestDrive -Recurse -Force).Count
            $params = @{ Id = $Id; BaseUri = $url; ErrorAction = 'Stop' }
            if ($Command -eq 'Stop-IrisBatch') { $params.Confirm = $false }
            if ($Command -eq 'Wait-IrisBatch') { $params.Timeout = 5 }
            $err = try { $null = & $Command @params; $null } catch { $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidId,*'
            (Get-EmulatorStats $emu).routes.PSObject.Properties.Name | Should -BeNullOrEmpty
            @(Get-ChildItem $TestDrive -Recurse -Force).Count | Should -Be $before
        }

        It '<Command> -SetId ''<Id>'' is IrisBatch.InvalidId, sends nothing and touches nothing' -ForEach @(
            foreach ($cmd in 'Get-IrisBatchStatus', 'Wait-IrisBatch', 'Get-IrisBatchResult', 'Stop-IrisBatch', 'Remove-IrisBatch') {
                foreach ($id in '../../x', '..\..\x', '/etc/passwd') { @{ Command = $cmd; Id = $id } }
            }
        ) {
            $before = @(Get-ChildItem $TestDrive -Recurse -Force).Count
            $params = @{ SetId = $Id; BaseUri = $url; ErrorAction = 'Stop' }
            if ($Command -in 'Stop-IrisBatch', 'Remove-IrisBatch') { $params.Confirm = $false }
            if ($Command -eq 'Wait-IrisBatch') { $params.Timeout = 5 }
            $err = try { $null = & $Command @params; $null } catch { $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidId,*'
            (Get-EmulatorStats $emu).routes.PSObject.Properties.Name | Should -BeNullOrEmpty
            @(Get-ChildItem $TestDrive -Recurse -Force).Count | Should -Be $before
        }

        It 'Submit-IrisBatch -AdoptBatchId ''<Id>'' is IrisBatch.InvalidId and sends nothing' -ForEach @(
            foreach ($id in '../../x', '/etc/passwd') { @{ Id = $id } }
        ) {
            $request = New-IrisBatchRequest -InputObject @{ a = 'adopt' } -Model gpt-4o-mini -Prompt 'Say {a}.'
            $err = try { $null = $request | Submit-IrisBatch -BaseUri $url -AdoptBatchId $Id -ErrorAction Stop; $null } catch { $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InvalidId,*'
            (Get-EmulatorStats $emu).routes.PSObject.Properties.Name | Should -BeNullOrEmpty
        }
    }

    Context 'plain http to a host that is not this machine' {
        It '<Command> to <Uri> is IrisBatch.InsecureEndpoint before any connection' -ForEach @(
            foreach ($uri in 'http://example.invalid/v1', 'http://127.0.0.1.example.invalid/v1', 'http://localhost.example.invalid/v1') {
                @{ Command = 'Submit-IrisBatch'; Uri = $uri }
                @{ Command = 'Get-IrisBatchStatus'; Uri = $uri }
            }
        ) {
            # A connection attempt to a .invalid host would fail as IrisBatch.ConnectionFailed instead.
            $err = try {
                if ($Command -eq 'Submit-IrisBatch') {
                    $null = New-Rows -Count 2 | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
                        Submit-IrisBatch -BaseUri $Uri -MaximumRetryCount 0 -ErrorAction Stop
                }
                else { $null = Get-IrisBatchStatus -Id batch_abc -BaseUri $Uri -MaximumRetryCount 0 -ErrorAction Stop }
                $null
            }
            catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.InsecureEndpoint,*'
        }

        It '-AllowUnencryptedAuthentication lets the call go (and fail to connect)' {
            $err = try { $null = Get-IrisBatchStatus -Id batch_abc -BaseUri 'http://example.invalid/v1' -AllowUnencryptedAuthentication -MaximumRetryCount 0 -TimeoutSec 10 -ErrorAction Stop; $null } catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.ConnectionFailed,*' -Because 'the call was let go and found no such host'
        }

        It 'loopback over http is allowed (<Uri>)' -ForEach @(@{ Uri = 'localhost' }, @{ Uri = '127.0.0.1' }) {
            $port = ([uri] $url).Port
            $list = @(Get-IrisBatchStatus -BaseUri "http://$($Uri):$port/v1" -ErrorAction Stop)
            $list.Count | Should -Be 0
        }
    }

    Context 'insufficient_quota' {
        It 'on <Route>: IrisBatch.QuotaExceeded at once, never retried, with the provider''s request id' -ForEach @(
            @{ Route = 'upload'; Key = 'POST /v1/files' }
            @{ Route = 'create'; Key = 'POST /v1/batches' }
        ) {
            $null = Add-EmulatorFault $emu -Route $Route -Kind quota
            $requests = @(New-Rows -Count 10 -Tag "quota $Route" | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.')
            $err = try { $null = $requests | Submit-IrisBatch -BaseUri $url -ErrorAction Stop; $null } catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.QuotaExceeded,*'
            $err.Exception.Message | Should -Match 'req_[0-9a-f]{32}'
            $stats = Get-EmulatorStats $emu
            $stats.routes.$Key | Should -Be 1 -Because 'a 429 insufficient_quota is not retried'
            $stats.batches_created | Should -Be 0

            # Once the quota is there again, the same Submit finishes the job: one upload, one batch.
            $batch = $requests | Submit-IrisBatch -BaseUri $url -ErrorAction Stop
            $stats = Get-EmulatorStats $emu
            $stats.uploads | Should -Be 1
            $stats.batches_created | Should -Be 1
            Assert-OneResultPerRequest @($batch | Wait-IrisBatch -PollInterval $poll -Timeout 60 | Get-IrisBatchResult) 10
        }

        It 'on get: Get-IrisBatchStatus fails with IrisBatch.QuotaExceeded after one call' {
            $batch = New-Rows -Count 3 -Tag 'quota get' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' | Submit-IrisBatch -BaseUri $url
            $null = Add-EmulatorFault $emu -Route get -Kind quota
            $err = try { $null = $batch | Get-IrisBatchStatus -ErrorAction Stop; $null } catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.QuotaExceeded,*'
            (Get-EmulatorStats $emu).routes.'GET /v1/batches/{batch_id}' | Should -Be 1
        }
    }

    Context 'truncated downloads' {
        It 'a result file cut short twice is downloaded again and every result is there' {
            $batch = New-Rows -Count 200 -Tag 'truncated' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
                Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll -Timeout 60
            $null = Add-EmulatorFault $emu -Route download -Kind truncate -Count 2
            $results = @($batch | Get-IrisBatchResult -ErrorAction Stop)
            Assert-OneResultPerRequest $results 200
            @($results | Where-Object { "$($_.Status)" -ne 'Succeeded' }) | Should -BeNullOrEmpty
            $stats = Get-EmulatorStats $emu
            $stats.downloads | Should -Be 3
            (Get-EmulatorFault $emu)[0].injected | Should -Be 2
        }

        It 'a download cut short on every attempt fails with an error, never with partial results' {
            $batch = New-Rows -Count 200 -Tag 'always truncated' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
                Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll -Timeout 60
            $null = Add-EmulatorFault $emu -Route download -Kind truncate -Count 100
            $results = @($batch | Get-IrisBatchResult -MaximumRetryCount 2 -ErrorAction SilentlyContinue -ErrorVariable failed)
            $results | Should -BeNullOrEmpty
            $failed.Count | Should -BeGreaterThan 0
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.ConnectionFailed,*' -Because 'every download was cut short'
            $failed[0].Exception.Message | Should -BeLike '*the download of file*' -Because 'the error names what failed'
            # And once the network behaves, the results are all there.
            Clear-EmulatorFault $emu
            Assert-OneResultPerRequest @($batch | Get-IrisBatchResult -ErrorAction Stop) 200
        }
    }

    Context 'malformed result lines' {
        It 'line <Line> becomes a Failed result with invalid_result_line naming the line; the others are all there' -ForEach @(@{ Line = 1 }, @{ Line = 42 }) {
            $batch = New-Rows -Count 100 -Tag 'malformed' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' |
                Submit-IrisBatch -BaseUri $url | Wait-IrisBatch -PollInterval $poll -Timeout 60
            $null = Add-EmulatorFault $emu -Route download -Kind malformed_line -Line $Line
            $results = @($batch | Get-IrisBatchResult -ErrorAction Stop)
            Assert-OneResultPerRequest $results 100
            $failed = @($results | Where-Object { "$($_.Status)" -eq 'Failed' })
            $failed.Count | Should -Be 1
            $failed[0].Error.Code | Should -Be 'invalid_result_line'
            $failed[0].Error.Message | Should -Match "(?i)\bline $Line\b"
            $failed[0].CustomId | Should -Match '^request-\d+$'
            @($results | Where-Object { "$($_.Status)" -eq 'Succeeded' }).Count | Should -Be 99
        }
    }
}
