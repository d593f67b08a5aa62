# Tests Update-ProductDescriptions.ps1 with IrisBatch's mock provider: no network, no key, deterministic answers.

BeforeAll {
    Import-Module IrisBatch
    $script = Join-Path $PSScriptRoot 'Update-ProductDescriptions.ps1'
}

Describe 'Update-ProductDescriptions' {
    BeforeEach {
        # A journal (and mock state) of this test's own; every call below passes -Provider Mock: no key, no network.
        $env:IRISBATCH_HOME = Join-Path $TestDrive "journal-$(New-Guid)"

        $csv = Join-Path $TestDrive 'products.csv'
        $out = Join-Path $TestDrive 'described.csv'
        @(
            [pscustomobject]@{ id = 'P001'; name = 'Aurora Desk Lamp' }
            [pscustomobject]@{ id = 'P002'; name = 'Basalt Coffee Grinder [fail]' }   # the mock fails this one
            [pscustomobject]@{ id = 'P003'; name = 'Cedar Bookshelf' }
        ) | Export-Csv $csv
    }

    AfterEach {
        Remove-Item env:IRISBATCH_HOME -ErrorAction Ignore
    }

    It 'describes every product the model answered for' {
        $summary = & $script -InputCsv $csv -OutputCsv $out -Provider Mock -WarningAction SilentlyContinue

        $summary.Described | Should -Be 2
        $rows = Import-Csv $out
        $rows.id | Should -Be 'P001', 'P003'
        # The mock answers "Echo: " + the prompt, so every answer is known in advance.
        $rows[0].description | Should -Be 'Echo: Describe Aurora Desk Lamp in one sentence.'
    }

    It 'warns about each product that failed' {
        $summary = & $script -InputCsv $csv -OutputCsv $out -Provider Mock -WarningVariable warnings -WarningAction SilentlyContinue

        $summary.Failed | Should -Be 1
        $warnings | Should -HaveCount 1
        "$warnings" | Should -BeLike 'Product P002: emulated_failure *'
    }

    It 'does not pay twice when it is run again before the results were collected' {
        # As if an earlier run had crashed after submitting.
        Import-Csv $csv |
            New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name} in one sentence.' -CustomId '{id}' |
            Submit-IrisBatch -Provider Mock -Name product-descriptions

        $summary = & $script -InputCsv $csv -OutputCsv $out -Provider Mock -WarningVariable warnings -WarningAction SilentlyContinue

        $summary.Batches | Should -Be 1
        @(Get-IrisBatchStatus -Provider Mock).Count | Should -Be 1   # the (mock) provider holds one batch, not two
        "$warnings" | Should -BeLike '*already submitted*'
    }
}
