# Get-IrisBatchResult -IncludeInput builds its rows by the hundred thousand, reusing the columns of the row before
# (bench B6): rows whose inputs have other columns, in another order, more or fewer of them, a column named like one of
# ours, or nested values, must each still get exactly their own columns. Mock provider: no server.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $null = Initialize-TestEnvironment
}

AfterAll { Clear-TestEnvironment }

Describe 'Get-IrisBatchResult -IncludeInput rows of inputs of mixed shapes' {
    BeforeAll {
        $inputs = @(
            [pscustomobject]@{ sku = 'a1'; name = 'One' }
            [pscustomobject]@{ sku = 'a2'; name = 'Two' }
            [pscustomobject]@{ name = 'Three'; sku = 'a3' }
            [pscustomobject]@{ sku = 'a4'; name = 'Four'; Status = 'in stock' }
            [pscustomobject]@{ sku = 'a5' }
            [pscustomobject]@{ sku = 'a6'; tags = @('x', 'y'); size = [pscustomobject]@{ w = 2; h = 3 }; price = 9.5; count = 7 }
            [pscustomobject]@{ sku = 'a7'; name = 'Seven' }
            [pscustomobject]@{ sku = 'a8'; name = 'Eight'; extra = 'e' }
            [pscustomobject]@{ sku = 'a9'; name = 'Nine' }
            [pscustomobject]@{ sku = 'a10'; flag = $true; off = $false; none = $null; n = 5; ratio = 0.25 }
        )
        $batch = $inputs | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {sku}' |
            Submit-IrisBatch -Provider Mock | Wait-IrisBatch -PollInterval 0.2 -Timeout 60
        $rows = @($batch | Get-IrisBatchResult -IncludeInput)
        $unordered = @($batch | Get-IrisBatchResult -IncludeInput -Unordered | Sort-Object { [int]($_.CustomId -replace '\D') })
        $ours = @('CustomId', 'Status', 'Output', 'ErrorCode', 'ErrorMessage', 'Cost')
    }

    It 'gives each row its own input columns, in its order, then ours' {
        $rows.Count | Should -Be 10
        $expected = @(
            @('sku', 'name'), @('sku', 'name'), @('name', 'sku'), @('sku', 'name', 'Input_Status'), @('sku'),
            @('sku', 'tags', 'size', 'price', 'count'), @('sku', 'name'), @('sku', 'name', 'extra'), @('sku', 'name'),
            @('sku', 'flag', 'off', 'none', 'n', 'ratio')
        )
        for ($i = 0; $i -lt 10; $i++) {
            @($rows[$i].psobject.Properties.Name) | Should -Be (@($expected[$i]) + $ours) -Because "row $($i + 1)"
            $rows[$i].sku | Should -Be "a$($i + 1)"
            $rows[$i].Status | Should -Be 'Succeeded'
            $rows[$i].CustomId | Should -Be "request-$($i + 1)"
        }
    }

    It 'keeps the values: an input column named like ours, numbers, arrays and objects' {
        $rows[2].name | Should -Be 'Three'
        $rows[3].Input_Status | Should -Be 'in stock'
        $rows[5].tags | Should -Be @('x', 'y')
        $rows[5].size.w | Should -Be 2
        $rows[5].size.h | Should -Be 3
        $rows[5].price | Should -Be 9.5
        $rows[5].count | Should -Be 7
        $rows[7].extra | Should -Be 'e'
        $rows[8].name | Should -Be 'Nine'
        $rows[9].flag | Should -BeOfType [bool]
        $rows[9].flag | Should -BeTrue
        $rows[9].off | Should -BeFalse
        $rows[9].none | Should -BeNullOrEmpty
        $rows[9].n | Should -BeOfType [long]
        $rows[9].n | Should -Be 5
        $rows[9].ratio | Should -BeOfType [double]
    }

    It 'gives the same rows in input order as -Unordered does (read another way): columns, values and their types' {
        $unordered.Count | Should -Be 10
        for ($i = 0; $i -lt 10; $i++) {
            $a = @($rows[$i].psobject.Properties)
            $b = @($unordered[$i].psobject.Properties)
            @($a.Name) | Should -Be @($b.Name) -Because "row $($i + 1)"
            for ($k = 0; $k -lt $a.Count; $k++) {
                if ($a[$k].Value -is [array] -or $a[$k].Value -is [psobject] -and $a[$k].Value.psobject.BaseObject -is [System.Management.Automation.PSCustomObject]) {
                    ($a[$k].Value | ConvertTo-Json -Compress) | Should -Be ($b[$k].Value | ConvertTo-Json -Compress) -Because "row $($i + 1), $($a[$k].Name)"
                    continue
                }
                "$($a[$k].Value)" | Should -Be "$($b[$k].Value)" -Because "row $($i + 1), $($a[$k].Name)"
                "$(if ($null -ne $a[$k].Value) { $a[$k].Value.GetType() })" | Should -Be "$(if ($null -ne $b[$k].Value) { $b[$k].Value.GetType() })" -Because "row $($i + 1), $($a[$k].Name)"
            }
        }
    }

    It 'adds a known-shape row''s columns straight to its member table on this PowerShell (else the slower public add)' {
        # KnownMembers reaches PowerShell's internal member table; a PowerShell that changed it would make rows the old
        # way, correct but slower (bench B6): this says so.
        $type = [IrisBatch.ModuleInit].Assembly.GetType('IrisBatch.Conversion.KnownMembers', $true)
        $type.GetField('Add', [Reflection.BindingFlags] 'Public, Static').GetValue($null) | Should -Not -BeNullOrEmpty
        foreach ($i in 0, 1, 6, 8) {
            foreach ($p in $rows[$i].psobject.Properties) { $p.IsInstance | Should -BeTrue -Because "row $($i + 1), $($p.Name)" }
            $rows[$i].psobject.Members['Output'].Value | Should -Be $rows[$i].Output
            ($rows[$i] | ConvertTo-Json -Compress | ConvertFrom-Json).CustomId | Should -Be "request-$($i + 1)"
        }
    }

    It 'warms up methods of its own that exist: the flat rows'' and its loop''s, by name (a renamed one must be renamed there)' {
        $command = [IrisBatch.Commands.GetIrisBatchResultCommand]
        $warmup = $command.Assembly.GetType('IrisBatch.Warmup', $false) ?? [IrisBatch.IrisBatchResult].Assembly.GetType('IrisBatch.Warmup', $true)
        $methods = $command.GetMethod('WarmupMethods', [Reflection.BindingFlags] 'NonPublic, Static')
        $missing = $warmup.GetMethod('Missing', [Reflection.BindingFlags] 'Public, Static')
        foreach ($includeInput in $true, $false) {
            $list = $methods.Invoke($null, @($includeInput))
            $list.Count | Should -BeGreaterThan 0
            $missing.Invoke($null, @(, $list)) | Should -BeNullOrEmpty -Because "-IncludeInput:$includeInput"
        }
    }

    It 'gives rows that take new properties and members like any other object' {
        $rows[0] | Add-Member -NotePropertyName note -NotePropertyValue 'n'
        $rows[0].note | Should -Be 'n'
        $rows[1].psobject.Properties['note'] | Should -BeNullOrEmpty
        { $rows[1] | Add-Member -NotePropertyName sku -NotePropertyValue 'dup' -ErrorAction Stop } | Should -Throw
    }
}

