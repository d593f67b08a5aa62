# B4: CPU time of Wait-IrisBatch polling a batch that stays in progress, for a fixed time.
# Reports the CPU of the whole process and the part not spent by the runtime's background tiered compilation, which
# re-compiles, at full optimization, the code the process ran before the wait, whatever the wait does. On Linux that
# part is measured per thread (every thread but the '.NET Tiered Com...' one; a thread that ends during the wait takes
# its CPU out of the count, mostly the compilation worker, which exits when idle and is started again); elsewhere it is
# the process CPU less the compilation time JitInfo reports (wall-clock, which exceeds the CPU when runs share cores).
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $BatchId,
    [double] $Seconds = 60,
    [double] $PollInterval = 1
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome

function Get-ThreadCpu {
    <# CPU seconds by thread name, from /proc (empty elsewhere). #>
    $cpu = @{}
    if (-not (Test-Path /proc/self/task)) { return $cpu }
    $tick = 100.0   # USER_HZ
    foreach ($task in [IO.Directory]::GetDirectories('/proc/self/task')) {
        try {
            $fields = ([IO.File]::ReadAllText("$task/stat") -split '\) ', 2)[1] -split ' '
            $name = [IO.File]::ReadAllText("$task/comm").Trim()
            $cpu["$([IO.Path]::GetFileName($task)) $name"] = ([double] $fields[11] + [double] $fields[12]) / $tick
        }
        catch { }   # a thread that ended meanwhile
    }
    $cpu
}

$me = [Diagnostics.Process]::GetCurrentProcess()
$me.Refresh()
$cpu0 = $me.TotalProcessorTime
$jit0 = [System.Runtime.JitInfo]::GetCompilationTime($false)
$threads0 = Get-ThreadCpu
$clock = [Diagnostics.Stopwatch]::StartNew()
$null = Wait-IrisBatch -Id $BatchId -PollInterval $PollInterval -Timeout $Seconds -ErrorAction SilentlyContinue -ErrorVariable waitErrors
$clock.Stop()
$threads1 = Get-ThreadCpu
$jit = ([System.Runtime.JitInfo]::GetCompilationTime($false) - $jit0).TotalSeconds
$me.Refresh()
$cpu = ($me.TotalProcessorTime - $cpu0).TotalSeconds
$byName = @{}
foreach ($k in $threads1.Keys) {
    $delta = $threads1[$k] - $(if ($threads0.ContainsKey($k)) { $threads0[$k] } else { 0.0 })
    $name = ($k -split ' ', 2)[1]
    $byName[$name] = $(if ($byName.ContainsKey($name)) { $byName[$name] } else { 0.0 }) + $delta
}
$own = [Math]::Max(0.0, $cpu - $jit)
if ($byName.Count -gt 0) {
    $own = 0.0
    foreach ($name in $byName.Keys) { if ($name -notlike '.NET Tiered Com*') { $own += $byName[$name] } }
}
$timedOut = @($waitErrors | Where-Object { "$($_.FullyQualifiedErrorId)" -like 'IrisBatch.WaitTimeout*' }).Count -gt 0
Write-BenchResult @{
    seconds       = $clock.Elapsed.TotalSeconds
    cpuSeconds    = $cpu
    jitCpuSeconds = $jit
    ownCpuSeconds = $own
    threads       = $byName
    timedOut      = $timedOut
    polls         = [math]::Floor($Seconds / $PollInterval)
}
