#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests and demonstrates IrisBatch.

.DESCRIPTION
    Run from a fresh clone with only the .NET SDK:

        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

    Tasks (each runs its dependencies first, and every task runs at most once per invocation):
      Build    dotnet build of the solution, then publishes the module to out/IrisBatch (manifest stamped
               with <Version> from Directory.Build.props) and the emulator to out/emulator.
      Test     Build, then xunit (tests/IrisBatch.Tests), Pester (tests/pester, shared out between child pwsh
               processes run side by side, one per core up to 3, against the published module) and the official
               Groq/Mistral/Together SDKs (tests/sdk-node, npm ci; skipped when Node.js is missing). Ends with
               one line 'Tests: N passed, N failed, N skipped'; exit code 1 on any failure, or if a runner crashed
               or ran no tests.
      Demo     Build, start the emulator on a free 127.0.0.1 port, run examples/Invoke-Demo.ps1 (the README
               pipeline on examples/products.csv) in a child pwsh, stop the emulator.
      Bench    Build, then bench/Invoke-Bench.ps1 in a child pwsh: submit, results, memory and waiting against the
               emulator (--instant), each case in a fresh pwsh; prints a table, writes out/bench.json.
      Package  Build, then packs out/IrisBatch into out/IrisBatch.<version>.nupkg (build/New-ModulePackage.ps1), which
               Install-PSResource installs from a folder registered with Register-PSResourceRepository.

    To add a task: add an entry to $script:Tasks below with its DependsOn and Action.

.PARAMETER Task
    One or more tasks, run in the order given. Default: Build.

.PARAMETER Configuration
    The dotnet configuration. Default: Release.

.PARAMETER PesterFullName
    Development aid: run only the Pester tests whose full name matches one of these wildcards.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string[]] $PesterFullName
)

$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $true
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version 3.0

# Quiet, reproducible tool output (see docs: toolchain pitfalls). Child processes inherit these.
$env:NO_COLOR = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'
# No MSBuild worker processes left running after the build (they can keep a CI log pipe open).
$env:MSBUILDDISABLENODEREUSE = '1'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'IrisBatch'
$EmulatorOut = Join-Path $Out 'emulator'
$TestResults = Join-Path $Out 'test-results'
$PesterVersion = '5.7.1'
$PesterPackages = Join-Path $Root '.tools/packages'
$PesterManifest = Join-Path $PesterPackages "pester/$PesterVersion/tools/Pester.psd1"
# The Pester children are stopped this long after they start, so a hung test cannot hold CI forever (on an idle
# 2-core machine the two shares take about 4-5 minutes; several times that when the machine is busy).
$PesterTimeout = [TimeSpan]::FromMinutes(20)

Set-Location $Root

#region helpers

function Write-Step([string] $Message) {
    Write-Host ''
    Write-Host "==> $Message"
}

function Get-ModuleVersion {
    # Directory.Build.props is the one place the version is set.
    $props = [xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))
    $node = $props.SelectSingleNode('/Project/PropertyGroup/Version')
    if (-not $node -or -not $node.InnerText.Trim()) { throw 'Directory.Build.props has no <Version>.' }
    $node.InnerText.Trim()
}

function Get-DotnetPath {
    # Run as a dotnet local tool, this process *is* dotnet; otherwise find it on PATH.
    $self = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { return $self }
    (Get-Command dotnet -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Get-PwshCommand {
    # The command line that starts a child pwsh of the same version as this one.
    $self = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') {
        return [string[]] @($self, (Join-Path $PSHOME 'pwsh.dll'))
    }
    [string[]] @($self)
}

function New-ChildPwshStartInfo([string] $File, [string[]] $ArgumentList) {
    # How a child pwsh of this version runs a script from the repository's root.
    [string[]] $pwsh = Get-PwshCommand
    $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $File) + $ArgumentList) {
        $psi.ArgumentList.Add($a)
    }
    $psi.UseShellExecute = $false
    $psi.WorkingDirectory = $Root
    $psi
}

