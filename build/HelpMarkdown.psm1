# Reads the help pages in docs/ (platyPS's markdown layout) into objects. Used by build/ConvertTo-Maml.ps1 (which
# writes the module's MAML and about topic) and by tests/pester/Help.Tests.ps1 (which checks and runs the examples).
#
# A cmdlet page:                                An about page:
#   ---  front matter  ---                        # about_IrisBatch
#   # Verb-Noun                                   ## SHORT DESCRIPTION
#   ## SYNOPSIS / SYNTAX / DESCRIPTION            ## LONG DESCRIPTION
#   ## EXAMPLES      ### Example 1: title         ### sub-headings, text, ```powershell code
#   ## PARAMETERS    ### -Name + ```yaml block
#   ## INPUTS / OUTPUTS   ### Type name
#   ## NOTES / RELATED LINKS   [text](uri)

Set-StrictMode -Version 3.0

function Split-MarkdownSection {
    <# Splits lines at headings of one level (outside code fences): the text before the first, then each section. #>
    param([string[]] $Lines, [int] $Level)
    $prefix = ('#' * $Level) + ' '
    $sections = [Collections.Generic.List[object]]::new()
    $current = [pscustomobject]@{ Title = ''; Lines = [Collections.Generic.List[string]]::new() }
    $fence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $fence = -not $fence }
        if (-not $fence -and $line.StartsWith($prefix)) {
            $sections.Add($current)
            $current = [pscustomobject]@{ Title = $line.Substring($prefix.Length).Trim(); Lines = [Collections.Generic.List[string]]::new() }
            continue
        }
        $current.Lines.Add($line)
    }
    $sections.Add($current)
    $sections   # emitted one by one: wrap calls in @() to index them
}

function Split-MarkdownBlock {
    <# Splits lines into text and fenced code blocks, in order: @{ Kind = 'text'|'code'; Language; Lines }. #>
    param([string[]] $Lines)
    $blocks = [Collections.Generic.List[object]]::new()
    $text = [Collections.Generic.List[string]]::new()
    $code = $null
    foreach ($line in $Lines) {
        if ($null -eq $code -and $line -match '^\s*```\s*([\w-]*)\s*$') {
            if ($text.Count) { $blocks.Add([pscustomobject]@{ Kind = 'text'; Language = ''; Lines = $text.ToArray() }); $text.Clear() }
            $code = [pscustomobject]@{ Kind = 'code'; Language = $Matches[1].ToLowerInvariant(); Lines = [Collections.Generic.List[string]]::new() }
            continue
        }
        if ($null -ne $code -and $line -match '^\s*```\s*$') {
            $blocks.Add([pscustomobject]@{ Kind = 'code'; Language = $code.Language; Lines = $code.Lines.ToArray() })
            $code = $null
            continue
        }
        if ($null -ne $code) { $code.Lines.Add($line) } else { $text.Add($line) }
    }
    if ($null -ne $code) { throw "A code block is not closed." }
    if ($text.Count) { $blocks.Add([pscustomobject]@{ Kind = 'text'; Language = ''; Lines = $text.ToArray() }) }
    $blocks
}

function ConvertTo-HelpParagraph {
    <#
    Turns markdown text into paragraphs: blank lines separate them; lines of a paragraph are joined, except list
    items (- or 1.) and table rows, which each stay a line of their own.
    #>
    param([string[]] $Lines)
    $paras = [Collections.Generic.List[string]]::new()
    $current = [Collections.Generic.List[string]]::new()
    $flush = {
        if ($current.Count) { $paras.Add(($current -join "`n")); $current.Clear() }
    }
    foreach ($raw in $Lines) {
        $line = $raw.TrimEnd()
        if (-not $line.Trim()) { & $flush; continue }
        $isItem = $line -match '^\s*([-*]|\d+\.)\s' -or $line -match '^\s*\|'
        if ($isItem -or -not $current.Count) { $current.Add($line.Trim()) }
        elseif ($current[$current.Count - 1] -match '^\s*\|') { $current.Add($line.Trim()) }
        else { $current[$current.Count - 1] = $current[$current.Count - 1] + ' ' + $line.Trim() }
    }
    & $flush
    , $paras.ToArray()
}

