#Requires -Version 7.2
<#
.SYNOPSIS
    The IrisBatch benchmark: submit, results, memory and waiting, against the local emulator.

.DESCRIPTION
    build.ps1 -Task Bench runs this after Build. It generates deterministic CSVs into out/bench/ (kept between
    runs: the same rows and seed give the same bytes), starts out/emulator with --instant, and measures every case
    in a fresh pwsh process (bench/cases/*.ps1), -Runs times, reporting the median:

      B1  submit    Import-Csv f.csv | New-IrisBatchRequest -Model m -Prompt '...{col}...' | Submit-IrisBatch, at each
                    of -SubmitRows, against Import-Csv f.csv | Out-Null run just before it (the pipeline's floor).
                    Reported too, not a target: the floor run warm in the case's process after it, then the same
                    submission again (-Force, warm).
      B2  results   Get-IrisBatchResult over the batches of a submission whose results (about 2 KB a line: a long
                    prompt is echoed) are already in the journal, piped to Measure-Object, at each of -ResultRows,
                    against [IO.File]::ReadLines(file) | Measure-Object over the same output files.
                    Reported too, not a target: the floor run warm in the case's process after it, then the case
                    again (warm).
      B3  memory    peak working set (VmHWM) of the whole pwsh process at the largest vs the smallest row count, for
                    B1 and B2.
      B5  embedding Import-Csv | New-IrisBatchRequest -Endpoint Embeddings -Dimensions 1536 | Submit-IrisBatch of
                    -EmbedRows rows, then Get-IrisBatchResult -IncludeInput | Export-Csv of every vector (1,536 numbers
                    each, as JSON arrays): rows/s of each half and the peak working set of the process (once: -Runs
                    does not apply, as a 200,000-row run writes a CSV of several GB).
      B6  csv       Get-IrisBatchResult -IncludeInput | Export-Csv, in input order, over the batches of a submission
                    whose results are in the journal (the B1 rows and prompt), at each of -CsvRows, against the floor
                    Import-Csv | Export-Csv of the same rows run warm in the same process just before it (once untimed,
                    then the median of 3 timed runs); peak working set at the largest vs the smallest row count.
                    Reported too, not targets: the case's second run (warm, as its floor), and Import-Csv | Export-Csv
                    of the case's own output (the same rows with the result's columns too), warm.
      B4  waiting   CPU time of Wait-IrisBatch polling a batch that stays in progress for -WaitSeconds
                    (once a second), without the CPU of the runtime's background tiered compilation of what ran
                    before the wait (its thread's CPU on Linux, else JitInfo's time); the runs of B4 go side by side.

    Prints a table, writes -JsonPath (out/bench.json) and out/bench/bench.md (the README section); with
    -UpdateReadme, replaces the '## Benchmark' section at the end of README.md with it.
    Benchmarks report; they never fail the build because of a figure (the exit code is 1 only when a case broke).

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Bench
.EXAMPLE
    dotnet pwsh bench/Invoke-Bench.ps1 -Case B2 -ResultRows 50000 -Runs 1     # after a Build, one case quickly
#>
[CmdletBinding()]
param(
    [string] $ModulePath,
    [string] $EmulatorPath,
    [string] $OutDir,
    [string] $JsonPath,
    [ValidateRange(1, 20)]
    [int] $Runs = 5,
    # Row counts (10 to 1,000,000). Through 'pwsh -File' a list arrives as one string: '10000,50000' is split here.
    [string[]] $SubmitRows = @('10000', '50000', '200000'),
    [string[]] $ResultRows = @('10000', '50000', '200000'),
    [string[]] $CsvRows = @('10000', '50000', '200000'),
    [ValidateRange(1, 3600)]
    [double] $WaitSeconds = 60,
    # B5's row count.
    [ValidateRange(10, 1000000)]
    [int] $EmbedRows = 200000,
    # B1, B2, B4, B5 and/or B6 (B3 comes from B1 and B2); 'B1,B2' is split as above.
    [string[]] $Case = @('B1', 'B2', 'B4', 'B5', 'B6'),
    [switch] $UpdateReadme
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version 3.0
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }

$Root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
function ConvertTo-RowCounts([string[]] $Text, [string] $Name) {
    [int[]] $counts = @($Text -split '[,\s]+' | Where-Object { $_ } | ForEach-Object {
            $n = 0
            if (-not [int]::TryParse($_, [Globalization.NumberStyles]::None, [Globalization.CultureInfo]::InvariantCulture, [ref] $n) -or $n -lt 10 -or $n -gt 1000000) {
                throw "-$Name '$_' is not a row count from 10 to 1000000."
            }
            $n
        })
    , $counts
}
[int[]] $SubmitRows = ConvertTo-RowCounts $SubmitRows 'SubmitRows'
[int[]] $ResultRows = ConvertTo-RowCounts $ResultRows 'ResultRows'
[int[]] $CsvRows = ConvertTo-RowCounts $CsvRows 'CsvRows'
[string[]] $Case = @($Case -split '[,\s]+' | Where-Object { $_ })
foreach ($c in $Case) { if ($c -notin 'B1', 'B2', 'B4', 'B5', 'B6') { throw "-Case '$c' is not one of B1, B2, B4, B5, B6." } }
if (-not $ModulePath) { $ModulePath = Join-Path $Root 'out/IrisBatch/IrisBatch.psd1' }
if (-not $EmulatorPath) { $EmulatorPath = Join-Path $Root 'out/emulator/IrisBatch.Emulator.dll' }
if (-not $OutDir) { $OutDir = Join-Path $Root 'out/bench' }
if (-not $JsonPath) { $JsonPath = Join-Path $Root 'out/bench.json' }
foreach ($p in $ModulePath, $EmulatorPath) { if (-not (Test-Path $p)) { throw "$p is missing: run 'dotnet pwsh ./build.ps1' first." } }
$ModulePath = (Resolve-Path $ModulePath).Path
$null = New-Item -ItemType Directory -Force $OutDir
$OutDir = (Resolve-Path $OutDir).Path
$Cases = Join-Path $PSScriptRoot 'cases'
$Homes = Join-Path $OutDir 'home'

# The data: a seeded generator (bench/BenchData.cs). Version the file names so a change to it makes new files.
$DataVersion = 1
$Seed = 20240611
if (-not ('IrisBatchBench.BenchData' -as [type])) { Add-Type -Path (Join-Path $PSScriptRoot 'BenchData.cs') }
# B1: a realistic one-line prompt over five columns. B2: long fixed instructions first, so that the fake model's echo
# makes result lines of about 2 KB (50,000 of them about 100 MB).
$SubmitPrompt = 'Write a one-sentence product description for {name}, a {colour} {category} priced at {price} USD. Notes: {description}'
$ResultPrompt = [IrisBatchBench.BenchData]::Instructions(1280, $Seed) + ' Product: {name} ({colour}, {category}, {price} USD). Notes: {description}'
$Model = 'gpt-4o-mini'

Import-Module (Join-Path $Root 'tests/pester/TestHelpers.psm1') -Force

#region helpers

function Get-BenchCsv([int] $Rows) {
    $path = Join-Path $OutDir "rows-$Rows-v$DataVersion.csv"
    if (-not (Test-Path $path)) {
        $tmp = "$path.tmp"
        [IrisBatchBench.BenchData]::WriteCsv($tmp, $Rows, $Seed)
        Move-Item -Force $tmp $path
    }
    $path
}

function New-JournalHome([string] $Name) {
    $dir = Join-Path $Homes $Name
    if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    (New-Item -ItemType Directory -Force $dir).FullName
}

function Start-BenchCase {
    <# Starts bench/cases/<Name>.ps1 in a fresh pwsh with -Key Value arguments; returns the process. #>
    param([string] $Name, [hashtable] $Arguments)
    $self = [Environment]::ProcessPath
    [string[]] $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { $self, (Join-Path $PSHOME 'pwsh.dll') } else { , $self }
    $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', (Join-Path $Cases "$Name.ps1"))) {
        $psi.ArgumentList.Add($a)
    }
    foreach ($kv in $Arguments.GetEnumerator()) {
        # A switch is its name alone when true (a value after it would bind to the next positional parameter).
        if ($kv.Value -is [bool]) { if ($kv.Value) { $psi.ArgumentList.Add("-$($kv.Key)") }; continue }
        $psi.ArgumentList.Add("-$($kv.Key)")
        $psi.ArgumentList.Add([string] $kv.Value)
    }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.WorkingDirectory = $Root
    $p = [Diagnostics.Process]::Start($psi)
    [pscustomobject]@{ Name = $Name; Process = $p; Stdout = $p.StandardOutput.ReadToEndAsync(); Stderr = $p.StandardError.ReadToEndAsync() }
}

function Complete-BenchCase {
    <# Waits for a case started by Start-BenchCase and returns its BENCH-RESULT values. #>
    param([object] $Started, [TimeSpan] $Timeout = [TimeSpan]::FromMinutes(20))
    $p = $Started.Process
    try {
        if (-not $p.WaitForExit([int] $Timeout.TotalMilliseconds)) { $p.Kill($true); throw "case $($Started.Name) did not finish within $Timeout" }
        $p.WaitForExit()
        $stdout = $Started.Stdout.GetAwaiter().GetResult()
        $stderr = $Started.Stderr.GetAwaiter().GetResult()
        $line = @($stdout -split "`r?`n" | Where-Object { $_.StartsWith('BENCH-RESULT ') }) | Select-Object -Last 1
        if ($p.ExitCode -ne 0 -or -not $line) {
            throw "case $($Started.Name) failed (exit code $($p.ExitCode)).`n$stdout`n$stderr"
        }
        $line.Substring('BENCH-RESULT '.Length) | ConvertFrom-Json
    }
    finally { $p.Dispose() }
}

function Invoke-BenchCase([string] $Name, [hashtable] $Arguments) {
    Complete-BenchCase (Start-BenchCase $Name $Arguments)
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count -eq 0) { return $null }
    $mid = [int] [Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$mid] }
    ($sorted[$mid - 1] + $sorted[$mid]) / 2
}

function Get-MachineInfo {
    $cpu = if (Test-Path /proc/cpuinfo) { (Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1).Matches[0].Groups[1].Value.Trim() } else { $env:PROCESSOR_IDENTIFIER }
    $memGb = if (Test-Path /proc/meminfo) { [Math]::Round(((Select-String -Path /proc/meminfo -Pattern '^MemTotal:\s+(\d+)').Matches[0].Groups[1].Value -as [double]) / 1MB, 1) } else { $null }
    $os = if (Test-Path /etc/os-release) { ((Get-Content /etc/os-release | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME="?|"$', '') } else { [Runtime.InteropServices.RuntimeInformation]::OSDescription }
    $commit = try { (& git -C $Root rev-parse --short HEAD 2>$null) } catch { $null }
    [ordered]@{
        cpu        = $cpu
        cores      = [Environment]::ProcessorCount
        memoryGB   = $memGb
        os         = $os
        runtime    = [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        powershell = "$($PSVersionTable.PSVersion)"
        commit     = "$commit"
    }
}

#endregion

$started = Get-Date
$emu = $null
$report = [ordered]@{
    date    = $started.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    machine = Get-MachineInfo
    runs    = $Runs
    b1      = @()
    b2      = @()
    b3      = @()
    b4      = $null
    b5      = $null
    b6      = @()
    targets = @()
}
$broken = [Collections.Generic.List[string]]::new()

try {
    $emu = Start-TestEmulator -ApiKey 'bench-key' -ArgumentList '--instant'
    Write-Host "Emulator: $($emu.Url) (--instant)"

    #region B1
    if ('B1' -in $Case) {
        $csvs = @{}
        foreach ($n in $SubmitRows) { $csvs[$n] = Get-BenchCsv $n }
        # One untimed pair first, so the first timed run does not pay for cold disk caches.
        $warm = Get-BenchCsv ($SubmitRows | Measure-Object -Minimum).Minimum
        $null = Invoke-BenchCase ImportCsv @{ Csv = $warm }
        $null = Invoke-BenchCase Submit @{ ModulePath = $ModulePath; Csv = $warm; BaseUri = $emu.BaseUri; JournalHome = (New-JournalHome 'warm'); Prompt = $SubmitPrompt; Model = $Model }
        Reset-Emulator $emu
        foreach ($n in $SubmitRows) {
            $samples = foreach ($run in 1..$Runs) {
                Write-Host ("B1 submit {0:N0} rows, run {1} of {2}" -f $n, $run, $Runs)
                $base = Invoke-BenchCase ImportCsv @{ Csv = $csvs[$n] }
                $dir = New-JournalHome "b1-$n-$run"
                $s = Invoke-BenchCase Submit @{ ModulePath = $ModulePath; Csv = $csvs[$n]; BaseUri = $emu.BaseUri; JournalHome = $dir; Prompt = $SubmitPrompt; Model = $Model; Warm = $true }
                Remove-Item -Recurse -Force $dir
                Reset-Emulator $emu   # drops the uploaded files
                if ($s.requests -ne $n) { $broken.Add("B1 at $n rows submitted $($s.requests) requests") }
                [pscustomobject]@{
                    seconds = $s.seconds; baselineSeconds = $base.seconds; ratio = $s.seconds / $base.seconds
                    peakWorkingSet = $s.casePeakWorkingSet; baselinePeakWorkingSet = $base.peakWorkingSet; batches = $s.batches; requests = $s.requests
                    warmSeconds = $s.warmSeconds; sameProcessFloorSeconds = $s.sameProcessFloorSeconds; warmRatio = $s.warmSeconds / $s.sameProcessFloorSeconds
                }
            }
            $sec = Get-Median $samples.seconds
            $report.b1 += [ordered]@{
                rows                   = $n
                batches                = ($samples | Select-Object -Last 1).batches
                seconds                = $sec
                rowsPerSecond          = $n / $sec
                baselineSeconds        = Get-Median $samples.baselineSeconds
                ratio                  = Get-Median $samples.ratio
                peakWorkingSet         = Get-Median $samples.peakWorkingSet
                baselinePeakWorkingSet = Get-Median $samples.baselinePeakWorkingSet
                warmSeconds            = Get-Median $samples.warmSeconds
                sameProcessFloorSeconds = Get-Median $samples.sameProcessFloorSeconds
                warmRatio              = Get-Median $samples.warmRatio
                samples                = @($samples)
            }
        }
    }
    #endregion

    #region B2
    if ('B2' -in $Case) {
        Reset-Emulator $emu
        $prepared = @{}
        foreach ($n in $ResultRows) {
            Write-Host ("B2 prepare {0:N0} results (submit, wait, download once)" -f $n)
            $dir = New-JournalHome "b2-$n"
            $ids = Join-Path $OutDir "b2-$n.ids"
            $files = Join-Path $OutDir "b2-$n.files"
            $r = Invoke-BenchCase Prepare @{ ModulePath = $ModulePath; Csv = (Get-BenchCsv $n); BaseUri = $emu.BaseUri; JournalHome = $dir; Prompt = $ResultPrompt; Model = $Model; IdsFile = $ids; FilesFile = $files }
            if ($r.results -ne $n) { $broken.Add("B2 prepare at $n rows got $($r.results) results") }
            $prepared[$n] = @{ Home = $dir; Ids = $ids; Files = $files; Bytes = [long] $r.outputBytes; Batches = $r.batches }
        }
        foreach ($n in $ResultRows) {
            $samples = foreach ($run in 1..$Runs) {
                Write-Host ("B2 results {0:N0}, run {1} of {2}" -f $n, $run, $Runs)
                $p = $prepared[$n]
                $floor = Invoke-BenchCase ReadLines @{ FilesFile = $p.Files }
                $r = Invoke-BenchCase Results @{ ModulePath = $ModulePath; JournalHome = $p.Home; IdsFile = $p.Ids; FilesFile = $p.Files }
                if ($r.results -ne $n) { $broken.Add("B2 at $n rows read $($r.results) results") }
                [pscustomobject]@{
                    seconds = $r.seconds; floorSeconds = $floor.seconds; ratio = $r.seconds / $floor.seconds
                    peakWorkingSet = $r.casePeakWorkingSet; floorPeakWorkingSet = $floor.peakWorkingSet; results = $r.results
                    warmSeconds = $r.warmSeconds; sameProcessFloorSeconds = $r.sameProcessFloorSeconds; warmRatio = $r.warmSeconds / $r.sameProcessFloorSeconds
                }
            }
            $sec = Get-Median $samples.seconds
            $report.b2 += [ordered]@{
                rows                = $n
                batches             = $prepared[$n].Batches
                outputBytes         = $prepared[$n].Bytes
                seconds             = $sec
                resultsPerSecond    = $n / $sec
                megabytesPerSecond  = $prepared[$n].Bytes / 1MB / $sec
                floorSeconds        = Get-Median $samples.floorSeconds
                ratio               = Get-Median $samples.ratio
                peakWorkingSet      = Get-Median $samples.peakWorkingSet
                floorPeakWorkingSet = Get-Median $samples.floorPeakWorkingSet
                warmSeconds         = Get-Median $samples.warmSeconds
                sameProcessFloorSeconds = Get-Median $samples.sameProcessFloorSeconds
                warmRatio           = Get-Median $samples.warmRatio
                samples             = @($samples)
            }
        }
        foreach ($p in $prepared.Values) { Remove-Item -Recurse -Force $p.Home -ErrorAction Ignore; Remove-Item $p.Ids, $p.Files -ErrorAction Ignore }
    }
    #endregion

    #region B6
    if ('B6' -in $Case) {
        Reset-Emulator $emu
        $prepared = @{}
        foreach ($n in $CsvRows) {
            Write-Host ("B6 prepare {0:N0} results (submit, wait, download once)" -f $n)
            $dir = New-JournalHome "b6-$n"
            $ids = Join-Path $OutDir "b6-$n.ids"
            $files = Join-Path $OutDir "b6-$n.files"
            $r = Invoke-BenchCase Prepare @{ ModulePath = $ModulePath; Csv = (Get-BenchCsv $n); BaseUri = $emu.BaseUri; JournalHome = $dir; Prompt = $SubmitPrompt; Model = $Model; IdsFile = $ids; FilesFile = $files }
            if ($r.results -ne $n) { $broken.Add("B6 prepare at $n rows got $($r.results) results") }
            $prepared[$n] = @{ Home = $dir; Ids = $ids; Files = $files; Batches = $r.batches }
            Reset-Emulator $emu
        }
        foreach ($n in $CsvRows) {
            $samples = foreach ($run in 1..$Runs) {
                Write-Host ("B6 -IncludeInput | Export-Csv {0:N0}, run {1} of {2}" -f $n, $run, $Runs)
                $p = $prepared[$n]
                $r = Invoke-BenchCase ResultsCsv @{ ModulePath = $ModulePath; JournalHome = $p.Home; IdsFile = $p.Ids; Csv = (Get-BenchCsv $n); OutCsv = (Join-Path $OutDir "b6-$n-out.csv") }
                if ($r.results -ne $n) { $broken.Add("B6 at $n rows wrote $($r.results) rows") }
                if (-not $r.ordered) { $broken.Add("B6 at $n rows: the rows are not in input order") }
                [pscustomobject]@{
                    seconds = $r.seconds; floorSeconds = $r.floorSeconds; ratio = $r.seconds / $r.floorSeconds
                    peakWorkingSet = $r.casePeakWorkingSet; floorPeakWorkingSet = $r.floorPeakWorkingSet; results = $r.results; ordered = $r.ordered
                    warmSeconds = $r.warmSeconds; warmRatio = $r.warmSeconds / $r.floorSeconds
                    sameColumnsFloorSeconds = $r.sameColumnsFloorSeconds; sameColumnsRatio = $r.seconds / $r.sameColumnsFloorSeconds
                    columns = $r.columns
                }
            }
            $sec = Get-Median $samples.seconds
            $report.b6 += [ordered]@{
                rows = $n; batches = $prepared[$n].Batches; seconds = $sec; resultsPerSecond = $n / $sec
                floorSeconds = Get-Median $samples.floorSeconds; ratio = Get-Median $samples.ratio
                warmSeconds = Get-Median $samples.warmSeconds; warmRatio = Get-Median $samples.warmRatio
                sameColumnsFloorSeconds = Get-Median $samples.sameColumnsFloorSeconds; sameColumnsRatio = Get-Median $samples.sameColumnsRatio
                columns = $samples[0].columns
                peakWorkingSet = Get-Median $samples.peakWorkingSet; floorPeakWorkingSet = Get-Median $samples.floorPeakWorkingSet
                samples = @($samples)
            }
        }
        foreach ($p in $prepared.Values) { Remove-Item -Recurse -Force $p.Home -ErrorAction Ignore; Remove-Item $p.Ids, $p.Files -ErrorAction Ignore }
    }
    #endregion

    #region B3 (from B1 and B2)
    foreach ($pair in @(@{ Name = 'B1 submit'; List = $report.b1 }, @{ Name = 'B2 results'; List = $report.b2 })) {
        $list = @($pair.List)
        if ($list.Count -lt 2) { continue }
        $small = $list | Sort-Object { $_.rows } | Select-Object -First 1
        $large = $list | Sort-Object { $_.rows } | Select-Object -Last 1
        $report.b3 += [ordered]@{
            case = $pair.Name; smallRows = $small.rows; largeRows = $large.rows
            smallPeakWorkingSet = $small.peakWorkingSet; largePeakWorkingSet = $large.peakWorkingSet
            ratio = $large.peakWorkingSet / $small.peakWorkingSet
        }
    }
    #endregion

    #region B5
    if ('B5' -in $Case) {
        Reset-Emulator $emu
        Write-Host ("B5 embeddings: {0:N0} rows of 1,536 dimensions, submitted and read back to CSV" -f $EmbedRows)
        $dir = New-JournalHome 'b5'
        $e = Invoke-BenchCase Embed @{ ModulePath = $ModulePath; Csv = (Get-BenchCsv $EmbedRows); BaseUri = $emu.BaseUri; JournalHome = $dir; OutCsv = (Join-Path $OutDir 'b5-vectors.csv') }
        Remove-Item -Recurse -Force $dir -ErrorAction Ignore
        Reset-Emulator $emu
        if ($e.rows -ne $EmbedRows) { $broken.Add("B5 wrote $($e.rows) CSV rows for $EmbedRows") }
        if ($e.dimensions -ne 1536) { $broken.Add("B5 vectors have $($e.dimensions) numbers, not 1,536") }
        $report.b5 = [ordered]@{
            rows = $EmbedRows; batches = $e.batches; dimensions = $e.dimensions; csvBytes = $e.csvBytes
            submitSeconds = $e.submitSeconds; submitRowsPerSecond = $EmbedRows / $e.submitSeconds
            resultSeconds = $e.resultSeconds; resultRowsPerSecond = $EmbedRows / $e.resultSeconds
            peakAfterSubmit = $e.peakAfterSubmit; peakWorkingSet = $e.peakWorkingSet
        }
    }
    #endregion

    #region B4
    if ('B4' -in $Case) {
        Reset-Emulator $emu
        $null = Set-EmulatorConfig $emu @{ validating_ms = 0; in_progress_ms = 36000000; finalizing_ms = 0 }
        $tiny = Join-Path $OutDir 'rows-10.csv'
        [IrisBatchBench.BenchData]::WriteCsv($tiny, 10, $Seed)
        $waits = foreach ($run in 1..$Runs) {
            $dir = New-JournalHome "b4-$run"
            $ids = Join-Path $OutDir "b4-$run.ids"
            $null = Invoke-BenchCase Submit @{ ModulePath = $ModulePath; Csv = $tiny; BaseUri = $emu.BaseUri; JournalHome = $dir; Prompt = $SubmitPrompt; Model = $Model; IdsFile = $ids }
            @{ Home = $dir; Id = (Get-Content $ids | Select-Object -First 1) }
        }
        $null = Set-EmulatorConfig $emu @{ validating_ms = 0; in_progress_ms = 0; finalizing_ms = 0 }
        Write-Host ("B4 waiting: {0} run(s) of {1} s side by side" -f $Runs, $WaitSeconds)
        $running = foreach ($w in $waits) { Start-BenchCase Wait @{ ModulePath = $ModulePath; JournalHome = $w.Home; BatchId = $w.Id; Seconds = $WaitSeconds; PollInterval = 1 } }
        $samples = foreach ($r in $running) { Complete-BenchCase $r }
        foreach ($w in $waits) { Remove-Item -Recurse -Force $w.Home -ErrorAction Ignore }
        Remove-Item (Join-Path $OutDir 'b4-*.ids') -ErrorAction Ignore
        if (@($samples | Where-Object { -not $_.timedOut })) { $broken.Add('B4: a wait ended before its time ran out') }
        $cpu = Get-Median $samples.cpuSeconds
        $own = Get-Median $samples.ownCpuSeconds
        $wall = Get-Median $samples.seconds
        $report.b4 = [ordered]@{
            seconds = $wall; pollInterval = 1; cpuSeconds = $cpu; cpuPercent = 100 * $cpu / $wall
            # Without the runtime's background tiered compilation of what the process ran before the wait, which
            # happens whatever the wait does (measured per thread on Linux; see cases/Wait.ps1).
            ownCpuSeconds = $own; ownCpuPercent = 100 * $own / $wall
            peakWorkingSet = Get-Median $samples.peakWorkingSet; samples = @($samples)
        }
    }
    #endregion
}
finally {
    if ($emu) { Stop-TestEmulator $emu }
    Remove-Item -Recurse -Force $Homes -ErrorAction Ignore
}

#region report

function Target([string] $Name, [string] $Goal, $Value, [string] $Shown, [bool] $Met) {
    [ordered]@{ name = $Name; goal = $Goal; value = $Value; shown = $Shown; met = $Met }
}
$b1At50k = $report.b1 | Where-Object { $_.rows -eq 50000 } | Select-Object -First 1
if ($b1At50k) { $report.targets += Target 'B1 submit at 50,000 rows' '<= 3x Import-Csv | Out-Null' $b1At50k.ratio ('{0:0.00}x' -f $b1At50k.ratio) ($b1At50k.ratio -le 3) }
$b2At50k = $report.b2 | Where-Object { $_.rows -eq 50000 } | Select-Object -First 1
if ($b2At50k) {
    $report.targets += Target 'B2 results/s at 50,000' '>= 50,000 results/s' $b2At50k.resultsPerSecond ('{0:N0}/s' -f $b2At50k.resultsPerSecond) ($b2At50k.resultsPerSecond -ge 50000)
    $report.targets += Target 'B2 vs ReadLines at 50,000' '<= 2x ReadLines | Measure-Object' $b2At50k.ratio ('{0:0.00}x' -f $b2At50k.ratio) ($b2At50k.ratio -le 2)
}
foreach ($m in $report.b3) {
    $report.targets += Target "B3 $($m.case) peak, $('{0:N0}' -f $m.largeRows) vs $('{0:N0}' -f $m.smallRows) rows" '<= 1.25x' $m.ratio ('{0:0.00}x' -f $m.ratio) ($m.ratio -le 1.25)
}
if ($report.b4) {
    $report.targets += Target 'B4 Wait-IrisBatch CPU, polling every second' '<= 1% of the wait' $report.b4.ownCpuPercent ('{0:0.00}%' -f $report.b4.ownCpuPercent) ($report.b4.ownCpuPercent -le 1)
}
foreach ($b in $report.b6) {
    $report.targets += Target ("B6 -IncludeInput | Export-Csv at {0:N0}, input order" -f $b.rows) '<= 2x Import-Csv | Export-Csv' $b.ratio ('{0:0.00}x' -f $b.ratio) ($b.ratio -le 2)
}
$b6 = @($report.b6 | Sort-Object { $_.rows })
if ($b6.Count -ge 2) {
    $flat = $b6[-1].peakWorkingSet / $b6[0].peakWorkingSet
    $report.targets += Target ("B6 peak, {0:N0} vs {1:N0} results" -f $b6[-1].rows, $b6[0].rows) '<= 1.25x (flat)' $flat ('{0:0.00}x' -f $flat) ($flat -le 1.25)
}

$mb = { param($bytes) '{0:N0} MB' -f ($bytes / 1MB) }
$rows = [Collections.Generic.List[object]]::new()
foreach ($b in $report.b1) {
    $rows.Add([pscustomobject]@{ Case = 'B1 submit'; Rows = '{0:N0}' -f $b.rows; Seconds = '{0:0.00}' -f $b.seconds; Rate = '{0:N0} rows/s' -f $b.rowsPerSecond
            Baseline = 'Import-Csv {0:0.00} s' -f $b.baselineSeconds; Ratio = '{0:0.00}x' -f $b.ratio; 'Peak WS' = & $mb $b.peakWorkingSet })
}
foreach ($b in $report.b2) {
    $rows.Add([pscustomobject]@{ Case = 'B2 results'; Rows = '{0:N0}' -f $b.rows; Seconds = '{0:0.00}' -f $b.seconds
            Rate = ('{0:N0}/s, {1:N0} MB/s' -f $b.resultsPerSecond, $b.megabytesPerSecond)
            Baseline = 'ReadLines {0:0.00} s' -f $b.floorSeconds; Ratio = '{0:0.00}x' -f $b.ratio; 'Peak WS' = & $mb $b.peakWorkingSet })
}
# Not targets, for reading the ones above: the case run again after the floor in its own process (warm, as the floor is).
foreach ($w in @(@{ List = $report.b1; Case = 'B1 submit, run warm'; Unit = ' rows/s'; Floor = 'Import-Csv' },
        @{ List = $report.b2; Case = 'B2 results, run warm'; Unit = '/s'; Floor = 'ReadLines' })) {
    foreach ($b in $w.List) {
        $rows.Add([pscustomobject]@{ Case = $w.Case; Rows = '{0:N0}' -f $b.rows; Seconds = '{0:0.00}' -f $b.warmSeconds
                Rate = ('{0:N0}' -f ($b.rows / $b.warmSeconds)) + $w.Unit; Baseline = ('{0} {1:0.00} s, same process' -f $w.Floor, $b.sameProcessFloorSeconds)
                Ratio = '{0:0.00}x' -f $b.warmRatio; 'Peak WS' = '' })
    }
}
foreach ($m in $report.b3) {
    $rows.Add([pscustomobject]@{ Case = "B3 $($m.case)"; Rows = ('{0:N0} / {1:N0}' -f $m.largeRows, $m.smallRows); Seconds = ''; Rate = ''
            Baseline = 'peak at {0:N0} rows' -f $m.smallRows; Ratio = '{0:0.00}x' -f $m.ratio; 'Peak WS' = ('{0} / {1}' -f (& $mb $m.largePeakWorkingSet), (& $mb $m.smallPeakWorkingSet)) })
}
foreach ($b in $report.b6) {
    $rows.Add([pscustomobject]@{ Case = 'B6 csv, input order'; Rows = '{0:N0}' -f $b.rows; Seconds = '{0:0.00}' -f $b.seconds; Rate = '{0:N0} rows/s' -f $b.resultsPerSecond
            Baseline = 'Import-Csv | Export-Csv {0:0.00} s' -f $b.floorSeconds; Ratio = '{0:0.00}x' -f $b.ratio; 'Peak WS' = & $mb $b.peakWorkingSet })
}
# Not targets, for reading the one above: the case run a second time (warm, as its floor is), and the floor over the
# case's own output, whose rows have the result's columns as well as the input's.
foreach ($b in $report.b6) {
    $rows.Add([pscustomobject]@{ Case = 'B6 csv, run warm'; Rows = '{0:N0}' -f $b.rows; Seconds = '{0:0.00}' -f $b.warmSeconds; Rate = '{0:N0} rows/s' -f ($b.rows / $b.warmSeconds)
            Baseline = ('Import-Csv | Export-Csv {0:0.00} s; of the {1} columns written {2:0.00} s' -f $b.floorSeconds, $b.columns, $b.sameColumnsFloorSeconds)
            Ratio = ('{0:0.00}x; first run {1:0.00}x the {2} columns' -f $b.warmRatio, $b.sameColumnsRatio, $b.columns); 'Peak WS' = '' })
}
if ($report.b4) {
    $rows.Add([pscustomobject]@{ Case = 'B4 wait'; Rows = '1 batch'; Seconds = '{0:0.0}' -f $report.b4.seconds; Rate = 'poll every 1 s'
            Baseline = ('CPU {0:0.00} s, {1:0.00} s of it tiered compilation' -f $report.b4.cpuSeconds, ($report.b4.cpuSeconds - $report.b4.ownCpuSeconds))
            Ratio = ('{0:0.00}% CPU' -f $report.b4.ownCpuPercent); 'Peak WS' = & $mb $report.b4.peakWorkingSet })
}

if ($report.b5) {
    $b = $report.b5
    $rows.Add([pscustomobject]@{ Case = 'B5 embeddings'; Rows = ('{0:N0} x {1:N0}' -f $b.rows, $b.dimensions); Seconds = ('{0:0.0} + {1:0.0}' -f $b.submitSeconds, $b.resultSeconds)
            Rate = ('submit {0:N0} rows/s, to CSV {1:N0} rows/s' -f $b.submitRowsPerSecond, $b.resultRowsPerSecond)
            Baseline = ('{0} batches, CSV {1:N0} MB' -f $b.batches, ($b.csvBytes / 1MB)); Ratio = ''
            'Peak WS' = ('{0} (after submit {1})' -f (& $mb $b.peakWorkingSet), (& $mb $b.peakAfterSubmit)) })
}

$m = $report.machine
$machineLine = "$($m.cpu), $($m.cores) cores, $($m.memoryGB) GB; $($m.os); $($m.runtime); PowerShell $($m.powershell); commit $($m.commit)"
Write-Host ''
Write-Host "IrisBatch benchmark, $($report.date), median of $Runs run(s)"
Write-Host "Machine: $machineLine"
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
Write-Host 'Targets:'
foreach ($t in $report.targets) { Write-Host ("  {0,-4} {1,-45} {2,-10} (target {3})" -f $(if ($t.met) { 'met' } else { 'MISS' }), $t.name, $t.shown, $t.goal) }

$null = New-Item -ItemType Directory -Force (Split-Path $JsonPath)
$report | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $JsonPath -Encoding utf8NoBOM
Write-Host "Wrote $JsonPath"

# The README section: small, under its own heading, at the end of README.md.
$md = [Text.StringBuilder]::new()
$null = $md.AppendLine('## Benchmark')
$null = $md.AppendLine()
$null = $md.AppendLine("``dotnet pwsh ./build.ps1 -Task Bench`` (bench/Invoke-Bench.ps1) against the local emulator with ``--instant``; each case in a fresh pwsh, median of $Runs runs. Latest figures, $($report.date.Substring(0, 10)), on $machineLine.")
$null = $md.AppendLine()
$null = $md.AppendLine('| Case | Rows | Seconds | Rate | Baseline | Ratio | Peak working set |')
$null = $md.AppendLine('|---|---|---|---|---|---|---|')
# A cell's own '|' (a floor pipeline) is escaped, so the row keeps its columns.
$cell = { param($v) "$v" -replace '\|', '\|' }
foreach ($r in $rows) { $null = $md.AppendLine("| $(& $cell $r.Case) | $(& $cell $r.Rows) | $(& $cell $r.Seconds) | $(& $cell $r.Rate) | $(& $cell $r.Baseline) | $(& $cell $r.Ratio) | $(& $cell $r.'Peak WS') |") }
$null = $md.AppendLine()
$null = $md.AppendLine('Targets: ' + (($report.targets | ForEach-Object { "$($_.name) $($_.shown) ($($_.goal): $(if ($_.met) { 'met' } else { 'not met' }))" }) -join '; ') + '.')
$mdPath = Join-Path $OutDir 'bench.md'
Set-Content -LiteralPath $mdPath -Value $md.ToString() -Encoding utf8NoBOM -NoNewline
Write-Host "Wrote $mdPath"
if ($UpdateReadme) {
    $readme = Join-Path $Root 'README.md'
    $text = if (Test-Path $readme) { Get-Content -Raw $readme } else { '' }
    # Only this section changes: from its heading to the next '## ' heading (or the end); appended when missing.
    $m = [regex]::Match($text, '(?ms)^## Benchmark[ \t]*\r?\n.*?(?=^## |\z)')
    $section = $md.ToString().TrimEnd() + "`n"
    $text = if ($m.Success) { $text.Substring(0, $m.Index) + $section + $(if ($m.Index + $m.Length -lt $text.Length) { "`n" + $text.Substring($m.Index + $m.Length) } else { '' }) }
            elseif ($text) { $text.TrimEnd() + "`n`n" + $section } else { $section }
    Set-Content -LiteralPath $readme -Value $text -Encoding utf8NoBOM -NoNewline
    Write-Host "Updated the Benchmark section of $readme"
}
#endregion

if ($broken.Count) {
    Write-Host ''
    Write-Host 'Broken cases:'
    foreach ($b in $broken) { Write-Host "  $b" }
    exit 1
}
exit 0
