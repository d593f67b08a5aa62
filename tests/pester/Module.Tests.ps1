# The published module itself: manifest, exports, each cmdlet's parameters as issue 2 lists them,
# and every cmdlet run once from the published folder in a real pwsh (a dependency that does not load
# in pwsh fails only at first use, which in-process xunit tests cannot see).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-ModuleUnderTest
    $manifestPath = Get-ModuleUnderTestPath
    $emu = Start-TestEmulator
    $url = $emu.BaseUri
    $null = Initialize-TestEnvironment

    $cmdlets = @('New-IrisBatchRequest', 'Submit-IrisBatch', 'Get-IrisBatchStatus', 'Wait-IrisBatch', 'Get-IrisBatchResult', 'Stop-IrisBatch', 'Remove-IrisBatch')

    function Get-ParameterInfo([string] $Command, [string] $Name) {
        $p = (Get-Command $Command).Parameters[$Name]
        if (-not $p) { throw "$Command has no parameter -$Name" }
        $attrs = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        [pscustomobject]@{
            Type                            = $p.ParameterType
            Aliases                         = @($p.Aliases)
            ValueFromPipeline               = [bool] ($attrs | Where-Object ValueFromPipeline)
            ValueFromPipelineByPropertyName = [bool] ($attrs | Where-Object ValueFromPipelineByPropertyName)
        }
    }
    function Test-AcceptsBatchFromPipeline([string] $Command) {
        # An IrisBatch binds either by value to a parameter of its type or by property name (Id).
        $byValue = (Get-Command $Command).Parameters.Values | Where-Object {
            $_.ParameterType -in [IrisBatch.IrisBatchInfo], [IrisBatch.IrisBatchInfo[]] -and
            ($_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipeline })
        }
        [bool] $byValue -or (Get-ParameterInfo $Command 'Id').ValueFromPipelineByPropertyName
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe 'The published manifest' {
    It 'carries the version set in Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props'))
        $version = ($props.SelectSingleNode('/Project/PropertyGroup/Version').InnerText -split '-')[0]
        (Test-ModuleManifest $manifestPath).Version | Should -Be ([version] $version)
        $module.Version | Should -Be ([version] $version)
    }

    It 'is a binary module for both editions from PowerShell 5.1' {
        $data = Import-PowerShellDataFile $manifestPath
        # The cmdlets are the second nested module, after the loader that picks the precompiled copy (no root module,
        # whose assembly PowerShell would load before the loader runs).
        $data.RootModule | Should -BeNullOrEmpty
        $data.NestedModules | Should -Be @('IrisBatch.Loader.dll', 'IrisBatch.dll')
        (Get-Command Get-IrisBatchResult).ImplementingType.Assembly.GetName().Name | Should -Be 'IrisBatch'
        $data.PowerShellVersion | Should -Be '5.1'
        $data.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        $data.GUID | Should -Be 'e91d2543-43ab-4930-b86e-3ab8f4ad4961'
        $data.PrivateData.PSData.Tags | Should -Contain 'PSEdition_Core'
        $data.PrivateData.PSData.Tags | Should -Contain 'PSEdition_Desktop'
    }

    It 'exports exactly the seven cmdlets and nothing else' {
        @((Get-Command -Module IrisBatch).Name | Sort-Object) | Should -Be @($cmdlets | Sort-Object)
        (Get-Command -Module IrisBatch) | ForEach-Object { $_.CommandType | Should -Be 'Cmdlet' }
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }

    It 'ships no PowerShell reference assembly' {
        Join-Path (Split-Path $manifestPath) 'System.Management.Automation.dll' | Should -Not -Exist
    }
}