function Read-YamlBlock([string[]] $Lines) {
    $map = [ordered]@{}
    foreach ($line in $Lines) {
        if ($line -match '^\s*([^:]+):\s*(.*)$') { $map[$Matches[1].Trim()] = $Matches[2].Trim() }
    }
    $map
}

function Read-HelpMarkdown {
    <# Reads a cmdlet page into an object; throws with the file name when a required section is missing. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path)
    $lines = [IO.File]::ReadAllLines($Path)
    # Front matter
    if ($lines.Count -and $lines[0] -eq '---') {
        $end = [Array]::IndexOf($lines, '---', 1)
        if ($end -gt 0) { $lines = $lines[($end + 1)..($lines.Count - 1)] }
    }
    $top = @(Split-MarkdownSection -Lines $lines -Level 1)
    if ($top.Count -lt 2) { throw "${Path}: no '# Name' heading." }
    $name = $top[1].Title
    $sections = @{}
    foreach ($s in (Split-MarkdownSection -Lines $top[1].Lines -Level 2 | Select-Object -Skip 1)) { $sections[$s.Title.ToUpperInvariant()] = $s }

    $text = {
        param([string] $Title)
        if ($sections.ContainsKey($Title)) { ConvertTo-HelpParagraph -Lines @($sections[$Title].Lines) } else { @() }
    }

    $linesOf = { param([string] $Title) if ($sections.ContainsKey($Title)) { @($sections[$Title].Lines) } else { @() } }

    $examples = foreach ($ex in @(Split-MarkdownSection -Lines (& $linesOf 'EXAMPLES') -Level 3 | Select-Object -Skip 1)) {
        $blocks = @(Split-MarkdownBlock -Lines $ex.Lines)
        $code = @($blocks | Where-Object { $_.Kind -eq 'code' -and $_.Language -in 'powershell', 'pwsh', 'ps1' })
        $remarks = [Collections.Generic.List[string]]::new()
        foreach ($b in $blocks) {
            if ($b.Kind -eq 'text') { foreach ($p in (ConvertTo-HelpParagraph -Lines $b.Lines)) { $remarks.Add($p) } }
            elseif ($b.Language -notin 'powershell', 'pwsh', 'ps1') { $remarks.Add((($b.Lines | ForEach-Object { "    $_" }) -join "`n")) }
        }
        [pscustomobject]@{
            Title   = $ex.Title
            Code    = (@($code | ForEach-Object { $_.Lines -join "`n" }) -join "`n`n")
            Remarks = $remarks.ToArray()
        }
    }

    $parameters = [Collections.Generic.List[object]]::new()
    $commonParameters = $false
    if ($sections.ContainsKey('PARAMETERS')) {
        foreach ($p in (Split-MarkdownSection -Lines @($sections['PARAMETERS'].Lines) -Level 3 | Select-Object -Skip 1)) {
            if ($p.Title -eq 'CommonParameters') { $commonParameters = $true; continue }
            $blocks = @(Split-MarkdownBlock -Lines $p.Lines)
            $yaml = $blocks | Where-Object { $_.Kind -eq 'code' -and $_.Language -eq 'yaml' } | Select-Object -First 1
            $descLines = @($blocks | Where-Object Kind -EQ 'text' | ForEach-Object { $_.Lines })
            $parameters.Add([pscustomobject]@{
                    Name        = $p.Title.TrimStart('-')
                    Description = ConvertTo-HelpParagraph -Lines $descLines
                    Yaml        = if ($yaml) { Read-YamlBlock $yaml.Lines } else { [ordered]@{} }
                })
        }
    }

    $typed = {
        param([string] $Title)
        if (-not $sections.ContainsKey($Title)) { return @() }
        foreach ($t in (Split-MarkdownSection -Lines @($sections[$Title].Lines) -Level 3 | Select-Object -Skip 1)) {
            [pscustomobject]@{ Type = $t.Title; Description = ConvertTo-HelpParagraph -Lines @($t.Lines) }
        }
    }

    $links = foreach ($line in (& $linesOf 'RELATED LINKS')) {
        if ($line -match '^\s*\[([^\]]+)\]\(([^)]*)\)') {
            $uri = $Matches[2]
            [pscustomobject]@{ Text = $Matches[1]; Uri = if ($uri -match '^https?://') { $uri } else { '' } }
        }
    }

    $syntax = foreach ($s in @(Split-MarkdownSection -Lines (& $linesOf 'SYNTAX') -Level 3 | Select-Object -Skip 1)) {
        $code = (Split-MarkdownBlock -Lines $s.Lines) | Where-Object Kind -EQ 'code' | Select-Object -First 1
        [pscustomobject]@{ Set = ($s.Title -replace '\s*\(Default\)\s*$', ''); Text = if ($code) { ($code.Lines -join ' ').Trim() -replace '\s+', ' ' } else { '' } }
    }

    [pscustomobject]@{
        Path             = $Path
        Name             = $name
        Synopsis         = (& $text 'SYNOPSIS') -join ' '
        Syntax           = @($syntax)
        Description      = & $text 'DESCRIPTION'
        Examples         = @($examples)
        Parameters       = $parameters.ToArray()
        CommonParameters = $commonParameters
        Inputs           = @(& $typed 'INPUTS')
        Outputs          = @(& $typed 'OUTPUTS')
        Notes            = & $text 'NOTES'
        Links            = @($links)
    }
}

