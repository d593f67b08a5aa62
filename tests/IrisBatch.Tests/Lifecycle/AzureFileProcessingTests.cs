using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers;
using IrisBatch.Providers.Azure;
using IrisBatch.Results;
using IrisBatch.Submission;
using IrisBatch.Tests.Emulator;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Azure answers an upload with the file still <c>pending</c> and its docs wait until it is <c>processed</c> before creating
/// the batch (spec §2). The emulator's --azure-file-processing-ms keeps uploads pending and refuses a create naming one;
/// the client looks at the file until it is processed and only then creates, on both Azure surfaces.
/// </summary>
public sealed class AzureFileProcessingTests : IDisposable
{
    private const int Rows = 6;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-azfile-" + Guid.NewGuid().ToString("N"));
    private readonly JournalStore _journal;

    public AzureFileProcessingTests()
    {
        Directory.CreateDirectory(_dir);
        _journal = new JournalStore(Path.Combine(_dir, "journal"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static Task<EmulatorHost> StartAsync(TimeProvider clock, int processingMs = 5000) => EmulatorHost.StartAsync(new EmulatorOptions
    {
        ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0, TimeProvider = clock, AzureFileProcessingMs = processingMs,
    });

    private JournalEntry Spool(IBatchProvider provider)
    {
        using var spooler = new BatchSpooler(_journal, provider, "azfile", null);
        for (int i = 1; i <= Rows; i++)
            Assert.True(spooler.Add(new IrisBatchRequest
            {
                CustomId = "row-" + i, Model = "gpt-4o-mini-batch", Messages = new[] { new ChatMessage("user", "prompt " + i) }, RowNumber = i,
            }));
        var entry = spooler.Finish().Single().Entry;
        _journal.IndexFingerprint(entry);
        return entry;
    }

    [Theory]
    [InlineData("")]            // dated surface, /openai/...?api-version=
    [InlineData("openai/v1")]   // v1 surface
    public async Task Submit_waits_until_the_uploaded_file_is_processed_then_creates_once(string path)
    {
        // The emulator's clock stands still until the client has looked at the file once (and found it pending): then it
        // moves past the processing time. Before, real time: on a busy machine the first look could come after the file
        // was processed, and the test saw one look, not two.
        var clock = new ManualClock();
        await using var host = await StartAsync(clock, processingMs: 300);
        var waits = new List<string>();
        var settings = new HttpSettings
        {
            MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10),
            Log = line => { lock (waits) waits.Add(line); },
        };
        var provider = ProviderFactory.Create("AzureOpenAI", host.BaseUri.AbsoluteUri + path, "test-key", settings);
        var entry = Spool(provider);
        string look = "GET /" + (path.Length == 0 ? "openai" : path) + "/files/{file_id}";

        var submitting = new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);
        // Waits for the client to have seen the file pending (its log line), not for the emulator to have counted the look:
        // the count goes up as the request comes in, before the emulator reads its clock, so advancing the clock on the
        // count alone could make that first look see the file processed (one look, not two).
        bool SawPending() { lock (waits) return waits.Exists(l => l.Contains("pending", StringComparison.Ordinal)); }
        for (int i = 0; i < 3000 && !submitting.IsCompleted && !SawPending(); i++)
            await Task.Delay(10);
        clock.AdvanceMs(400);
        var batch = await submitting;

        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        string create = "POST /" + (path.Length == 0 ? "openai" : path) + "/batches";
        Assert.Equal(1, host.State.Stats.Routes[create]);   // no create was sent while the file was pending
        Assert.True(host.State.Stats.Routes[look] >= 2);
        Assert.Contains(waits, l => l.Contains(entry.InputFileId!, StringComparison.Ordinal) && l.Contains("pending", StringComparison.Ordinal));

        // The batch's validation runs on the thread pool: looked at until it is complete (at most 30 s on a busy machine).
        for (int i = 0; i < 3000 && !batch.IsComplete; i++)
        {
            batch = await provider.GetAsync(batch.Id, CancellationToken.None);
            if (!batch.IsComplete) await Task.Delay(10);
        }
        Assert.True(batch.IsComplete);
        var dir = Path.Combine(_dir, "results");
        Directory.CreateDirectory(dir);
        var files = await provider.DownloadResultsAsync(batch, dir, null, CancellationToken.None);
        var results = new ResultReader(provider, batch, _journal.RequestsPath(entry)).Read(files).ToList();
        Assert.Equal(Enumerable.Range(1, Rows).Select(i => "row-" + i).OrderBy(x => x), results.Select(r => r.CustomId).OrderBy(x => x));
        Assert.All(results, r => Assert.Equal(ResultStatus.Succeeded, r.Status));
    }

    [Fact]
    public async Task A_file_that_stays_pending_past_the_budget_stops_before_any_create()
    {
        var clock = new ManualClock();
        await using var host = await StartAsync(clock);
        var settings = new HttpSettings { MaxRetries = 0, BaseDelay = TimeSpan.FromMilliseconds(10) };
        var provider = (AzureOpenAIProvider)ProviderFactory.Create("AzureOpenAI", host.BaseUri.AbsoluteUri, "test-key", settings);
        provider.FileProcessingBudget = TimeSpan.FromMilliseconds(200);
        var entry = Spool(provider);

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(ErrorIds.ProviderError, ex.ErrorId);
        Assert.Contains(_journal.Load(entry.SubmissionId)!.InputFileId!, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        Assert.False(host.State.Stats.Routes.ContainsKey("POST /openai/batches"));

        // A rerun once the file is processed continues with the same file: still one upload, now one batch.
        clock.AdvanceMs(5000);
        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);
        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
    }

    [Fact]
    public async Task Emulator_keeps_an_azure_upload_pending_and_refuses_a_create_naming_it()
    {
        var clock = new ManualClock();
        await using var host = await StartAsync(clock);
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        http.DefaultRequestHeaders.Add("api-key", "test-key");
        const string V = "?api-version=2024-10-21";

        var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" } };
        var bytes = new ByteArrayContent(Encoding.UTF8.GetBytes(Lines.Jsonl(Lines.Many(2)).Replace("\"/v1/chat/completions\"", "\"/chat/completions\"")));
        bytes.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(bytes, "file", "input.jsonl");
        using var up = await http.PostAsync("/openai/files" + V, form);
        var file = await EmulatorApi.JsonAsync(up);
        string id = file.GetProperty("id").GetString()!;
        Assert.Equal("pending", file.GetProperty("status").GetString());

        var body = JsonSerializer.Serialize(new { input_file_id = id, endpoint = "/chat/completions", completion_window = "24h" });
        using (var refused = await http.PostAsync("/openai/batches" + V, new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = (await EmulatorApi.JsonAsync(refused)).GetProperty("error");
            Assert.Equal("file_not_processed", error.GetProperty("code").GetString());
            Assert.Equal("input_file_id", error.GetProperty("param").GetString());
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        }
        Assert.Equal(0, host.State.Stats.BatchesCreated);

        clock.AdvanceMs(5000);
        using (var get = await http.GetAsync($"/openai/files/{id}{V}"))
            Assert.Equal("processed", (await EmulatorApi.JsonAsync(get)).GetProperty("status").GetString());
        using (var created = await http.PostAsync("/openai/batches" + V, new StringContent(body, Encoding.UTF8, "application/json")))
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        // OpenAI's own surface is untouched by the switch: processed at once, created at once.
        using var api = new EmulatorApi(host);
        using var plainUpload = await api.UploadRawAsync(Lines.Jsonl(Lines.Many(1)));
        var plain = await EmulatorApi.JsonAsync(plainUpload);
        Assert.Equal("processed", plain.GetProperty("status").GetString());
        await api.CreateBatchAsync(plain.GetProperty("id").GetString()!);
        Assert.Equal(2, host.State.Stats.BatchesCreated);
    }
}