function Invoke-ChildPwsh {
    <# Runs a script in a child pwsh with the console inherited; returns its exit code, or $null if it had to
       be stopped after $Timeout. #>
    param([string] $File, [string[]] $ArgumentList = @(), [TimeSpan] $Timeout = [TimeSpan]::FromHours(1))
    $psi = New-ChildPwshStartInfo $File $ArgumentList
    $p = [Diagnostics.Process]::Start($psi)
    try {
        if (-not $p.WaitForExit([int] $Timeout.TotalMilliseconds)) {
            Write-Host "Child pwsh ($File) did not finish within $Timeout; stopping it."
            $p.Kill($true)
            $p.WaitForExit()
            return $null
        }
        $p.WaitForExit()  # flush
        $p.ExitCode
    }
    finally {
        if (-not $p.HasExited) { $p.Kill($true) }
        $p.Dispose()
    }
}

function Copy-OptionalModuleFiles {
    <# Copies format/type files and help into the published module when they exist, and returns the
       manifest entries they need. #>
    $formats = @(Get-ChildItem (Join-Path $Root 'src/IrisBatch') -Filter '*.Format.ps1xml' -File -ErrorAction Ignore)
    $types = @(Get-ChildItem (Join-Path $Root 'src/IrisBatch') -Filter '*.Types.ps1xml' -File -ErrorAction Ignore)
    foreach ($f in $formats + $types) { Copy-Item $f.FullName $ModuleOut }

    # Help (later issue): out/help/<culture>/... is copied as is; loose files go to en-US.
    $help = Join-Path $Out 'help'
    if (Test-Path $help) {
        foreach ($item in Get-ChildItem $help) {
            if ($item.PSIsContainer) { Copy-Item $item.FullName $ModuleOut -Recurse -Force }
            else {
                $null = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'en-US')
                Copy-Item $item.FullName (Join-Path $ModuleOut 'en-US') -Force
            }
        }
    }
    @{ Formats = [string[]] @($formats | ForEach-Object Name); Types = [string[]] @($types | ForEach-Object Name) }
}

# The platforms IrisBatch.Core and IrisBatch are precompiled for (ReadyToRun images in out/IrisBatch/r2r/<platform>/, which the loader,
# src/IrisBatch.Loader, loads on import). Other platforms, and Windows PowerShell, load the portable copy.
$NativeImagePlatforms = @('linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64')