function Get-MarkdownCodeBlock {
    <# The fenced code blocks of a markdown file in a language (default PowerShell), with the heading each sits under. #>
    param([Parameter(Mandatory)] [string] $Path, [string[]] $Language = @('powershell', 'pwsh', 'ps1'))
    $heading = ''
    $lines = [IO.File]::ReadAllLines($Path)
    $buffer = [Collections.Generic.List[string]]::new()
    foreach ($b in (Split-MarkdownBlock -Lines $lines)) {
        if ($b.Kind -eq 'text') {
            foreach ($l in $b.Lines) { if ($l -match '^#+\s+(.*)$') { $heading = $Matches[1].Trim() } }
            continue
        }
        if ($b.Language -in $Language) { [pscustomobject]@{ Heading = $heading; Code = $b.Lines -join "`n" } }
    }
}

function ConvertTo-AboutText {
    <#
    Turns an about page (markdown) into the about_*.help.txt layout: TOPIC, then each '## HEADING' at the margin in
    capitals, its text wrapped at 80 columns and indented 4 spaces; '###' sub-headings at 4 spaces, code at 8.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $lines = [IO.File]::ReadAllLines($Path)
    $out = [Collections.Generic.List[string]]::new()
    $top = @(Split-MarkdownSection -Lines $lines -Level 1)
    $name = $top[1].Title
    $out.Add('TOPIC'); $out.Add("    $name"); $out.Add('')
    foreach ($section in (Split-MarkdownSection -Lines $top[1].Lines -Level 2 | Select-Object -Skip 1)) {
        $out.Add($section.Title.ToUpperInvariant())
        foreach ($sub in (Split-MarkdownSection -Lines $section.Lines -Level 3)) {
            if ($sub.Title) { $out.Add(''); $out.Add("    $($sub.Title)"); $out.Add('    ' + ('-' * $sub.Title.Length)) }
            foreach ($b in (Split-MarkdownBlock -Lines $sub.Lines)) {
                if ($b.Kind -eq 'code') {
                    $out.Add('')
                    foreach ($l in $b.Lines) { $out.Add(("        $l").TrimEnd()) }
                    continue
                }
                foreach ($p in (ConvertTo-HelpParagraph -Lines $b.Lines)) {
                    $out.Add('')
                    foreach ($pl in ($p -split "`n")) {
                        if ($pl -match '^\|') { $out.Add("    $pl"); continue }
                        $indent = if ($pl -match '^([-*]|\d+\.)\s') { '      ' } else { '    ' }
                        $first = $true
                        foreach ($wrapped in (Format-Wrapped -Text $pl -Width (80 - 4))) {
                            $out.Add($(if ($first) { "    $wrapped" } else { "$indent$wrapped" }))
                            $first = $false
                        }
                    }
                }
            }
        }
        $out.Add('')
    }
    $out -join [Environment]::NewLine
}

