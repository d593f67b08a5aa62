# The package: build/New-ModulePackage.ps1 (what build.ps1 -Task Package runs) packs the published module; a fresh
# pwsh installs it with Install-PSResource from a folder repository into a temporary module path, imports it by
# name, and runs the README's example against the mock provider. Also the manifest, and the AssemblyResolve handler
# that Windows PowerShell 5.1 needs (asked directly here, since 5.1 cannot run on this machine).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-ModuleUnderTest
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $manifestPath = Get-ModuleUnderTestPath
    $moduleFolder = Split-Path $manifestPath
    $manifest = Import-PowerShellDataFile $manifestPath
    $version = ([xml](Get-Content -Raw (Join-Path $repo 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1

    # Pack, as the Package task does (with a home of its own: PSResourceGet sets up its folders there on first use).
    $packages = Join-Path $TestDrive 'packages'
    $savedHome = $env:HOME
    $env:HOME = Join-Path $TestDrive 'pack-home'
    # .NET gives no application-data folder when it does not exist, and PSResourceGet then writes into the current one.
    $null = New-Item -ItemType Directory -Force (Join-Path $env:HOME '.local/share')
    try {
        $packOutput = Invoke-TestPwsh -File (Join-Path $repo 'build/New-ModulePackage.ps1') -ArgumentList @('-ModuleFolder', $moduleFolder, '-OutputPath', $packages)
        $packExit = $LASTEXITCODE
    }
    finally { $env:HOME = $savedHome }

    # The README's example (the block after '<!-- readme-example: mock -->').
    $readme = [IO.File]::ReadAllText((Join-Path $repo 'README.md')) -replace "`r`n", "`n"
    if ($readme -notmatch '(?s)<!-- readme-example: mock -->\s*```powershell\n(.*?)\n```') { throw 'README.md has no mock example block.' }
    $example = $Matches[1]
}

Describe 'The manifest' {
    It 'is complete: <_>' -ForEach 'Description', 'Author', 'PowerShellVersion', 'CompatiblePSEditions', 'FormatsToProcess', 'CmdletsToExport' {
        $manifest[$_] | Should -Not -BeNullOrEmpty
    }

    It 'has the version of Directory.Build.props, editions Core and Desktop, and lists every cmdlet explicitly' {
        $manifest.ModuleVersion | Should -Be ($version -split '-')[0]
        $manifest.CompatiblePSEditions | Should -Be 'Core', 'Desktop'
        $manifest.PowerShellVersion | Should -Be '5.1'
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        @($manifest.CmdletsToExport | Sort-Object) | Should -Be @($module.ExportedCmdlets.Keys | Sort-Object)
        $manifest.FormatsToProcess | Should -Be 'IrisBatch.Format.ps1xml'
    }

    It 'has tags (both editions among them), project and licence links, and release notes' {
        $psData = $manifest.PrivateData.PSData
        $psData.Tags | Should -Contain 'PSEdition_Core'
        $psData.Tags | Should -Contain 'PSEdition_Desktop'
        $psData.ProjectUri | Should -Match '^https://'
        $psData.LicenseUri | Should -Match '^https://'
        $psData.ReleaseNotes | Should -Not -BeNullOrEmpty
        @($manifest.CmdletsToExport | Where-Object { $psData.ReleaseNotes -notmatch "\b$_\b" }) | Should -BeNullOrEmpty -Because 'the release notes name every cmdlet the release has'
        Test-Path (Join-Path $moduleFolder 'LICENSE') | Should -BeTrue
        Get-Content -Raw (Join-Path $repo 'LICENSE') | Should -Match 'MIT License'
    }
}

Describe 'The package' {
    It 'is IrisBatch.<version>.nupkg' {
        $packExit | Should -Be 0 -Because ($packOutput -join "`n")
        Test-Path (Join-Path $packages "IrisBatch.$version.nupkg") | Should -BeTrue
    }

    It 'holds the manifest, the assemblies, the views, the help and the licence' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead((Join-Path $packages "IrisBatch.$version.nupkg"))
        try { $entries = @($zip.Entries | ForEach-Object { [Uri]::UnescapeDataString($_.FullName) }) }
        finally { $zip.Dispose() }
        foreach ($f in 'IrisBatch.psd1', 'IrisBatch.dll', 'IrisBatch.Core.dll', 'IrisBatch.Format.ps1xml', 'en-US/IrisBatch.dll-Help.xml', 'en-US/about_IrisBatch.help.txt', 'LICENSE') {
            $entries | Should -Contain $f
        }
        # Every file of the published module is in the package.
        $published = @(Get-ChildItem -Recurse -File $moduleFolder | ForEach-Object { [IO.Path]::GetRelativePath($moduleFolder, $_.FullName) -replace '\\', '/' })
        @($published | Where-Object { $_ -notin $entries }) | Should -BeNullOrEmpty
    }

    # Where the current user's modules go on Windows cannot be redirected for one process: run there by hand.
    It 'installs with Install-PSResource from a folder repository, imports by name and runs the README example (fresh pwsh)' -Skip:$IsWindows {
        $sandbox = Join-Path $TestDrive 'sandbox'
        $null = New-Item -ItemType Directory -Force (Join-Path $sandbox '.local/share')   # see the note where the package is made
        $script = Join-Path $TestDrive 'install.ps1'
        Set-Content -Path $script -Encoding utf8NoBOM -Value @"
param([string] `$Packages, [string] `$RepoRoot)
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
`$PSStyle.OutputRendering = 'PlainText'
`$name = 'irisbatch-test-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name `$name -Uri `$Packages -Trusted
try {
    Install-PSResource -Name IrisBatch -Repository `$name -Scope CurrentUser -TrustRepository -Quiet
    Import-Module IrisBatch
    `$m = Get-Module IrisBatch
    "MODULEBASE=`$(`$m.ModuleBase)"
    "VERSION=`$(`$m.Version)"
    "HELP=`$((Get-Help Submit-IrisBatch).Synopsis)"
    "EXAMPLES=`$(@((Get-Help Get-IrisBatchResult -Examples).examples.example).Count)"
    "ABOUT=`$((Get-Help about_IrisBatch | Out-String) -match 'The mock provider')"
    "VIEWS=`$(@(Get-FormatData -TypeName IrisBatch.IrisBatchInfo, IrisBatch.IrisBatchResult, IrisBatch.IrisBatchRequest | ForEach-Object FormatViewDefinition).Count)"
    Set-Location `$RepoRoot
$example | Out-String -Width 200
}
finally {
    Unregister-PSResourceRepository -Name `$name
}
"@
        # The fresh pwsh gets a home of its own: PSResourceGet installs for the current user under $HOME (it does not
        # follow XDG_DATA_HOME) and keeps its repository list there, and the default module path then points there
        # too. So nothing is installed or registered for the real user, and only the installed copy can be found.
        $saved = @{}
        $vars = @{
            HOME               = $sandbox
            XDG_DATA_HOME      = $null
            XDG_CONFIG_HOME    = $null
            XDG_CACHE_HOME     = $null
            IRISBATCH_HOME     = Join-Path $sandbox 'journal'
            PSModulePath       = $null
            IRISBATCH_PROVIDER = $null
        }
        foreach ($kv in $vars.GetEnumerator()) {
            $saved[$kv.Key] = [Environment]::GetEnvironmentVariable($kv.Key)
            [Environment]::SetEnvironmentVariable($kv.Key, $kv.Value)
        }
        try {
            $out = Invoke-TestPwsh -File $script -ArgumentList @('-Packages', $packages, '-RepoRoot', $repo)
            $code = $LASTEXITCODE
        }
        finally {
            foreach ($kv in $saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($kv.Key, $kv.Value) }
        }
        $text = ($out -join "`n") -replace '\x1b\[[0-9;]*m', ''
        $code | Should -Be 0 -Because $text
        ($out | Where-Object { $_ -like 'MODULEBASE=*' }) | Should -BeLike "MODULEBASE=$sandbox*" -Because 'Import-Module IrisBatch must load the installed copy'
        $out | Should -Contain "VERSION=$(($version -split '-')[0])"
        $out | Should -Contain 'HELP=Submits requests as provider batches: spooled to disk, checked, then uploaded and created exactly once.'
        [int] (($out | Where-Object { $_ -like 'EXAMPLES=*' }) -replace '^EXAMPLES=') | Should -BeGreaterOrEqual 3
        $out | Should -Contain 'ABOUT=True' -Because 'the about topic is installed with the module'
        $out | Should -Contain 'VIEWS=6' -Because 'FormatsToProcess loads a table and a list view per output type'
        $text | Should -Match 'P001\s+Succeeded Echo: Describe Aurora Desk Lamp in one sentence\.'
        @($out | Where-Object { $_ -match '^P\d{3}\s+Succeeded' }).Count | Should -Be @(Import-Csv (Join-Path $repo 'examples/products.csv')).Count
    }
}

Describe 'The AssemblyResolve handler for Windows PowerShell 5.1' {
    BeforeAll {
        $init = [IrisBatch.ModuleInit]
        $resolve = $init.GetMethod('Resolve', [Reflection.BindingFlags] 'NonPublic, Static')
        $ours = $init.Assembly   # IrisBatch.dll, in the module folder
        function Invoke-Resolve([string] $Name, [Reflection.Assembly] $RequestedBy) {
            $resolve.Invoke($null, @($null, [ResolveEventArgs]::new($Name, $RequestedBy)))
        }
    }

    It 'is installed only on .NET Framework' {
        $init.GetProperty('NeedsResolver', [Reflection.BindingFlags] 'NonPublic, Static').GetValue($null) | Should -BeFalse
    }

    It 'answers for an assembly shipped in the module folder, whatever lower version is asked for' {
        $answer = Invoke-Resolve 'Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc' $ours
        $answer | Should -Not -BeNullOrEmpty
        $answer.GetName().Name | Should -Be 'Polly.Core'
        (Split-Path $answer.Location) | Should -Be $moduleFolder
    }

    It 'does not answer for <Case>' -ForEach @(
        @{ Case = 'an assembly not shipped with the module'; Name = 'Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed'; Foreign = $false }
        @{ Case = 'a newer version than the one shipped'; Name = 'Polly.Core, Version=99.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc'; Foreign = $false }
        @{ Case = 'a request from another module''s assembly'; Name = 'Polly.Core, Version=8.0.0.0, Culture=neutral, PublicKeyToken=c8a3ffc3f8f825cc'; Foreign = $true }
    ) {
        $by = if ($Foreign) { [System.Management.Automation.PSCmdlet].Assembly } else { $ours }
        Invoke-Resolve $Name $by | Should -BeNullOrEmpty -Because $Case
    }
}
