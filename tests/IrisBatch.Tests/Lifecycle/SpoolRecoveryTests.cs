using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Lifecycle;
using IrisBatch.Providers.Mock;
using IrisBatch.Submission;
using IrisBatch.Tests.Support;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Issue 15, "A submission folder half-written by a failure is cleaned up or resumed, never left to confuse the next
/// run": what a failure during spooling leaves (a folder with partial requests and input files and no entry; or an entry
/// spooled and never sent), and the next run's spooler removing it, while a part that was sent, or one a live spooler
/// still holds, stays.
/// </summary>
public sealed class SpoolRecoveryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-spool-" + Guid.NewGuid().ToString("N"));
    private readonly JournalStore _journal;
    private readonly MockProvider _provider;

    public SpoolRecoveryTests()
    {
        Directory.CreateDirectory(_dir);
        _journal = new JournalStore(Path.Combine(_dir, "journal"));
        _provider = new MockProvider(new Uri(MockProvider.DefaultBaseUri), new HttpSettings(), Path.Combine(_dir, "mock"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static IrisBatchRequest Request(int i) => new IrisBatchRequest
    {
        CustomId = "request-" + i,
        Model = "mock-model",
        Messages = new[] { new ChatMessage("user", "prompt " + i) },
        RowNumber = i,
    };

    private string[] Folders() =>
        Directory.Exists(Path.Combine(_journal.Root, "submissions")) ? Directory.GetDirectories(Path.Combine(_journal.Root, "submissions")) : new string[0];

    /// <summary>A spooler that stops after <paramref name="rows"/> rows without finishing, as when a row's error, Ctrl+C or a full disk ends the command.</summary>
    private string InterruptedSpool(int rows)
    {
        using var spooler = new BatchSpooler(_journal, _provider, "interrupted", null);
        for (int i = 1; i <= rows; i++) Assert.True(spooler.Add(Request(i)));
        return Assert.Single(Folders());
    }

    [Fact]
    public void A_spool_interrupted_midway_leaves_a_marked_folder_that_the_next_run_removes()
    {
        var dir = InterruptedSpool(7);
        // What the failure left: partial requests and input files, no entry, the mark.
        Assert.True(File.Exists(Path.Combine(dir, "requests.jsonl")));
        Assert.True(File.Exists(Path.Combine(dir, "input.jsonl")));
        Assert.False(File.Exists(Path.Combine(dir, "entry.json")));
        Assert.True(File.Exists(Path.Combine(dir, SpoolRecovery.LockName)));
        Assert.Empty(_journal.All());

        var session = new LifecycleSession(_journal);
        using (var next = session.Spooler(_provider, "next", null, null, null, null, false))
        {
            Assert.False(Directory.Exists(dir));
            Assert.Equal(1, session.AbandonedSpoolsRemoved);
            Assert.True(next.Add(Request(1)));
            next.Finish();
        }
        Assert.Single(_journal.All());
    }

    [Fact]
    public void A_part_spooled_but_never_sent_is_removed_and_its_rows_spool_afresh_next_time()
    {
        JournalEntry entry;
        using (var spooler = new BatchSpooler(_journal, _provider, "never sent", null))
        {
            for (int i = 1; i <= 3; i++) Assert.True(spooler.Add(Request(i)));
            entry = spooler.Finish().Single().Entry;
            _journal.IndexFingerprint(entry);   // planned, then the process died before the upload started
        }
        Assert.NotNull(_journal.Load(entry.SubmissionId));

        Assert.Equal(1, SpoolRecovery.RemoveAbandoned(_journal));
        Assert.Null(_journal.Load(entry.SubmissionId));
        Assert.Empty(Folders());
    }

    [Fact]
    public async Task A_part_that_was_sent_is_never_removed()
    {
        JournalEntry entry;
        using (var spooler = new BatchSpooler(_journal, _provider, "sent", null))
        {
            for (int i = 1; i <= 3; i++) Assert.True(spooler.Add(Request(i)));
            entry = spooler.Finish().Single().Entry;
        }
        var batch = await new BatchSubmitter(_journal, _provider, new HttpSettings()).SubmitAsync(entry, null, CancellationToken.None);

        Assert.False(File.Exists(Path.Combine(_journal.SubmissionDir(entry.SubmissionId), SpoolRecovery.LockName)));
        Assert.Equal(0, SpoolRecovery.RemoveAbandoned(_journal));
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
    }

    [Fact]
    public void A_sent_part_whose_mark_stayed_keeps_its_folder_and_loses_the_mark()
    {
        JournalEntry entry;
        using (var spooler = new BatchSpooler(_journal, _provider, "sent, mark left", null))
        {
            Assert.True(spooler.Add(Request(1)));
            entry = spooler.Finish().Single().Entry;
        }
        _journal.Record(entry, JournalStep.UploadStarted);   // the mark was not removed (e.g. an older version sent it)
        var mark = Path.Combine(_journal.SubmissionDir(entry.SubmissionId), SpoolRecovery.LockName);
        Assert.True(File.Exists(mark));

        Assert.Equal(0, SpoolRecovery.RemoveAbandoned(_journal));
        Assert.NotNull(_journal.Load(entry.SubmissionId));
        Assert.False(File.Exists(mark));
    }

    [Fact]
    public void A_spool_still_being_written_by_this_process_is_left_alone()
    {
        using var spooler = new BatchSpooler(_journal, _provider, "live", null);
        Assert.True(spooler.Add(Request(1)));

        Assert.Equal(0, SpoolRecovery.RemoveAbandoned(_journal));
        Assert.Single(Folders());
        Assert.True(spooler.Add(Request(2)));
        Assert.Equal(2, spooler.Finish().Single().Entry.RequestCount);
    }

    [UnixFact("starts 'sleep' as the other live process")]
    public void A_spool_marked_by_another_live_process_is_left_alone_and_one_whose_process_is_gone_is_removed()
    {
        var live = InterruptedSpool(2);
        using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            File.WriteAllText(Path.Combine(live, SpoolRecovery.LockName),
                other.Id.ToString(CultureInfo.InvariantCulture) + " " + other.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(0, SpoolRecovery.RemoveAbandoned(_journal));
            Assert.True(Directory.Exists(live));
        }
        finally
        {
            other.Kill();
            other.WaitForExit();
        }
        // The same id and start time, the process gone: its spool is abandoned.
        Assert.Equal(1, SpoolRecovery.RemoveAbandoned(_journal));
        Assert.False(Directory.Exists(live));
    }

    [Fact]
    public void A_mark_naming_this_process_id_with_another_start_time_is_a_dead_process_whose_id_was_reused()
    {
        var dir = InterruptedSpool(2);
        using var self = Process.GetCurrentProcess();
        File.WriteAllText(Path.Combine(dir, SpoolRecovery.LockName), self.Id.ToString(CultureInfo.InvariantCulture) + " 12345");

        Assert.Equal(1, SpoolRecovery.RemoveAbandoned(_journal));
        Assert.False(Directory.Exists(dir));
    }
}