function Format-Wrapped([string] $Text, [int] $Width) {
    $line = ''
    foreach ($word in ($Text -split ' ')) {
        if ($line.Length -and $line.Length + 1 + $word.Length -gt $Width) { $line; $line = $word }
        elseif ($line.Length) { $line += ' ' + $word }
        else { $line = $word }
    }
    if ($line.Length) { $line }
}

function Get-HelpParameterMetadata {
    <#
    What the cmdlet itself says about each parameter (common parameters left out; WhatIf and Confirm kept), in the
    words of the pages' yaml blocks: Type, Parameter Sets, Aliases, Required, Position, Accept pipeline input.
    #>
    param([Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command)
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    $allSets = @($Command.ParameterSets | ForEach-Object Name)
    foreach ($p in $Command.Parameters.Values) {
        if ($p.Name -in $common) { continue }
        $attrs = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $sets = @($attrs | ForEach-Object { $_.ParameterSetName } | Select-Object -Unique)
        $inAll = $sets -contains '__AllParameterSets' -or @($allSets | Where-Object { $_ -notin $sets }).Count -eq 0
        $describe = {
            param([scriptblock] $Of)
            $values = @($attrs | ForEach-Object { [pscustomobject]@{ Set = $_.ParameterSetName; Value = & $Of $_ } })
            $distinct = @($values | ForEach-Object Value | Select-Object -Unique)
            if ($distinct.Count -eq 1) { return [string] $distinct[0] }
            ($values | ForEach-Object { "$($_.Value) ($($_.Set))" }) -join ', '
        }
        $pipeline = @(
            if ($attrs | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' }
            if ($attrs | Where-Object ValueFromPipeline) { 'ByValue' }
        )
        [pscustomobject]@{
            Name                   = $p.Name
            Type                   = $p.ParameterType
            TypeName               = $p.ParameterType.Name
            IsSwitch               = $p.SwitchParameter
            'Parameter Sets'       = if ($inAll) { '(All)' } else { $sets -join ', ' }
            Aliases                = @($p.Aliases) -join ', '
            Required               = & $describe { param($a) if ($a.Mandatory) { 'True' } else { 'False' } }
            Position               = & $describe { param($a) if ($a.Position -ge 0) { [string] $a.Position } else { 'Named' } }
            'Accept pipeline input' = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
        }
    }
}

function Get-HelpSyntax {
    <# One line per parameter set, as Get-Command -Syntax prints it: @{ Set; IsDefault; Text }. #>
    param([Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command)
    foreach ($set in $Command.ParameterSets) {
        [pscustomobject]@{ Set = $set.Name; IsDefault = $set.IsDefault; Text = ("$($Command.Name) $set".Trim() -replace '\s+', ' ') }
    }
}

Export-ModuleMember -Function Get-HelpParameterMetadata, Get-HelpSyntax, Read-HelpMarkdown, Get-MarkdownCodeBlock, ConvertTo-AboutText, ConvertTo-HelpParagraph, Split-MarkdownBlock
