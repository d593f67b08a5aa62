# B4: CPU time of Wait-IrisBatch polling a batch that stays in progress, for a fixed time.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $JournalHome,
    [Parameter(Mandatory)] [string] $BatchId,
    [double] $Seconds = 60,
    [double] $PollInterval = 1
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-BenchModule $ModulePath $JournalHome
$me = [Diagnostics.Process]::GetCurrentProcess()
$me.Refresh()
$cpu0 = $me.TotalProcessorTime
$clock = [Diagnostics.Stopwatch]::StartNew()
$null = Wait-IrisBatch -Id $BatchId -PollInterval $PollInterval -Timeout $Seconds -ErrorAction SilentlyContinue -ErrorVariable waitErrors
$clock.Stop()
$me.Refresh()
$cpu = ($me.TotalProcessorTime - $cpu0).TotalSeconds
$timedOut = @($waitErrors | Where-Object { "$($_.FullyQualifiedErrorId)" -like 'IrisBatch.WaitTimeout*' }).Count -gt 0
Write-BenchResult @{ seconds = $clock.Elapsed.TotalSeconds; cpuSeconds = $cpu; timedOut = $timedOut; polls = [math]::Floor($Seconds / $PollInterval) }