function New-NativeImages {
    <# Precompiles IrisBatch.Core and IrisBatch (the cmdlets) for each platform with the SDK's own crossgen2 (restored
       by build/NativeImages), against the runtime the SDK carries. An image saves a new session compiling the
       methods as it first runs them. A failure stops the build: a module without its images would still work, only
       slower to start. #>
    $dotnet = Get-DotnetPath
    $project = Join-Path $Root 'build/NativeImages/NativeImages.csproj'
    & $dotnet restore $project -nologo -v:q | Out-Host
    $where = @{}
    foreach ($line in @(& $dotnet msbuild $project -t:Where -nologo -v:m)) {
        if ($line -match '^\s*(crossgen2|runtime)=(.+)$') { $where[$Matches[1]] = $Matches[2].Trim() }
    }
    if (-not $where['crossgen2'] -or -not $where['runtime']) { throw "build/NativeImages did not say where crossgen2 and the runtime are." }
    $tool = @('crossgen2.exe', 'crossgen2', 'crossgen2.dll' | ForEach-Object { Join-Path $where['crossgen2'] $_ } | Where-Object { Test-Path $_ })[0]
    if (-not $tool) { throw "crossgen2 is not in $($where['crossgen2'])." }
    [string[]] $command = if ($tool.EndsWith('.dll')) { @($dotnet, $tool) } else { @($tool) }
    # The cmdlets' assembly is compiled against this PowerShell's System.Management.Automation; its code calls into
    # PowerShell by name, never inlined, so the image serves every PowerShell 7 on the platform.
    $powerShell = Join-Path (Split-Path ([psobject].Assembly.Location)) 'System.Management.Automation.dll'
    $PSNativeCommandUseErrorActionPreference = $false   # its exit code is checked below, with its output
    foreach ($platform in $NativeImagePlatforms) {
        $os, $arch = $platform -split '-', 2
        $os = @{ win = 'windows'; osx = 'osx'; linux = 'linux' }[$os]
        $dir = Join-Path $ModuleOut "r2r/$platform"
        $null = New-Item -ItemType Directory -Force $dir
        foreach ($name in 'IrisBatch.Core', 'IrisBatch') {
            # A response file: pwsh on Linux and macOS would expand the references' wildcards itself, into more inputs.
            $rsp = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-crossgen2-$platform-$name.rsp"
            [string[]] $lines = @(
                (Join-Path $ModuleOut "$name.dll"), '-o', (Join-Path $dir "$name.dll"), "--targetos:$os", "--targetarch:$arch", '-O',
                '-r', (Join-Path $where['runtime'] '*.dll'), '-r', (Join-Path $ModuleOut '*.dll'))
            if ($name -eq 'IrisBatch') { $lines += @('-r', $powerShell) }
            Set-Content -LiteralPath $rsp -Encoding utf8NoBOM -Value $lines
            [string[]] $arguments = @($command | Select-Object -Skip 1) + @("@$rsp")
            $out = @(& $command[0] @arguments 2>&1)
            Remove-Item -LiteralPath $rsp -ErrorAction Ignore
            if ($LASTEXITCODE -ne 0) { $out | Select-Object -Last 15 | Out-Host; throw "crossgen2 failed for $name on $platform (exit code $LASTEXITCODE)." }
        }
    }
    Write-Host "Native images: $($NativeImagePlatforms -join ', ')"
}

function Write-Manifest([string] $Version, [hashtable] $Extras) {
    # Stamp the repo-root manifest: ModuleVersion from Directory.Build.props (a -suffix becomes Prerelease),
    # and the format/type files that were copied.
    $moduleVersion, $prerelease = $Version -split '-', 2
    $null = [version] $moduleVersion
    $text = Get-Content -Raw (Join-Path $Root 'IrisBatch.psd1')
    $text = $text -replace "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$moduleVersion'"
    if ($prerelease) {
        $text = $text -replace "(?m)^(\s*)(ReleaseNotes\s*=)", "`${1}Prerelease   = '$prerelease'`n`${1}`${2}"
    }
    $list = { param([string[]] $names) if ($names) { "@($((($names | ForEach-Object { "'$_'" }) -join ', ')))" } else { '@()' } }
    $text = $text -replace '(?m)^(\s*FormatsToProcess\s*=\s*)@\(\)', "`${1}$(& $list $Extras.Formats)"
    $text = $text -replace '(?m)^(\s*TypesToProcess\s*=\s*)@\(\)', "`${1}$(& $list $Extras.Types)"
    $target = Join-Path $ModuleOut 'IrisBatch.psd1'
    Set-Content -Path $target -Value $text -Encoding utf8NoBOM -NoNewline
    $data = Import-PowerShellDataFile $target   # syntax check without loading the module here
    if ($data.ModuleVersion -ne $moduleVersion) { throw "Manifest stamping failed: ModuleVersion is $($data.ModuleVersion)." }
}

#endregion

#region test result readers

function New-RunnerResult([string] $Name) {
    [pscustomobject]@{ Name = $Name; Passed = 0; Failed = 0; Skipped = 0; Total = 0; Failures = [Collections.Generic.List[object]]::new(); Problem = $null }
}

