using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Lifecycle;
using IrisBatch.Providers;
using IrisBatch.Submission;
using IrisBatch.Tests.Emulator;
using IrisBatch.Tests.Support;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>The Lifecycle layer's submission planner against the emulator: new, reuse, resume, decline (issue 15).</summary>
public sealed class SubmissionPlannerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-plan-" + Guid.NewGuid().ToString("N"));
    private readonly JournalStore _journal;
    private readonly HttpSettings _settings = new HttpSettings { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10) };

    public SubmissionPlannerTests()
    {
        Directory.CreateDirectory(_dir);
        _journal = new JournalStore(Path.Combine(_dir, "journal"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private JournalEntry Spool(IBatchProvider provider, int rows = 5)
    {
        using var spooler = new BatchSpooler(_journal, provider, "plan", null);
        for (int i = 1; i <= rows; i++)
            Assert.True(spooler.Add(new IrisBatchRequest { CustomId = "request-" + i, Model = "gpt-4o-mini", Messages = new[] { new ChatMessage("user", "p " + i) }, RowNumber = i }));
        return spooler.Finish().Single().Entry;
    }

    private static Task<EmulatorHost> StartAsync() =>
        EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 60_000, FinalizingMs = 0, CancellingMs = 0 });

    [Fact]
    public async Task The_same_requests_again_reuse_the_running_batch_and_discard_the_new_spool()
    {
        await using var host = await StartAsync();
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        var planner = new SubmissionPlanner(_journal);
        var first = await planner.PlanAsync(provider, Spool(provider), force: false, CancellationToken.None);
        Assert.Equal(PlanKind.New, first.Kind);
        Assert.Contains("5 requests", SubmissionPlanner.TargetText(first.Entry, provider, "", 1, 1, 5, 1));
        var batch = await planner.SubmitAsync(first, _settings, new HashSet<string>(), null, CancellationToken.None);

        var again = Spool(provider);
        var plan = await planner.PlanAsync(provider, again, force: false, CancellationToken.None);

        Assert.Equal(PlanKind.Reuse, plan.Kind);
        Assert.Equal(batch.Id, plan.Batch!.Id);
        Assert.Contains(batch.Id, plan.Warning);
        Assert.False(Directory.Exists(_journal.SubmissionDir(again.SubmissionId)));
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        var forced = await planner.PlanAsync(provider, Spool(provider), force: true, CancellationToken.None);
        Assert.Equal(PlanKind.New, forced.Kind);
    }

    [Theory]
    [InlineData(BatchStatus.Completed, 3, 0, 3, true)]     // every request failed or expired: nothing to take back
    [InlineData(BatchStatus.Completed, 3, 0, 2, false)]    // counts that fall short (a file's lines not counted): taken back
    [InlineData(BatchStatus.Completed, 3, 1, 2, false)]    // an answer: taken back, never paid for twice
    [InlineData(BatchStatus.Completed, 0, 0, 0, false)]    // nothing counted at all
    [InlineData(BatchStatus.InProgress, 3, 0, 3, false)]   // not finished
    public void A_batch_answered_nothing_only_when_its_counts_say_every_request_failed(BatchStatus status, long total, long succeeded, long failed, bool nothing)
    {
        var batch = new IrisBatchInfo { Id = "b", Status = status, Total = total, Succeeded = succeeded, Failed = failed };
        Assert.Equal(nothing, SubmissionPlanner.AnsweredNothing(batch));
    }

    [UnixFact("a symbolic link stands for a lock file the disk cannot make")]
    public async Task A_claim_the_disk_cannot_make_stops_the_plan_with_JournalUnavailable_instead_of_waiting()
    {
        await using var host = await StartAsync();
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        var planner = new SubmissionPlanner(_journal);
        var first = await planner.PlanAsync(provider, Spool(provider), force: false, CancellationToken.None);
        first.Claim?.Dispose();
        var lockFile = Assert.Single(Directory.GetFiles(Path.Combine(_journal.Root, "locks"), "*.lock"));
        File.Delete(lockFile);
        File.CreateSymbolicLink(lockFile, Path.Combine(_dir, "gone", "x"));

        // Before: read as "another process is submitting these requests", and the plan waited (with a warning) for good.
        var warnings = new List<string>();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => planner.PlanAsync(provider, Spool(provider), force: false, cancel.Token, warnings.Add));
        Assert.Equal(ErrorIds.JournalUnavailable, ex.ErrorId);
        Assert.Contains(lockFile, ex.Message);
        Assert.Empty(warnings);
        Assert.Equal(0, host.State.Stats.BatchesCreated);
    }

    [Fact]
    public async Task An_interrupted_submission_is_resumed_and_ends_with_one_batch()
    {
        await using var host = await StartAsync();
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        var planner = new SubmissionPlanner(_journal);
        var first = await planner.PlanAsync(provider, Spool(provider), force: false, CancellationToken.None);
        // The create's answer is lost and so is every look-up: the run stops with the journal at 'create started'.
        using (var api = new EmulatorApi(host))
        {
            await api.PostJsonAsync("/_emulator/faults", JsonSerializer.Serialize(new { route = "create", kind = "reset_after" }));
            await api.PostJsonAsync("/_emulator/faults", JsonSerializer.Serialize(new { route = "list", kind = "status", status_code = 503, count = 10 }));
        }
        await Assert.ThrowsAnyAsync<IrisBatchException>(() => planner.SubmitAsync(first, _settings, new HashSet<string>(), null, CancellationToken.None));
        Assert.Equal(JournalStep.CreateStarted, _journal.Load(first.Entry.SubmissionId)!.History.Last(h => h.Step != JournalStep.Unknown).Step);
        using (var api = new EmulatorApi(host)) await api.Http.DeleteAsync("/_emulator/faults");

        var again = Spool(provider);
        var plan = await planner.PlanAsync(provider, again, force: false, CancellationToken.None);
        Assert.Equal(PlanKind.Resume, plan.Kind);
        Assert.Equal(first.Entry.SubmissionId, plan.Entry.SubmissionId);
        Assert.False(Directory.Exists(_journal.SubmissionDir(again.SubmissionId)));
        var batch = await planner.SubmitAsync(plan, _settings, new HashSet<string>(), null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(batch.Id, _journal.Load(first.Entry.SubmissionId)!.BatchId);
    }

    [Fact]
    public async Task The_same_requests_submitted_at_the_same_time_wait_for_each_other_and_make_one_batch()
    {
        // Two scheduled tasks with the same job: the second plans while the first is still sending. It must not resume
        // the first's entry (a second upload and create) nor start its own: it waits, then reuses the first's batch.
        await using var host = await StartAsync();
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        var first = await new SubmissionPlanner(_journal).PlanAsync(provider, Spool(provider), force: false, CancellationToken.None);
        Assert.Equal(PlanKind.New, first.Kind);

        var told = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = new SubmissionPlanner(new JournalStore(_journal.Root));
        var waiting = other.PlanAsync(provider, Spool(provider), force: false, CancellationToken.None, w => told.TrySetResult(w));
        Assert.Contains("Another process is submitting these same 5 requests", await told.Task);
        Assert.False(waiting.IsCompleted);

        var batch = await new SubmissionPlanner(_journal).SubmitAsync(first, _settings, new HashSet<string>(), null, CancellationToken.None);
        var plan = await waiting;

        Assert.Equal(PlanKind.Reuse, plan.Kind);
        Assert.Equal(batch.Id, plan.Batch!.Id);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(1, host.State.Stats.Uploads);
    }

    [Fact]
    public async Task A_process_that_waited_for_the_same_requests_takes_their_batch_even_once_collected_and_a_later_run_does_not()
    {
        // The same job run twice at once: the first submits, waits and collects its results before the second's next look
        // at the claim (it looks every ClaimPoll). The second must still take the first's batch, not pay again; tomorrow's
        // run of the same requests, which waits for nobody, is new work.
        await using var host = await StartAsync();
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        var first = await new SubmissionPlanner(_journal).PlanAsync(provider, Spool(provider), force: false, CancellationToken.None);
        var batch = await new SubmissionPlanner(_journal).SubmitAsync(first, _settings, new HashSet<string>(), null, CancellationToken.None);
        _journal.Update(_journal.Load(first.Entry.SubmissionId)!, e => e.ResultsCollected = true);

        // The first process still holds the claim (here: this test), the second plans and waits.
        var held = _journal.TryClaimSubmission(Spool(provider));
        Assert.NotNull(held);
        var told = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new SubmissionPlanner(new JournalStore(_journal.Root)).PlanAsync(provider, Spool(provider), force: false, CancellationToken.None, w => told.TrySetResult(w));
        Assert.Contains("Another process is submitting these same 5 requests", await told.Task);
        held!.Dispose();
        var plan = await waiting;

        Assert.Equal(PlanKind.Reuse, plan.Kind);
        Assert.Equal(batch.Id, plan.Batch!.Id);
        Assert.Equal(1, host.State.Stats.Uploads);

        using var tomorrow = await new SubmissionPlanner(_journal).PlanAsync(provider, Spool(provider), force: false, CancellationToken.None);
        Assert.Equal(PlanKind.New, tomorrow.Kind);
    }

    [Fact]
    public async Task A_wait_for_another_submission_of_the_same_requests_can_be_cancelled()
    {
        await using var host = await StartAsync();
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        using var first = await new SubmissionPlanner(_journal).PlanAsync(provider, Spool(provider), force: false, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiting = new SubmissionPlanner(_journal).PlanAsync(provider, Spool(provider), force: false, cts.Token, _ => cts.Cancel());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        // -Force does not wait: it submits again on purpose.
        using var forced = await new SubmissionPlanner(_journal).PlanAsync(provider, Spool(provider), force: true, CancellationToken.None);
        Assert.Equal(PlanKind.New, forced.Kind);
        Assert.Equal(0, host.State.Stats.Uploads);
    }

    [Fact]
    public async Task Declining_removes_a_new_spool_and_keeps_a_resumed_entry()
    {
        await using var host = await StartAsync();
        var provider = ExactlyOnceTests.Provider(host, "OpenAI", _settings);
        var planner = new SubmissionPlanner(_journal);
        var plan = await planner.PlanAsync(provider, Spool(provider), force: false, CancellationToken.None);
        planner.Decline(plan);
        Assert.False(Directory.Exists(_journal.SubmissionDir(plan.Entry.SubmissionId)));
        Assert.Equal(0, host.State.Stats.Uploads);
    }

    [Fact]
    public void Journal_steps_keep_their_words_on_disk_and_old_journals_read()
    {
        const string old = "{\"SubmissionId\":\"s1\",\"History\":[{\"At\":\"2025-01-01T00:00:00+00:00\",\"State\":\"create started\"},{\"At\":\"2025-01-01T00:00:01+00:00\",\"State\":\"a newer word\"}]}";
        var entry = JournalJson.Read(old);
        Assert.Equal(JournalStep.CreateStarted, entry.History[0].Step);
        Assert.Equal(JournalStep.Unknown, entry.History[1].Step);
        Assert.Equal("a newer word", entry.History[1].State);
        foreach (JournalStep step in Enum.GetValues(typeof(JournalStep)))
            if (step != JournalStep.Unknown) Assert.Equal(step, JournalSteps.Parse(JournalSteps.Text(step)));
        Assert.Equal("create started", JournalSteps.Text(JournalStep.CreateStarted));
    }
}