Describe 'Cmdlet parameters' {
    It '<Command> declares [OutputType(<Type>)]' -ForEach @(
        @{ Command = 'New-IrisBatchRequest'; Type = 'IrisBatch.IrisBatchRequest' }
        @{ Command = 'Submit-IrisBatch'; Type = 'IrisBatch.IrisBatchInfo' }
        @{ Command = 'Get-IrisBatchStatus'; Type = 'IrisBatch.IrisBatchInfo' }
        @{ Command = 'Wait-IrisBatch'; Type = 'IrisBatch.IrisBatchInfo' }
        @{ Command = 'Get-IrisBatchResult'; Type = 'IrisBatch.IrisBatchResult' }
        @{ Command = 'Stop-IrisBatch'; Type = 'IrisBatch.IrisBatchInfo' }
        @{ Command = 'Remove-IrisBatch'; Type = 'IrisBatch.Commands.BatchRemovalResult' }
        @{ Command = 'Get-IrisBatchResult'; Type = 'IrisBatch.Commands.IrisBatchVectorFile' }
    ) {
        @((Get-Command $Command).OutputType.Name) | Should -Contain $Type
    }

    It 'New-IrisBatchRequest: -InputObject from the pipeline; -Model, -Prompt, -CustomId also by property name' {
        (Get-ParameterInfo New-IrisBatchRequest InputObject).ValueFromPipeline | Should -BeTrue
        (Get-ParameterInfo New-IrisBatchRequest Model).ValueFromPipelineByPropertyName | Should -BeTrue
        (Get-ParameterInfo New-IrisBatchRequest Prompt).ValueFromPipelineByPropertyName | Should -BeTrue
        $id = Get-ParameterInfo New-IrisBatchRequest CustomId
        $id.ValueFromPipelineByPropertyName | Should -BeTrue
        $id.Aliases | Should -Contain 'Id'
        $id.Aliases | Should -Contain 'custom_id'
        foreach ($name in 'SystemPrompt', 'MaxTokens', 'Temperature', 'Messages', 'Body') {
            (Get-Command New-IrisBatchRequest).Parameters.Keys | Should -Contain $name
        }
    }

    It 'Submit-IrisBatch: -Request by value and by property name, SecureString -ApiKey, ShouldProcess' {
        $r = Get-ParameterInfo Submit-IrisBatch Request
        $r.ValueFromPipeline | Should -BeTrue
        $r.ValueFromPipelineByPropertyName | Should -BeTrue
        (Get-ParameterInfo Submit-IrisBatch ApiKey).Type | Should -Be ([securestring])
        foreach ($name in 'Provider', 'BaseUri', 'Name', 'Metadata', 'WhatIf', 'Confirm') {
            (Get-Command Submit-IrisBatch).Parameters.Keys | Should -Contain $name
        }
    }

    It 'Get-IrisBatchStatus: -Id by value and property name (alias BatchId), -First, an IrisBatch from the pipeline' {
        $id = Get-ParameterInfo Get-IrisBatchStatus Id
        $id.ValueFromPipeline | Should -BeTrue
        $id.ValueFromPipelineByPropertyName | Should -BeTrue
        $id.Aliases | Should -Contain 'BatchId'
        Test-AcceptsBatchFromPipeline Get-IrisBatchStatus | Should -BeTrue
        foreach ($name in 'First', 'BaseUri', 'ApiKey') { (Get-Command Get-IrisBatchStatus).Parameters.Keys | Should -Contain $name }
    }

    It 'Wait-IrisBatch: batches from the pipeline, -Id, -PollInterval, -Timeout' {
        Test-AcceptsBatchFromPipeline Wait-IrisBatch | Should -BeTrue
        foreach ($name in 'Id', 'PollInterval', 'Timeout', 'BaseUri', 'ApiKey') { (Get-Command Wait-IrisBatch).Parameters.Keys | Should -Contain $name }
    }

    It 'Get-IrisBatchResult: a batch or -Id, -Status, switches -IncludeInput and -Wait' {
        Test-AcceptsBatchFromPipeline Get-IrisBatchResult | Should -BeTrue
        foreach ($name in 'Id', 'Status', 'BaseUri', 'ApiKey') { (Get-Command Get-IrisBatchResult).Parameters.Keys | Should -Contain $name }
        (Get-ParameterInfo Get-IrisBatchResult IncludeInput).Type | Should -Be ([switch])
        (Get-ParameterInfo Get-IrisBatchResult Wait).Type | Should -Be ([switch])
    }

    It 'Stop-IrisBatch: a batch or -Id, switches -PassThru and -Wait, ShouldProcess' {
        Test-AcceptsBatchFromPipeline Stop-IrisBatch | Should -BeTrue
        (Get-ParameterInfo Stop-IrisBatch PassThru).Type | Should -Be ([switch])
        (Get-ParameterInfo Stop-IrisBatch Wait).Type | Should -Be ([switch])
        foreach ($name in 'Id', 'WhatIf', 'Confirm') { (Get-Command Stop-IrisBatch).Parameters.Keys | Should -Contain $name }
    }

    It 'Remove-IrisBatch: a batch, -Id or -SetId, switches -KeepLocal and -Force, ShouldProcess with ConfirmImpact High' {
        Test-AcceptsBatchFromPipeline Remove-IrisBatch | Should -BeTrue
        (Get-ParameterInfo Remove-IrisBatch KeepLocal).Type | Should -Be ([switch])
        (Get-ParameterInfo Remove-IrisBatch Force).Type | Should -Be ([switch])
        foreach ($name in 'Id', 'SetId', 'WhatIf', 'Confirm') { (Get-Command Remove-IrisBatch).Parameters.Keys | Should -Contain $name }
        $attr = (Get-Command Remove-IrisBatch).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attr.SupportsShouldProcess | Should -BeTrue
        $attr.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::High)
    }

    It 'only the cmdlets that spend money or change remote state support ShouldProcess: Submit, Stop, Remove, and Get-IrisBatchResult (for -RemoveAfter, without asking by default)' {
        $should = @($cmdlets | Where-Object { (Get-Command $_).Parameters.ContainsKey('WhatIf') } | Sort-Object)
        $should | Should -Be @('Get-IrisBatchResult', 'Remove-IrisBatch', 'Stop-IrisBatch', 'Submit-IrisBatch')
        $attr = (Get-Command Get-IrisBatchResult).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attr.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::Low)
    }
}

