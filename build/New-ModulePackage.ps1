<#
.SYNOPSIS
    Packs the published module folder into <OutputPath>/IrisBatch.<version>.nupkg, the package Install-PSResource takes.

.DESCRIPTION
    build.ps1 -Task Package runs this in a child pwsh (the build process never loads the module), and so does the
    package test (tests/pester/Package.Tests.ps1), so both check the same package. It uses PSResourceGet's
    Compress-PSResource, which ships with pwsh 7.4 and later: the package has the layout and .nuspec (version,
    prerelease, tags, project and licence links, release notes) that Install-PSResource expects, read from the
    manifest the build stamped. Writes the package's path.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleFolder,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version 3.0

$manifest = Join-Path $ModuleFolder 'IrisBatch.psd1'
$data = Import-PowerShellDataFile $manifest
$version = $data.ModuleVersion
$prerelease = $data.PrivateData.PSData['Prerelease']
$fullVersion = if ($prerelease) { "$version-$prerelease" } else { $version }

$null = New-Item -ItemType Directory -Force $OutputPath
$target = Join-Path $OutputPath "IrisBatch.$fullVersion.nupkg"
Remove-Item $target -ErrorAction Ignore

# Compress-PSResource names the package from the folder it packs: pack from a folder named like the module.
$staging = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-pack-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
$work = Join-Path $staging 'IrisBatch'
try {
    $null = New-Item -ItemType Directory -Force $work
    Copy-Item -Path (Join-Path $ModuleFolder '*') -Destination $work -Recurse
    $packed = Join-Path $staging 'packed'
    $null = New-Item -ItemType Directory -Force $packed
    Compress-PSResource -Path $work -DestinationPath $packed
    $made = @(Get-ChildItem $packed -Filter '*.nupkg')
    if ($made.Count -ne 1) { throw "Compress-PSResource made $($made.Count) packages in $packed." }
    Move-Item $made[0].FullName $target
}
finally {
    Remove-Item -Recurse -Force $staging -ErrorAction Ignore
}
$target
