# Progress: Submit while spooling and uploading, Wait per batch and overall, Get-IrisBatchResult while downloading
# and emitting; every bar is completed at the end; $ProgressPreference is respected. Against the mock provider.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $modulePath = Get-ModuleUnderTestPath

    # A cmdlet may write one ProgressRecord object again and again, changed in between: keep what each write said.
    if (-not ('IrisBatchTests.ProgressSnapshots' -as [type])) {
        Add-Type -TypeDefinition @'
using System.Collections.Generic;
using System.Management.Automation;
namespace IrisBatchTests {
    public sealed class ProgressSnapshot {
        public int ActivityId; public int ParentActivityId; public string Activity; public string StatusDescription;
        public int PercentComplete; public ProgressRecordType RecordType;
    }
    public static class ProgressSnapshots {
        public static List<ProgressSnapshot> Attach(PSDataCollection<ProgressRecord> stream) {
            var list = new List<ProgressSnapshot>();
            stream.DataAdded += (sender, e) => {
                var r = stream[e.Index];
                lock (list) list.Add(new ProgressSnapshot { ActivityId = r.ActivityId, ParentActivityId = r.ParentActivityId, Activity = r.Activity,
                    StatusDescription = r.StatusDescription, PercentComplete = r.PercentComplete, RecordType = r.RecordType });
            };
            return list;
        }
    }
}
'@
    }

    function Invoke-Captured {
        <# Runs a script in a new runspace with a fresh journal; returns its progress records and errors. #>
        param([string] $Script, [string] $Preference = 'Continue')
        $journal = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-progress-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $saved = $env:IRISBATCH_HOME
        $env:IRISBATCH_HOME = $journal
        $ps = [powershell]::Create()
        try {
            $snapshots = [IrisBatchTests.ProgressSnapshots]::Attach($ps.Streams.Progress)
            $null = $ps.AddScript("`$ErrorActionPreference = 'Stop'; `$ProgressPreference = '$Preference'; Import-Module '$modulePath'; $Script").Invoke()
            [pscustomobject]@{ Progress = @($snapshots); Errors = @($ps.Streams.Error) }
        }
        finally {
            $ps.Dispose()
            $env:IRISBATCH_HOME = $saved
            Remove-Item -Recurse -Force $journal -ErrorAction Ignore
        }
    }

    function Get-Bar([object[]] $Records) {
        <# One entry per progress bar (activity id + activity), with its records in order. #>
        $Records | Group-Object { "$($_.ActivityId)|$($_.Activity)" } | ForEach-Object {
            [pscustomobject]@{ Key = $_.Name; Activity = $_.Group[0].Activity; Records = @($_.Group) }
        }
    }

    $pipeline = @'
1..1500 | ForEach-Object { [pscustomobject]@{ n = $_ } } |
    New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Say {n}.' |
    Submit-IrisBatch -Provider Mock -MaxRequestsPerBatch 1000 |
    Wait-IrisBatch |
    Get-IrisBatchResult |
    Measure-Object | Out-Null
'@
    $run = Invoke-Captured $pipeline
    $bars = @(Get-Bar $run.Progress)
}

Describe 'Progress of the whole pipeline' {
    It 'ran without errors' {
        $run.Errors | Should -BeNullOrEmpty
    }

    It 'Submit-IrisBatch shows rows and bytes while spooling, and bytes while uploading' {
        $submit = @($run.Progress | Where-Object Activity -EQ 'Submit-IrisBatch')
        @($submit | Where-Object StatusDescription -Match '^Spooling requests: 1,000 rows, [\d,]+ bytes$').Count | Should -Be 1 -Because 'one record per 1,000 rows'
        foreach ($n in 1, 2) {
            @($submit | Where-Object StatusDescription -Match "^Uploading batch $n of 2: [\d,]+ of [\d,]+ bytes$").Count | Should -BeGreaterThan 0
        }
    }

    It 'Wait-IrisBatch shows a bar overall and a child bar per batch' {
        $parent = @($run.Progress | Where-Object Activity -EQ 'Wait-IrisBatch')
        $parent.Count | Should -BeGreaterThan 0
        $parent | Where-Object { $_.RecordType -eq 'Processing' } | ForEach-Object { $_.PercentComplete | Should -BeIn (0..100) }
        $parent.StatusDescription | Should -Contain '2 of 2 batch(es) complete; 1,500 of 1,500 requests processed'
        $children = @($run.Progress | Where-Object Activity -Like 'Batch *')
        @($children | Group-Object Activity).Count | Should -Be 2
        $children | ForEach-Object { $_.ParentActivityId | Should -Be $parent[0].ActivityId }
    }

    It 'issue 16 item 9: the overall bar adds up its child bars whenever it is written' {
        $latest = @{}
        $checked = 0
        foreach ($r in $run.Progress) {
            if ($r.Activity -like 'Batch *' -and $r.RecordType -eq 'Processing') { $latest[$r.Activity] = $r; continue }
            if ($r.Activity -ne 'Wait-IrisBatch' -or $r.RecordType -ne 'Processing' -or $latest.Count -lt 2) { continue }
            $r.StatusDescription -match '; ([\d,]+) of ([\d,]+) requests processed$' | Should -BeTrue
            $p = [long] ($Matches[1] -replace ',', ''); $t = [long] ($Matches[2] -replace ',', '')
            $cp = 0; $ct = 0; $weighted = 0
            foreach ($c in $latest.Values) {
                $c.StatusDescription -match ': ([\d,]+) of ([\d,]+) requests$' | Should -BeTrue
                $cp += [long] ($Matches[1] -replace ',', ''); $n = [long] ($Matches[2] -replace ',', ''); $ct += $n
                $weighted += $c.PercentComplete * $n
            }
            $p | Should -Be $cp
            $t | Should -Be $ct
            [Math]::Abs($r.PercentComplete - $weighted / $ct) | Should -BeLessOrEqual 1
            $checked++
        }
        $checked | Should -BeGreaterThan 0
    }

    It 'Get-IrisBatchResult shows bytes while downloading and results while emitting' {
        $result = @($run.Progress | Where-Object Activity -EQ 'Get-IrisBatchResult')
        @($result | Where-Object StatusDescription -Match '^Downloading the results of batch \S+: [\d,]+ bytes$').Count | Should -BeGreaterThan 0
        # The two batches of the set are read together, merged into input order (issue 18): one bar over 1,500.
        $result.StatusDescription | Should -Contain '1,000 of 1,500 results'
    }

    It 'completes every bar it opened' {
        $bars.Count | Should -BeGreaterOrEqual 6
        foreach ($bar in $bars) {
            $bar.Records[0].RecordType | Should -Be 'Processing' -Because "the bar '$($bar.Activity)' was shown before it was completed"
            $bar.Records[-1].RecordType | Should -Be 'Completed' -Because "the bar '$($bar.Activity)' must not stay on screen"
        }
    }
}

