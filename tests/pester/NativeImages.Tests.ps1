# The precompiled (ReadyToRun) IrisBatch.Core: build.ps1 makes one per platform in r2r/<platform>/, and the loader
# (src/IrisBatch.Loader, the module's first nested module) loads the one for this platform on import, before
# IrisBatch.dll needs the core. Each case runs in a child pwsh: an assembly, once loaded, stays for the process.

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
$core = [IrisBatch.IrisBatchResult].Assembly
$pe = [Reflection.PortableExecutable.PEReader]::new([IO.File]::OpenRead($core.Location))
try { $r2r = $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 } finally { $pe.Dispose() }
[pscustomobject]@{
    Core = $core.Location; ReadyToRun = $r2r; Outcome = [IrisBatch.Loader.NativeImages]::Outcome
    Cores = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'IrisBatch.Core' }).Count
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
}

AfterAll {
    if ($work) { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
}

Describe 'Precompiled IrisBatch.Core' {
    It 'the build makes an image for each of its platforms, each a ReadyToRun image' {
        foreach ($p in $built) {
            $path = Join-Path $moduleDir "r2r/$p/IrisBatch.Core.dll"
            $path | Should -Exist
            $pe = [Reflection.PortableExecutable.PEReader]::new([IO.File]::OpenRead($path))
            try { $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size | Should -BeGreaterThan 0 -Because "$p is precompiled" }
            finally { $pe.Dispose() }
        }
        # The portable copy stays in the module folder, for Windows PowerShell and the other platforms.
        $pe = [Reflection.PortableExecutable.PEReader]::new([IO.File]::OpenRead((Join-Path $moduleDir 'IrisBatch.Core.dll')))
        try { $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size | Should -Be 0 } finally { $pe.Dispose() }
    }

    It 'is the core a new session loads on this platform, and every stage works with it' -Skip:$noImage {
        $r = Invoke-Probe $manifest
        $r.Core | Should -Be (Join-Path $moduleDir "r2r/$platform/IrisBatch.Core.dll")
        $r.ReadyToRun | Should -BeTrue
        $r.Cores | Should -Be 1
        $r.Status | Should -Be 'Succeeded'
        $r.Sku | Should -Be 'A1'
        $r.Output | Should -Match 'Hi A1'
    }

    It 'IRISBATCH_NO_NATIVE_IMAGES=1 loads the portable copy' {
        $r = Invoke-Probe $manifest @{ IRISBATCH_NO_NATIVE_IMAGES = '1' }
        $r.Core | Should -Be (Join-Path $moduleDir 'IrisBatch.Core.dll')
        $r.ReadyToRun | Should -BeFalse
        $r.Outcome | Should -Be 'turned off'
        $r.Status | Should -Be 'Succeeded'
    }

    It 'an image for another platform is left alone: the portable copy is loaded, and the module works' -Skip:$noImage {
        $copy = Join-Path $work 'IrisBatch'
        Copy-Item -Recurse $moduleDir $copy
        $other = if ($platform -eq 'win-arm64') { 'linux-x64' } else { 'win-arm64' }
        Copy-Item -Force (Join-Path $copy "r2r/$other/IrisBatch.Core.dll") (Join-Path $copy "r2r/$platform/IrisBatch.Core.dll")
        $r = Invoke-Probe (Join-Path $copy 'IrisBatch.psd1')
        $r.Outcome | Should -BeLike "not an image for ${platform}: *"
        $r.Core | Should -Be (Join-Path $copy 'IrisBatch.Core.dll')
        $r.Cores | Should -Be 1
        $r.Status | Should -Be 'Succeeded'
        $r.Output | Should -Match 'Hi A1'
    }
}