function Read-TrxResult([string] $Path, [object] $Result) {
    $ns = @{ t = 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010' }
    $found = Select-Xml -Path $Path -XPath '//t:ResultSummary/t:Counters' -Namespace $ns | Select-Object -First 1
    if (-not $found) { $Result.Problem = "$Path has no result counters"; return }
    $counters = $found.Node
    $n = { param($attr) if ($counters.HasAttribute($attr)) { [int] $counters.GetAttribute($attr) } else { 0 } }
    $Result.Total = & $n 'total'
    $Result.Passed = & $n 'passed'
    $Result.Failed = (& $n 'failed') + (& $n 'error') + (& $n 'timeout') + (& $n 'aborted')
    # A skipped xunit test (e.g. one that cannot run on this OS) is 'notExecuted' in the trx.
    $Result.Skipped = (& $n 'notExecuted') + (& $n 'inconclusive')
    $failed = Select-Xml -Path $Path -XPath "//t:UnitTestResult[@outcome='Failed' or @outcome='Error' or @outcome='Timeout' or @outcome='Aborted']" -Namespace $ns
    foreach ($r in @($failed | ForEach-Object Node)) {
        $msg = $r.SelectSingleNode('*[local-name()="Output"]/*[local-name()="ErrorInfo"]/*[local-name()="Message"]')
        $Result.Failures.Add([pscustomobject]@{ Name = $r.testName; Message = if ($msg) { $msg.InnerText.Trim() } else { $r.outcome } })
    }
}

function Read-PesterSummary([string] $Path, [object] $Result) {
    # Adds the counts and failures to $Result; returns the test files the run was given.
    $s = Get-Content -Raw $Path | ConvertFrom-Json
    $Result.Passed = [int] $s.passed
    $Result.Failed = [int] $s.failed
    $Result.Skipped = [int] $s.skipped
    $Result.Total = [int] $s.total
    foreach ($f in @($s.failures)) { if ($f) { $Result.Failures.Add($f) } }
    @($s.files)
}

#endregion

#region tasks

function Invoke-BuildTask {
    $version = Get-ModuleVersion
    Write-Step "Build IrisBatch $version ($Configuration)"
    $dotnet = Get-DotnetPath

    # One build of the whole solution (module, core, emulator, tests); the publishes below reuse it.
    & $dotnet build (Join-Path $Root 'IrisBatch.slnx') -c $Configuration -nologo -nodeReuse:false -v:minimal

    foreach ($dir in $ModuleOut, $EmulatorOut) {
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    }
    & $dotnet publish (Join-Path $Root 'src/IrisBatch') -c $Configuration --no-build -o $ModuleOut -nologo -nodeReuse:false -v:minimal
    & $dotnet publish (Join-Path $Root 'src/IrisBatch.Emulator') -c $Configuration --no-build -o $EmulatorOut -nologo -nodeReuse:false -v:minimal

    # The module folder holds only what pwsh loads: no symbols, no deps.json, no PowerShell reference assembly.
    Get-ChildItem $ModuleOut -File | Where-Object { $_.Extension -in '.pdb', '.json' -or $_.Name -eq 'System.Management.Automation.dll' } |
        Remove-Item -Force
    New-NativeImages
    $extras = Copy-OptionalModuleFiles
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut
    Write-Manifest -Version $version -Extras $extras
    # Help: docs/*.md -> en-US/IrisBatch.dll-Help.xml and about topics, in a child pwsh (this process never loads the module).
    $code = Invoke-ChildPwsh -File (Join-Path $Root 'build/ConvertTo-Maml.ps1') -Timeout ([TimeSpan]::FromMinutes(2)) -ArgumentList @(
        '-ModulePath', (Join-Path $ModuleOut 'IrisBatch.psd1'), '-DocsPath', (Join-Path $Root 'docs'), '-OutputPath', $ModuleOut)
    if ($code -ne 0) { throw "Building the help from docs/ failed (exit code $code)." }
    Write-Host "Module:   $ModuleOut"
    Write-Host "Emulator: $EmulatorOut"
}

function Invoke-XunitTests {
    $result = New-RunnerResult 'xunit'
    $trx = Join-Path $TestResults 'xunit.trx'
    Remove-Item $trx -ErrorAction Ignore
    Write-Step 'xunit: tests/IrisBatch.Tests'
    $dotnet = Get-DotnetPath
    $PSNativeCommandUseErrorActionPreference = $false   # a failing test run is reported below, not thrown
    & $dotnet test (Join-Path $Root 'tests/IrisBatch.Tests') -c $Configuration --no-build -nologo `
        --logger 'trx;LogFileName=xunit.trx' --results-directory $TestResults `
        --blame-hang-timeout 4m --blame-hang-dump-type none | Out-Host
    $code = $LASTEXITCODE
    if (Test-Path $trx) { Read-TrxResult $trx $result }
    else { $result.Problem = "dotnet test wrote no results (exit code $code)" }
    if (-not $result.Problem -and $code -ne 0 -and $result.Failed -eq 0) { $result.Problem = "dotnet test exited with $code" }
    $result
}

function Install-Pester {
    if (Test-Path $PesterManifest) { return }
    Write-Step "Download Pester $PesterVersion"
    & (Get-DotnetPath) package download "Pester@$PesterVersion" -o $PesterPackages | Out-Host
    if (-not (Test-Path $PesterManifest)) { throw "Pester was downloaded but $PesterManifest is missing." }
}

function Start-ChildPwsh {
    <# Starts a script in a child pwsh whose stdout goes to $LogPath and stderr to $LogPath.err; returns what
       Wait-ChildPwsh needs. #>
    param([string] $File, [string[]] $ArgumentList, [string] $LogPath)
    $psi = New-ChildPwshStartInfo $File $ArgumentList
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $out = [IO.File]::Create($LogPath)
    $err = [IO.File]::Create("$LogPath.err")
    $p = [Diagnostics.Process]::Start($psi)
    [pscustomobject]@{
        Process = $p; Logs = @($out, $err); LogPath = $LogPath
        Copies  = @($p.StandardOutput.BaseStream.CopyToAsync($out), $p.StandardError.BaseStream.CopyToAsync($err))
    }
}

function Wait-ChildPwsh {
    <# Waits for a child from Start-ChildPwsh until $Deadline, then prints its output; returns its exit code, or $null
       if it had to be stopped. #>
    param([object] $Child, [DateTime] $Deadline)
    $p = $Child.Process
    try {
        $left = [Math]::Max(0, ($Deadline - [DateTime]::UtcNow).TotalMilliseconds)
        $code = $null
        if ($p.WaitForExit([int] $left)) { $p.WaitForExit(); $code = $p.ExitCode }
        else {
            Write-Host "Child pwsh ($($Child.LogPath)) did not finish in time; stopping it."
            $p.Kill($true)
            $p.WaitForExit()
        }
        # The copies end when the child's pipes close (a grandchild still holding one is given 30 s).
        $null = [Threading.Tasks.Task]::WaitAll([Threading.Tasks.Task[]] $Child.Copies, 30000)
        $code
    }
    finally {
        if (-not $p.HasExited) { $p.Kill($true) }
        foreach ($log in $Child.Logs) { $log.Dispose() }
        $p.Dispose()
        Get-Content -LiteralPath $Child.LogPath, "$($Child.LogPath).err" -ErrorAction Ignore | Out-Host
    }
}

function Invoke-PesterTests {
    <# Pester in child pwsh processes: the test files shared out between as many as the machine has cores (at most
       3), run side by side, each with its own results folder; their logs are printed one after another, then added up. #>
    $result = New-RunnerResult 'Pester'
    Install-Pester
    $shards = if ($PesterFullName) { 1 } else { [Math]::Max(1, [Math]::Min(3, [Environment]::ProcessorCount)) }
    Write-Step "Pester: tests/pester against out/IrisBatch ($(if ($shards -gt 1) { "$shards shares side by side, a child pwsh each" } else { "a child pwsh" }))"
    $deadline = [DateTime]::UtcNow + $PesterTimeout
    $children = foreach ($k in 1..$shards) {
        $dir = Join-Path $TestResults "pester-$k"
        Remove-Item -Recurse -Force $dir -ErrorAction Ignore
        $null = New-Item -ItemType Directory -Force $dir
        [string[]] $argList = @(
            '-PesterModule', $PesterManifest,
            '-ModulePath', (Join-Path $ModuleOut 'IrisBatch.psd1'),
            '-ResultDirectory', $dir,
            '-Shard', $k, '-ShardCount', $shards
        )
        if ($PesterFullName) { $argList += @('-FullName', ($PesterFullName -join ',')) }
        $child = Start-ChildPwsh -File (Join-Path $Root 'tests/pester/Invoke-Pester.ps1') -ArgumentList $argList -LogPath (Join-Path $dir 'pester.log')
        $child | Add-Member -NotePropertyName Directory -NotePropertyValue $dir -PassThru
    }
    $problems = [Collections.Generic.List[string]]::new()
    $ran = [Collections.Generic.List[string]]::new()
    foreach ($child in @($children)) {
        $k = [array]::IndexOf(@($children), $child) + 1
        Write-Host "----- Pester share $k of $shards -----"
        $code = Wait-ChildPwsh $child $deadline
        $summary = Join-Path $child.Directory 'pester-summary.json'
        $part = New-RunnerResult 'Pester'
        if ($null -eq $code) { $problems.Add("share $k did not finish within $PesterTimeout and was stopped") }
        elseif (Test-Path $summary) {
            foreach ($file in Read-PesterSummary $summary $part) { $ran.Add([IO.Path]::GetFullPath($file)) }
            if ($code -ne 0 -and $part.Failed -eq 0) { $problems.Add("share $k exited with $code") }
        }
        else { $problems.Add("share $k wrote no summary (exit code $code)") }
        $result.Passed += $part.Passed
        $result.Failed += $part.Failed
        $result.Skipped += $part.Skipped
        $result.Total += $part.Total
        foreach ($f in $part.Failures) { $result.Failures.Add($f) }
    }
    # Every test file in exactly one share: a file no share ran would be a test lost without a failure.
    if (-not $PesterFullName -and -not $problems.Count) {
        $all = @(Get-ChildItem (Join-Path $Root 'tests/pester'), (Join-Path $Root 'examples/testing') -Recurse -File -Filter '*.Tests.ps1' |
                ForEach-Object FullName)
        $missing = @($all | Where-Object { $_ -notin $ran })
        $twice = @($ran | Group-Object | Where-Object Count -GT 1 | ForEach-Object Name)
        if ($missing) { $problems.Add("no share ran $($missing -join ', ')") }
        if ($twice) { $problems.Add("more than one share ran $($twice -join ', ')") }
    }
    if ($problems.Count) { $result.Problem = $problems -join '; ' }
    $result
}

