using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers.Ollama;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Issue 6: "Status and counts come from the journal" of a local batch. Each request counts once: two lines for one
/// request (two processes that ran the batch at once) must not make the batch look complete while another request
/// has no answer, or the wait would end and that request would never run.
/// </summary>
public sealed class OllamaCountTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-ollama-count-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_request_answered_twice_counts_once_and_the_batch_stays_in_progress()
    {
        var store = new JournalStore(_dir);
        var entry = store.Begin(new JournalEntry { Provider = "Ollama", BaseUri = "http://127.0.0.1:1", Model = "llama3.2", BatchId = "local_count", RequestCount = 3 });
        store.Record(entry, "created", entry.BatchId);
        store.IndexBatch(entry);
        File.WriteAllLines(OllamaExecutor.ExecutedPath(store.SubmissionDir(entry.SubmissionId)), new[]
        {
            "{\"custom_id\":\"request-1\",\"ok\":true,\"output\":\"a\"}",
            "{\"custom_id\":\"request-1\",\"ok\":true,\"output\":\"a\"}",
            "{\"custom_id\":\"request-2\",\"ok\":false,\"error\":{\"code\":\"http_400\",\"message\":\"bad\"}}",
        });
        var provider = new OllamaProvider(new[] { new Uri("http://127.0.0.1:1") }, new HttpSettings(), store);

        var batch = await provider.GetAsync("local_count", CancellationToken.None);

        Assert.Equal(BatchStatus.InProgress, batch.Status);
        Assert.Equal(1, batch.Succeeded);
        Assert.Equal(1, batch.Failed);
        Assert.Equal(3, batch.Total);
    }
}