Describe 'Progress elsewhere' {
    It 'Stop-IrisBatch -Wait completes its bar' {
        $r = Invoke-Captured "1..3 | New-IrisBatchRequest -Model m -Prompt { 'x' + `$_ } | Submit-IrisBatch -Provider Mock | Stop-IrisBatch -Wait -Confirm:`$false"
        $r.Errors | Should -BeNullOrEmpty
        $wait = @(Get-Bar $r.Progress | Where-Object Activity -EQ 'Wait-IrisBatch')
        $wait.Count | Should -Be 1
        $wait[0].Records[-1].RecordType | Should -Be 'Completed'
    }

    It 'Submit-IrisBatch completes its spooling bar when a row stops it after 1,000 rows (a terminating error before EndProcessing)' {
        # Anthropic has no Responses endpoint: row 1,200 stops the command while rows still arrive, before any upload.
        $r = Invoke-Captured @'
$env:ANTHROPIC_API_KEY = 'not-a-key'
try {
    $rows = @(1..1199 | New-IrisBatchRequest -Model claude-sonnet-4-5 -Prompt { 'x' + $_ }) + @(New-IrisBatchRequest -Model claude-sonnet-4-5 -Prompt y -CustomId last -Endpoint Responses)
    $rows | Submit-IrisBatch -Provider Anthropic
}
catch { if ($_.FullyQualifiedErrorId -notlike 'IrisBatch.UnsupportedEndpoint*') { throw } }
finally { Remove-Item env:ANTHROPIC_API_KEY }
'@
        $r.Errors | Should -BeNullOrEmpty
        $submit = @($r.Progress | Where-Object Activity -EQ 'Submit-IrisBatch')
        $submit[0].StatusDescription | Should -Match '^Spooling requests: 1,000 rows'
        $submit[-1].RecordType | Should -Be 'Completed'
    }

    It 'Submit-IrisBatch completes its spooling bar when a command upstream fails after 1,000 rows (EndProcessing never runs)' {
        $r = Invoke-Captured @'
try {
    1..1500 | ForEach-Object { if ($_ -eq 1200) { throw 'the CSV broke' }; $_ } |
        New-IrisBatchRequest -Model gpt-4o-mini -Prompt { 'x' + $_ } |
        Submit-IrisBatch -Provider Mock
}
catch { if ("$_" -ne 'the CSV broke') { throw } }
'@
        $r.Errors | Should -BeNullOrEmpty
        $submit = @($r.Progress | Where-Object Activity -EQ 'Submit-IrisBatch')
        $submit[0].StatusDescription | Should -Match '^Spooling requests: 1,000 rows'
        $submit[-1].RecordType | Should -Be 'Completed'
    }

    It 'a bar is completed when the pipeline downstream stops early (Select-Object -First)' {
        $r = Invoke-Captured "1..1200 | New-IrisBatchRequest -Model m -Prompt { 'x' + `$_ } | Submit-IrisBatch -Provider Mock | Wait-IrisBatch | Get-IrisBatchResult | Select-Object -First 1001 | Out-Null"
        $r.Errors | Should -BeNullOrEmpty
        foreach ($bar in (Get-Bar $r.Progress)) { $bar.Records[-1].RecordType | Should -Be 'Completed' }
    }
}

Describe '$ProgressPreference' {
    It 'SilentlyContinue shows no progress at all' {
        $quiet = Invoke-Captured $pipeline -Preference SilentlyContinue
        $quiet.Errors | Should -BeNullOrEmpty
        $quiet.Progress | Should -BeNullOrEmpty
    }
}