function Invoke-NodeSdkTests {
    <#
    The official Groq, Mistral and Together SDKs (npm) against the emulator: tests/sdk-node, installed with npm ci from
    its committed package-lock.json. Node.js is a test-only prerequisite: without node and npm the tests are counted as
    skipped, and the build says so. With -PesterFullName they run only when a pattern matches 'sdk-node'.
    #>
    $result = New-RunnerResult 'Node'
    $dir = Join-Path $Root 'tests/sdk-node'
    $script = Join-Path $dir 'sdk.test.mjs'
    if ($PesterFullName) {
        $matching = @($PesterFullName | ForEach-Object { $_ -split ',' } | Where-Object { 'sdk-node' -like $_.Trim() })
        if ($matching.Count -eq 0) { return $null }
    }
    $node = Get-Command node -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    $npm = Get-Command npm -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if (-not $node -or -not $npm) {
        $result.Skipped = $result.Total = ([regex]::Matches((Get-Content -Raw $script), '(?m)^\s*test\(')).Count
        Write-Step "Node: node and npm not found: the $($result.Skipped) official-SDK tests in tests/sdk-node are SKIPPED (install Node.js 18 or later to run them)"
        return $result
    }
    $PSNativeCommandUseErrorActionPreference = $false
    $installed = Join-Path $dir 'node_modules/.package-lock.json'
    $install = -not (Test-Path $installed)
    if (-not $install) { $install = (Get-Item -Force $installed).LastWriteTimeUtc -lt (Get-Item (Join-Path $dir 'package-lock.json')).LastWriteTimeUtc }
    if ($install) {
        Write-Step 'Node: npm ci (tests/sdk-node)'
        Push-Location $dir
        try { & $npm.Source ci --no-audit --no-fund | Out-Host } finally { Pop-Location }
        if ($LASTEXITCODE -ne 0) { $result.Problem = "npm ci failed (exit code $LASTEXITCODE)"; return $result }
    }
    Write-Step 'Node: tests/sdk-node (groq-sdk, @mistralai/mistralai, together-ai against out/emulator)'
    $env:IRISBATCH_EMULATOR = Join-Path $EmulatorOut 'IrisBatch.Emulator.dll'
    $env:DOTNET_HOST_PATH = Get-DotnetPath
    Push-Location $dir
    try { $lines = @(& $node.Source --test --test-reporter=tap --test-timeout=180000 $script 2>&1 | ForEach-Object { "$_" }) }
    finally { Pop-Location }
    $code = $LASTEXITCODE
    $lines | Out-Host
    foreach ($line in $lines) {
        if ($line -match '^# pass (\d+)') { $result.Passed = [int] $Matches[1] }
        elseif ($line -match '^# fail (\d+)') { $result.Failed = [int] $Matches[1] }
        elseif ($line -match '^# skipped (\d+)') { $result.Skipped = [int] $Matches[1] }
        elseif ($line -match '^\s+not ok \d+ - (.+)$') { $result.Failures.Add([pscustomobject]@{ Name = $Matches[1]; Message = 'see the TAP output above' }) }
    }
    $result.Total = $result.Passed + $result.Failed + $result.Skipped
    if ($code -ne 0 -and $result.Failed -eq 0) { $result.Problem = "node --test exited with $code" }
    $result
}