Describe 'Get-IrisBatchResult -IncludeInput rows, built while earlier rows are written' {
    BeforeAll {
        $inputs = 1..300 | ForEach-Object { [pscustomobject]@{ sku = "s$_"; name = "Item $_" } }
        $batch = $inputs | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' |
            Submit-IrisBatch -Provider Mock | Wait-IrisBatch -PollInterval 0.2 -Timeout 60
    }

    It 'gives rows that take the session''s type data like rows PowerShell makes here' {
        $rows = @($batch | Get-IrisBatchResult -IncludeInput)
        $rows.Count | Should -Be 300
        $typeName = 'IrisBatchTest.Row' + [guid]::NewGuid().ToString('N')
        Update-TypeData -TypeName $typeName -MemberType ScriptProperty -MemberName Loud -Value { $this.name.ToUpperInvariant() }
        try {
            $rows[299].psobject.TypeNames.Insert(0, $typeName)
            $rows[299].Loud | Should -Be 'ITEM 300'
            ($rows[299] | Select-Object sku, Loud).Loud | Should -Be 'ITEM 300'
        }
        finally { Remove-TypeData -TypeName $typeName -ErrorAction SilentlyContinue }
        ($rows | ConvertTo-Csv)[0] | Should -Be '"sku","name","CustomId","Status","Output","ErrorCode","ErrorMessage","Cost"'
    }

    It 'gives every row the members type data adds to all custom objects, and still its own columns' {
        Update-TypeData -TypeName System.Management.Automation.PSCustomObject -MemberType ScriptProperty -MemberName IrisTestTag -Value { 'tagged' } -Force
        try {
            $rows = @($batch | Get-IrisBatchResult -IncludeInput)
            $rows.Count | Should -Be 300
            $rows[0].IrisTestTag | Should -Be 'tagged'
            $rows[299].IrisTestTag | Should -Be 'tagged'
            $rows[299].sku | Should -Be 's300'
            $rows[299].CustomId | Should -Be 'request-300'
        }
        finally { Remove-TypeData -TypeName System.Management.Automation.PSCustomObject -ErrorAction SilentlyContinue }
    }

    It 'stops reading when the pipeline stops, and -Status leaves rows out' {
        @($batch | Get-IrisBatchResult -IncludeInput | Select-Object -First 3).sku | Should -Be @('s1', 's2', 's3')
        @($batch | Get-IrisBatchResult -IncludeInput -Status Failed).Count | Should -Be 0
        @($batch | Get-IrisBatchResult -IncludeInput -Status Succeeded).Count | Should -Be 300
    }
}

