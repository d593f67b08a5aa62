using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Lifecycle;
using IrisBatch.Providers;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// The Lifecycle parts the cmdlets reach the journal through (issue 15): the batch locator, the status and cancel
/// records, the local listing and the remover, against a temporary journal and, where a provider is needed, the emulator.
/// </summary>
public sealed class LifecycleLayerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-layer-" + Guid.NewGuid().ToString("N"));
    private readonly JournalStore _journal;
    private readonly LifecycleSession _session;
    private readonly HttpSettings _settings = new HttpSettings { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10) };

    public LifecycleLayerTests()
    {
        Directory.CreateDirectory(_dir);
        _journal = new JournalStore(Path.Combine(_dir, "journal"));
        _session = new LifecycleSession(_journal);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A created batch's entry as the submitter leaves it: saved, its batch id indexed.</summary>
    private JournalEntry Created(string submissionId, string? batchId, string? setId = null, SubmissionState state = SubmissionState.Created)
    {
        var e = _journal.Begin(new JournalEntry
        {
            SubmissionId = submissionId,
            Provider = "OpenAI",
            BaseUri = "http://127.0.0.1:1/v1/",
            Model = "gpt-4o-mini",
            BatchId = batchId,
            SetId = setId,
            State = state,
            RequestCount = 1000,
        });
        _journal.Record(e, JournalStep.Spooled);
        if (batchId != null) _journal.IndexBatch(e);
        return e;
    }

    [Fact]
    public void The_locator_finds_a_batch_by_id_and_a_set_in_the_order_it_was_submitted()
    {
        Created("20260101000001-aaaa", "batch_1", "set-a");
        Created("20260101000002-bbbb", "batch_other", "set-b");
        Created("20260101000003-cccc", "batch_2", "set-a");
        Created("20260101000004-dddd", null, "set-a", SubmissionState.Uploaded);   // no batch yet: not part of the set's batches
        Created("20260101000005-eeee", "batch_3", "set-a");
        var locator = _session.Locator;

        Assert.Equal(new[] { "batch_1", "batch_2", "batch_3" }, locator.SetBatchIds("set-a"));
        Assert.Equal(3, locator.SetSize("set-a"));
        Assert.Empty(locator.SetBatchIds("set-none"));
        Assert.Equal("20260101000003-cccc", locator.Find("batch_2")!.SubmissionId);
        Assert.Null(locator.Find("batch_unknown"));
        var ex = Assert.Throws<IrisBatchException>(() => locator.Find("../escape"));
        Assert.Equal(ErrorIds.InvalidId, ex.ErrorId);
        Assert.Null(locator.TryFind("../escape"));
        Assert.Equal("20260101000001-aaaa", locator.TryFind("batch_1")!.SubmissionId);
    }

    [Fact]
    public void Where_a_batch_lives_is_the_explicit_place_else_the_object_else_the_journal_else_the_defaults()
    {
        var entry = new JournalEntry { Provider = "Anthropic", BaseUri = "http://127.0.0.1:2/" };
        var batch = new IrisBatchInfo { Id = "b", Provider = "Gemini", BaseUri = "http://127.0.0.1:3/" };

        var place = BatchLocator.PlaceOf(batch, entry, explicitPlace: true, "xAI", "http://127.0.0.1:4/");
        Assert.Equal(("xAI", "http://127.0.0.1:4/"), (place.Provider, place.BaseUri));
        place = BatchLocator.PlaceOf(batch, entry, explicitPlace: false, null, null);
        Assert.Equal(("Gemini", "http://127.0.0.1:3/"), (place.Provider, place.BaseUri));
        place = BatchLocator.PlaceOf(new IrisBatchInfo { Id = "b" }, entry, explicitPlace: false, null, null);
        Assert.Equal(("Anthropic", "http://127.0.0.1:2/"), (place.Provider, place.BaseUri));
        place = BatchLocator.PlaceOf(null, null, explicitPlace: false, "OpenAI", null);
        Assert.Equal(("OpenAI", (string?)null), (place.Provider, place.BaseUri));
    }

    [Fact]
    public void A_fresh_status_is_recorded_on_disk_and_an_unknown_one_is_warned_of_each_time()
    {
        var entry = Created("20260101000001-aaaa", "batch_1");
        var recorder = _session.Recorder;

        var warnings = recorder.Record(entry, new IrisBatchInfo { Id = "batch_1", Provider = "OpenAI", Status = BatchStatus.InProgress, ProviderStatus = "in_progress" });
        Assert.Empty(warnings);
        var saved = _journal.Load(entry.SubmissionId)!;
        Assert.Equal(BatchStatus.InProgress, saved.LastStatus);
        Assert.Equal("in_progress", saved.LastProviderStatus);
        Assert.NotNull(saved.LastCheckedAt);

        for (int i = 0; i < 2; i++)
        {
            warnings = recorder.Record(entry, new IrisBatchInfo { Id = "batch_1", Provider = "OpenAI", Status = BatchStatus.Unknown, ProviderStatus = "paused" });
            Assert.Contains("'paused'", Assert.Single(warnings));
        }
        Assert.Equal(BatchStatus.Unknown, _journal.Load(entry.SubmissionId)!.LastStatus);

        // A batch the journal does not know: nothing to record, and no warning for a known status.
        Assert.Empty(recorder.Record(null, new IrisBatchInfo { Id = "elsewhere", Status = BatchStatus.Completed }));
    }

    [Fact]
    public void A_status_that_cannot_be_recorded_is_a_warning_that_names_the_batch_not_a_failure()
    {
        var bad = new JournalEntry { SubmissionId = "../outside", BatchId = "batch_9" };
        var warnings = _session.Recorder.Record(bad, new IrisBatchInfo { Id = "batch_9", Status = BatchStatus.Completed });
        var warning = Assert.Single(warnings);
        Assert.StartsWith("Could not record the status of batch batch_9 in the journal:", warning);
    }

    [Fact]
    public void A_cancel_record_shows_the_batch_as_Cancelling_until_the_provider_says_it_ended()
    {
        var entry = Created("20260101000001-aaaa", "batch_1");
        _session.Recorder.RecordCancel(entry);

        var saved = _journal.Load(entry.SubmissionId)!;
        Assert.Equal(JournalStep.CancelRequested, saved.History.Last().Step);
        Assert.Equal(BatchStatus.Cancelling, BatchLocator.Fresh(new IrisBatchInfo { Id = "batch_1", Status = BatchStatus.InProgress }, saved).Status);
        Assert.Equal(BatchStatus.Cancelled, BatchLocator.Fresh(new IrisBatchInfo { Id = "batch_1", Status = BatchStatus.Cancelled }, saved).Status);
        Assert.Equal(BatchStatus.Cancelling, BatchLocator.LastSeen(saved).Status);
    }

    [Fact]
    public void Pending_lists_what_may_change_or_was_not_collected_and_says_how_to_finish_an_interrupted_submission()
    {
        var interrupted = Created("20260101000001-aaaa", null, state: SubmissionState.Uploaded);
        var running = Created("20260101000002-bbbb", "batch_run");
        var done = Created("20260101000003-cccc", "batch_done");
        _journal.Update(done, e => { e.LastStatus = BatchStatus.Completed; e.ResultsCollected = true; e.Cost = 0.5m; e.SetId = "s"; });
        var uncollected = Created("20260101000004-dddd", "batch_uncollected");
        _journal.Update(uncollected, e => e.LastStatus = BatchStatus.Completed);

        var pending = _session.Listing.Pending().ToList();

        Assert.Equal(new[] { "batch_uncollected", "batch_run", null }, pending.Select(p => p.Entry.BatchId));
        Assert.All(pending.Take(2), p => Assert.Null(p.Interrupted));
        Assert.Equal($"Submission {interrupted.SubmissionId} (1,000 requests for gpt-4o-mini) was interrupted at 'Uploaded'; run the same Submit-IrisBatch again to finish it.",
            pending[2].Interrupted);
        Assert.DoesNotContain(pending, p => p.Entry.BatchId == done.BatchId);

        Assert.Equal(new[] { "batch_done" }, _session.Listing.List(null, new[] { BatchStatus.Completed }).Where(b => b.Collected).Select(b => b.Id));
        Assert.Equal(0.5m, _session.Listing.SetCost("s"));
        Assert.Equal(new[] { uncollected.SubmissionId, done.SubmissionId, running.SubmissionId, interrupted.SubmissionId },
            _session.Listing.NewestFirst().Select(e => e.SubmissionId));
    }

    [Fact]
    public void The_remover_refuses_a_running_batch_and_uncollected_results_unless_forced()
    {
        var entry = Created("20260101000001-aaaa", "batch_1");
        var provider = ProviderFactory.Create("OpenAI", "http://127.0.0.1:1/v1/", "test-key", _settings);

        var running = new IrisBatchInfo { Id = "batch_1", Status = BatchStatus.InProgress, ProviderStatus = "in_progress" };
        var ex = Assert.Throws<IrisBatchException>(() => _session.Remover(false, force: true).Plan(provider, running, entry, gone: false));
        Assert.Equal(ErrorIds.NotComplete, ex.ErrorId);
        Assert.Equal("batch_1", ex.Target);

        var done = new IrisBatchInfo { Id = "batch_1", Status = BatchStatus.Completed, InputFileId = "file-in", OutputFileId = "file-out" };
        ex = Assert.Throws<IrisBatchException>(() => _session.Remover(false, force: false).Plan(provider, done, entry, gone: false));
        Assert.Equal(ErrorIds.NotCollected, ex.ErrorId);

        var plan = _session.Remover(false, force: true).Plan(provider, done, entry, gone: false);
        Assert.Equal(new[] { "file-in", "file-out" }, plan.Remote.Select(r => r.Id));
        Assert.StartsWith("batch batch_1 at OpenAI: ", plan.Description);
        Assert.Contains(_journal.SubmissionDir(entry.SubmissionId), plan.Description);

        // Gone at the provider: only what the journal knows (the input file), and a batch that never ended counts as Expired.
        entry.InputFileId = "file-in";
        var gone = BatchRemover.Gone(entry);
        Assert.Equal(BatchStatus.Expired, gone.Status);
        plan = _session.Remover(true, force: true).Plan(provider, gone, entry, gone: true);
        Assert.Equal(new[] { "file-in" }, plan.Remote.Select(r => r.Id));
        Assert.Contains("is kept", plan.Description);
    }

    /// <summary>Submits 3 requests through the session, waits for the batch, and collects its results: the state Remove-IrisBatch starts from.</summary>
    private async Task<(IBatchProvider Provider, IrisBatchInfo Batch, JournalEntry Entry)> CollectedAsync(EmulatorHost host)
    {
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        SpooledPart part;
        using (var spooler = _session.Spooler(provider, "layer", null, null, null, null, countTokens: false))
        {
            for (int i = 1; i <= 3; i++)
                Assert.True(spooler.Add(new IrisBatchRequest { CustomId = "r" + i, Model = "gpt-4o-mini", Messages = new[] { new ChatMessage("user", "p " + i) }, RowNumber = i }));
            part = spooler.Finish().Single();
        }
        var plan = await _session.Planner.PlanAsync(provider, part.Entry, force: false, CancellationToken.None);
        var batch = await _session.Planner.SubmitAsync(plan, _settings, new HashSet<string>(), null, CancellationToken.None);
        for (int i = 0; i < 500 && !batch.IsComplete; i++) batch = await provider.GetAsync(batch.Id, CancellationToken.None);
        Assert.Equal(BatchStatus.Completed, batch.Status);

        var entry = _session.Locator.Find(batch.Id);
        Assert.NotNull(entry);
        Assert.Empty(_session.Recorder.Record(entry, batch));
        var dir = _session.Collector.ResultsDirectory(provider, batch, ref entry);
        await _session.Collector.DownloadAsync(provider, batch, entry!, dir, null, CancellationToken.None);
        var results = _session.Collector.Reader(provider, batch, entry!).Read(ResultCollector.ResultFiles(dir)).ToList();
        Assert.Equal(3, results.Count);
        _session.Collector.MarkCollected(entry!, results.Count, new Estimates.CostTotal());
        return (provider, batch, _session.Locator.Find(batch.Id)!);
    }

    private static Task<EmulatorHost> StartAsync() =>
        EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });

    [Fact]
    public async Task Removing_a_collected_batch_deletes_its_files_at_the_provider_and_forgets_its_journal_entry()
    {
        await using var host = await StartAsync();
        var (provider, batch, entry) = await CollectedAsync(host);
        Assert.True(entry.ResultsCollected);
        var remover = _session.Remover(keepLocal: false, force: false);
        var plan = remover.Plan(provider, batch, entry, gone: false);
        Assert.Equal(new[] { RemoteKind.InputFile, RemoteKind.OutputFile }, plan.Remote.Select(r => r.Kind));
        var log = new List<string>();

        var outcome = await remover.RemoveAsync(plan, log.Add, CancellationToken.None);

        Assert.Equal(plan.Remote.Select(r => r.ToString()), outcome.Deleted);
        Assert.Empty(outcome.AlreadyGone);
        Assert.True(outcome.JournalEntryRemoved);
        Assert.False(outcome.KeptLocal);
        Assert.Equal(2, log.Count(l => l.StartsWith("Deleted the ")));
        Assert.Null(_session.Locator.Find(batch.Id));
        Assert.False(Directory.Exists(_journal.SubmissionDir(entry.SubmissionId)));
        // What was deleted is gone at the provider: deleting it again finds nothing.
        foreach (var item in plan.Remote) Assert.False(await provider.DeleteAsync(item, CancellationToken.None));
    }

    [Fact]
    public async Task KeepLocal_records_the_removal_so_a_second_removal_does_not_ask_the_provider()
    {
        await using var host = await StartAsync();
        var (provider, batch, entry) = await CollectedAsync(host);
        var remover = _session.Remover(keepLocal: true, force: false);

        var outcome = await remover.RemoveAsync(remover.Plan(provider, batch, entry, gone: false), null, CancellationToken.None);

        Assert.True(outcome.KeptLocal);
        Assert.False(outcome.JournalEntryRemoved);
        var kept = _session.Locator.Find(batch.Id)!;
        Assert.NotNull(kept.RemoteRemovedAt);
        Assert.Equal(JournalStep.RemovedAtProvider, kept.History.Last().Step);
        Assert.Equal(string.Join(", ", outcome.Deleted), kept.History.Last().Detail);
        Assert.False(BatchRemover.NeedsRefresh(kept));
        var again = remover.Plan(provider, BatchRemover.AsRecorded(kept), kept, gone: false);
        Assert.Empty(again.Remote);
        Assert.True(File.Exists(ResultCollector.ResultFiles(_journal.ResultsDir(kept))[0]), "the downloaded results stay readable");
    }

    /// <summary>Submits 3 requests through the session; the batch runs as the emulator's timings say.</summary>
    private async Task<(IBatchProvider Provider, IrisBatchInfo Batch)> SubmittedAsync(EmulatorHost host, HttpSettings settings,
        string providerName = "OpenAI", string model = "gpt-4o-mini")
    {
        var provider = ExactlyOnceTests.Provider(host, providerName, settings);
        SpooledPart part;
        using (var spooler = _session.Spooler(provider, "cancel", null, null, null, null, countTokens: false))
        {
            for (int i = 1; i <= 3; i++)
                Assert.True(spooler.Add(new IrisBatchRequest { CustomId = "r" + i, Model = model, Messages = new[] { new ChatMessage("user", "p " + i) }, RowNumber = i }));
            part = spooler.Finish().Single();
        }
        var plan = await _session.Planner.PlanAsync(provider, part.Entry, force: false, CancellationToken.None);
        return (provider, await _session.Planner.SubmitAsync(plan, settings, new HashSet<string>(), null, CancellationToken.None));
    }

    [Fact]
    public async Task A_cancel_whose_answer_is_lost_looks_at_the_batch_and_finds_it_cancelling()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 60_000, FinalizingMs = 0, CancellingMs = 60_000 });
        var noRetry = new HttpSettings { MaxRetries = 0, BaseDelay = TimeSpan.FromMilliseconds(10) };
        var (provider, batch) = await SubmittedAsync(host, noRetry);
        using (var api = new IrisBatch.Tests.Emulator.EmulatorApi(host))
        using (var r = await api.PostJsonAsync("/_emulator/faults", System.Text.Json.JsonSerializer.Serialize(new { route = "cancel", kind = "reset_after" })))
            Assert.True(r.IsSuccessStatusCode);

        var cancelled = await StatusRecorder.CancelAsync(provider, batch.Id, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(BatchStatus.Cancelling, cancelled.Status);
        Assert.Equal(batch.Id, cancelled.Id);
    }

    [Fact]
    public async Task A_batch_cancelled_while_validating_counts_the_requests_the_journal_submitted()
    {
        // OpenAI counts a batch's requests only once it has validated them (0/0/0 while validating, spec §1.5): a batch
        // cancelled before that ends Cancelled still saying total 0, though 3 requests were submitted (and
        // Get-IrisBatchResult gives 3 Cancelled results).
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 60_000, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        var (provider, batch) = await SubmittedAsync(host, _settings);
        Assert.Equal(BatchStatus.Pending, batch.Status);
        await StatusRecorder.CancelAsync(provider, batch.Id, CancellationToken.None);

        var fresh = await provider.GetAsync(batch.Id, CancellationToken.None);
        for (int i = 0; i < 500 && !fresh.IsComplete; i++) fresh = await provider.GetAsync(batch.Id, CancellationToken.None);
        Assert.Equal(BatchStatus.Cancelled, fresh.Status);
        Assert.Equal(0, fresh.Total); // the provider's own count: none validated
        var entry = _session.Locator.Find(batch.Id)!;
        Assert.Empty(_session.Recorder.Record(entry, fresh));
        entry = _session.Locator.Find(batch.Id)!;

        var shown = BatchLocator.Fresh(fresh, entry);

        Assert.Equal(3, shown.Total);
        Assert.Equal(0, shown.Processed);
        var lastSeen = BatchLocator.LastSeen(entry);
        Assert.Equal(BatchStatus.Cancelled, lastSeen.Status);
        Assert.Equal(3, lastSeen.Total);
    }

    [Theory]
    [InlineData("OpenAI")]
    [InlineData("Groq")]
    public async Task A_batch_that_failed_validation_counts_each_request_it_was_sent_as_failed_as_its_results_do(string providerName)
    {
        // OpenAI and Groq count nothing for a batch whose input failed validation (0/0/0, spec §1.5): the status said
        // Total 3 (from the journal) but Failed 0, while Get-IrisBatchResult gives 3 Failed results.
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        var (provider, batch) = await SubmittedAsync(host, _settings, providerName, "invalid-model");   // the emulator: model_not_found on each line
        var fresh = await provider.GetAsync(batch.Id, CancellationToken.None);
        for (int i = 0; i < 500 && !fresh.IsComplete; i++) fresh = await provider.GetAsync(batch.Id, CancellationToken.None);
        Assert.Equal(BatchStatus.Failed, fresh.Status);
        Assert.Equal((0L, 0L, 0L), (fresh.Total, fresh.Succeeded, fresh.Failed));   // the provider's own counts
        var entry = _session.Locator.Find(batch.Id)!;
        var dir = Path.Combine(_dir, "results-" + providerName);
        Directory.CreateDirectory(dir);
        var files = await provider.DownloadResultsAsync(fresh, dir, null, CancellationToken.None);
        var results = new IrisBatch.Results.ResultReader(provider, fresh, _journal.RequestsPath(entry)).Read(files).ToList();
        Assert.Equal(3, results.Count(r => r.Status == ResultStatus.Failed));

        // As the cmdlets do: fill from the journal, then record what is shown (Get-IrisBatchStatus, Wait-IrisBatch).
        var shown = BatchLocator.Fresh(fresh, entry);
        Assert.Empty(_session.Recorder.Record(entry, shown));

        Assert.Equal((3L, 0L, 3L), (shown.Total, shown.Succeeded, shown.Failed));
        entry = _session.Locator.Find(batch.Id)!;
        var local = _session.Listing.List(null, null).Single(b => b.Id == batch.Id);   // Get-IrisBatchStatus -Local
        Assert.Equal((3L, 0L, 3L), (local.Total, local.Succeeded, local.Failed));
        var lastSeen = BatchLocator.LastSeen(entry);
        Assert.Equal((3L, 0L, 3L), (lastSeen.Total, lastSeen.Succeeded, lastSeen.Failed));
    }

    [Fact]
    public void A_failed_batch_whose_provider_counted_its_requests_keeps_the_providers_counts()
    {
        var entry = Created("20260101000001-aaaa", "batch_counted");
        var counted = BatchLocator.Fresh(new IrisBatchInfo { Id = "batch_counted", Status = BatchStatus.Failed, Total = 1000, Succeeded = 600, Failed = 100 }, entry);
        Assert.Equal((1000L, 600L, 100L), (counted.Total, counted.Succeeded, counted.Failed));

        // Its journal record as last seen keeps them too (Get-IrisBatchStatus -Pending when it cannot refresh it).
        _journal.Update(entry, e => { e.LastStatus = BatchStatus.Failed; e.Succeeded = 600; e.Failed = 100; });
        var lastSeen = BatchLocator.LastSeen(_session.Locator.Find("batch_counted")!);
        Assert.Equal((1000L, 600L, 100L), (lastSeen.Total, lastSeen.Succeeded, lastSeen.Failed));

        // Another ending with nothing counted is not a failure of every request.
        var cancelled = BatchLocator.Fresh(new IrisBatchInfo { Id = "batch_counted", Status = BatchStatus.Cancelled }, entry);
        Assert.Equal((1000L, 0L, 0L), (cancelled.Total, cancelled.Succeeded, cancelled.Failed));
    }

    [Fact]
    public async Task A_cancel_refused_for_a_batch_that_is_not_cancelling_is_still_the_error()
    {
        await using var host = await StartAsync();
        var (provider, batch) = await SubmittedAsync(host, _settings);
        for (int i = 0; i < 500 && !batch.IsComplete; i++) batch = await provider.GetAsync(batch.Id, CancellationToken.None);
        Assert.Equal(BatchStatus.Completed, batch.Status);

        var ex = await Assert.ThrowsAnyAsync<IrisBatchException>(() => StatusRecorder.CancelAsync(provider, batch.Id, CancellationToken.None));

        // The cancel's own refusal (the look that followed found the batch Completed, not what was asked).
        Assert.Equal(ErrorIds.BadRequest, ex.ErrorId);
        Assert.Equal(BatchStatus.Completed, (await provider.GetAsync(batch.Id, CancellationToken.None)).Status);
    }

    [Fact]
    public void Results_read_again_with_the_same_cost_do_not_grow_the_history_and_a_changed_cost_is_recorded()
    {
        var entry = Created("20260101000000-collect", "batch_collect");
        var total = new Estimates.CostTotal();
        total.Add(new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Cost = 0.25m });
        total.Add(new IrisBatchResult { CustomId = "b", Status = ResultStatus.Failed, Cost = 0m });
        for (int i = 0; i < 5; i++) _session.Collector.MarkCollected(_journal.Load(entry.SubmissionId)!, 2, total);
        var saved = _journal.Load(entry.SubmissionId)!;
        Assert.True(saved.ResultsCollected);
        Assert.Equal(0.25m, saved.Cost);
        Assert.Equal(1, saved.History.Count(h => h.State == "results collected"));

        // Read again after a price change: what changed is recorded, once.
        var repriced = new Estimates.CostTotal();
        repriced.Add(new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Cost = 0.5m });
        repriced.Add(new IrisBatchResult { CustomId = "b", Status = ResultStatus.Failed, Cost = 0m });
        _session.Collector.MarkCollected(_journal.Load(entry.SubmissionId)!, 2, repriced);
        _session.Collector.MarkCollected(_journal.Load(entry.SubmissionId)!, 2, repriced);
        saved = _journal.Load(entry.SubmissionId)!;
        Assert.Equal(0.5m, saved.Cost);
        Assert.Equal(2, saved.History.Count(h => h.State == "results collected"));
    }

    [Fact]
    public void The_model_the_results_say_answered_is_recorded_once_also_when_counts_and_cost_are_unchanged()
    {
        // An entry collected before the reported model was recorded (or by results that named none): read again with
        // the same counts and cost, the newly learned model is still written, once.
        var entry = Created("20260101000000-reported", "batch_reported");
        var unnamed = new Estimates.CostTotal();
        unnamed.Add(new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Cost = 0.25m });
        _session.Collector.MarkCollected(_journal.Load(entry.SubmissionId)!, 1, unnamed);
        Assert.Null(_journal.Load(entry.SubmissionId)!.ResponseModel);

        var named = new Estimates.CostTotal();
        named.Add(new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Cost = 0.25m, ResponseModel = "gpt-4o-mini-2024-07-18" });
        Assert.Equal("gpt-4o-mini-2024-07-18", named.ResponseModel);
        for (int i = 0; i < 3; i++) _session.Collector.MarkCollected(_journal.Load(entry.SubmissionId)!, 1, named);
        var saved = _journal.Load(entry.SubmissionId)!;
        Assert.Equal("gpt-4o-mini-2024-07-18", saved.ResponseModel);
        Assert.Equal(2, saved.History.Count(h => h.State == "results collected"));

        // Results read later that name none, or first name another model (a batch of several models read in another
        // order), keep the model learned and write nothing.
        _session.Collector.MarkCollected(_journal.Load(entry.SubmissionId)!, 1, unnamed);
        var other = new Estimates.CostTotal();
        other.Add(new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Cost = 0.25m, ResponseModel = "gpt-4o-2024-08-06" });
        _session.Collector.MarkCollected(_journal.Load(entry.SubmissionId)!, 1, other);
        saved = _journal.Load(entry.SubmissionId)!;
        Assert.Equal("gpt-4o-mini-2024-07-18", saved.ResponseModel);
        Assert.Equal(2, saved.History.Count(h => h.State == "results collected"));
    }

    [Fact]
    public void Results_in_the_journal_are_read_without_asking_again_only_for_a_batch_that_cannot_change()
    {
        var entry = new JournalEntry { LastStatus = BatchStatus.Completed, LastProviderStatus = "completed" };
        var piped = new IrisBatchInfo { Id = "b", Status = BatchStatus.Pending };
        Assert.True(ResultCollector.EndedAsRecorded(piped, entry));
        Assert.Equal(BatchStatus.Completed, piped.Status);   // filled from the journal
        Assert.Equal("completed", piped.ProviderStatus);

        Assert.False(ResultCollector.EndedAsRecorded(new IrisBatchInfo { Id = "b", Status = BatchStatus.Pending }, new JournalEntry { LastStatus = BatchStatus.Failed }));
        Assert.False(ResultCollector.EndedAsRecorded(new IrisBatchInfo { Id = "b", Status = BatchStatus.Pending }, new JournalEntry { LastStatus = BatchStatus.InProgress }));
        Assert.True(ResultCollector.EndedAsRecorded(new IrisBatchInfo { Id = "b", Status = BatchStatus.Expired }, new JournalEntry()));
        // Removed at the provider (-KeepLocal): the journal's copy is all there is, even of a failed batch.
        Assert.True(ResultCollector.EndedAsRecorded(new IrisBatchInfo { Id = "b", Status = BatchStatus.Pending },
            new JournalEntry { LastStatus = BatchStatus.Failed, RemoteRemovedAt = DateTimeOffset.UtcNow }));
    }
    /// <summary>
    /// Two processes collecting the same batch at once (two that submitted the same job share its batch; CI saw it): each
    /// download has a folder of its own. Before, both used results.download: the second deleted it, with the first one's
    /// half-written file, and the first failed with IrisBatch.JournalUnavailable ("Could not find a part of the path").
    /// Here the first download holds its file open until the second has made its own; then both finish whole.
    /// </summary>
    [Fact]
    public async Task Two_downloads_of_one_batch_at_once_each_finish_whole()
    {
        await using var host = await StartAsync();
        var (provider, batch, entry) = await CollectedAsync(host);
        var dir = _journal.ResultsDir(entry);
        using var firstOpened = new ManualResetEventSlim();
        using var secondOpened = new ManualResetEventSlim();
        int opened = 0;
        _settings.CreateDownloadFile = path =>
        {
            if (Interlocked.Increment(ref opened) == 1)
            {
                firstOpened.Set();
                Assert.True(secondOpened.Wait(TimeSpan.FromSeconds(30)), "the second download started");
            }
            else secondOpened.Set();
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        };
        try
        {
            var first = Task.Run(() => _session.Collector.DownloadAsync(provider, batch, entry, dir, null, CancellationToken.None));
            Assert.True(firstOpened.Wait(TimeSpan.FromSeconds(30)), "the first download started");
            var second = Task.Run(() => _session.Collector.DownloadAsync(provider, batch, entry, dir, null, CancellationToken.None));
            await Task.WhenAll(first, second);
        }
        finally
        {
            _settings.CreateDownloadFile = null;
        }
        var results = _session.Collector.Reader(provider, batch, entry).Read(ResultCollector.ResultFiles(dir)).ToList();
        Assert.Equal(new[] { "r1", "r2", "r3" }, results.Select(r => r.CustomId).OrderBy(x => x));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(dir)!, Path.GetFileName(dir) + ".download*"));
    }

    /// <summary>A download folder a stopped process left a day ago or more, or the one earlier versions shared, goes at the next download; a fresh one (another download running) stays.</summary>
    [Fact]
    public async Task A_download_removes_the_folders_stopped_downloads_left_and_keeps_a_running_ones()
    {
        await using var host = await StartAsync();
        var (provider, batch, entry) = await CollectedAsync(host);
        var dir = _journal.ResultsDir(entry).TrimEnd(Path.DirectorySeparatorChar);
        var legacy = Directory.CreateDirectory(dir + ".download").FullName;
        var stale = Directory.CreateDirectory(dir + ResultCollector.StagingSuffix + "aaaaaaaaaaaa").FullName;
        File.WriteAllText(Path.Combine(stale, "output.jsonl.part"), "{}");
        var old = DateTime.UtcNow - ResultCollector.StaleAfter - TimeSpan.FromHours(1);
        File.SetLastWriteTimeUtc(Path.Combine(stale, "output.jsonl.part"), old);
        Directory.SetLastWriteTimeUtc(stale, old);
        var running = Directory.CreateDirectory(dir + ResultCollector.StagingSuffix + "bbbbbbbbbbbb").FullName;
        File.WriteAllText(Path.Combine(running, "output.jsonl.part"), "{}");

        await _session.Collector.DownloadAsync(provider, batch, entry, dir, null, CancellationToken.None);

        Assert.False(Directory.Exists(legacy));
        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(running));
    }
    /// <summary>
    /// A batch submitted elsewhere and adopted when its results are collected here is listed (-Local) as submitted when its
    /// provider created it, with its name. Before, it showed the adoption time, so -Before (the monthly clean-up) counted
    /// from the day its results were read, and its name was empty.
    /// </summary>
    [Fact]
    public async Task An_adopted_batch_is_listed_as_submitted_when_its_provider_created_it()
    {
        await using var host = await StartAsync();
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        var created = DateTimeOffset.UtcNow.AddDays(-40);
        var batch = new IrisBatchInfo { Id = "batch_elsewhere", Provider = "OpenAI", Status = BatchStatus.Completed, Total = 2, CreatedAt = created, Name = "from another machine" };
        JournalEntry? entry = null;
        _session.Collector.ResultsDirectory(provider, batch, ref entry);

        var listed = Assert.Single(LocalBatches.List(_journal, DateTime.UtcNow.AddDays(-30), null));
        Assert.Equal("batch_elsewhere", listed.Id);
        Assert.Equal(created.ToUnixTimeSeconds(), listed.CreatedAt!.Value.ToUnixTimeSeconds());
        Assert.Equal("from another machine", listed.Name);
    }
}