function Invoke-TestTask {
    $null = New-Item -ItemType Directory -Force $TestResults
    $runners = @(Invoke-XunitTests; Invoke-PesterTests; Invoke-NodeSdkTests) | Where-Object { $_ }

    $passed = 0; $failed = 0; $skipped = 0
    $problems = [Collections.Generic.List[string]]::new()
    foreach ($r in $runners) {
        $passed += $r.Passed
        $failed += $r.Failed
        $skipped += $r.Skipped
        if (-not $r.Problem -and $r.Total -eq 0) { $r.Problem = 'ran no tests' }
        if ($r.Problem) { $failed++; $problems.Add("$($r.Name): $($r.Problem)") }   # a broken runner counts as a failure
    }

    Write-Step 'Summary'
    foreach ($r in $runners) {
        Write-Host ("{0,-7} {1} passed, {2} failed, {3} skipped{4}" -f $r.Name, $r.Passed, $r.Failed, $r.Skipped, $(if ($r.Problem) { " ($($r.Problem))" } else { '' }))
    }
    $failures = @($runners | ForEach-Object { foreach ($f in $_.Failures) { [pscustomobject]@{ Runner = $_.Name; Name = $f.Name; Message = $f.Message } } })
    if ($failures -or $problems) {
        Write-Host ''
        Write-Host 'Failures:'
        foreach ($p in $problems) { Write-Host "  [runner] $p" }
        foreach ($f in $failures) {
            Write-Host "  [$($f.Runner)] $($f.Name)"
            foreach ($line in ("$($f.Message)" -split "`r?`n" | Select-Object -First 12)) { Write-Host "      $line" }
        }
    }
    # Printed last by the script: CI reads the final line.
    $script:FinalLine = "Tests: $passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { $script:ExitCode = 1 }
}

