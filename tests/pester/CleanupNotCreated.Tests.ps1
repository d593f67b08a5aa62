# Issue 18's clean-up, for submissions that were sent and never got a batch: an upload whose create was refused leaves
# its input file at the provider (storage cost, customer data) and its entry in the journal. Get-IrisBatchStatus -Local
# lists them (no Id, their SubmissionId), and Remove-IrisBatch removes them, unless a batch of them may exist.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-ModuleUnderTest
    $emu = Start-TestEmulator -ValidatingMs 10 -InProgressMs 60 -FinalizingMs 10 -CancellingMs 10
    $url = $emu.BaseUri
    $null = Initialize-TestEnvironment
    $savedKey = $env:MISTRAL_API_KEY
    $env:MISTRAL_API_KEY = 'test-key'
    $poll = 0.05

    function New-Requests([int] $Count = 3, [string] $Model = 'gpt-4o-mini') {
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        1..$Count | ForEach-Object { [pscustomobject]@{ name = "Lamp $tag $_" } } |
            New-IrisBatchRequest -Model $Model -Prompt 'Describe {name}' -MaxTokens 64
    }
    # A submission whose create call OpenAI refuses for good (HTTP 400): its input file was uploaded.
    function Submit-Refused([int] $Count = 3) {
        $null = Add-EmulatorFault $emu -Route create -Kind status -StatusCode 400 -Message 'The model is not available for batch.'
        $failed = $null
        $null = New-Requests -Count $Count | Submit-IrisBatch -BaseUri $url -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' } | Sort-Object CreatedAt | Select-Object -Last 1
    }
    function Get-Stat([string] $Name) { (Get-EmulatorStats $emu).$Name }
    function Get-RouteTotal {
        $n = 0
        foreach ($p in (Get-EmulatorStats $emu).routes.psobject.Properties) { $n += [long] $p.Value }
        $n
    }
    function Test-Submission([string] $SubmissionId) { Test-Path -LiteralPath (Join-Path $env:IRISBATCH_HOME "submissions/$SubmissionId") }
    function Test-RemoteFile([string] $FileId) {
        try { $null = Invoke-RestMethod -Uri "$url/files/$FileId" -Headers @{ Authorization = 'Bearer test-key' }; $true }
        catch { if ([int] $_.Exception.Response.StatusCode -eq 404) { $false } else { throw } }
    }
}

AfterAll {
    if ($emu) { Stop-TestEmulator $emu }
    $env:MISTRAL_API_KEY = $savedKey
    Clear-TestEnvironment
}

