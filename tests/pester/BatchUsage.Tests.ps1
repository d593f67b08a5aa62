# Issue 18: the batch-level usage OpenAI reports (spec §1.5) is read with its cached and reasoning tokens, so
# Get-IrisBatchStatus prices ProviderCost as the results' Cost is priced and warns when the cached counts disagree.
# Against the emulator: "[cached]" reads half a line's prompt from the cache (in the line's usage and the batch's);
# "[cached-drift]" does the same but the batch's usage counts the whole prompt as cached for that line.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 60 -FinalizingMs 10 -CancellingMs 10
    $url = $emu.BaseUri
    $null = Initialize-TestEnvironment
    $poll = 0.05
    $prices = Get-Content -Raw (Join-Path $PSScriptRoot '../../src/IrisBatch.Core/Estimates/prices.json') | ConvertFrom-Json
    # gpt-5-mini: cached input at a tenth of the input price, and a reasoning model (its answers have reasoning tokens).
    $model = 'gpt-5-mini'
    $p = $prices.models.$model

    function New-Rows([int] $Count, [string] $Marker = '[cached]', [int[]] $Marked = @()) {
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        foreach ($i in 1..$Count) {
            [pscustomobject]@{ name = "Lamp $tag $i$(if ($i -in $Marked) { " $Marker" })" }
        }
    }
    function Submit-Done([object[]] $Rows) {
        $Rows | New-IrisBatchRequest -Model $model -Prompt 'Describe the {name} for a catalogue' | Submit-IrisBatch -BaseUri $url |
            Wait-IrisBatch -PollInterval $poll
    }
    function Get-Sum([object[]] $Results, [string] $Name) {
        [long] $n = 0
        foreach ($r in $Results) { if ($r.Status -eq 'Succeeded') { $n += $r.Usage.$Name } }
        $n
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    Clear-TestEnvironment
}

Describe 'Batch-level usage with cached and reasoning tokens' {
    It 'a batch with cached tokens: ProviderCost equals the results'' Cost, with no warning' {
        $b = Submit-Done (New-Rows -Count 4 -Marked 1, 3)
        $results = @($b | Get-IrisBatchResult)
        $results.Count | Should -Be 4
        [decimal] $sum = 0
        foreach ($r in $results) {
            $u = $r.Usage
            $expected = (($u.InputTokens - $u.CachedTokens) * [decimal] $p.input + $u.CachedTokens * [decimal] $p.cached_input +
                $u.OutputTokens * [decimal] $p.output) / 1000000
            $r.Cost | Should -Be $expected
            $sum += $r.Cost
        }
        $cached = Get-Sum $results 'CachedTokens'
        $cached | Should -BeGreaterThan 0
        (Get-Sum $results 'ReasoningTokens') | Should -BeGreaterThan 0
        $status = $b | Get-IrisBatchStatus -WarningVariable warned
        $status.Cost | Should -Be $sum
        $status.Usage.CachedTokens | Should -Be $cached
        $status.Usage.ReasoningTokens | Should -Be (Get-Sum $results 'ReasoningTokens')
        $status.ProviderCost | Should -Be $sum -Because 'the batch''s cached tokens are priced at the cached price, as the results'' are'
        $warned.Count | Should -Be 0
    }

    It 'a batch whose cached count differs from its results'' gives one warning with both counts' {
        $b = Submit-Done (New-Rows -Count 3 -Marker '[cached-drift]' -Marked 2)
        $results = @($b | Get-IrisBatchResult)
        $results.Count | Should -Be 3
        [decimal] $sum = 0
        foreach ($r in $results) { $sum += $r.Cost }
        $cached = Get-Sum $results 'CachedTokens'
        $drifted = $results | Where-Object { $_.Usage.CachedTokens -gt 0 }
        @($drifted).Count | Should -Be 1
        $extra = $drifted.Usage.InputTokens - $drifted.Usage.CachedTokens   # the batch counts the line's whole prompt as cached
        $status = $b | Get-IrisBatchStatus -WarningVariable warned
        $status.Usage.InputTokens | Should -Be (Get-Sum $results 'InputTokens') -Because 'only the cached count disagrees'
        $status.Usage.CachedTokens | Should -Be ($cached + $extra)
        $status.Cost | Should -Be $sum
        $status.ProviderCost | Should -Be ($sum - $extra * ([decimal] $p.input - [decimal] $p.cached_input) / 1000000)
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match ([regex]::Escape($b.Id))
        "$($warned[0])" | Should -Match ([regex]::Escape(('({0:N0} cached)' -f ($cached + $extra))))
        "$($warned[0])" | Should -Match ([regex]::Escape(('({0:N0} cached)' -f $cached)))
    }

    It 'a refused answer: Cost 0 (a Failed row), but its usage is counted as the provider counts it, so no false warning' {
        # "[refuse]": the provider answers (HTTP 200, with usage, counted in the batch's usage too) and the model
        # refuses; IrisBatch reports the row Failed (ErrorCode refusal), so its Cost is 0, but the batch-level usage
        # agrees with the results' usage: no disagreement warning, and ProviderCost prices the refused row too.
        $b = Submit-Done (New-Rows -Count 3 -Marker '[refuse]' -Marked 2)
        $results = @($b | Get-IrisBatchResult)
        $results.Count | Should -Be 3
        $refused = @($results | Where-Object ErrorCode -EQ 'refusal')
        $refused.Count | Should -Be 1
        $refused[0].Status | Should -Be 'Failed'
        $refused[0].Cost | Should -Be 0
        $u = $refused[0].Usage
        $u.InputTokens | Should -BeGreaterThan 0
        $refusedPrice = (($u.InputTokens - $u.CachedTokens) * [decimal] $p.input + $u.CachedTokens * [decimal] $p.cached_input +
            $u.OutputTokens * [decimal] $p.output) / 1000000
        [decimal] $sum = 0
        [long] $inputSum = 0
        foreach ($r in $results) { $sum += $r.Cost; $inputSum += $r.Usage.InputTokens }
        $status = $b | Get-IrisBatchStatus -WarningVariable warned
        $status.Cost | Should -Be $sum
        $status.Usage.InputTokens | Should -Be $inputSum
        $status.ProviderCost | Should -Be ($sum + $refusedPrice)
        $warned.Count | Should -Be 0
    }
}
