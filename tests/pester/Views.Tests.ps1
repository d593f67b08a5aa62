# The views of IrisBatch.Format.ps1xml: a table per output type that fits 120 columns whatever the data, and a list.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $null = Initialize-TestEnvironment

    $long = 'a name long enough to overflow any column of any table, and then some more words' * 2
    $rows = 1..3 | ForEach-Object {
        [pscustomobject]@{ id = "row-$_-with-a-long-custom-id-xx"; name = "$long $_$(if ($_ -eq 2) { ' [fail]' })" }
    }
    $requests = @($rows | New-IrisBatchRequest -Model 'gpt-4o-mini-2024-07-18-and-a-long-suffix' -Prompt "Describe {name}.`nThen stop." -CustomId '{id}')
    $submitted = @($requests | Submit-IrisBatch -Provider Mock -Name $long)
    $batch = $submitted | Wait-IrisBatch
    $results = @($batch | Get-IrisBatchResult)

    function Get-TableLine([object[]] $InputObject) {
        # A console far wider than 120: the views themselves must keep to 120.
        @(($InputObject | Format-Table | Out-String -Width 300) -split "`r?`n" | Where-Object { $_.Trim() })
    }
}

AfterAll {
    Clear-TestEnvironment
}

Describe 'Format views' {
    It 'has a table and a list view for every type an exported cmdlet declares as output' {
        $module = Get-Module IrisBatch
        $types = @($module.ExportedCmdlets.Values | ForEach-Object { $_.OutputType.Name } |
                Where-Object { $_ -ne 'System.Management.Automation.PSObject' } | Sort-Object -Unique)   # -IncludeInput's rows: the input's own columns
        $types | Should -Contain 'IrisBatch.Commands.BatchRemovalResult'
        $missing = foreach ($t in $types) {
            $views = @(Get-FormatData -TypeName $t | ForEach-Object FormatViewDefinition)
            $kinds = @($views | ForEach-Object { $_.Control.GetType().Name } | Sort-Object -Unique)
            if (($kinds -join ',') -ne 'ListControl,TableControl') { "${t}: $($kinds -join ', ')" }
        }
        $missing | Should -BeNullOrEmpty
    }

    It 'has a table and a list view for <_>' -ForEach 'IrisBatch.IrisBatchInfo', 'IrisBatch.IrisBatchResult', 'IrisBatch.IrisBatchRequest' {
        $views = @((Get-FormatData -TypeName $_).FormatViewDefinition)
        $views.Control | ForEach-Object { $_.GetType().Name } | Sort-Object | Should -Be 'ListControl', 'TableControl'
    }

    It 'issue 16 item 9: shows a batch as Id, Provider, Status, Succeeded, Failed, Total and a Name that fits, within 120 columns' {
        $lines = Get-TableLine $batch
        $lines[0] -split '\s+' | Where-Object { $_ } | Should -Be 'Id', 'Provider', 'Status', 'Succeeded', 'Failed', 'Total', 'Name'
        $lines[2] | Should -Match "^$($batch.Id)\s+Mock\s+Completed\s+2\s+1\s+3 a name long enough to over\S*…$"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
    }

    It 'issue 18: shows Get-IrisBatchStatus -Local as Id, Provider, Model, Status, Total, Submitted, Collected and Cost, within 120 columns' {
        $local = @(Get-IrisBatchStatus -Local | Where-Object Id -EQ $batch.Id)
        $local.Count | Should -Be 1
        $local[0] | Should -BeOfType ([IrisBatch.IrisBatchInfo])
        $lines = Get-TableLine $local
        $lines[0] -split '\s+' | Where-Object { $_ } | Should -Be 'Id', 'Provider', 'Model', 'Status', 'Total', 'Submitted', 'Collected', 'Cost'
        $day = $local[0].CreatedAt.LocalDateTime.ToString('yyyy-MM-dd')
        # The mock's long model name has no price: no cost, so the row ends at Collected.
        $local[0].Cost | Should -BeNullOrEmpty
        $lines[2] | Should -Match "^$($batch.Id)\s+Mock\s+gpt-4o-mini-2…\s+Completed\s+3 $day\s+Yes\s*$"
        # A cost shows to a hundredth of a cent (Format-Table would show 0.00 for a few rows' cost).
        $priced = $local[0].PSObject.Copy()
        $priced.Cost = [decimal] 0.00012345
        (Get-TableLine $priced)[2] | Should -Match "Yes\s+$([regex]::Escape(([decimal] 0.0001).ToString('0.####', [cultureinfo]::CurrentCulture)))$"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        # The list view is the batch's own, with the name whole.
        ($local | Format-List | Out-String -Width 300) | Should -Match ([regex]::Escape($long.Substring(0, 60)))
        # Batches from the provider keep the batch table.
        (Get-TableLine $batch)[0] -split '\s+' | Where-Object { $_ } | Should -Be 'Id', 'Provider', 'Status', 'Succeeded', 'Failed', 'Total', 'Name'
    }

    It 'issue 16 item 9: shows results as CustomId, Status and an Output as wide as 120 columns allow (the error of a failed one), under their batch' {
        $lines = Get-TableLine $results
        $lines[0] | Should -Match "^\s*Batch: $([regex]::Escape($batch.Id))$"
        $lines[1] -split '\s+' | Where-Object { $_ } | Should -Be 'CustomId', 'Status', 'Output'
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        $ok = $lines | Where-Object { $_ -match 'Succeeded' } | Select-Object -First 1
        $ok | Should -Match 'Echo: Describe a name long.*…$'
        $ok.Length | Should -Be 120 -Because 'the output gets all the width the id and status leave'
        ($lines | Where-Object { $_ -match 'Failed' }) | Should -Match 'emulated_failure: The mock'
    }

    It 'issue 16 item 9: says which batch each result is from when a pipeline holds several batches' {
        $other = @('x', 'y' | New-IrisBatchRequest -Model gpt-4o-mini -Prompt '{_}' | Submit-IrisBatch -Provider Mock | Wait-IrisBatch | Get-IrisBatchResult)
        $lines = Get-TableLine @($results + $other)
        @($lines | Where-Object { $_ -match '^\s*Batch: ' }).Count | Should -Be 2
        ($lines | Where-Object { $_ -match '^\s*Batch: ' }) -join ' ' | Should -Match ([regex]::Escape($other[0].BatchId))
    }

    It 'shows requests as CustomId, Model and the prompt cut short on one line, within 120 columns' {
        $lines = Get-TableLine $requests
        $lines[0] -split '\s+' | Where-Object { $_ } | Should -Be 'CustomId', 'Model', 'Prompt'
        $lines.Count | Should -Be 5   # header, rule, one line per request: line breaks in prompts do not spill over
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
    }

    It 'shows what Remove-IrisBatch -PassThru removed as BatchId, Provider, counts, the journal entry and the items, within 120 columns' {
        $removed = @($batch | Remove-IrisBatch -KeepLocal -PassThru -Confirm:$false)
        $lines = Get-TableLine $removed
        $lines[0] -split '\s+' | Where-Object { $_ } | Should -Be 'BatchId', 'Provider', 'Deleted', 'AlreadyGone', 'Journal', 'Items'
        $lines[2] | Should -Match "^$($batch.Id)\s+Mock\s+3\s+0 Kept\s+input file, output file, error file$"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        $text = $removed | Format-List | Out-String -Width 300
        $text | Should -Match '(?m)^JournalEntryRemoved\s+: False'
        $text | Should -Match '(?m)^KeptLocal\s+: True'
        $text | Should -Match '(?m)^Deleted\s+: input file '
    }

    It 'shows the vector file of Get-IrisBatchResult -AsVectorFile as its shape and paths, within 120 columns' {
        $path = Join-Path $TestDrive ('a-folder-with-a-long-name-' * 3) 'vectors.npy'
        $null = New-Item -ItemType Directory -Force (Split-Path $path)
        $file = 'one', 'two' | New-IrisBatchRequest -Endpoint Embeddings -Model text-embedding-3-small -Prompt '{_}' |
            Submit-IrisBatch -Provider Mock | Wait-IrisBatch | Get-IrisBatchResult -AsVectorFile $path
        $lines = Get-TableLine $file
        $lines[0] -split '\s+' | Where-Object { $_ } | Should -Be 'Count', 'Dimensions', 'Skipped', 'Path', 'IdsPath'
        $lines[2] | Should -Match "^\s+2\s+$($file.Dimensions)\s+0 \S+…\s\S+…$"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        ($file | Format-List | Out-String -Width 300) | Should -Match "(?m)^Path\s+: $([regex]::Escape($path))$"
    }

    It 'lists a batch with its progress, set and metadata' {
        $text = $batch | Format-List | Out-String -Width 300
        $text | Should -Match 'Progress\s+: 3 of 3 \(100 %\): 2 succeeded, 1 failed'
        $text | Should -Match "SetId\s+: $($batch.SetId)"
        $text | Should -Match 'BaseUri\s+: https://mock.invalid/v1'
    }

    It 'lists a collected batch with what it cost' {
        $priced = $rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}.' -CustomId '{id}' |
            Submit-IrisBatch -Provider Mock | Wait-IrisBatch
        $null = $priced | Get-IrisBatchResult
        $status = $priced | Get-IrisBatchStatus
        $status.Collected | Should -BeTrue
        $status.Cost | Should -BeGreaterThan 0
        $text = $status | Format-List | Out-String -Width 300
        $text | Should -Match '(?m)^Collected\s+: True'
        $text | Should -Match "(?m)^Cost\s+: $([regex]::Escape([string] $status.Cost))"
        $text | Should -Match '(?m)^ProviderCost\s+:'
    }

    It 'lists a result with what it cost' {
        $priced = @($rows | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Price {name}.' -CustomId '{id}' |
                Submit-IrisBatch -Provider Mock | Wait-IrisBatch | Get-IrisBatchResult)
        $ok = $priced | Where-Object Status -EQ 'Succeeded' | Select-Object -First 1
        $ok.Cost | Should -BeGreaterThan 0
        ($ok | Format-List | Out-String -Width 300) | Should -Match "(?m)^Cost\s+: $([regex]::Escape([string] $ok.Cost))"
        $failed = $priced | Where-Object Status -EQ 'Failed' | Select-Object -First 1
        ($failed | Format-List | Out-String -Width 300) | Should -Match '(?m)^Cost\s+: 0\s*$'
    }

    It 'lists a result with the whole output, its model and prompt' {
        $text = ($results | Where-Object Status -EQ 'Succeeded' | Select-Object -First 1) | Format-List | Out-String -Width 300
        $text | Should -Match 'Then stop\.'
        $text | Should -Match 'Model\s+: gpt-4o-mini'
        $text | Should -Match 'Usage\s+: \d+ in, \d+ out'
    }
}

