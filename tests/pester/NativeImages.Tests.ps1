# The precompiled (ReadyToRun) IrisBatch.Core and IrisBatch (the cmdlets): build.ps1 makes both per platform in
# r2r/<platform>/, and the loader (src/IrisBatch.Loader, the module's first nested module) loads this platform's on
# import, the core first, before PowerShell loads the root module IrisBatch.dll (it then takes the one loaded). Each
# case runs in a child pwsh: an assembly, once loaded, stays for the process.

BeforeDiscovery {
    $os = if ($IsWindows) { 'win' } elseif ($IsLinux) { 'linux' } elseif ($IsMacOS) { 'osx' } else { $null }
    $cpu = switch ([Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture) { 'X64' { 'x64' } 'Arm64' { 'arm64' } default { $null } }
    $script:platform = if ($os -and $cpu) { "$os-$cpu" } else { $null }
    $script:built = @('linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64')
    $script:noImage = $script:platform -notin $script:built
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $manifest = Get-ModuleUnderTestPath
    $moduleDir = Split-Path $manifest
    $os = if ($IsWindows) { 'win' } elseif ($IsLinux) { 'linux' } elseif ($IsMacOS) { 'osx' } else { $null }
    $cpu = switch ([Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture) { 'X64' { 'x64' } 'Arm64' { 'arm64' } default { $null } }
    $platform = "$os-$cpu"
    $work = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-r2r-$PID"
    $null = New-Item -ItemType Directory -Force $work

    # Imports the module in a child pwsh, runs a Mock batch through every stage, and returns what was loaded.
    function Invoke-Probe([string] $Manifest, [hashtable] $Environment = @{}) {
        $probe = Join-Path $work 'probe.ps1'
        Set-Content -LiteralPath $probe -Value @'
param($Manifest, $JournalHome)
$ErrorActionPreference = 'Stop'
$env:IRISBATCH_HOME = $JournalHome
Import-Module $Manifest
$result = [pscustomobject]@{ sku = 'A1' } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Hi {sku}' |
    Submit-IrisBatch -Provider Mock | Wait-IrisBatch | Get-IrisBatchResult -IncludeInput
function Test-ReadyToRun([string] $Path) {
    $pe = [Reflection.PortableExecutable.PEReader]::new([IO.File]::OpenRead($Path))
    try { $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 } finally { $pe.Dispose() }
}
$core = [IrisBatch.IrisBatchResult].Assembly
$cmdlets = (Get-Command Get-IrisBatchResult).ImplementingType.Assembly
$loaded = [AppDomain]::CurrentDomain.GetAssemblies()
[pscustomobject]@{
    Core = $core.Location; ReadyToRun = Test-ReadyToRun $core.Location; Outcome = [IrisBatch.Loader.NativeImages]::Outcome
    Cores = @($loaded | Where-Object { $_.GetName().Name -eq 'IrisBatch.Core' }).Count
    Cmdlets = $cmdlets.Location; CmdletsReadyToRun = Test-ReadyToRun $cmdlets.Location
    CmdletsOutcome = [IrisBatch.Loader.NativeImages]::CmdletsOutcome
    CmdletAssemblies = @($loaded | Where-Object { $_.GetName().Name -eq 'IrisBatch' }).Count
    Help = (Get-Help Get-IrisBatchResult).Synopsis
    Status = "$($result.Status)"; Output = $result.Output; Sku = $result.sku
} | ConvertTo-Json -Compress
'@
        $saved = @{}
        foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
        try {
            $journal = Join-Path $work ([guid]::NewGuid().ToString('n'))
            $lines = @(Invoke-TestPwsh -File $probe -ArgumentList @('-Manifest', $Manifest, '-JournalHome', $journal))
        }
        finally {
            foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
        }
        $json = $lines | Where-Object { $_ -like '{*' } | Select-Object -Last 1
        if (-not $json) { throw "The probe printed no result:`n$($lines -join "`n")" }
        $json | ConvertFrom-Json
    }

    # A copy of the module whose image of $Name for this platform is another platform's; its folder, then the probe.
    function Invoke-ProbeWithForeignImage([string] $Name) {
        $copy = Join-Path $work "IrisBatch-$Name"
        Copy-Item -Recurse $moduleDir $copy
        $other = if ($platform -eq 'win-arm64') { 'linux-x64' } else { 'win-arm64' }
        Copy-Item -Force (Join-Path $copy "r2r/$other/$Name.dll") (Join-Path $copy "r2r/$platform/$Name.dll")
        $copy
        Invoke-Probe (Join-Path $copy 'IrisBatch.psd1')
    }
}

AfterAll {
    if ($work) { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
}

Describe 'Precompiled IrisBatch.Core and IrisBatch' {
    It 'the build makes an image of <_> for each of its platforms, each a ReadyToRun image' -ForEach 'IrisBatch.Core', 'IrisBatch' {
        foreach ($p in $built) {
            $path = Join-Path $moduleDir "r2r/$p/$_.dll"
            $path | Should -Exist
            $pe = [Reflection.PortableExecutable.PEReader]::new([IO.File]::OpenRead($path))
            try { $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size | Should -BeGreaterThan 0 -Because "$p is precompiled" }
            finally { $pe.Dispose() }
        }
        # The portable copy stays in the module folder, for Windows PowerShell and the other platforms.
        $pe = [Reflection.PortableExecutable.PEReader]::new([IO.File]::OpenRead((Join-Path $moduleDir "$_.dll")))
        try { $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size | Should -Be 0 } finally { $pe.Dispose() }
    }

    It 'is the core a new session loads on this platform, and every stage works with it' -Skip:$noImage {
        $r = Invoke-Probe $manifest
        $r.Core | Should -Be (Join-Path $moduleDir "r2r/$platform/IrisBatch.Core.dll")
        $r.ReadyToRun | Should -BeTrue
        $r.Cores | Should -Be 1
        # The cmdlets too: PowerShell took the image the loader loaded for the root module, and found its help.
        $r.Cmdlets | Should -Be (Join-Path $moduleDir "r2r/$platform/IrisBatch.dll")
        $r.CmdletsReadyToRun | Should -BeTrue
        $r.CmdletsOutcome | Should -Be $r.Cmdlets
        $r.CmdletAssemblies | Should -Be 1
        $r.Help | Should -Match 'result'
        $r.Status | Should -Be 'Succeeded'
        $r.Sku | Should -Be 'A1'
        $r.Output | Should -Match 'Hi A1'
    }

    It 'IRISBATCH_NO_NATIVE_IMAGES=1 loads the portable copy' {
        $r = Invoke-Probe $manifest @{ IRISBATCH_NO_NATIVE_IMAGES = '1' }
        $r.Core | Should -Be (Join-Path $moduleDir 'IrisBatch.Core.dll')
        $r.ReadyToRun | Should -BeFalse
        $r.Outcome | Should -Be 'turned off'
        $r.Cmdlets | Should -Be (Join-Path $moduleDir 'IrisBatch.dll')
        $r.CmdletsReadyToRun | Should -BeFalse
        $r.Status | Should -Be 'Succeeded'
    }

    It 'an image for another platform is left alone: the portable copy is loaded, and the module works' -Skip:$noImage {
        $copy, $r = Invoke-ProbeWithForeignImage 'IrisBatch.Core'
        $r.Outcome | Should -BeLike "not an image for ${platform}: *"
        $r.Core | Should -Be (Join-Path $copy 'IrisBatch.Core.dll')
        $r.Cores | Should -Be 1
        # The cmdlets' image goes with the core's: without it, the portable copy.
        $r.CmdletsOutcome | Should -BeLike 'core not precompiled: *'
        $r.Cmdlets | Should -Be (Join-Path $copy 'IrisBatch.dll')
        $r.Status | Should -Be 'Succeeded'
        $r.Output | Should -Match 'Hi A1'
    }

    It 'a cmdlets image for another platform is left alone: the core stays precompiled, the cmdlets portable' -Skip:$noImage {
        $copy, $r = Invoke-ProbeWithForeignImage 'IrisBatch'
        $r.Core | Should -Be (Join-Path $copy "r2r/$platform/IrisBatch.Core.dll")
        $r.CmdletsOutcome | Should -BeLike "not an image for ${platform}: *"
        $r.Cmdlets | Should -Be (Join-Path $copy 'IrisBatch.dll')
        $r.CmdletAssemblies | Should -Be 1
        $r.Status | Should -Be 'Succeeded'
        $r.Output | Should -Match 'Hi A1'
    }
}
