using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Tests.Support;
using Xunit;

namespace IrisBatch.Tests.Core;

/// <summary>Issue 15: a journal that cannot be written is IrisBatch.JournalUnavailable; failed writes leave nothing behind.</summary>
public sealed class JournalFailureTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-jfail-" + Guid.NewGuid().ToString("N"));

    public JournalFailureTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A journal root whose parent is a regular file: no folder can be made there, whoever runs the test (root too).</summary>
    private string Blocked()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "in the way");
        return Path.Combine(file, "journal");
    }

    [Fact]
    public void A_journal_folder_that_cannot_be_made_is_JournalUnavailable_naming_the_path_and_the_OS_error()
    {
        var root = Blocked();
        var ex = Assert.Throws<IrisBatchException>(() => new JournalStore(root).CheckWritable());
        Assert.Equal(ErrorIds.JournalUnavailable, ex.ErrorId);
        Assert.Equal(root, ex.Target);
        Assert.Contains(root, ex.Message);
        Assert.NotNull(ex.InnerException);
        Assert.Contains(ex.InnerException!.Message, ex.Message);
        Assert.EndsWith(".", ex.InnerException.Message);
        Assert.DoesNotContain(".. ", ex.Message);
    }

    [Fact]
    public void A_writable_journal_passes_the_check_and_keeps_no_probe_file()
    {
        var journal = new JournalStore(Path.Combine(_dir, "journal"));
        journal.CheckWritable();
        Assert.Empty(Directory.GetFileSystemEntries(journal.Root));
    }

    [Fact]
    public void A_failed_atomic_write_leaves_no_tmp_file()
    {
        // The target is a folder: the temporary file is written, the rename over the target fails.
        var target = Path.Combine(_dir, "entry.json");
        Directory.CreateDirectory(target);
        var ex = Assert.Throws<IrisBatchException>(() => AtomicFile.WriteAllText(target, "{}"));
        Assert.Equal(ErrorIds.JournalUnavailable, ex.ErrorId);
        Assert.Contains(target, ex.Message);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [LinuxFact("writes the download to /dev/full, which answers every write with ENOSPC")]
    public async Task A_full_disk_during_a_download_is_not_retried_as_a_network_error()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        using var api = new IrisBatch.Tests.Emulator.EmulatorApi(host);
        var fileId = await api.UploadAsync("{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}\n");
        var client = new ApiClient("OpenAI", new Uri(host.BaseUri, "v1/"), r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer test-key"),
            IrisBatch.Providers.OpenAI.OpenAIJson.ParseError, new HttpSettings { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(1) }, new Redactor("test-key"));
        var target = Path.Combine(_dir, "output.jsonl");
        File.CreateSymbolicLink(target + ".part", "/dev/full");

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => client.DownloadToFileAsync($"files/{fileId}/content", target, null, "the download", CancellationToken.None));

        Assert.Equal(ErrorIds.JournalUnavailable, ex.ErrorId);
        Assert.Contains(target, ex.Message);
        Assert.Equal(1, host.State.Stats.RouteCalls("GET /v1/files/{file_id}/content"));
        Assert.False(File.Exists(target));
    }
}
