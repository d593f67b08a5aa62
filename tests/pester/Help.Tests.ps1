# The help: every exported cmdlet has a page in docs/ that agrees with the code, the build turned the pages into
# help that Get-Help shows in a fresh session, and every example in the pages runs against the mock provider.

BeforeDiscovery {
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $manifest = if ($env:IRISBATCH_TEST_MODULE) { $env:IRISBATCH_TEST_MODULE } else { Join-Path $repo 'out/IrisBatch/IrisBatch.psd1' }
    $cmdletNames = @((Import-PowerShellDataFile $manifest).CmdletsToExport)
    # Pages whose PowerShell blocks are examples to run. testing.md is a test file shown whole (see Testing.Tests.ps1).
    $examplePages = @(Get-ChildItem (Join-Path $repo 'docs') -Filter '*.md' -File |
            Where-Object { $_.Name -notin 'testing.md', 'architecture.md' } |
            ForEach-Object { @{ Page = $_.Name; Path = $_.FullName } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repo 'build/HelpMarkdown.psm1') -Force
    $module = Import-ModuleUnderTest
    $modulePath = Get-ModuleUnderTestPath

    # Get-Help as a user sees it: a fresh pwsh that imports the published module.
    $script = Join-Path $TestDrive 'read-help.ps1'
    $json = Join-Path $TestDrive 'help.json'
    Set-Content -Path $script -Value @'
param([string] $ModulePath, [string] $Out)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$cmdlets = foreach ($c in Get-Command -Module IrisBatch -CommandType Cmdlet) {
    $h = Get-Help $c.Name -Full
    [pscustomobject]@{
        Name        = $c.Name
        Synopsis    = "$($h.Synopsis)".Trim()
        Description = (@($h.description) | ForEach-Object Text) -join ' '
        Examples    = @($h.examples.example | ForEach-Object { [pscustomobject]@{ Title = $_.title; Code = $_.code } })
        Parameters  = @($h.parameters.parameter | ForEach-Object { [pscustomobject]@{ Name = $_.name; Description = (@($_.description) | ForEach-Object Text) -join ' ' } })
        Inputs      = @($h.inputTypes.inputType | ForEach-Object { $_.type.name })
        Outputs     = @($h.returnValues.returnValue | ForEach-Object { $_.type.name })
        Links       = @($h.relatedLinks.navigationLink | ForEach-Object linkText)
    }
}
$about = Get-Help about_IrisBatch -ErrorAction SilentlyContinue | Out-String
[pscustomobject]@{ Cmdlets = @($cmdlets); About = $about } | ConvertTo-Json -Depth 6 | Set-Content -Path $Out -Encoding utf8NoBOM
'@
    $null = Invoke-TestPwsh -File $script -ArgumentList @('-ModulePath', $modulePath, '-Out', $json)
    if (-not (Test-Path $json)) { throw 'The fresh pwsh did not write the help it saw.' }
    $seen = Get-Content -Raw $json | ConvertFrom-Json
    $help = @{}
    foreach ($c in $seen.Cmdlets) { $help[$c.Name] = $c }
    $common = [System.Management.Automation.Cmdlet]::CommonParameters

    function Invoke-DocExample {
        <#
        Runs a page's PowerShell blocks in order, in one new runspace (later blocks may use earlier variables), in an
        empty folder with a fresh journal and the mock provider: IRISBATCH_PROVIDER=Mock, and '-Provider X' made
        '-Provider Mock'. $ErrorActionPreference is Stop, so any error fails the page.
        #>
        param([string] $Path)
        $blocks = @(Get-MarkdownCodeBlock -Path $Path)
        $dir = Join-Path ([IO.Path]::GetTempPath()) "irisbatch-doc-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Force $dir
        $saved = @{}
        foreach ($n in 'IRISBATCH_PROVIDER', 'IRISBATCH_HOME') { $saved[$n] = [Environment]::GetEnvironmentVariable($n) }
        $env:IRISBATCH_PROVIDER = 'Mock'
        $env:IRISBATCH_HOME = Join-Path $dir 'journal'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Set-Location -LiteralPath '$dir'; `$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$modulePath'").Invoke()
            $ran = 0
            foreach ($b in $blocks) {
                $code = $b.Code -replace '-Provider\s+\w+', '-Provider Mock'
                $ps.Commands.Clear()
                $ps.Streams.ClearStreams()
                try { $null = $ps.AddScript($code).AddCommand('Out-String').Invoke() }
                catch { throw "The example under '$($b.Heading)' failed: $($_.Exception.InnerException.Message ?? $_.Exception.Message)" }
                if ($ps.Streams.Error.Count) { throw "The example under '$($b.Heading)' wrote an error: $($ps.Streams.Error[0])" }
                $ran++
            }
            $ran
        }
        finally {
            $ps.Dispose()
            foreach ($kv in $saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($kv.Key, $kv.Value) }
            Remove-Item -Recurse -Force $dir -ErrorAction Ignore
        }
    }
}

Describe 'Get-Help <_> in a fresh session' -ForEach $cmdletNames {
    BeforeAll { $h = $help[$_] }

    It 'has help' {
        $h | Should -Not -BeNullOrEmpty
    }

    It 'has a synopsis and a description' {
        $h.Synopsis | Should -Not -BeNullOrEmpty
        $h.Synopsis | Should -Not -BeLike "*$_ *[<CommonParameters>]*"   # what Get-Help shows when there is no help
        $h.Description | Should -Not -BeNullOrEmpty
    }

    It 'has at least three examples, each with code' {
        @($h.Examples).Count | Should -BeGreaterOrEqual 3
        foreach ($e in $h.Examples) { $e.Code | Should -Not -BeNullOrEmpty }
    }

    It 'describes every parameter' {
        $names = @((Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common })
        $described = @($h.Parameters | Where-Object { $_.Description.Trim() } | ForEach-Object Name)
        @($names | Where-Object { $_ -notin $described }) | Should -BeNullOrEmpty -Because 'each parameter needs a description in docs/ (build/Update-HelpMarkdown.ps1 adds the sections)'
    }

    It 'names its inputs, outputs and related links' {
        @($h.Inputs).Count | Should -BeGreaterThan 0
        @($h.Outputs).Count | Should -BeGreaterThan 0
        @($h.Links).Count | Should -BeGreaterThan 0
    }
}

Describe 'The page docs/<_>.md agrees with the code' -ForEach $cmdletNames {
    BeforeAll {
        $doc = Read-HelpMarkdown -Path (Join-Path $repo "docs/$_.md")
        $cmd = Get-Command $_
        $meta = @(Get-HelpParameterMetadata -Command $cmd)
    }

    It 'lists exactly the cmdlet''s parameters' {
        $inCode = @($meta | ForEach-Object Name | Sort-Object)
        $inDoc = @($doc.Parameters | ForEach-Object Name | Sort-Object)
        $inDoc | Should -Be $inCode -Because 'build/Update-HelpMarkdown.ps1 brings the pages up to date with the code'
    }

    It 'has each parameter''s type, sets, aliases, position and pipeline input as the code has them' {
        $wrong = foreach ($m in $meta) {
            $p = $doc.Parameters | Where-Object Name -EQ $m.Name
            if (-not $p) { continue }
            foreach ($key in 'Parameter Sets', 'Aliases', 'Required', 'Position', 'Accept pipeline input') {
                $expected = [string] $m.$key
                $actual = if ($p.Yaml.Contains($key)) { [string] $p.Yaml[$key] } else { '' }
                if ($actual -ne $expected) { "-$($m.Name) ${key}: the page says '$actual', the code '$expected'" }
            }
            if ($p.Yaml['Type'] -ne $m.TypeName) { "-$($m.Name) Type: the page says '$($p.Yaml['Type'])', the code '$($m.TypeName)'" }
        }
        $wrong | Should -BeNullOrEmpty -Because 'build/Update-HelpMarkdown.ps1 rewrites the yaml blocks from the code'
    }

    It 'has each parameter''s default value as the code has it' {
        # A fresh cmdlet object holds the code's defaults. The network parameters hold a sentinel (-1 or 0: not given)
        # and take HttpSettings' values; any other unset value (null, empty, 0) must not be documented as a number.
        $instance = [Activator]::CreateInstance($cmd.ImplementingType)
        $http = [IrisBatch.Http.HttpSettings]::new()
        $effective = @{
            TimeoutSec          = $http.AttemptTimeout.TotalSeconds
            MaximumRetryCount   = $http.MaxRetries
            RetryIntervalSec    = $http.BaseDelay.TotalSeconds
            OperationTimeoutSec = $http.OverallTimeout.TotalSeconds
        }
        $wrong = foreach ($m in $meta) {
            $p = $doc.Parameters | Where-Object Name -EQ $m.Name
            if (-not $p) { continue }
            $said = if ($p.Yaml.Contains('Default value')) { [string] $p.Yaml['Default value'] } else { '' }
            if ($m.IsSwitch) {
                if ($said -ne 'False') { "-$($m.Name): the page says '$said', a switch is False unless given" }
                continue
            }
            $value = $instance.($m.Name)
            $unset = $null -eq $value -or ($value -is [Array] -and $value.Count -eq 0) -or
                ($value -is [ValueType] -and ($value -eq [Activator]::CreateInstance($value.GetType()) -or $value -eq -1))
            $number = if ($said -match '^(-?\d+(\.\d+)?)\b') { [double] $Matches[1] }
            if ($effective.ContainsKey($m.Name) -and $unset) {
                if ($number -ne $effective[$m.Name]) { "-$($m.Name): the page says '$said', the code $($effective[$m.Name])" }
            }
            elseif (-not $unset) {
                if ($number -ne [double] $value) { "-$($m.Name): the page says '$said', the code $value" }
            }
            elseif ($null -ne $number) { "-$($m.Name): the page says '$said', the code has no default value" }
        }
        $wrong | Should -BeNullOrEmpty -Because 'the Default value line of each yaml block is written by hand: keep it as the code has it'
    }

    It 'names as OUTPUTS exactly the types the cmdlet declares with [OutputType]' {
        $declared = @($cmd.OutputType | ForEach-Object Name | Sort-Object -Unique)
        @($doc.Outputs | ForEach-Object Type | Sort-Object -Unique) | Should -Be $declared
    }

    It 'names as INPUTS exactly the types its parameters take from the pipeline by value' {
        $byValue = @($cmd.Parameters.Values | Where-Object {
                $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipeline }
            } | ForEach-Object { $t = $_.ParameterType; if ($t.IsArray) { $t.GetElementType().FullName } else { $t.FullName } } | Sort-Object -Unique)
        @($doc.Inputs | ForEach-Object Type | Sort-Object -Unique) | Should -Be $byValue
    }

    It 'shows the syntax of each parameter set as Get-Command does' {
        $expected = @(Get-HelpSyntax -Command $cmd | ForEach-Object { "$($_.Set -replace '^__AllParameterSets$', 'All'): $($_.Text)" } | Sort-Object)
        $actual = @($doc.Syntax | ForEach-Object { "$($_.Set): $($_.Text)" } | Sort-Object)
        $actual | Should -Be $expected -Because 'build/Update-HelpMarkdown.ps1 rewrites SYNTAX from the code'
    }
}

Describe 'Issue 18: Get-Help of <Cmdlet> shows an example of each new parameter' -ForEach @(
    @{ Cmdlet = 'Remove-IrisBatch'; Parameters = @('KeepLocal', 'Force', 'WhatIf', 'Confirm') }
    @{ Cmdlet = 'Get-IrisBatchStatus'; Parameters = @('Local', 'Before', 'Status', 'SetId') }
    @{ Cmdlet = 'Get-IrisBatchResult'; Parameters = @('RemoveAfter', 'Unordered', 'IncludeInput', 'SetId') }
) {
    It 'has an example using -<_>' -ForEach $Parameters {
        $code = @($help[$Cmdlet].Examples | ForEach-Object Code) -join "`n"
        $code | Should -Match "-$_\b" -Because "issue 18 asks Get-Help $Cmdlet to show -$_ at work"
    }
}

Describe 'The about topic' {
    It 'Get-Help about_IrisBatch shows it in a fresh session' {
        $seen.About | Should -Match 'about_IrisBatch'
        $seen.About | Should -Match 'The mock provider'
        $seen.About | Should -Match 'Exactly once'
    }

    It 'issue 18: shows what it cost and a nightly job (submit, collect, cost, clean up)' {
        $seen.About | Should -Match '(?m)^\s+What it cost\s*$'
        $seen.About | Should -Match '(?m)^\s+A nightly job\s*$'
        $job = ($seen.About -split '(?m)^\s+A nightly job\s*$')[1]
        foreach ($step in 'Submit-IrisBatch', 'Wait-IrisBatch', 'Get-IrisBatchResult -IncludeInput', 'Measure-Object Cost -Sum', 'Remove-IrisBatch', 'Get-IrisBatchStatus -Local -Before') {
            $job | Should -Match ([regex]::Escape($step))
        }
    }

    It 'names every exported cmdlet under SEE ALSO' {
        $seen.About -match '(?s)SEE ALSO(.*)$' | Should -BeTrue
        $seeAlso = $Matches[1]
        @($module.ExportedCmdlets.Keys | Where-Object { $seeAlso -notmatch "\b$_\b" }) | Should -BeNullOrEmpty
    }
}

Describe 'The examples of docs/<Page> run against the mock provider' -ForEach $examplePages {
    It 'runs every PowerShell block without an error' {
        $ran = Invoke-DocExample -Path $Path
        $ran | Should -BeGreaterThan 0
    }
}

Describe 'docs/testing.md' {
    It 'shows the ops script and its test exactly as they are in examples/testing (which the suite runs)' {
        $blocks = @(Get-MarkdownCodeBlock -Path (Join-Path $repo 'docs/testing.md') | Where-Object { $_.Code -match '\S' -and $_.Code.Contains("`n") })
        $files = 'Update-ProductDescriptions.ps1', 'Update-ProductDescriptions.Tests.ps1'
        $blocks.Count | Should -BeGreaterOrEqual 2
        for ($i = 0; $i -lt $files.Count; $i++) {
            $file = (Get-Content -Raw (Join-Path $repo "examples/testing/$($files[$i])")) -replace "`r`n", "`n"
            $blocks[$i].Code | Should -Be $file.TrimEnd("`n") -Because "docs/testing.md must show $($files[$i]) as it is"
        }
    }
}