Describe 'Format views: the longest batch ids' {
    BeforeAll {
        $null = Initialize-ProviderTestEnvironment -KeyVariable 'XAI_API_KEY'
        $emu = Start-TestEmulator
    }

    AfterAll {
        if ($emu) { Stop-TestEmulator $emu }
        Clear-TestEnvironment
    }

    It 'shows an xAI batch id (batch_ and a UUID, 42 characters) whole in the batch and the removal tables, within 120 columns' {
        $xai = 'a', 'b' | New-IrisBatchRequest -Model grok-4 -Prompt '{_}' |
            Submit-IrisBatch -Provider Xai -BaseUri "$($emu.Url)/xai/v1" -Name 'a name for the id to sit beside' -ErrorAction Stop
        $xai.Id.Length | Should -Be 42
        $lines = Get-TableLine $xai
        $lines[2] | Should -Match "^$($xai.Id)\s+Xai\s" -Because 'an id cut short with … cannot be copied into -Id'
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        $xai.Provider = 'AzureOpenAI'   # the longest provider name, beside the longest id
        (Get-TableLine $xai)[2] | Should -Match "^$($xai.Id)\s+AzureOpenAI\s"
        $xai.Provider = 'Xai'
        $done = $xai | Wait-IrisBatch -PollInterval 0.05 -Timeout 60
        $null = $done | Get-IrisBatchResult
        $removed = @($done | Remove-IrisBatch -PassThru -Confirm:$false)
        $lines = Get-TableLine $removed
        $lines[2] | Should -Match "^$($xai.Id)\s+Xai\s"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
    }
}
