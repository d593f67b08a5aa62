<#
.SYNOPSIS
    Turns the help pages in docs/ into the module's help: MAML (IrisBatch.dll-Help.xml) and the about topic.

.DESCRIPTION
    No help tool is served on the package feed here, so the build does this itself. build.ps1 runs this script in
    a child pwsh after publishing, so the build process never loads the module.

    The words come from the pages (docs/<Verb-Noun>.md, platyPS's layout; docs/about_*.md). What the cmdlets
    themselves know - parameter types, sets, mandatory, position, pipeline input, aliases - is read from the
    published module, so the help cannot contradict the code. A cmdlet without a page gets a warning (and
    tests/pester/Help.Tests.ps1 fails).

    Writes, in the culture folder (Get-Help does not look for a binary module's MAML beside the dll, and falls
    back to en-US from any other culture):
      <OutputPath>/en-US/IrisBatch.dll-Help.xml
      <OutputPath>/en-US/about_<Topic>.help.txt
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'HelpMarkdown.psm1') -Force
$module = Import-Module $ModulePath -PassThru -Force

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

$settings = [Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [Text.UTF8Encoding]::new($false)
$culture = Join-Path $OutputPath 'en-US'
$null = New-Item -ItemType Directory -Force $culture
$mamlPath = Join-Path $culture "$($module.Name).dll-Help.xml"
$x = [Xml.XmlWriter]::Create($mamlPath, $settings)

function Write-Para([string[]] $Paragraphs) {
    foreach ($p in $Paragraphs) {
        if ($null -eq $p) { continue }
        $x.WriteElementString('para', $ns.maml, $p)
    }
}

function Write-Description([string[]] $Paragraphs) {
    $x.WriteStartElement('maml', 'description', $ns.maml)
    Write-Para $Paragraphs
    $x.WriteEndElement()
}

function Write-Parameter([object] $Meta, [object] $Doc, [string] $SetName) {
    # In a syntax item the values are those of that set; in the parameters list, those of all sets.
    $attrs = @($Meta.Attributes)
    if ($SetName) { $attrs = @($attrs | Where-Object { $_.ParameterSetName -in $SetName, '__AllParameterSets' }) }
    $required = [bool] ($attrs | Where-Object Mandatory)
    $position = @($attrs | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Select-Object -First 1)
    $x.WriteStartElement('command', 'parameter', $ns.command)
    $x.WriteAttributeString('required', $required.ToString().ToLowerInvariant())
    $x.WriteAttributeString('variableLength', ([bool] $Meta.Type.IsArray).ToString().ToLowerInvariant())
    $x.WriteAttributeString('globbing', 'false')
    $x.WriteAttributeString('pipelineInput', $Meta.Pipeline)
    $x.WriteAttributeString('position', $(if ($position.Count) { [string] $position[0] } else { 'named' }))
    $x.WriteAttributeString('aliases', $(if ($Meta.Aliases) { $Meta.Aliases } else { 'none' }))
    $x.WriteElementString('name', $ns.maml, $Meta.Name)
    Write-Description $(if ($Doc) { $Doc.Description } else { @() })
    if (-not ($SetName -and $Meta.IsSwitch)) {
        $x.WriteStartElement('command', 'parameterValue', $ns.command)
        $x.WriteAttributeString('required', (-not $Meta.IsSwitch).ToString().ToLowerInvariant())
        $x.WriteAttributeString('variableLength', 'false')
        $x.WriteString($Meta.TypeName)
        $x.WriteEndElement()
    }
    $x.WriteStartElement('dev', 'type', $ns.dev)
    $x.WriteElementString('name', $ns.maml, $Meta.Type.FullName)
    $x.WriteElementString('uri', $ns.maml, '')
    $x.WriteEndElement()
    $default = if ($Doc -and $Doc.Yaml.Contains('Default value')) { $Doc.Yaml['Default value'] } else { 'None' }
    $x.WriteElementString('defaultValue', $ns.dev, $default)
    $x.WriteEndElement()
}

$x.WriteStartDocument()
$x.WriteStartElement('helpItems', 'http://msh')
$x.WriteAttributeString('schema', 'maml')

$written = 0
foreach ($cmd in (Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)) {
    $page = Join-Path $DocsPath "$($cmd.Name).md"
    if (-not (Test-Path $page)) { Write-Warning "No help page for $($cmd.Name) ($page)."; continue }
    $doc = Read-HelpMarkdown -Path $page
    $docParams = @{}
    foreach ($p in $doc.Parameters) { $docParams[$p.Name] = $p }
    $meta = @{}
    foreach ($m in (Get-HelpParameterMetadata -Command $cmd)) {
        $m | Add-Member -NotePropertyName Attributes -NotePropertyValue @($cmd.Parameters[$m.Name].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $m | Add-Member -NotePropertyName Pipeline -NotePropertyValue $m.'Accept pipeline input'
        $meta[$m.Name] = $m
    }

    $x.WriteStartElement('command', 'command', $ns.command)
    foreach ($prefix in 'maml', 'dev', 'MSHelp') { $x.WriteAttributeString('xmlns', $prefix, $null, $ns[$prefix]) }

    $x.WriteStartElement('command', 'details', $ns.command)
    $x.WriteElementString('name', $ns.command, $cmd.Name)
    $x.WriteElementString('verb', $ns.command, $cmd.Verb)
    $x.WriteElementString('noun', $ns.command, $cmd.Noun)
    Write-Description @($doc.Synopsis)
    $x.WriteEndElement()

    Write-Description $doc.Description

    $x.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $x.WriteStartElement('command', 'syntaxItem', $ns.command)
        $x.WriteElementString('name', $ns.maml, $cmd.Name)
        $inSet = @($set.Parameters | Where-Object { $meta.ContainsKey($_.Name) } |
                Sort-Object @{ e = { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } } }, @{ e = { -not $_.IsMandatory } })
        foreach ($p in $inSet) { Write-Parameter -Meta $meta[$p.Name] -Doc $docParams[$p.Name] -SetName $set.Name }
        $x.WriteEndElement()
    }
    $x.WriteEndElement()

    $x.WriteStartElement('command', 'parameters', $ns.command)
    # In the page's order; any parameter the page lacks comes last.
    $ordered = @($doc.Parameters | ForEach-Object Name | Where-Object { $meta.ContainsKey($_) }) + @($meta.Keys | Where-Object { -not $docParams.ContainsKey($_) } | Sort-Object)
    foreach ($name in $ordered) { Write-Parameter -Meta $meta[$name] -Doc $docParams[$name] -SetName $null }
    $x.WriteEndElement()

    foreach ($kind in @(@{ List = 'inputTypes'; Item = 'inputType'; From = $doc.Inputs }, @{ List = 'returnValues'; Item = 'returnValue'; From = $doc.Outputs })) {
        $x.WriteStartElement('command', $kind.List, $ns.command)
        foreach ($t in $kind.From) {
            $x.WriteStartElement('command', $kind.Item, $ns.command)
            $x.WriteStartElement('dev', 'type', $ns.dev)
            $x.WriteElementString('name', $ns.maml, $t.Type)
            $x.WriteEndElement()
            Write-Description $t.Description
            $x.WriteEndElement()
        }
        $x.WriteEndElement()
    }

    $x.WriteStartElement('maml', 'alertSet', $ns.maml)
    $x.WriteStartElement('maml', 'alert', $ns.maml)
    Write-Para $doc.Notes
    $x.WriteEndElement()
    $x.WriteEndElement()

    $x.WriteStartElement('command', 'examples', $ns.command)
    $n = 0
    foreach ($ex in $doc.Examples) {
        $n++
        $x.WriteStartElement('command', 'example', $ns.command)
        $title = if ($ex.Title -match '^Example\s+\d+') { $ex.Title } else { "Example ${n}: $($ex.Title)" }
        $x.WriteElementString('title', $ns.maml, "--------- $title ---------")
        $x.WriteElementString('code', $ns.dev, $ex.Code)
        $x.WriteStartElement('dev', 'remarks', $ns.dev)
        Write-Para $ex.Remarks
        $x.WriteEndElement()
        $x.WriteEndElement()
    }
    $x.WriteEndElement()

    $x.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($l in $doc.Links) {
        $x.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $x.WriteElementString('linkText', $ns.maml, $l.Text)
        $x.WriteElementString('uri', $ns.maml, $l.Uri)
        $x.WriteEndElement()
    }
    $x.WriteEndElement()

    $x.WriteEndElement()   # command:command
    $written++
}

$x.WriteEndElement()
$x.WriteEndDocument()
$x.Dispose()

foreach ($about in (Get-ChildItem $DocsPath -Filter 'about_*.md' -File)) {
    $text = ConvertTo-AboutText -Path $about.FullName
    [IO.File]::WriteAllText((Join-Path $culture ($about.BaseName + '.help.txt')), $text + [Environment]::NewLine, [Text.UTF8Encoding]::new($false))
}
Write-Host "Help: $written cmdlet page(s) -> $mamlPath; about topics -> $culture"