Describe 'Every cmdlet runs from the published folder' {
    It 'New, Submit, Get-IrisBatchStatus, Wait, Get-IrisBatchResult and Stop all work' {
        $req = [pscustomobject]@{ name = 'Lamp' } | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}'
        $b = $req | Submit-IrisBatch -BaseUri $url
        $b | Should -BeOfType ([IrisBatch.IrisBatchInfo])
        # Issue 2 names the output types IrisBatchRequest, IrisBatch and IrisBatchResult: those short names work too.
        $b | Should -BeOfType 'IrisBatch'
        $req | Should -BeOfType 'IrisBatchRequest'
        [IrisBatch] | Should -Be ([IrisBatch.IrisBatchInfo])
        $b.BaseUri.TrimEnd('/') | Should -Be $url.TrimEnd('/')
        ($b | Get-IrisBatchStatus).Id | Should -Be $b.Id
        $done = $b | Wait-IrisBatch -PollInterval 0.5
        $done.Status | Should -Be Completed
        ($done | Get-IrisBatchResult).Output | Should -Be 'Echo: Describe Lamp'
        $done | Get-IrisBatchResult | Should -BeOfType 'IrisBatchResult'
        # Stopping a finished batch changes nothing; it must still run (and not throw a load error): one warning, no error.
        $null = $done | Stop-IrisBatch -Confirm:$false -ErrorAction Stop -WarningVariable warned -WarningAction SilentlyContinue
        $warned.Count | Should -Be 1
        "$warned" | Should -BeLike "*$($done.Id)*already Completed*"
    }
}
