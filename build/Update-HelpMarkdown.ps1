<#
.SYNOPSIS
    Brings the help pages in docs/ up to date with the cmdlets, keeping every word written by hand.

.DESCRIPTION
    After adding, removing or changing a cmdlet's parameters, build, then run:

        dotnet pwsh ./build.ps1
        dotnet pwsh ./build/Update-HelpMarkdown.ps1

    For each exported cmdlet, in docs/<Verb-Noun>.md:
      - ## SYNTAX is rewritten from Get-Command;
      - each parameter's yaml block is rewritten from the code (its 'Default value' line is kept);
      - a parameter the code no longer has is removed; a new one gets a section with an empty description,
        which tests/pester/Help.Tests.ps1 reports until you write it.
    A cmdlet without a page gets a new page with empty sections to fill in.

    Run it in its own pwsh: it imports the published module.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/IrisBatch/IrisBatch.psd1'),
    [string] $DocsPath = (Join-Path $PSScriptRoot '../docs')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'HelpMarkdown.psm1') -Force
$module = Import-Module (Resolve-Path $ModulePath).Path -PassThru -Force

function Get-SyntaxLines([System.Management.Automation.CommandInfo] $Command) {
    foreach ($s in (Get-HelpSyntax -Command $Command)) {
        $set = if ($s.Set -eq '__AllParameterSets') { 'All' } else { $s.Set }
        ''
        "### $set$(if ($s.IsDefault -and $Command.ParameterSets.Count -gt 1) { ' (Default)' })"
        ''
        '```'
        $s.Text
        '```'
    }
    ''
}

function Get-YamlLines([object] $Meta, [string] $Default) {
    '```yaml'
    "Type: $($Meta.TypeName)"
    "Parameter Sets: $($Meta.'Parameter Sets')"
    "Aliases: $($Meta.Aliases)".TrimEnd()
    ''
    "Required: $($Meta.Required)"
    "Position: $($Meta.Position)"
    "Default value: $Default"
    "Accept pipeline input: $($Meta.'Accept pipeline input')"
    'Accept wildcard characters: False'
    '```'
}

function Update-Parameters([string[]] $Lines, [object[]] $Meta) {
    $subs = @(Split-MarkdownSectionLines -Lines $Lines -Level 3)
    $byName = @{}
    foreach ($m in $Meta) { $byName[$m.Name] = $m }
    $seen = @{}
    $out = [Collections.Generic.List[string]]::new()
    foreach ($l in $subs[0].Lines) { $out.Add($l) }
    $common = $null
    foreach ($s in ($subs | Select-Object -Skip 1)) {
        if ($s.Title -eq 'CommonParameters') { $common = $s; continue }
        $name = $s.Title.TrimStart('-')
        if (-not $byName.ContainsKey($name)) { Write-Host "  removed -$name"; continue }
        $seen[$name] = $true
        $out.Add("### -$name")
        $default = 'None'
        $inYaml = $false
        $kept = [Collections.Generic.List[string]]::new()
        foreach ($l in $s.Lines) {
            if ($l -match '^\s*```yaml') { $inYaml = $true; continue }
            if ($inYaml) {
                if ($l -match '^\s*```\s*$') { $inYaml = $false; foreach ($y in (Get-YamlLines $byName[$name] $default)) { $kept.Add($y) } }
                elseif ($l -match '^Default value:\s*(.*)$') { $default = $Matches[1].Trim() }
                continue
            }
            $kept.Add($l)
        }
        foreach ($l in $kept) { $out.Add($l) }
    }
    foreach ($m in $Meta) {
        if ($seen.ContainsKey($m.Name)) { continue }
        Write-Host "  added -$($m.Name): describe it"
        $out.Add("### -$($m.Name)")
        $out.Add('')
        foreach ($y in (Get-YamlLines $m $(if ($m.IsSwitch) { 'False' } else { 'None' }))) { $out.Add($y) }
        $out.Add('')
    }
    $out.Add('### CommonParameters')
    if ($common) { foreach ($l in $common.Lines) { $out.Add($l) } }
    else {
        $out.Add('')
        $out.Add('This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).')
        $out.Add('')
    }
    $out.ToArray()
}

function Split-MarkdownSectionLines([string[]] $Lines, [int] $Level) {
    # As Split-MarkdownSection, kept local so this script shows exactly what it rewrites.
    $prefix = ('#' * $Level) + ' '
    $current = [pscustomobject]@{ Title = $null; Lines = [Collections.Generic.List[string]]::new() }
    $fence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $fence = -not $fence }
        if (-not $fence -and $line.StartsWith($prefix)) {
            $current
            $current = [pscustomobject]@{ Title = $line.Substring($prefix.Length).Trim(); Lines = [Collections.Generic.List[string]]::new() }
            continue
        }
        $current.Lines.Add($line)
    }
    $current
}

foreach ($cmd in (Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)) {
    $path = Join-Path $DocsPath "$($cmd.Name).md"
    $meta = @(Get-HelpParameterMetadata -Command $cmd)
    if (-not (Test-Path $path)) {
        Write-Host "$($cmd.Name): new page $path"
        $lines = @('---', 'external help file: IrisBatch.dll-Help.xml', 'Module Name: IrisBatch', 'online version:', 'schema: 2.0.0', '---', '',
            "# $($cmd.Name)", '', '## SYNOPSIS', '', '## SYNTAX', '', '## DESCRIPTION', '', '## EXAMPLES', '', '### Example 1: ', '', '```powershell', '```', '',
            '## PARAMETERS', '', '## INPUTS', '', '## OUTPUTS', '', '## NOTES', '', '## RELATED LINKS', '', '[about_IrisBatch](about_IrisBatch.md)')
    }
    else {
        Write-Host "$($cmd.Name): $path"
        $lines = [IO.File]::ReadAllLines($path)
    }
    $out = [Collections.Generic.List[string]]::new()
    foreach ($s in (Split-MarkdownSectionLines -Lines $lines -Level 2)) {
        if ($null -ne $s.Title) { $out.Add("## $($s.Title)") }
        switch ($s.Title) {
            'SYNTAX' { foreach ($l in (Get-SyntaxLines $cmd)) { $out.Add($l) } }
            'PARAMETERS' { foreach ($l in (Update-Parameters -Lines $s.Lines -Meta $meta)) { $out.Add($l) } }
            default { foreach ($l in $s.Lines) { $out.Add($l) } }
        }
    }
    [IO.File]::WriteAllText($path, (($out -join "`n").TrimEnd() + "`n"))
}
