# Dot-sourced by every benchmark case. A case runs in a fresh pwsh started by bench/Invoke-Bench.ps1 and ends by
# printing one line 'BENCH-RESULT {json}' that the runner reads; everything else it prints is ignored.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version 3.0

function Get-PeakWorkingSet {
    <# Peak resident set of this whole process, in bytes: VmHWM on Linux, else the runtime's peak working set. #>
    if (Test-Path /proc/self/status) {
        foreach ($line in [IO.File]::ReadLines('/proc/self/status')) {
            if ($line -match '^VmHWM:\s+(\d+)\s+kB') { return [long] $Matches[1] * 1024 }
        }
    }
    [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
}

function Write-BenchResult([hashtable] $Values) {
    $me = [Diagnostics.Process]::GetCurrentProcess()
    $Values.peakWorkingSet = Get-PeakWorkingSet
    $Values.processCpuSeconds = $me.TotalProcessorTime.TotalSeconds
    [Console]::Out.WriteLine('BENCH-RESULT ' + ($Values | ConvertTo-Json -Compress -Depth 5))
}

function Import-BenchModule([string] $ModulePath, [string] $JournalHome) {
    $env:IRISBATCH_HOME = $JournalHome
    $env:OPENAI_API_KEY = 'bench-key'
    Remove-Item env:OPENAI_BASE_URL, env:IRISBATCH_PROVIDER, env:IRISBATCH_PRICES -ErrorAction Ignore
    Import-Module $ModulePath -ErrorAction Stop
}

function Measure-ReadLines([string[]] $Files) {
    <# B2's floor: [IO.File]::ReadLines | Measure-Object over the result files, once untimed (warm), then timed. Returns seconds and lines. #>
    foreach ($f in $Files) { $null = ([IO.File]::ReadLines($f) | Measure-Object).Count }
    $count = 0
    $clock = [Diagnostics.Stopwatch]::StartNew()
    foreach ($f in $Files) { $count += ([IO.File]::ReadLines($f) | Measure-Object).Count }
    $clock.Stop()
    @{ seconds = $clock.Elapsed.TotalSeconds; lines = $count }
}
