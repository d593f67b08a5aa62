# Tab completion of -Provider, -Model, -Id and -SetId, through TabExpansion2 as the console calls it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $null = Initialize-TestEnvironment

    function Get-Completion([string] $Line, [int] $Cursor = $Line.Length) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Cursor).CompletionMatches
    }

    # Three batches in the journal, submitted in this order.
    $batches = foreach ($name in 'oldest', 'middle', 'newest') {
        1..2 | ForEach-Object { [pscustomobject]@{ n = $_ } } |
            New-IrisBatchRequest -Model gpt-4o-mini -Prompt "$name {n}" |
            Submit-IrisBatch -Provider Mock -Name $name
    }
    $null = $batches[1] | Wait-IrisBatch   # so its last known status is Completed
}

AfterAll {
    Clear-TestEnvironment
}

Describe '-Provider completion' {
    It 'offers every provider on <_>' -ForEach 'Submit-IrisBatch', 'Get-IrisBatchStatus', 'Wait-IrisBatch', 'Get-IrisBatchResult', 'Stop-IrisBatch', 'Remove-IrisBatch' {
        $names = (Get-Completion "$_ -Provider ").CompletionText
        foreach ($p in 'OpenAI', 'AzureOpenAI', 'Anthropic', 'Mock') { $names | Should -Contain $p }
    }

    It 'filters by what was typed, ignoring case, with where the key comes from as tooltip' {
        $found = Get-Completion 'Submit-IrisBatch -Provider an'
        $found.CompletionText | Should -Be 'Anthropic'
        $found[0].ToolTip | Should -BeLike '*ANTHROPIC_API_KEY*'
    }
}

Describe '-Model completion' {
    AfterEach { Remove-Item env:IRISBATCH_PROVIDER -ErrorAction Ignore }

    It 'offers batch models with their batch price' {
        $found = Get-Completion 'New-IrisBatchRequest -Model gpt-4o'
        $found.CompletionText | Should -Be 'gpt-4o', 'gpt-4o-mini'
        $found[1].ToolTip | Should -Match 'batch price 0\.075 in / 0\.3 out USD per million tokens'
    }

    It 'offers the models of $env:IRISBATCH_PROVIDER only' {
        $env:IRISBATCH_PROVIDER = 'Anthropic'
        $names = (Get-Completion 'New-IrisBatchRequest -Model ').CompletionText
        $names | Should -Not -BeNullOrEmpty
        $names | ForEach-Object { $_ | Should -BeLike 'claude-*' }
    }

    It 'offers the models of the provider that Submit-IrisBatch names later in the pipeline, before $env:IRISBATCH_PROVIDER' {
        $env:IRISBATCH_PROVIDER = 'OpenAI'
        $line = 'New-IrisBatchRequest -Model  -Prompt x | Submit-IrisBatch -Provider Anthropic'
        $names = (Get-Completion $line ('New-IrisBatchRequest -Model '.Length)).CompletionText
        $names | Should -Not -BeNullOrEmpty
        $names | ForEach-Object { $_ | Should -BeLike 'claude-*' }
        $line = 'New-IrisBatchRequest -Model gem | Submit-IrisBatch -Provider Gemini -Name x'
        (Get-Completion $line ('New-IrisBatchRequest -Model gem'.Length)).CompletionText | Should -Contain 'gemini-2.5-flash'
    }

    It 'offers nothing it does not know, and any name can still be typed' {
        @(Get-Completion 'New-IrisBatchRequest -Model no-such-model').Count | Should -Be 0
        (New-IrisBatchRequest -Model no-such-model -Prompt 'x').Model | Should -Be 'no-such-model'
    }
}

Describe '-Id completion' {
    It 'offers the journal''s batch ids newest first on <_>' -ForEach 'Get-IrisBatchStatus -Id ', 'Wait-IrisBatch -Id ', 'Get-IrisBatchResult -Id ', 'Stop-IrisBatch -Id ', 'Remove-IrisBatch -Id ', 'Get-IrisBatchStatus ' {
        (Get-Completion $_).CompletionText | Should -Be $batches[2].Id, $batches[1].Id, $batches[0].Id
    }

    It 'has the name and last known status as tooltip' {
        $found = Get-Completion 'Get-IrisBatchStatus -Id '
        $found[0].ToolTip | Should -BeLike 'newest - Pending - 2 requests for gpt-4o-mini at Mock*'
        $found[1].ToolTip | Should -BeLike 'middle - Completed - *'
    }

    It 'filters by the start of the id' {
        $typed = $batches[0].Id.Substring(0, $batches[0].Id.Length - 4)
        (Get-Completion "Wait-IrisBatch -Id $typed").CompletionText | Should -Be $batches[0].Id
    }
}

Describe '-SetId completion' {
    It 'offers the journal''s sets newest first, with their name on <_>' -ForEach 'Wait-IrisBatch -SetId ', 'Remove-IrisBatch -SetId ' {
        $found = Get-Completion $_
        $found.CompletionText | Should -Be $batches[2].SetId, $batches[1].SetId, $batches[0].SetId
        $found[0].ToolTip | Should -BeLike 'newest - 1 batch(es) at Mock'
    }
}