function Invoke-DemoTask {
    Write-Step 'Demo: the README pipeline against a local emulator'
    $helpers = Import-Module (Join-Path $Root 'tests/pester/TestHelpers.psm1') -Force -PassThru
    $homeDir = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-demo-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $savedHome = $env:IRISBATCH_HOME
    $emu = $null
    try {
        $emu = Start-TestEmulator -ApiKey 'demo-key' -ValidatingMs 200 -InProgressMs 1500 -FinalizingMs 200 -CancellingMs 500
        Write-Host "Emulator listening on $($emu.Url)"
        $null = New-Item -ItemType Directory -Force $homeDir
        $env:IRISBATCH_HOME = $homeDir
        $code = Invoke-ChildPwsh -File (Join-Path $Root 'examples/Invoke-Demo.ps1') -Timeout ([TimeSpan]::FromMinutes(5)) -ArgumentList @(
            '-ModulePath', (Join-Path $ModuleOut 'IrisBatch.psd1'),
            '-BaseUri', "$($emu.Url)/v1",
            '-ApiKeyText', 'demo-key',
            '-CsvPath', (Join-Path $Root 'examples/products.csv'))
        if ($code -ne 0) { throw "The demo failed (exit code $code)." }
    }
    finally {
        if ($emu) { Stop-TestEmulator $emu }
        $env:IRISBATCH_HOME = $savedHome
        Remove-Item -Recurse -Force $homeDir -ErrorAction Ignore
        Remove-Module $helpers -ErrorAction Ignore
    }
}