Describe 'A submission whose create was refused' {
    BeforeEach { Clear-EmulatorFault $emu }

    It 'is listed by -Local with no Id, its SubmissionId and uploaded file, Failed, the refusal in Errors, and no network call' {
        $listed = Submit-Refused
        $calls = Get-RouteTotal
        $again = @(Get-IrisBatchStatus -Local | Where-Object SubmissionId -EQ $listed.SubmissionId)
        (Get-RouteTotal) | Should -Be $calls
        $again.Count | Should -Be 1
        $listed | Should -BeOfType ([IrisBatch.IrisBatchInfo])
        $listed.Id | Should -Be ''
        $listed.SubmissionId | Should -Not -BeNullOrEmpty
        $listed.InputFileId | Should -Not -BeNullOrEmpty
        $listed.Status | Should -Be ([IrisBatch.BatchStatus]::Failed)
        $listed.Provider | Should -Be 'OpenAI'
        $listed.Total | Should -Be 3
        $listed.Collected | Should -BeFalse
        $listed.Errors[0].Code | Should -Be 'create_refused'
        $listed.Errors[0].Message | Should -Match 'not available for batch'
        @(Get-IrisBatchStatus -Local -Status Failed | Where-Object SubmissionId -EQ $listed.SubmissionId).Count | Should -Be 1
        @(Get-IrisBatchStatus -Local -Status Completed | Where-Object SubmissionId -EQ $listed.SubmissionId).Count | Should -Be 0
        Test-RemoteFile $listed.InputFileId | Should -BeTrue
    }

    It 'Get-IrisBatchStatus -Pending says it was refused, with the provider''s answer and how to remove it, not "interrupted"; Format-List shows its SubmissionId' {
        $listed = Submit-Refused
        $warned = $null
        $null = Get-IrisBatchStatus -Pending -WarningVariable warned 3>$null
        $mine = @($warned | Where-Object { "$_" -match [regex]::Escape($listed.SubmissionId) })
        $mine.Count | Should -Be 1
        "$($mine[0])" | Should -Match 'refused by its provider'
        "$($mine[0])" | Should -Match 'not available for batch'
        "$($mine[0])" | Should -Match ([regex]::Escape("Remove-IrisBatch -SubmissionId $($listed.SubmissionId)"))
        "$($mine[0])" | Should -Not -Match 'interrupted'
        ($listed | Format-List | Out-String) | Should -Match "SubmissionId\s+: $([regex]::Escape($listed.SubmissionId))"
    }

    It 'the monthly clean-up pipeline deletes its uploaded input file and its journal entry, with no -Force' {
        $listed = Submit-Refused
        $before = Get-Stat files_deleted
        $removed = @(Get-IrisBatchStatus -Local -Before (Get-Date).AddMinutes(1) | Where-Object SubmissionId -EQ $listed.SubmissionId |
                Remove-IrisBatch -Confirm:$false -PassThru -ErrorVariable failed)
        $failed.Count | Should -Be 0
        (Get-Stat files_deleted) - $before | Should -Be 1
        $removed.Count | Should -Be 1
        $removed[0].SubmissionId | Should -Be $listed.SubmissionId
        $removed[0].BatchId | Should -Be ''
        @($removed[0].Deleted | ForEach-Object { "$_" }) | Should -Be @("input file $($listed.InputFileId)")
        $removed[0].JournalEntryRemoved | Should -BeTrue
        Test-RemoteFile $listed.InputFileId | Should -BeFalse
        Test-Submission $listed.SubmissionId | Should -BeFalse
        @(Get-IrisBatchStatus -Local | Where-Object SubmissionId -EQ $listed.SubmissionId).Count | Should -Be 0
    }

    It '-WhatIf names the input file and the journal entry, and deletes nothing; -SubmissionId then removes it' {
        $listed = Submit-Refused
        $before = Get-Stat files_deleted
        $path = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -Path $path -UseMinimalHeader
        try { $listed | Remove-IrisBatch -WhatIf; Remove-IrisBatch -SubmissionId $listed.SubmissionId -WhatIf }
        finally { $null = Stop-Transcript }
        $text = Get-Content -Raw $path
        ([regex]::Matches($text, [regex]::Escape("input file $($listed.InputFileId)"))).Count | Should -Be 2
        ([regex]::Matches($text, "journal entry $([regex]::Escape($listed.SubmissionId))")).Count | Should -Be 2
        (Get-Stat files_deleted) | Should -Be $before
        Test-Submission $listed.SubmissionId | Should -BeTrue
        Remove-IrisBatch -SubmissionId $listed.SubmissionId -Confirm:$false -ErrorVariable failed
        $failed.Count | Should -Be 0
        (Get-Stat files_deleted) - $before | Should -Be 1
        Test-Submission $listed.SubmissionId | Should -BeFalse
    }

    It 'after -KeepLocal deleted its input file, the same requests again are a new submission with a new upload, not a resume of it' {
        $requests = @(New-Requests)
        $null = Add-EmulatorFault $emu -Route create -Kind status -StatusCode 400 -Message 'The model is not available for batch.'
        $null = $requests | Submit-IrisBatch -BaseUri $url -ErrorAction SilentlyContinue
        $listed = Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' } | Sort-Object CreatedAt | Select-Object -Last 1
        Remove-IrisBatch -SubmissionId $listed.SubmissionId -KeepLocal -Confirm:$false -ErrorAction Stop
        Test-RemoteFile $listed.InputFileId | Should -BeFalse
        $batch = $requests | Submit-IrisBatch -BaseUri $url -ErrorAction Stop 3>$null
        $batch.Id | Should -Not -BeNullOrEmpty
        $batch.InputFileId | Should -Not -Be $listed.InputFileId -Because 'that file was deleted'
    }

    It 'Mistral refuses an unknown model at create (HTTP 400): the uploaded file is removed with the entry' {
        $failed = $null
        $null = New-Requests -Model 'invalid-model' | Submit-IrisBatch -Provider Mistral -BaseUri "$($emu.Url)/mistral/v1" -ErrorVariable failed -ErrorAction SilentlyContinue 3>$null
        $failed.Count | Should -Be 1
        $listed = @(Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' -and $_.Provider -eq 'Mistral' })
        $listed.Count | Should -Be 1
        $listed[0].Errors[0].Code | Should -Be 'create_refused'
        $before = Get-Stat files_deleted
        $listed | Remove-IrisBatch -Confirm:$false -ErrorVariable removeFailed
        $removeFailed.Count | Should -Be 0
        (Get-Stat files_deleted) - $before | Should -Be 1
        Test-Submission $listed[0].SubmissionId | Should -BeFalse
    }

    It 'Remove-IrisBatch -SetId removes a set''s part whose create was refused with the batch of the other part' {
        # Two parts; the first create goes through, the second is refused (the rule lets one call pass first).
        $null = Add-EmulatorFault $emu -Route create -Kind status -StatusCode 400 -Skip 1 -Count 1 -Message 'Refused: second part.'
        $failed = $null
        $made = @(New-Requests -Count 4 | Submit-IrisBatch -BaseUri $url -MaxRequestsPerBatch 2 -ErrorVariable failed -ErrorAction SilentlyContinue 3>$null)
        $failed.Count | Should -Be 1
        $made.Count | Should -Be 1
        $setId = $made[0].SetId
        $refused = @(Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' -and $_.SetId -eq $setId })
        $refused.Count | Should -Be 1
        $done = $made | Wait-IrisBatch -PollInterval $poll
        @($done | Get-IrisBatchResult).Count | Should -Be 2
        $before = Get-Stat files_deleted
        $removed = @(Remove-IrisBatch -SetId $setId -Confirm:$false -PassThru -ErrorVariable removeFailed)
        $removeFailed.Count | Should -Be 0
        $removed.Count | Should -Be 2
        (Get-Stat files_deleted) - $before | Should -Be 3 -Because 'the batch''s input and output files, and the refused part''s input file'
        Test-RemoteFile $refused[0].InputFileId | Should -BeFalse
        Test-Submission $refused[0].SubmissionId | Should -BeFalse
        @(Get-IrisBatchStatus -Local | Where-Object SetId -EQ $setId).Count | Should -Be 0
    }

    It 'an upload refused (HTTP 400) stored nothing: listed Failed (upload_refused), and only its journal entry goes' {
        $null = Add-EmulatorFault $emu -Route upload -Kind status -StatusCode 400 -Message 'The file is not valid JSONL.'
        $failed = $null
        $uploads = Get-Stat uploads
        $null = New-Requests | Submit-IrisBatch -BaseUri $url -ErrorVariable failed -ErrorAction SilentlyContinue 3>$null
        $failed.Count | Should -Be 1
        (Get-Stat uploads) | Should -Be $uploads
        $listed = @(Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' -and $_.Errors[0].Code -eq 'upload_refused' })
        $listed.Count | Should -Be 1
        $listed[0].Status | Should -Be ([IrisBatch.BatchStatus]::Failed)
        $listed[0].InputFileId | Should -BeNullOrEmpty
        $listed[0].Errors[0].Message | Should -Match 'not valid JSONL'
        $before = Get-Stat files_deleted
        $removed = @($listed | Remove-IrisBatch -Confirm:$false -PassThru -ErrorVariable removeFailed)
        $removeFailed.Count | Should -Be 0
        @($removed[0].Deleted).Count | Should -Be 0
        $removed[0].JournalEntryRemoved | Should -BeTrue
        (Get-Stat files_deleted) | Should -Be $before
        Test-Submission $listed[0].SubmissionId | Should -BeFalse
    }

    It 'another cmdlet given it says it has no batch, naming the submission, and sends nothing' {
        $listed = Submit-Refused
        $calls = Get-RouteTotal
        $got = @($listed | Get-IrisBatchResult -ErrorVariable failed -ErrorAction SilentlyContinue)
        $got.Count | Should -Be 0
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotFound,*'
        "$($failed[0])" | Should -Match ([regex]::Escape($listed.SubmissionId))
        (Get-RouteTotal) | Should -Be $calls
    }
}

Describe 'A submission whose batch may exist' {
    BeforeEach { Clear-EmulatorFault $emu }

    It 'CreateUnconfirmed (every create call lost its answer, the look-up found none): listed as Unknown, refused by Remove-IrisBatch, nothing deleted' {
        # The create call makes nothing and its answer is lost each time (reset before it reaches the handler); the
        # look-up finds no batch: the outcome is unknown to IrisBatch, which must not take it for "no batch".
        $null = Add-EmulatorFault $emu -Route create -Kind reset_before -Count 10
        $failed = $null
        $null = New-Requests | Submit-IrisBatch -BaseUri $url -MaximumRetryCount 1 -ErrorVariable failed -ErrorAction SilentlyContinue 3>$null
        Clear-EmulatorFault $emu
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.CreateUnconfirmed,*'
        $listed = @(Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' -and $_.Status -eq 'Unknown' })
        $listed.Count | Should -Be 1
        $listed[0].Errors[0].Code | Should -Be 'create_unconfirmed'
        $before = Get-Stat files_deleted
        $listed | Remove-IrisBatch -Force -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.CreateUnconfirmed,*'
        "$($refused[0].CategoryInfo.Category)" | Should -Be 'ResourceUnavailable' -Because 'the category Submit-IrisBatch gave it'
        "$($refused[0])" | Should -Match ([regex]::Escape($listed[0].SubmissionId))
        (Get-Stat files_deleted) | Should -Be $before
        Test-Submission $listed[0].SubmissionId | Should -BeTrue
        Remove-IrisBatch -SubmissionId $listed[0].SubmissionId -Confirm:$false -ErrorVariable again -ErrorAction SilentlyContinue
        $again[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.CreateUnconfirmed,*'
        Test-Submission $listed[0].SubmissionId | Should -BeTrue
    }

    It 'Stop-IrisBatch given one listed Unknown says a batch may exist, never that it got none' {
        $null = Add-EmulatorFault $emu -Route create -Kind reset_before -Count 10
        $null = New-Requests | Submit-IrisBatch -BaseUri $url -MaximumRetryCount 0 -ErrorAction SilentlyContinue 3>$null
        Clear-EmulatorFault $emu
        $listed = @(Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' -and $_.Status -eq 'Unknown' } | Sort-Object CreatedAt | Select-Object -Last 1)
        $listed.Count | Should -Be 1
        $listed | Stop-IrisBatch -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.NotFound,*'
        "$($failed[0])" | Should -Match ([regex]::Escape($listed[0].SubmissionId))
        "$($failed[0])" | Should -Match 'may exist'
        "$($failed[0])" | Should -Not -Match 'never got a batch'
    }

    It 'xAI: an add call refused (HTTP 400) after the batch was created is not taken for "create refused": Unknown, refused' {
        # xAI's create is two steps: the empty batch first, then add calls. A refused add leaves that batch at the
        # provider, so the entry must not read "no batch", or Remove-IrisBatch would drop the only record of it.
        $savedXai = $env:XAI_API_KEY
        $env:XAI_API_KEY = 'test-key'
        try {
            $null = Add-EmulatorFault $emu -Route add -Kind status -StatusCode 400 -Message 'Refused on the add call.'
            $createdBefore = Get-Stat batches_created
            $failed = $null
            $null = New-Requests -Model 'grok-4' |
                Submit-IrisBatch -Provider Xai -BaseUri "$($emu.Url)/xai/v1" -ErrorVariable failed -ErrorAction SilentlyContinue 3>$null
            Clear-EmulatorFault $emu
            $failed.Count | Should -Be 1
            (Get-Stat batches_created) | Should -Be ($createdBefore + 1) -Because 'the batch was made before the add call was refused'
            $listed = @(Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' -and $_.Provider -eq 'Xai' } | Sort-Object CreatedAt | Select-Object -Last 1)
            $listed.Count | Should -Be 1
            $listed[0].Status | Should -Be ([IrisBatch.BatchStatus]::Unknown)
            $listed | Remove-IrisBatch -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
            $refused.Count | Should -Be 1
            Test-Submission $listed[0].SubmissionId | Should -BeTrue
        }
        finally { $env:XAI_API_KEY = $savedXai }
    }

    It 'a create refused (HTTP 400) after an earlier call of the same step lost its answer is not taken for "no batch": Unknown, refused' {
        # The first call gets no answer (it may have made a batch a look-up does not see yet); the second is refused
        # (the emulator tries its rules in order: the second is only reached once the first has fired).
        $null = Add-EmulatorFault $emu -Route create -Kind reset_before -Count 1
        $null = Add-EmulatorFault $emu -Route create -Kind status -StatusCode 400 -Message 'Refused on the second call.'
        $failed = $null
        $null = New-Requests | Submit-IrisBatch -BaseUri $url -ErrorVariable failed -ErrorAction SilentlyContinue 3>$null
        Clear-EmulatorFault $emu
        $failed.Count | Should -Be 1
        "$($failed[0])" | Should -Match 'Refused on the second call'
        $listed = @(Get-IrisBatchStatus -Local | Where-Object { $_.Id -eq '' -and $_.Status -eq 'Unknown' } | Sort-Object CreatedAt | Select-Object -Last 1)
        $listed.Count | Should -Be 1
        $listed[0].Errors[0].Code | Should -Be 'create_unconfirmed'
        $before = Get-Stat files_deleted
        $listed | Remove-IrisBatch -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'IrisBatch.CreateUnconfirmed,*'
        (Get-Stat files_deleted) | Should -Be $before
        Test-Submission $listed[0].SubmissionId | Should -BeTrue
    }
}