Describe 'Get-IrisBatchResult -IncludeInput rows whose column names clash' {
    BeforeAll {
        # Input columns named like ours and like their own renamed forms, and schema properties named like the input's
        # and like the renamed schema columns: every value keeps a column of its own.
        $inputs = 1..3 | ForEach-Object {
            [pscustomobject][ordered]@{ sku = "s$_"; CustomId = "c$_"; Input_CustomId = "ic$_"; status = "st$_"; Input_Status = "is$_"; Parsed_name = "pn$_"; name = "n$_" }
        }
        $schema = @{ type = 'object'; properties = [ordered]@{ name = @{ type = 'string' }; Parsed_name = @{ type = 'string' }; Output = @{ type = 'string' }; note = @{ type = 'string' } } }
        $batch = $inputs | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' -CustomId '{sku}' -Schema $schema |
            Submit-IrisBatch -Provider Mock | Wait-IrisBatch -PollInterval 0.2 -Timeout 60
        $expected = @('sku', 'Input_Input_CustomId', 'Input_CustomId', 'Input_Input_status', 'Input_Status', 'Parsed_name', 'name',
            'Parsed_Parsed_name', 'Parsed_Parsed_Parsed_name', 'Parsed_Output', 'note', 'CustomId', 'Status', 'Output', 'ErrorCode', 'ErrorMessage', 'Cost')
    }

    It 'keeps every input value and every schema value, in input order (<Way>)' -ForEach @(
        @{ Way = 'input order'; Unordered = $false }
        @{ Way = '-Unordered'; Unordered = $true }
    ) {
        $rows = @($batch | Get-IrisBatchResult -IncludeInput -Unordered:$Unordered | Sort-Object sku)
        $rows.Count | Should -Be 3
        for ($i = 0; $i -lt 3; $i++) {
            $n = $i + 1
            @($rows[$i].psobject.Properties.Name) | Should -Be $expected -Because "row $n"
            $rows[$i].Input_Input_CustomId | Should -Be "c$n"
            $rows[$i].Input_CustomId | Should -Be "ic$n"
            $rows[$i].Input_Input_status | Should -Be "st$n"
            $rows[$i].Input_Status | Should -Be "is$n"
            $rows[$i].Parsed_name | Should -Be "pn$n"
            $rows[$i].name | Should -Be "n$n"
            $parsed = $rows[$i].Output | ConvertFrom-Json
            $rows[$i].Parsed_Parsed_name | Should -Be $parsed.name
            $rows[$i].Parsed_Parsed_Parsed_name | Should -Be $parsed.Parsed_name
            $rows[$i].Parsed_Output | Should -Be $parsed.Output
            $rows[$i].CustomId | Should -Be "s$n"
            $rows[$i].Status | Should -Be 'Succeeded'
        }
    }

    It 'keeps both of two input columns whose names differ only in case (a row from ConvertFrom-Json -AsHashtable)' {
        $row = '{"name":"lower","NAME":"upper","sku":"s1"}' | ConvertFrom-Json -AsHashtable
        $one = $row | New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name} {NAME}' |
            Submit-IrisBatch -Provider Mock | Wait-IrisBatch -PollInterval 0.2 -Timeout 60
        $flat = @($one | Get-IrisBatchResult -IncludeInput)
        @($flat[0].psobject.Properties.Name) | Should -Be @('name', 'Input_NAME', 'sku', 'CustomId', 'Status', 'Output', 'ErrorCode', 'ErrorMessage', 'Cost')
        $flat[0].psobject.Properties['name'].Value | Should -BeExactly 'lower'
        $flat[0].Input_NAME | Should -BeExactly 'upper'
    }

    It 'keeps them too when type data adds members to every custom object (rows built from the input objects)' {
        Update-TypeData -TypeName System.Management.Automation.PSCustomObject -MemberType ScriptProperty -MemberName IrisTestTag -Value { 'tagged' } -Force
        try { $rows = @($batch | Get-IrisBatchResult -IncludeInput) }
        finally { Remove-TypeData -TypeName System.Management.Automation.PSCustomObject -ErrorAction SilentlyContinue }
        @($rows[0].psobject.Properties | Where-Object IsInstance | ForEach-Object Name) | Should -Be $expected
        $rows[2].Input_Input_CustomId | Should -Be 'c3'
        $rows[2].Input_CustomId | Should -Be 'ic3'
        $rows[2].Parsed_name | Should -Be 'pn3'
    }
}

