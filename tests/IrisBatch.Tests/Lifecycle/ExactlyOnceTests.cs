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
using IrisBatch.Providers;
using IrisBatch.Results;
using IrisBatch.Submission;
using IrisBatch.Tests.Emulator;
using Xunit;
using Xunit.Abstractions;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Exactly-once on every provider with a batch API (issue 15), through the core against the emulator: a create whose
/// answer is lost is found and adopted, never made twice; a 429 is retried without a look-up; a second candidate stops
/// with SubmissionUncertain; a batch the journal owns is never adopted; xAI's add-requests calls are never repeated blindly.
/// </summary>
public sealed class ExactlyOnceTests : IDisposable
{
    private const int Rows = 10;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-once-" + Guid.NewGuid().ToString("N"));
    private readonly JournalStore _journal;
    private readonly ITestOutputHelper _out;
    private readonly List<string> _log = new();

    public ExactlyOnceTests(ITestOutputHelper output)
    {
        _out = output;
        Directory.CreateDirectory(_dir);
        _journal = new JournalStore(Path.Combine(_dir, "journal"));
    }

    public void Dispose()
    {
        foreach (var line in _log) _out.WriteLine(line);
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    public static IEnumerable<object[]> Providers => new[] { "OpenAI", "AzureOpenAI", "Anthropic", "Gemini", "Xai", "Groq", "Mistral", "Together" }
        .Select(p => new object[] { p });

    private static Task<EmulatorHost> StartAsync() =>
        EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });

    private HttpSettings Settings() => new HttpSettings
    {
        MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(20),
        Log = line => { lock (_log) _log.Add(line); },
    };

    private static string ModelOf(string provider) => provider switch
    {
        "OpenAI" => "gpt-4o-mini",
        "Anthropic" => "claude-sonnet-4-5",
        "Gemini" => "gemini-2.5-flash",
        "AzureOpenAI" => "gpt-4o-mini-batch",
        "Groq" => "llama-3.1-8b-instant",
        "Mistral" => "mistral-small-latest",
        "Together" => "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        _ => "grok-4",
    };

    private static string PathOf(string provider) => provider switch
    {
        "OpenAI" => "v1",
        "Xai" => "xai/v1",
        "Groq" => "groq/openai/v1",
        "Mistral" => "mistral/v1",
        "Together" => "together/v1",
        _ => "",
    };

    internal static IBatchProvider Provider(EmulatorHost host, string provider, HttpSettings settings) =>
        ProviderFactory.Create(provider, host.BaseUri.AbsoluteUri + PathOf(provider), "test-key", settings);

    private JournalEntry Spool(IBatchProvider provider, string model, int rows = Rows, string prefix = "request-")
    {
        using var spooler = new BatchSpooler(_journal, provider, "once", null);
        for (int i = 1; i <= rows; i++)
            Assert.True(spooler.Add(new IrisBatchRequest
            {
                CustomId = prefix + i,
                Model = model,
                Messages = new[] { new ChatMessage("user", "prompt " + i) },
                MaxTokens = 50,
                RowNumber = i,
            }));
        var entry = spooler.Finish().Single().Entry;
        _journal.IndexFingerprint(entry);
        return entry;
    }

    private static async Task AddFaultAsync(EmulatorHost host, object rule)
    {
        using var api = new EmulatorApi(host);
        using var r = await api.PostJsonAsync("/_emulator/faults", JsonSerializer.Serialize(rule));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>Batches created on any surface (each test talks to one provider), lost answers included.</summary>
    private static long BatchCount(EmulatorHost host, string provider) => host.State.Stats.BatchesCreated;

    private static long ListCalls(EmulatorHost host) =>
        host.State.Stats.Routes.Where(r => r.Key.StartsWith("GET ", StringComparison.Ordinal)
            && (r.Key.EndsWith("/batches", StringComparison.Ordinal) || r.Key.EndsWith("/batch/jobs", StringComparison.Ordinal))).Sum(r => r.Value);

    /// <summary>Polls until the batch ends (the emulator runs with zero lifecycle times), downloads, and reads every result.</summary>
    private async Task<List<IrisBatchResult>> ResultsAsync(IBatchProvider provider, IrisBatchInfo batch, JournalEntry entry)
    {
        for (int i = 0; i < 500 && !batch.IsComplete; i++) batch = await provider.GetAsync(batch.Id, CancellationToken.None);
        Assert.True(batch.IsComplete, $"batch {batch.Id} did not end: {batch.Status}");
        var dir = Path.Combine(_dir, "results-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var files = await provider.DownloadResultsAsync(batch, dir, null, CancellationToken.None);
        return new ResultReader(provider, batch, _journal.RequestsPath(entry)).Read(files).ToList();
    }

    private static void AssertAllSucceeded(List<IrisBatchResult> results, int rows = Rows, string prefix = "request-")
    {
        Assert.Equal(Enumerable.Range(1, rows).Select(i => prefix + i).OrderBy(x => x), results.Select(r => r.CustomId).OrderBy(x => x));
        Assert.All(results, r => Assert.Equal(ResultStatus.Succeeded, r.Status));
    }

    /// <summary>The providers whose input is a file uploaded before the create (Gemini only above 19 MB; none here).</summary>
    private static bool Uploads(string provider) => provider is "OpenAI" or "AzureOpenAI" or "Groq" or "Mistral" or "Together";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_create_whose_answer_is_lost_ends_with_one_batch_and_every_result(string name)
    {
        await using var host = await StartAsync();
        var settings = Settings();
        var provider = Provider(host, name, settings);
        var entry = Spool(provider, ModelOf(name));
        await AddFaultAsync(host, new { route = "create", kind = "reset_after" });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, BatchCount(host, name));
        Assert.Equal(Uploads(name) ? 1 : 0, host.State.Stats.Uploads);
        Assert.True(ListCalls(host) >= 1, "the lost answer is looked for");
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
        var results = await ResultsAsync(provider, batch, entry);
        AssertAllSucceeded(results);
        _out.WriteLine($"{name} reset-after-create: batches {BatchCount(host, name)}, uploads {host.State.Stats.Uploads}, results {results.Count}/{Rows}, list calls {ListCalls(host)}");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_429_with_Retry_After_on_create_is_retried_without_a_look_up(string name)
    {
        await using var host = await StartAsync();
        var settings = Settings();
        var provider = Provider(host, name, settings);
        // A stranger's batch of the same size, made a moment ago: a look-up could mistake it for ours.
        var stranger = Spool(provider, ModelOf(name), prefix: "other-");
        var strangerBatch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(stranger, null, CancellationToken.None);
        File.Delete(Path.Combine(_journal.Root, "ids", strangerBatch.Id.Replace('/', '~').Replace(':', '!')));   // not in this journal
        var entry = Spool(provider, ModelOf(name));
        await AddFaultAsync(host, new { route = "create", kind = "status", status_code = 429, retry_after = 1 });
        long listsBefore = ListCalls(host);

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.NotEqual(strangerBatch.Id, batch.Id);
        Assert.Equal(2, BatchCount(host, name));
        // No look-up; Anthropic, whose batches echo only their size, lists once before its create to note the stranger's.
        Assert.Equal(listsBefore + (name == "Anthropic" ? 1 : 0), ListCalls(host));
        Assert.Equal(Uploads(name) ? 2 : 0, host.State.Stats.Uploads);   // the stranger's and ours, each once
        Assert.Contains(_log, l => l.Contains("in 1 s") && l.Contains("did not act"));
        var results = await ResultsAsync(provider, batch, entry);
        AssertAllSucceeded(results);
        _out.WriteLine($"{name} 429-on-create: batches for these rows 1 (2 with the stranger's), uploads for these rows {host.State.Stats.Uploads / 2}, results {results.Count}/{Rows}, list calls {ListCalls(host) - listsBefore}");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_create_lost_before_it_reached_the_provider_never_adopts_a_strangers_batch_of_the_same_size(string name)
    {
        await using var host = await StartAsync();
        var settings = Settings();
        var provider = Provider(host, name, settings);
        // A stranger's batch of the same size, made a moment ago by another process (not in this journal).
        var stranger = Spool(provider, ModelOf(name), prefix: "other-");
        var strangerBatch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(stranger, null, CancellationToken.None);
        File.Delete(Path.Combine(_journal.Root, "ids", strangerBatch.Id.Replace('/', '~').Replace(':', '!')));
        var entry = Spool(provider, ModelOf(name));
        // The connection drops before the create reaches the provider: it made nothing, and the look-up finds only the
        // stranger's batch (for Anthropic, a batch of the same size is all a look-up can match on).
        await AddFaultAsync(host, new { route = "create", kind = "reset_before" });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.NotEqual(strangerBatch.Id, batch.Id);
        Assert.Equal(2, BatchCount(host, name));
        var results = await ResultsAsync(provider, batch, entry);
        AssertAllSucceeded(results);
        _out.WriteLine($"{name} reset-before-create beside a stranger's batch: ours {batch.Id}, the stranger's {strangerBatch.Id}");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_second_candidate_gives_SubmissionUncertain_and_AdoptBatchId_settles_it(string name)
    {
        await using var host = await StartAsync();
        var settings = Settings();
        var provider = Provider(host, name, settings);
        var entry = Spool(provider, ModelOf(name));
        // The create's answer is lost, and the provider made a twin of it from the very same body (as a concurrent run
        // of the same submission, or a proxy's own retry, would leave): two candidates.
        await AddFaultAsync(host, new { route = "create", kind = "duplicate" });
        long before = BatchCount(host, name);

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(ErrorIds.SubmissionUncertain, ex.ErrorId);
        Assert.Equal(before + 2, BatchCount(host, name));   // the lost create and its twin; then nothing more
        Assert.Contains("-AdoptBatchId", ex.Message);
        var reloaded = _journal.Load(entry.SubmissionId)!;
        Assert.Null(reloaded.BatchId);
        var ids = reloaded.History.Last(h => h.State == JournalSteps.Uncertain).Detail!.Split(',');
        Assert.Equal(2, ids.Length);
        Assert.All(ids, id => Assert.Contains(id, ex.Message));

        // Run again, naming one: it is adopted, nothing is created.
        var again = new BatchSubmitter(_journal, provider, settings) { Adopt = new HashSet<string> { ids[1] } };
        var batch = await again.SubmitAsync(reloaded, null, CancellationToken.None);
        Assert.Equal(ids[1], batch.Id);
        Assert.Empty(again.Adopt);
        Assert.Equal(before + 2, BatchCount(host, name));
        AssertAllSucceeded(await ResultsAsync(provider, batch, reloaded));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_batch_the_journal_owns_is_never_adopted(string name)
    {
        await using var host = await StartAsync();
        var settings = Settings();
        var provider = Provider(host, name, settings);
        // An earlier submission of the same rows, still in the journal (e.g. -Force): same size, same model, same key
        // for the providers that derive it from the rows.
        var earlier = Spool(provider, ModelOf(name));
        var earlierBatch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(earlier, null, CancellationToken.None);
        var entry = Spool(provider, ModelOf(name));
        await AddFaultAsync(host, new { route = "create", kind = "reset_after" });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.NotEqual(earlierBatch.Id, batch.Id);
        Assert.Equal(2, BatchCount(host, name));
        AssertAllSucceeded(await ResultsAsync(provider, batch, entry));
    }

    [Theory]
    [InlineData("OpenAI")]
    [InlineData("AzureOpenAI")]
    public async Task An_upload_whose_answer_was_lost_is_found_on_a_later_page_of_the_files_list(string name)
    {
        await using var host = await StartAsync();
        var settings = Settings();
        var provider = Provider(host, name, settings);
        ((IrisBatch.Providers.OpenAI.OpenAIProvider)provider).FileListPageSize = 2;
        var entry = Spool(provider, ModelOf(name));
        // A first run sent the upload and died before its answer was journaled; five more files were uploaded since
        // (newest first, so ours is on the third page of two).
        _journal.Record(entry, JournalSteps.UploadStarted);
        using (var api = new EmulatorApi(host))
        {
            var ours = await api.UploadAsync(File.ReadAllText(_journal.InputPath(entry)), IrisBatch.Providers.OpenAI.OpenAIProvider.UploadFileName(entry.IdempotencyKey));
            for (int i = 0; i < 5; i++) await api.UploadAsync("{}\n", $"someone-else-{i}.jsonl");
            long listsBefore = FileListCalls(host);

            var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);

            Assert.Equal(6, host.State.Stats.Uploads);   // ours once, and the others': nothing uploaded again
            Assert.Equal(ours, batch.InputFileId);
            Assert.Equal(3, FileListCalls(host) - listsBefore);
            Assert.Equal(1, BatchCount(host, name));
            AssertAllSucceeded(await ResultsAsync(provider, batch, entry));
        }
    }

    [Fact]
    public async Task Gemini_finds_a_lost_upload_on_a_later_page_of_the_files_list()
    {
        await using var host = await StartAsync();
        var provider = Provider(host, "Gemini", Settings());
        const string key = "key-paged";
        using var api = new GeminiApi(host);
        var ours = await api.UploadAsync("{}\n", IrisBatch.Providers.Gemini.GeminiProvider.UploadDisplayName(key));
        // 100 files uploaded since: newest first, 100 a page, ours is on the second page.
        for (int i = 0; i < 100; i++) await api.UploadAsync("{}\n", $"someone-else-{i}");
        long listsBefore = FileListCalls(host);

        var found = await provider.FindUploadAsync(key, CancellationToken.None);

        Assert.Equal(ours.GetProperty("name").GetString(), found);
        Assert.Equal(2, FileListCalls(host) - listsBefore);
        Assert.Null(await provider.FindUploadAsync("key-never-uploaded", CancellationToken.None));
    }

    private static long FileListCalls(EmulatorHost host) =>
        host.State.Stats.Routes.Where(r => r.Key.StartsWith("GET ", StringComparison.Ordinal) && r.Key.EndsWith("/files", StringComparison.Ordinal)).Sum(r => r.Value);

    [Fact]
    public async Task A_Retry_After_longer_than_the_budget_is_not_retried_and_says_when_to_try_again()
    {
        await using var host = await StartAsync();
        var settings = Settings();
        settings.MaxDelay = TimeSpan.FromSeconds(5);
        var provider = Provider(host, "Anthropic", settings);
        var entry = Spool(provider, ModelOf("Anthropic"));
        await AddFaultAsync(host, new { route = "create", kind = "status", status_code = 429, retry_after = 3600 });

        var ex = await Assert.ThrowsAsync<ApiException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(ErrorIds.RateLimited, ex.ErrorId);
        Assert.False(ex.Retryable);
        Assert.NotNull(ex.RetryAt);
        Assert.Contains("try again after", ex.Message);
        Assert.Equal(0, BatchCount(host, "Anthropic"));
        Assert.Equal(1, host.State.Stats.RouteCalls("POST /v1/messages/batches"));
    }

    [Fact]
    public async Task Xai_add_requests_whose_answer_is_lost_are_not_added_twice()
    {
        await using var host = await StartAsync();
        var settings = Settings();
        var provider = Provider(host, "Xai", settings);
        var entry = Spool(provider, ModelOf("Xai"));
        await AddFaultAsync(host, new { route = "POST /xai/v1/batches/{batch_id}/requests", kind = "reset_after" });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.XaiBatchCount);
        Assert.Equal(Rows, batch.Total);
        Assert.Equal(1, host.State.Stats.RouteCalls("POST /xai/v1/batches/{batch_id}/requests"));
        AssertAllSucceeded(await ResultsAsync(provider, batch, entry));
    }

    [Fact]
    public async Task Xai_a_resumed_partly_filled_batch_is_completed_not_replaced()
    {
        await using var host = await StartAsync();
        var settings = Settings();
        var provider = Provider(host, "Xai", settings);
        var entry = Spool(provider, ModelOf("Xai"));
        // A first run made the container and added 4 of the 10 requests, then died.
        _journal.Record(entry, JournalSteps.UploadStarted);
        entry.State = SubmissionState.Uploaded;
        _journal.Record(entry, JournalSteps.Uploaded);
        _journal.Record(entry, JournalSteps.CreateStarted);
        using (var api = new EmulatorApi(host))
        {
            var name = IrisBatch.Providers.Gemini.GeminiNames.Compose(entry.Name, entry.IdempotencyKey);
            using var created = await api.PostJsonAsync("/xai/v1/batches", JsonSerializer.Serialize(new { name }));
            Assert.True(created.IsSuccessStatusCode);
            var id = (await EmulatorApi.JsonAsync(created)).GetProperty("batch_id").GetString();
            var first = File.ReadLines(_journal.InputPath(entry)).Take(4);
            using var added = await api.PostJsonAsync($"/xai/v1/batches/{id}/requests", "{\"batch_requests\":[" + string.Join(",", first) + "]}");
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);

        Assert.Equal(1, host.State.XaiBatchCount);
        Assert.Equal(Rows, batch.Total);
        Assert.Equal(2, host.State.Stats.RouteCalls("POST /xai/v1/batches/{batch_id}/requests"));
        AssertAllSucceeded(await ResultsAsync(provider, batch, entry));
    }
}
