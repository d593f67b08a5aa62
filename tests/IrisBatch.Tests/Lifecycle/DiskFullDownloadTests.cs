using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Issue 15, "A full disk during a download is not retried as a network error", on every OS (JournalFailureTests has the
/// Linux /dev/full variant): the download's file answers its first write with the disk-full IOException, through a
/// provider's whole download path. One call, no retry, IrisBatch.JournalUnavailable naming the file and the OS error,
/// and no partial file left.
/// </summary>
public sealed class DiskFullDownloadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-diskfull-" + Guid.NewGuid().ToString("N"));

    public DiskFullDownloadTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A file on a disk with no room left: created, then every write fails as Windows (0x80070070) and Unix (ENOSPC) report it.</summary>
    private sealed class FullDiskStream : FileStream
    {
        public FullDiskStream(string path) : base(path, FileMode.Create, FileAccess.Write, FileShare.None) { }
        private static IOException Full() => new IOException("There is not enough space on the disk. : No space left on device", unchecked((int)0x80070070));
        public override void Write(byte[] buffer, int offset, int count) => throw Full();
        public override void Write(ReadOnlySpan<byte> buffer) => throw Full();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => throw Full();
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => throw Full();
    }

    [Theory]
    [InlineData("OpenAI")]
    [InlineData("Anthropic")]
    public async Task A_full_disk_during_a_results_download_is_not_retried_and_leaves_no_partial_file(string name)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        var settings = new HttpSettings { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromSeconds(20) };
        var provider = ExactlyOnceTests.Provider(host, name, settings);
        var journal = new JournalStore(Path.Combine(_dir, "journal"));
        JournalEntry entry;
        using (var spooler = new BatchSpooler(journal, provider, "disk full", null))
        {
            for (int i = 1; i <= 3; i++)
                Assert.True(spooler.Add(new IrisBatchRequest
                {
                    CustomId = "request-" + i,
                    Model = name == "OpenAI" ? "gpt-4o-mini" : "claude-sonnet-4-5",
                    Messages = new[] { new ChatMessage("user", "prompt " + i) },
                    MaxTokens = 50,
                    RowNumber = i,
                }));
            entry = spooler.Finish().Single().Entry;
        }
        var batch = await new BatchSubmitter(journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);
        for (int i = 0; i < 500 && !batch.IsComplete; i++) batch = await provider.GetAsync(batch.Id, CancellationToken.None);
        Assert.True(batch.IsComplete);
        int opened = 0;
        settings.CreateDownloadFile = path => { opened++; return new FullDiskStream(path); };
        var results = Path.Combine(_dir, "results");
        Directory.CreateDirectory(results);
        long downloadsBefore = DownloadCalls(host);

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => provider.DownloadResultsAsync(batch, results, null, CancellationToken.None));

        Assert.Equal(ErrorIds.JournalUnavailable, ex.ErrorId);
        Assert.Contains(results, ex.Message);
        Assert.Contains("not enough space on the disk", ex.Message);
        Assert.Equal(1, opened);
        Assert.Equal(1, DownloadCalls(host) - downloadsBefore);   // not retried as if the network had failed
        Assert.Empty(Directory.GetFiles(results, "*", SearchOption.AllDirectories));
    }

    private static long DownloadCalls(EmulatorHost host) =>
        host.State.Stats.Routes.Where(r => Faults.RouteName(r.Key) == "download").Sum(r => r.Value);
}