Describe 'Get-IrisBatchResult when the journal''s requests file of a batch submitted here is gone' {
    BeforeAll {
        function Submit-Lost([int] $Count = 4) {
            $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
            $b = 1..$Count | ForEach-Object { [pscustomobject]@{ sku = "s$_"; name = "Lamp $tag $_" } } |
                New-IrisBatchRequest -Model gpt-4o-mini -Prompt 'Describe {name}' | Submit-IrisBatch -Provider Mock |
                Wait-IrisBatch -PollInterval 0.2 -Timeout 60
            $entry = Get-ChildItem (Join-Path $env:IRISBATCH_HOME 'submissions') -Directory |
                Where-Object { (Get-Content -Raw (Join-Path $_.FullName 'entry.json')) -match [regex]::Escape($b.Id) }
            $path = Join-Path $entry.FullName 'requests.jsonl'
            Remove-Item -LiteralPath $path
            $b, $path
        }
    }

    It 'returns every result, then one IrisBatch.RequestsMissing error naming the file (also under -ErrorAction Stop)' {
        $b, $path = Submit-Lost 4
        $rows = [Collections.Generic.List[object]]::new()
        $caught = $null
        try { $b | Get-IrisBatchResult -IncludeInput -ErrorAction Stop | ForEach-Object { $rows.Add($_) } }
        catch { $caught = $_ }
        $rows.Count | Should -Be 4 -Because 'every result comes before the error'
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'IrisBatch.RequestsMissing,*'
        "$caught" | Should -Match ([regex]::Escape($path))
        "$caught" | Should -Match ([regex]::Escape($b.Id))

        $again = @($b | Get-IrisBatchResult -ErrorVariable failed -ErrorAction SilentlyContinue -WarningVariable warned)
        $again.Count | Should -Be 4
        @($failed).Count | Should -Be 1 -Because 'one error per batch, not one per row'
        @($warned).Count | Should -Be 0 -Because 'the error says it all'
    }

    It '-RemoveAfter keeps the batch (its files and its journal entry) and says so' {
        $b, $path = Submit-Lost 3
        $results = @($b | Get-IrisBatchResult -RemoveAfter -ErrorVariable failed -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 3
        @($failed).Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.RequestsMissing,*'
        "$($failed[0])" | Should -Match 'not removed'
        @(Get-IrisBatchStatus -Local | Where-Object Id -EQ $b.Id).Count | Should -Be 1
    }
}