function Invoke-PackageTask {
    Write-Step 'Package: out/IrisBatch.<version>.nupkg for Install-PSResource'
    $code = Invoke-ChildPwsh -File (Join-Path $Root 'build/New-ModulePackage.ps1') -Timeout ([TimeSpan]::FromMinutes(5)) -ArgumentList @(
        '-ModuleFolder', $ModuleOut, '-OutputPath', $Out)
    if ($code -ne 0) { throw "Packing the module failed (exit code $code)." }
}

$script:Tasks = [ordered]@{
    Build   = @{ DependsOn = @(); Action = { Invoke-BuildTask } }
    Test    = @{ DependsOn = @('Build'); Action = { Invoke-TestTask } }
    Demo    = @{ DependsOn = @('Build'); Action = { Invoke-DemoTask } }
    # Extension points for later issues: give them an Action and dependencies.
    Bench   = @{ DependsOn = @('Build'); Action = {
            Write-Step 'Bench: bench/Invoke-Bench.ps1 against out/IrisBatch and out/emulator'
            $code = Invoke-ChildPwsh -File (Join-Path $Root 'bench/Invoke-Bench.ps1') -ArgumentList @(
                '-ModulePath', (Join-Path $ModuleOut 'IrisBatch.psd1'), '-EmulatorPath', (Join-Path $EmulatorOut 'IrisBatch.Emulator.dll'))
            if ($code -ne 0) { throw "The benchmark failed (exit code $code)." }
        } }
    Package = @{ DependsOn = @('Build'); Action = { Invoke-PackageTask } }
}

$script:Done = [Collections.Generic.HashSet[string]]::new()
function Invoke-Task([string] $Name) {
    if ($script:Done.Contains($Name)) { return }
    foreach ($dep in $script:Tasks[$Name].DependsOn) { Invoke-Task $dep }
    & $script:Tasks[$Name].Action
    $null = $script:Done.Add($Name)
}

#endregion

$script:ExitCode = 0
$script:FinalLine = $null
$clock = [Diagnostics.Stopwatch]::StartNew()
foreach ($t in $Task) { Invoke-Task $t }
Write-Host ''
Write-Host ("Done: {0} in {1:n1} s" -f ($Task -join ', '), $clock.Elapsed.TotalSeconds)
if ($script:FinalLine) { Write-Host $script:FinalLine }
exit $script:ExitCode
