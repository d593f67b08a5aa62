# Issue 3 test 2 ("a Submit-IrisBatch process killed at each journal state, then run again") on every provider with a
# batch API, as Durability.Tests.ps1 runs it for OpenAI: a child pwsh submits 20 rows and is killed while the emulator
# holds one of its calls (a 'slow' fault); the same command run again in a new process ends with one upload (where the
# provider uploads), one batch and every result. "After the create" is the case that costs money: the provider made
# the batch and the answer never reached the journal, so the second run must find that batch, not make another.

BeforeDiscovery {
    $providers = @(
        @{ Provider = 'AzureOpenAI'; Path = ''; KeyVariable = 'AZURE_OPENAI_API_KEY'; Model = 'gpt-4o-mini-batch'; Uploads = 1 }
        @{ Provider = 'Anthropic'; Path = ''; KeyVariable = 'ANTHROPIC_API_KEY'; Model = 'claude-haiku-4-5'; Uploads = 0 }
        @{ Provider = 'Gemini'; Path = ''; KeyVariable = 'GEMINI_API_KEY'; Model = 'gemini-2.5-flash'; Uploads = 0 }
        @{ Provider = 'Xai'; Path = '/xai/v1'; KeyVariable = 'XAI_API_KEY'; Model = 'grok-4'; Uploads = 0 }
        @{ Provider = 'Groq'; Path = '/groq/openai/v1'; KeyVariable = 'GROQ_API_KEY'; Model = 'llama-3.1-8b-instant'; Uploads = 1 }
        @{ Provider = 'Mistral'; Path = '/mistral/v1'; KeyVariable = 'MISTRAL_API_KEY'; Model = 'mistral-small-latest'; Uploads = 1 }
        @{ Provider = 'Together'; Path = '/together/v1'; KeyVariable = 'TOGETHER_API_KEY'; Model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'; Uploads = 1 }
    )
    foreach ($p in $providers) {
        $p.Cases = @(
            @{ When = 'while its create call is held, before it acted'; Route = 'create'; Rule = @{ kind = 'slow'; delay_ms = 60000 }; Created = 0 }
            @{ When = 'after the create (its answer held)'; Route = 'create'; Rule = @{ kind = 'slow'; delay_ms = 60000; after = $true }; Created = 1 }
        )
        if ($p.Uploads) { $p.Cases += @{ When = 'after the upload acted (its answer held)'; Route = 'upload'; Rule = @{ kind = 'slow'; delay_ms = 60000; after = $true }; Created = 0 } }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $modulePath = (Resolve-Path (Get-ModuleUnderTestPath)).Path
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 50 -FinalizingMs 10 -CancellingMs 10

    $submitScript = Join-Path $TestDrive 'submit.ps1'
    Set-Content -Path $submitScript -Value @'
param([string] $ModulePath, [string] $Provider, [string] $BaseUri, [string] $Model, [string] $Prefix, [string] $OutPath)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$rows = 1..20 | ForEach-Object { [pscustomobject]@{ sku = "sku-$_"; name = "$Prefix $_" } }
$batch = $rows | New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}.' |
    Submit-IrisBatch -Provider $Provider -BaseUri $BaseUri -WarningVariable warned -WarningAction SilentlyContinue
$results = @($batch | Wait-IrisBatch -PollInterval 0.05 -Timeout 120 | Get-IrisBatchResult -WarningAction SilentlyContinue)
[ordered]@{
    count     = $results.Count
    distinct  = @($results.CustomId | Sort-Object -Unique).Count
    succeeded = @($results | Where-Object { "$($_.Status)" -eq 'Succeeded' }).Count
    rightText = @($results | Where-Object { $_.Output -ceq "Echo: Describe $($_.Input.name)." }).Count
    warnings  = @($warned | ForEach-Object { "$_" })
} | ConvertTo-Json -Depth 4 | Set-Content -Path $OutPath
'@

    function Start-Child([string[]] $ArgumentList) {
        $self = [Environment]::ProcessPath
        [string[]] $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { $self, (Join-Path $PSHOME 'pwsh.dll') } else { , $self }
        $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $submitScript) + $ArgumentList) {
            $psi.ArgumentList.Add([string] $a)
        }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $p = [Diagnostics.Process]::Start($psi)
        [pscustomobject]@{ Process = $p; Stdout = $p.StandardOutput.ReadToEndAsync(); Stderr = $p.StandardError.ReadToEndAsync() }
    }

    function Stop-Child([object] $Child) {
        if (-not $Child.Process.HasExited) { $Child.Process.Kill($true) }
        $Child.Process.WaitForExit()
        $Child.Process.Dispose()
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe '<Provider>: a Submit-IrisBatch process killed mid-submission, then run again' -ForEach $providers {
    It 'killed <When>: the same command again makes one batch, uploads once and loses nothing' -ForEach $Cases {
        $null = Initialize-ProviderTestEnvironment -KeyVariable $KeyVariable
        Reset-Emulator $emu
        $out = Join-Path $TestDrive "killed-$([guid]::NewGuid().ToString('N')).json"
        [string[]] $argv = '-ModulePath', $modulePath, '-Provider', $Provider, '-BaseUri', "$($emu.Url)$Path", '-Model', $Model,
            '-Prefix', "Killed $([guid]::NewGuid().ToString('N').Substring(0, 8))", '-OutPath', $out
        $null = Add-EmulatorFault $emu (@{ route = $Route } + $Rule)

        $first = Start-Child $argv
        try {
            # The held call has reached the emulator (its rule fired; route names cover every provider's surface).
            $null = Wait-TestCondition -TimeoutSeconds 90 -Because "the first run must send its $Route call" {
                if ($first.Process.HasExited) { throw "The first run exited (code $($first.Process.ExitCode)) before its $Route call: $($first.Stderr.Result)" }
                @(Get-EmulatorFault $emu)[0].injected -ge 1
            }
            if ($Rule.after) {
                # Killed only once the held call has acted: the batch (or file) exists, its answer never arrives.
                $counter = if ($Route -eq 'create') { 'batches_created' } else { 'uploads' }
                $null = Wait-TestCondition { (Get-EmulatorStats $emu).$counter -ge 1 } -Because "the held $Route call must act"
            }
        }
        finally { Stop-Child $first }
        Clear-EmulatorFault $emu
        $stats = Get-EmulatorStats $emu
        $stats.batches_created | Should -Be $Created
        $stats.uploads | Should -Be $Uploads

        $second = Start-Child $argv
        if (-not $second.Process.WaitForExit(120000)) { Stop-Child $second; throw 'the second run did not finish within 120 s' }
        $second.Process.ExitCode | Should -Be 0 -Because "the second run must finish: $($second.Stderr.Result)"
        $second.Process.Dispose()
        $summary = Get-Content -Raw $out | ConvertFrom-Json
        $summary.count | Should -Be 20
        $summary.distinct | Should -Be 20
        $summary.rightText | Should -Be 20
        ($summary.warnings -join "`n") | Should -Match 'interrupted|already submitted' -Because 'the second run picks up the journal entry'

        $stats = Get-EmulatorStats $emu
        $stats.uploads | Should -Be $Uploads -Because 'the input is uploaded once where the provider takes a file'
        $stats.batches_created | Should -Be 1 -Because 'the batch is created once'
    }
}
