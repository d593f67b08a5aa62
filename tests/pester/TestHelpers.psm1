# Helpers for the Pester suite: the module under test, the local emulator, a clean environment per test file.
# Also used by build.ps1 -Task Demo to start and stop the emulator.

Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:SavedEnvironment = $null

function Get-ModuleUnderTestPath {
    <# The published module manifest: $env:IRISBATCH_TEST_MODULE (set by Invoke-Pester.ps1) or out/IrisBatch. #>
    if ($env:IRISBATCH_TEST_MODULE) { return $env:IRISBATCH_TEST_MODULE }
    Join-Path $script:RepoRoot 'out/IrisBatch/IrisBatch.psd1'
}

function Import-ModuleUnderTest {
    <# Imports the published module by path into the global scope (never a copy from PSModulePath). #>
    $path = Get-ModuleUnderTestPath
    if (-not (Test-Path $path)) { throw "The published module is missing at ${path}: run 'dotnet pwsh ./build.ps1' first." }
    Import-Module $path -Force -Global -ErrorAction Stop -PassThru
}

function Get-DotnetHost {
    $self = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { return $self }
    (Get-Command dotnet -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Invoke-TestPwsh {
    <# Runs a script file in a child pwsh (same version as this one); returns its output lines, sets $LASTEXITCODE. #>
    param([Parameter(Mandatory)] [string] $File, [string[]] $ArgumentList = @())
    $self = [Environment]::ProcessPath
    [string[]] $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { $self, (Join-Path $PSHOME 'pwsh.dll') } else { , $self }
    [string[]] $argv = @($pwsh | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $File) + $ArgumentList
    & $pwsh[0] @argv 2>&1 | ForEach-Object { "$_" }
}

function Start-TestEmulator {
    <#
    .SYNOPSIS
        Starts out/emulator on a free 127.0.0.1 port and returns an object with Url (no /v1), Process, ApiKey.
    .DESCRIPTION
        The emulator prints 'IrisBatch emulator listening on http://127.0.0.1:PORT' as its first stdout line.
        The rest of stdout is discarded and stderr is kept in a log file (LogPath) for diagnostics.
        The emulator also exits when this process ends (--exit-on-stdin-close on a stdin pipe we hold).
    #>
    [CmdletBinding()]
    param(
        [string] $ApiKey = 'test-key',
        [int] $ValidatingMs = 50,
        [int] $InProgressMs = 300,
        [int] $FinalizingMs = 50,
        [int] $CancellingMs = 300,
        [string[]] $ArgumentList = @(),
        [string] $EmulatorPath = (Join-Path $script:RepoRoot 'out/emulator/IrisBatch.Emulator.dll'),
        [int] $StartTimeoutSeconds = 30
    )
    if (-not (Test-Path $EmulatorPath)) { throw "The emulator is missing at ${EmulatorPath}: run 'dotnet pwsh ./build.ps1' first." }

    # The emulator deletes a data folder of its own only when it exits normally, and Stop-TestEmulator kills it: it gets
    # one we make, which Stop-TestEmulator removes (uploads and result files can be hundreds of MB per run).
    $dataDir = $null
    if ($ArgumentList -notcontains '--data-dir') {
        $dataDir = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-emulator-$([guid]::NewGuid().ToString('N'))"
        $ArgumentList = @($ArgumentList) + @('--data-dir', $dataDir)
    }

    $psi = [Diagnostics.ProcessStartInfo]::new((Get-DotnetHost))
    foreach ($a in @($EmulatorPath, '--port', '0', '--api-key', $ApiKey,
            '--validating-ms', $ValidatingMs, '--in-progress-ms', $InProgressMs,
            '--finalizing-ms', $FinalizingMs, '--cancelling-ms', $CancellingMs,
            # stdin is our pipe: if this process dies without stopping it, the emulator exits too
            '--exit-on-stdin-close') + $ArgumentList) {
        $psi.ArgumentList.Add([string] $a)
    }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardInput = $true
    $psi.WorkingDirectory = $script:RepoRoot

    $logPath = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-emulator-$([guid]::NewGuid().ToString('N').Substring(0, 8)).log"
    $log = [IO.File]::Create($logPath)
    $p = [Diagnostics.Process]::Start($psi)
    $stderrCopy = $p.StandardError.BaseStream.CopyToAsync($log)

    $url = $null
    $seen = [Collections.Generic.List[string]]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($StartTimeoutSeconds)
    try {
        while (-not $url) {
            $read = $p.StandardOutput.ReadLineAsync()
            $left = [Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
            if (-not $read.Wait([int] $left)) { throw "no URL line within $StartTimeoutSeconds s" }
            $line = $read.Result
            if ($null -eq $line) { throw "the emulator exited before printing its URL" }
            $seen.Add($line)
            if ($line -match 'listening on:?\s+(https?://[^\s/]+)') { $url = $Matches[1] }
            elseif ($seen.Count -ge 50) { throw 'no URL line in the first 50 lines' }
        }
    }
    catch {
        $reason = $_.Exception.Message
        if (-not $p.HasExited) { $p.Kill($true) }
        $p.WaitForExit()
        $null = $stderrCopy.Wait(2000)
        $log.Dispose()
        $stderr = Get-Content -Raw $logPath -ErrorAction Ignore
        Remove-Item $logPath -ErrorAction Ignore
        if ($dataDir) { Remove-Item -LiteralPath $dataDir -Recurse -Force -ErrorAction Ignore }
        throw "The emulator did not start ($reason). stdout: $($seen -join ' | ') stderr: $stderr"
    }
    # Keep draining stdout so the emulator never blocks on a full pipe.
    $stdoutCopy = $p.StandardOutput.BaseStream.CopyToAsync([IO.Stream]::Null)

    [pscustomobject]@{
        PSTypeName = 'IrisBatch.TestEmulator'
        Url        = $url
        BaseUri    = "$url/v1"
        ApiKey     = $ApiKey
        Process    = $p
        LogPath    = $logPath
        Log        = $log
        CopyTasks  = @($stdoutCopy, $stderrCopy)
        DataDir    = $dataDir   # ours to remove; null when the caller passed --data-dir
    }
}

function Stop-TestEmulator {
    <# Stops an emulator started by Start-TestEmulator (that process only) and removes its log and data folder. #>
    param([Parameter(Mandatory, ValueFromPipeline)] [object] $Emulator)
    process {
        $p = $Emulator.Process
        try {
            if (-not $p.HasExited) { $p.Kill($true) }
            $null = $p.WaitForExit(10000)
        }
        catch [InvalidOperationException] { }   # already gone
        $null = [Threading.Tasks.Task]::WaitAll([Threading.Tasks.Task[]] $Emulator.CopyTasks, 2000)
        $Emulator.Log.Dispose()
        $p.Dispose()
        Remove-Item $Emulator.LogPath -ErrorAction Ignore
        if ($Emulator.DataDir) { Remove-Item -LiteralPath $Emulator.DataDir -Recurse -Force -ErrorAction Ignore }
    }
}

function Invoke-EmulatorApi {
    <# Calls the emulator over HTTP with its key, e.g. Invoke-EmulatorApi $emu GET /_emulator/stats. #>
    param(
        [Parameter(Mandatory)] [object] $Emulator,
        [Parameter(Mandatory)] [string] $Method,
        [Parameter(Mandatory)] [string] $Path,
        [object] $Body
    )
    $params = @{
        Uri     = "$($Emulator.Url)$Path"
        Method  = $Method
        Headers = @{ Authorization = "Bearer $($Emulator.ApiKey)" }
    }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $params.Body = $Body | ConvertTo-Json -Depth 10 -Compress
        $params.ContentType = 'application/json'
    }
    Invoke-RestMethod @params
}

function Get-EmulatorStats {
    <# {uploads, files_deleted, batches_created, cancels, downloads, routes} #>
    param([Parameter(Mandatory)] [object] $Emulator)
    Invoke-EmulatorApi $Emulator GET '/_emulator/stats'
}

function Reset-Emulator {
    param([Parameter(Mandatory)] [object] $Emulator)
    $null = Invoke-EmulatorApi $Emulator POST '/_emulator/reset'
}

function Set-EmulatorConfig {
    <# e.g. Set-EmulatorConfig $emu @{ cancelling_ms = 2000 } #>
    param([Parameter(Mandatory)] [object] $Emulator, [Parameter(Mandatory)] [hashtable] $Config)
    Invoke-EmulatorApi $Emulator POST '/_emulator/config' -Body $Config
}

function Invoke-EmulatorExpire {
    param([Parameter(Mandatory)] [object] $Emulator, [Parameter(Mandatory)] [string] $BatchId)
    Invoke-EmulatorApi $Emulator POST "/_emulator/batches/$BatchId/expire"
}

function Get-EmulatorFileLines {
    <# Downloads a file's content through the OpenAI files API and returns each JSONL line parsed. #>
    param([Parameter(Mandatory)] [object] $Emulator, [Parameter(Mandatory)] [string] $FileId)
    $content = Invoke-WebRequest -Uri "$($Emulator.Url)/v1/files/$FileId/content" -Headers @{ Authorization = "Bearer $($Emulator.ApiKey)" }
    $text = if ($content.Content -is [byte[]]) { [Text.Encoding]::UTF8.GetString($content.Content) } else { $content.Content }
    foreach ($line in $text -split "`n") { if ($line.Trim()) { $line | ConvertFrom-Json -Depth 64 } }
}

function New-RawBatch {
    <# Uploads JSONL lines (strings) straight to the emulator and creates a batch, bypassing the module. #>
    param([Parameter(Mandatory)] [object] $Emulator, [Parameter(Mandatory)] [string[]] $Lines, [string] $Endpoint = '/v1/chat/completions')
    $file = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-raw-$([guid]::NewGuid().ToString('N')).jsonl"
    try {
        [IO.File]::WriteAllText($file, (($Lines -join "`n") + "`n"))
        $headers = @{ Authorization = "Bearer $($Emulator.ApiKey)" }
        $uploaded = Invoke-RestMethod -Uri "$($Emulator.Url)/v1/files" -Method Post -Headers $headers -Form @{ purpose = 'batch'; file = Get-Item $file }
        Invoke-RestMethod -Uri "$($Emulator.Url)/v1/batches" -Method Post -Headers $headers -ContentType 'application/json' `
            -Body (@{ input_file_id = $uploaded.id; endpoint = $Endpoint; completion_window = '24h' } | ConvertTo-Json)
    }
    finally { Remove-Item $file -ErrorAction Ignore }
}

function Initialize-TestEnvironment {
    <# A fresh IRISBATCH_HOME, OPENAI_API_KEY=test-key, and no ambient provider settings. Returns the home path. #>
    param([string] $ApiKey = 'test-key')
    if (-not $script:SavedEnvironment) {
        $script:SavedEnvironment = @{}
        foreach ($name in 'IRISBATCH_HOME', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'IRISBATCH_PROVIDER') {
            $script:SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
        }
    }
    $homeDir = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-test-$([guid]::NewGuid().ToString('N').Substring(0, 10))"
    $null = New-Item -ItemType Directory -Force $homeDir
    $env:IRISBATCH_HOME = $homeDir
    $env:OPENAI_API_KEY = $ApiKey
    Remove-Item env:OPENAI_BASE_URL, env:IRISBATCH_PROVIDER -ErrorAction Ignore
    $homeDir
}

function Clear-TestEnvironment {
    <# Removes the test home and restores the variables Initialize-TestEnvironment changed. #>
    if ($env:IRISBATCH_HOME -and $env:IRISBATCH_HOME.StartsWith([IO.Path]::GetTempPath())) {
        Remove-Item -Recurse -Force $env:IRISBATCH_HOME -ErrorAction Ignore
    }
    if ($script:SavedEnvironment) {
        foreach ($kv in $script:SavedEnvironment.GetEnumerator()) {
            [Environment]::SetEnvironmentVariable($kv.Key, $kv.Value)
        }
        $script:SavedEnvironment = $null
    }
}

function New-TestRows {
    <# Rows like a CSV of products: sku, name, colour. #>
    param([int] $Count = 5, [string] $Prefix = 'Product')
    $colours = 'red', 'green', 'blue', 'black', 'white'
    for ($i = 1; $i -le $Count; $i++) {
        [pscustomobject]@{ sku = "sku-$i"; name = "$Prefix $i"; colour = $colours[($i - 1) % $colours.Count] }
    }
}

Export-ModuleMember -Function *-*

# --- Providers (Providers.Tests.ps1, Ollama.Tests.ps1, DurabilityAnthropic.Tests.ps1) ---

$script:ProviderVariables = @(
    'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_API_VERSION',
    'GEMINI_API_KEY', 'GEMINI_BASE_URL', 'XAI_API_KEY', 'XAI_BASE_URL', 'OLLAMA_HOST', 'IRISBATCH_RETRY_BASE_DELAY_MS',
    'GROQ_API_KEY', 'GROQ_BASE_URL', 'MISTRAL_API_KEY', 'MISTRAL_BASE_URL', 'TOGETHER_API_KEY', 'TOGETHER_BASE_URL')

function Initialize-ProviderTestEnvironment {
    <#
    .SYNOPSIS
        Initialize-TestEnvironment for any provider: a fresh IRISBATCH_HOME, no ambient provider settings, the key
        in the provider's own variable (none for Ollama), and fast retries. Clear-TestEnvironment restores all of it.
    #>
    param([string] $KeyVariable = 'OPENAI_API_KEY', [string] $ApiKey = 'test-key', [int] $RetryBaseDelayMs = 20)
    $homeDir = Initialize-TestEnvironment -ApiKey $ApiKey
    foreach ($name in $script:ProviderVariables) {
        if (-not $script:SavedEnvironment.ContainsKey($name)) { $script:SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name) }
        [Environment]::SetEnvironmentVariable($name, $null)
    }
    if ($KeyVariable -ne 'OPENAI_API_KEY') { Remove-Item env:OPENAI_API_KEY -ErrorAction Ignore }
    if ($KeyVariable) { [Environment]::SetEnvironmentVariable($KeyVariable, $ApiKey) }
    $env:IRISBATCH_RETRY_BASE_DELAY_MS = "$RetryBaseDelayMs"
    $homeDir
}

function Get-EmulatorChangeCount {
    <#
    .SYNOPSIS
        Every call that can change something on an emulator (any route but GET, failed calls included), summed over
        all its surfaces, plus the action counters. Equal before and after: nothing was sent that changes state.
    #>
    param([Parameter(Mandatory)] [object] $Emulator)
    $s = Get-EmulatorStats $Emulator
    $calls = 0
    if ($s.routes) {
        foreach ($p in $s.routes.psobject.Properties) { if ($p.Name -notlike 'GET *') { $calls += [long] $p.Value } }
    }
    [pscustomobject]@{
        Calls     = $calls
        Uploads   = $s.uploads
        Batches   = $s.batches_created
        Cancels   = $s.cancels
    }
}

function Get-TranscriptText {
    <# Runs a script block and returns what it wrote to the host (e.g. -WhatIf messages), through a transcript. #>
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $path = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-host-$([guid]::NewGuid().ToString('N')).txt"
    $null = Start-Transcript -Path $path -UseMinimalHeader
    try { $null = & $ScriptBlock }
    finally { $null = Stop-Transcript }
    try { Get-Content -Raw $path } finally { Remove-Item $path -ErrorAction Ignore }
}

function Wait-TestCondition {
    <# Polls a script block until it returns something true; throws with -Because after -TimeoutSeconds. #>
    param(
        [Parameter(Mandatory)] [scriptblock] $Condition,
        [double] $TimeoutSeconds = 30,
        [int] $IntervalMs = 50,
        [string] $Because = 'the condition never held'
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $value = & $Condition
        if ($value) { return $value }
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s: $Because" }
        Start-Sleep -Milliseconds $IntervalMs
    }
}

function Start-TestPwsh {
    <#
    .SYNOPSIS
        Starts a script file in a child pwsh without waiting; returns {Process, OutPath}. Its stdout and stderr go
        to OutPath. Stop it with Stop-TestPwsh (that process only); read what it wrote with Get-Content OutPath.
    #>
    param([Parameter(Mandatory)] [string] $File, [string[]] $ArgumentList = @())
    $self = [Environment]::ProcessPath
    $psi = [Diagnostics.ProcessStartInfo]::new($self)
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $File) + $ArgumentList) { $psi.ArgumentList.Add([string] $a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $outPath = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-child-$([guid]::NewGuid().ToString('N').Substring(0, 8)).log"
    $out = [IO.File]::Create($outPath)
    $p = [Diagnostics.Process]::Start($psi)
    [pscustomobject]@{
        PSTypeName = 'IrisBatch.TestPwsh'
        Process    = $p
        OutPath    = $outPath
        Out        = $out
        CopyTasks  = @($p.StandardOutput.BaseStream.CopyToAsync($out), $p.StandardError.BaseStream.CopyToAsync($out))
    }
}

function Stop-TestPwsh {
    <# Kills (-Kill) or waits for (-TimeoutSeconds) a child started by Start-TestPwsh; returns its exit code and output. #>
    param([Parameter(Mandatory)] [object] $Child, [switch] $Kill, [double] $TimeoutSeconds = 60)
    $p = $Child.Process
    if ($Kill -and -not $p.HasExited) { $p.Kill($true) }
    if (-not $p.WaitForExit([int] ($TimeoutSeconds * 1000))) { $p.Kill($true); $null = $p.WaitForExit(10000) }
    $null = [Threading.Tasks.Task]::WaitAll([Threading.Tasks.Task[]] $Child.CopyTasks, 5000)
    $Child.Out.Dispose()
    $text = Get-Content -Raw $Child.OutPath -ErrorAction Ignore
    Remove-Item $Child.OutPath -ErrorAction Ignore
    [pscustomobject]@{ ExitCode = $p.ExitCode; Output = "$text" }
}

function Send-TestSignal {
    <# Sends a POSIX signal (15 SIGTERM, 2 SIGINT, 1 SIGHUP; 0 only checks the process exists) to a process, through libc: no 'kill' program needed. #>
    param([Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [int] $Signal)
    if (-not ('IrisBatchTests.Libc' -as [type])) {
        Add-Type -Namespace IrisBatchTests -Name Libc -MemberDefinition '[System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] public static extern int kill(int pid, int sig);'
    }
    if ([IrisBatchTests.Libc]::kill($ProcessId, $Signal) -ne 0) { throw "kill($ProcessId, $Signal) failed: errno $([Runtime.InteropServices.Marshal]::GetLastWin32Error())" }
}

Export-ModuleMember -Function *-*

#region Fault injection (issue 3). The emulator's rules are documented in src/IrisBatch.Emulator/README.md.

$script:FaultRouteKeys = @{
    upload   = @('POST /v1/files')
    create   = @('POST /v1/batches')
    get      = @('GET /v1/batches/{batch_id}')
    list     = @('GET /v1/batches', 'GET /v1/files')
    cancel   = @('POST /v1/batches/{batch_id}/cancel')
    download = @('GET /v1/files/{file_id}/content')
}

function Add-EmulatorFault {
    <#
    .SYNOPSIS
        Adds a fault rule to the emulator (POST /_emulator/faults) and returns it as the emulator answers it.
    .DESCRIPTION
        Either a whole rule as a hashtable (-Rule, sent as is), or named settings. Route names: upload, create, get,
        list, cancel, download, '*' or an exact 'METHOD /pattern'. A rule fires once unless -Count or -Probability says
        otherwise.
    .EXAMPLE
        Add-EmulatorFault $emu -Route create -Kind reset_after
    .EXAMPLE
        Add-EmulatorFault $emu -Route download -Kind status -StatusCode 429 -RetryAfter 1 -RetryAfterMs 50 -Count 2
    .EXAMPLE
        Add-EmulatorFault $emu -Route get -Kind slow -DelayMs 3000 -After
    .EXAMPLE
        Add-EmulatorFault $emu -Route get -Kind status_word -Word paused -Count 3
    .EXAMPLE
        Add-EmulatorFault $emu -Rule @{ route = 'get'; kind = 'status'; status_code = 503; probability = 0.3; seed = 7 }
    #>
    [CmdletBinding(DefaultParameterSetName = 'Named')]
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Emulator,
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'Rule')] [Collections.IDictionary] $Rule,
        [Parameter(Mandatory, ParameterSetName = 'Named')] [string] $Route,
        [Parameter(Mandatory, ParameterSetName = 'Named')]
        [ValidateSet('status', 'quota', 'reset_before', 'reset_after', 'duplicate', 'status_word', 'slow', 'truncate', 'malformed_line', 'body')]
        [string] $Kind,
        [Parameter(ParameterSetName = 'Named')] [int] $StatusCode,
        [Parameter(ParameterSetName = 'Named')] [double] $RetryAfter,
        [Parameter(ParameterSetName = 'Named')] [long] $RetryAfterMs,
        [Parameter(ParameterSetName = 'Named')] [bool] $ShouldRetry,
        [Parameter(ParameterSetName = 'Named')] [string] $Message,
        [Parameter(ParameterSetName = 'Named')] [int] $DelayMs,
        [Parameter(ParameterSetName = 'Named')] [switch] $After,
        [Parameter(ParameterSetName = 'Named')] [long] $Bytes,
        [Parameter(ParameterSetName = 'Named')] [int] $Line,
        [Parameter(ParameterSetName = 'Named')] [string] $Word,
        [Parameter(ParameterSetName = 'Named')] [AllowEmptyString()] [string] $Text,
        [Parameter(ParameterSetName = 'Named')] [long] $Count,
        [Parameter(ParameterSetName = 'Named')] [long] $Skip,
        [Parameter(ParameterSetName = 'Named')] [double] $Probability,
        [Parameter(ParameterSetName = 'Named')] [int] $Seed
    )
    if ($PSCmdlet.ParameterSetName -eq 'Named') {
        $names = [ordered]@{
            StatusCode = 'status_code'; RetryAfter = 'retry_after'; RetryAfterMs = 'retry_after_ms'; ShouldRetry = 'should_retry'
            Message = 'message'; DelayMs = 'delay_ms'; Bytes = 'bytes'; Line = 'line'; Word = 'word'; Text = 'text'; Count = 'count'; Skip = 'skip'
            Probability = 'probability'; Seed = 'seed'
        }
        $Rule = [ordered]@{ route = $Route; kind = $Kind }
        foreach ($name in $names.Keys) {
            if ($PSBoundParameters.ContainsKey($name)) { $Rule[$names[$name]] = $PSBoundParameters[$name] }
        }
        if ($After) { $Rule['after'] = $true }
    }
    Invoke-EmulatorApi $Emulator POST '/_emulator/faults' -Body $Rule
}

function Get-EmulatorFault {
    <# The emulator's fault rules, each with id, route, kind, seen, injected and remaining. #>
    param([Parameter(Mandatory)] [object] $Emulator)
    @((Invoke-EmulatorApi $Emulator GET '/_emulator/faults').data)
}

function Clear-EmulatorFault {
    <# Removes every fault rule (the faults_injected counter stays until Reset-Emulator). #>
    param([Parameter(Mandatory)] [object] $Emulator)
    $null = Invoke-EmulatorApi $Emulator DELETE '/_emulator/faults'
}

function Get-EmulatorRouteCall {
    <# Calls the emulator has seen on a route: a fault route name (upload, create, get, list, cancel, download) or a 'METHOD /pattern' key. #>
    param([Parameter(Mandatory)] [object] $Emulator, [Parameter(Mandatory)] [string] $Route, [object] $Stats)
    if (-not $Stats) { $Stats = Get-EmulatorStats $Emulator }
    $keys = if ($script:FaultRouteKeys.ContainsKey($Route)) { $script:FaultRouteKeys[$Route] } else { @($Route) }
    $n = 0
    foreach ($k in $keys) {
        $p = $Stats.routes.PSObject.Properties[$k]
        if ($p) { $n += [long] $p.Value }
    }
    $n
}

function Wait-EmulatorRouteCall {
    <#
    .SYNOPSIS
        Waits until the emulator has seen at least -Count calls on a route (counted as they arrive, before any fault
        or handler runs), e.g. to kill a client while its call is held by a 'slow' fault. Returns the stats.
    #>
    param(
        [Parameter(Mandatory)] [object] $Emulator,
        [Parameter(Mandatory)] [string] $Route,
        [long] $Count = 1,
        [double] $TimeoutSec = 60,
        # Give up early when this process has exited (the client died or finished without making the call).
        [Diagnostics.Process] $Process
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($true) {
        $stats = Get-EmulatorStats $Emulator
        if ((Get-EmulatorRouteCall $Emulator $Route -Stats $stats) -ge $Count) { return $stats }
        if ($Process -and $Process.HasExited) { throw "The process exited (code $($Process.ExitCode)) before $Count call(s) on route '$Route' arrived." }
        if ([DateTime]::UtcNow -gt $deadline) { throw "No $Count call(s) on route '$Route' within $TimeoutSec s; routes: $($stats.routes | ConvertTo-Json -Compress)" }
        Start-Sleep -Milliseconds 25
    }
}

function Assert-OneResultPerRequest {
    <# Exactly one result for each of request-1 .. request-Count, none missing, none twice. #>
    param([object[]] $Results, [int] $Count = 1000)
    $Results.Count | Should -Be $Count
    $ids = [Collections.Generic.HashSet[string]]::new([string[]] @($Results.CustomId))
    $ids.Count | Should -Be $Count -Because 'each custom id has exactly one result'
    @(1..$Count | ForEach-Object { "request-$_" } | Where-Object { -not $ids.Contains($_) }) | Should -BeNullOrEmpty
}

function Invoke-FaultMatrixCase {
    <#
    .SYNOPSIS
        One run of the durability fault matrix (issue 3, test 1; Durability.Tests.ps1 for OpenAI, DurabilityAnthropic for
        Anthropic): sets the fault on -Route, submits 1,000 requests through -Submit, then waits (or stops, for the
        'cancel' route) and reads the results, and asserts what must hold whatever the fault: one result per custom id,
        one batch created (one upload with -OneUpload), every fault injected once, and the outcome of the route.
    .PARAMETER Submit
        Called with the network parameters (a hashtable to splat: -TimeoutSec 1 for slow faults); returns the batch.
    #>
    param(
        [Parameter(Mandatory)] [object] $Emulator,
        [Parameter(Mandatory)] [string] $Route,
        [Parameter(Mandatory)] [hashtable] $Rule,
        [bool] $Slow,
        [Parameter(Mandatory)] [scriptblock] $Submit,
        [int] $CancellingMs = 2000,
        [double] $PollInterval = 0.05,
        [switch] $OneUpload
    )
    Reset-Emulator $Emulator
    if ($Route -eq 'cancel') {
        # Long enough to stop it midway; cancelling long enough that a repeated cancel still finds it cancelling.
        $null = Set-EmulatorConfig $Emulator @{ in_progress_ms = 5000; cancelling_ms = $CancellingMs }
    }
    # 'list' is only called to look for what a lost answer may have done: lose the create's answer to make it happen.
    if ($Route -eq 'list') { $null = Add-EmulatorFault $Emulator -Route create -Kind reset_after }
    $null = Add-EmulatorFault $Emulator (@{ route = $Route } + $Rule)
    $net = if ($Slow) { @{ TimeoutSec = 1 } } else { @{} }

    $batch = & $Submit $net
    $done = if ($Route -eq 'cancel') {
        $batch | Stop-IrisBatch -PassThru -Wait -PollInterval $PollInterval -Confirm:$false @net -ErrorAction Stop
    }
    else { $batch | Wait-IrisBatch -PollInterval $PollInterval -Timeout 60 @net -ErrorAction Stop }
    $results = @($done | Get-IrisBatchResult @net -ErrorAction Stop)

    Assert-OneResultPerRequest $results
    $stats = Get-EmulatorStats $Emulator
    if ($OneUpload) { $stats.uploads | Should -Be 1 -Because 'the input is never uploaded twice' }
    $stats.batches_created | Should -Be 1 -Because 'the batch is never created twice'
    foreach ($f in Get-EmulatorFault $Emulator) {
        $f.injected | Should -Be 1 -Because "the $($f.kind) fault on $($f.route) must have happened for the run to prove anything"
    }

    $byStatus = $results | Group-Object { "$($_.Status)" } -AsHashTable -AsString
    if ($Route -eq 'cancel') {
        $done.Status | Should -Be ([IrisBatch.BatchStatus]::Cancelled)
        $stats.cancels | Should -Be 1
        @($byStatus.Keys | Where-Object { $_ -notin 'Succeeded', 'Cancelled' }) | Should -BeNullOrEmpty
        $byStatus['Cancelled'].Count | Should -BeGreaterThan 0 -Because 'the batch was stopped midway'
    }
    elseif ($Rule.kind -eq 'malformed_line') {
        $bad = @($byStatus['Failed'])
        $bad.Count | Should -Be 1
        $bad[0].Error.Code | Should -Be 'invalid_result_line'
        $bad[0].Error.Message | Should -Match "(?i)\bline $($Rule.line)\b" -Because 'the error names the line'
        $bad[0].CustomId | Should -Match '^request-\d+$'
        $byStatus['Succeeded'].Count | Should -Be 999
    }
    else {
        $done.Status | Should -Be ([IrisBatch.BatchStatus]::Completed)
        $byStatus['Succeeded'].Count | Should -Be 1000
        @($results | Where-Object { $_.Output -cne "Echo: Describe $($_.Input.name)." }).Count | Should -Be 0 -Because 'every result is the answer to its own row'
    }
}

function Assert-WaitTimesOut {
    <#
    .SYNOPSIS
        Wait-IrisBatch -Timeout on a batch that stays running: one IrisBatch.WaitTimeout error naming the batch, within
        -Within seconds, and the batch's last known state emitted (not complete).
    #>
    param([Parameter(Mandatory)] [object] $Batch, [double] $Timeout = 1, [double] $Within = 5, [double] $PollInterval = 0.05)
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $last = @($Batch | Wait-IrisBatch -PollInterval $PollInterval -Timeout $Timeout -ErrorVariable ev -ErrorAction SilentlyContinue)
    $clock.Elapsed.TotalSeconds | Should -BeLessThan $Within
    $ev.Count | Should -Be 1
    $ev[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.WaitTimeout,*'
    $ev[0].Exception.Message | Should -Match ([regex]::Escape($Batch.Id))
    $last.Count | Should -Be 1
    $last[0].Id | Should -Be $Batch.Id
    $last[0].IsComplete | Should -BeFalse
    $last[0].Status | Should -BeIn @([IrisBatch.BatchStatus]::Pending, [IrisBatch.BatchStatus]::InProgress)
}

#endregion

# Again, for the functions defined after the first export.
Export-ModuleMember -Function *-*
