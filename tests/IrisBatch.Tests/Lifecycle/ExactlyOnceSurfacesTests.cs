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
/// Exactly-once on the surfaces <see cref="ExactlyOnceTests"/> does not reach (issue 15 audit): an upload whose answer is
/// lost after the provider stored the file, on every provider that uploads (Azure's two surfaces, Groq, Mistral, Together,
/// Gemini's file mode); a create whose answer is lost on Azure's v1 surface and Gemini's file mode; and a process killed
/// after its create acted, resumed from the journal alone, on every provider with a batch API.
/// </summary>
public sealed class ExactlyOnceSurfacesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-once2-" + Guid.NewGuid().ToString("N"));
    private readonly JournalStore _journal;
    private readonly ITestOutputHelper _out;
    private readonly List<string> _log = new();

    public ExactlyOnceSurfacesTests(ITestOutputHelper output)
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

    private static Task<EmulatorHost> StartAsync() =>
        EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });

    private HttpSettings Settings() => new HttpSettings
    {
        MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(30),
        Log = line => { lock (_log) _log.Add(line); },
    };

    /// <summary>A surface: the provider, the path under the emulator, the model, and whether it goes through Gemini's file mode.</summary>
    private sealed record Surface(string Provider, string Path, string Model, bool Embeddings, int Rows);

    private static readonly Dictionary<string, Surface> Surfaces = new()
    {
        ["OpenAI"] = new("OpenAI", "v1", "gpt-4o-mini", false, 10),
        ["AzureDated"] = new("AzureOpenAI", "", "gpt-4o-mini-batch", false, 10),
        ["AzureV1"] = new("AzureOpenAI", "openai/v1", "gpt-4o-mini-batch", false, 10),
        ["Groq"] = new("Groq", "groq/openai/v1", "llama-3.1-8b-instant", false, 10),
        ["Mistral"] = new("Mistral", "mistral/v1", "mistral-small-latest", false, 10),
        ["Together"] = new("Together", "together/v1", "meta-llama/Llama-3.3-70B-Instruct-Turbo", false, 10),
        // 120 full-size embedding vectors: past 4 MB of answers, so file mode (GeminiInputModeTests).
        ["GeminiFile"] = new("Gemini", "", "gemini-embedding-001", true, 120),
        ["Gemini"] = new("Gemini", "", "gemini-2.5-flash", false, 10),
        ["Anthropic"] = new("Anthropic", "", "claude-sonnet-4-5", false, 10),
        ["Xai"] = new("Xai", "xai/v1", "grok-4", false, 10),
    };

    public static IEnumerable<object[]> Uploading => new[] { "OpenAI", "AzureDated", "AzureV1", "Groq", "Mistral", "Together", "GeminiFile" }
        .Select(s => new object[] { s });

    public static IEnumerable<object[]> All => Surfaces.Keys.Select(s => new object[] { s });

    private static IBatchProvider Provider(EmulatorHost host, Surface s, HttpSettings settings) =>
        ProviderFactory.Create(s.Provider, host.BaseUri.AbsoluteUri + s.Path, "test-key", settings);

    private JournalEntry Spool(IBatchProvider provider, Surface s, IDictionary<string, string>? metadata = null)
    {
        using var spooler = new BatchSpooler(_journal, provider, "once2", metadata);
        for (int i = 1; i <= s.Rows; i++)
            Assert.True(spooler.Add(new IrisBatchRequest
            {
                CustomId = "request-" + i,
                Model = s.Model,
                Messages = new[] { new ChatMessage("user", "prompt " + i) },
                MaxTokens = s.Embeddings ? null : 50,
                Endpoint = s.Embeddings ? RequestEndpoint.Embeddings : RequestEndpoint.ChatCompletions,
                RowNumber = i,
            }));
        var entry = spooler.Finish().Single().Entry;
        _journal.IndexFingerprint(entry);
        return entry;
    }

    /// <summary>
    /// A test's surface, emulator, settings and provider, and (unless <paramref name="spool"/> is false) its spooled
    /// journal entry: what nearly every test here starts with. Disposing it stops the emulator.
    /// </summary>
    private async Task<Arranged> ArrangeAsync(string surface, bool spool = true)
    {
        var s = Surfaces[surface];
        var host = await StartAsync();
        try
        {
            var settings = Settings();
            var provider = Provider(host, s, settings);
            return new Arranged(s, host, settings, provider, spool ? Spool(provider, s) : null);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private sealed class Arranged : IAsyncDisposable
    {
        private readonly Surface _s;
        private readonly EmulatorHost _host;
        private readonly HttpSettings _settings;
        private readonly IBatchProvider _provider;
        private readonly JournalEntry? _entry;

        public Arranged(Surface s, EmulatorHost host, HttpSettings settings, IBatchProvider provider, JournalEntry? entry) =>
            (_s, _host, _settings, _provider, _entry) = (s, host, settings, provider, entry);

        public void Deconstruct(out Surface s, out EmulatorHost host, out HttpSettings settings, out IBatchProvider provider, out JournalEntry entry) =>
            (s, host, settings, provider, entry) = (_s, _host, _settings, _provider, _entry ?? throw new InvalidOperationException("arranged without spooling"));

        public void Deconstruct(out Surface s, out EmulatorHost host, out HttpSettings settings, out IBatchProvider provider) =>
            (s, host, settings, provider) = (_s, _host, _settings, _provider);

        public ValueTask DisposeAsync() => _host.DisposeAsync();
    }

    private static async Task ClearFaultsAsync(EmulatorHost host)
    {
        using var api = new EmulatorApi(host);
        using var r = await api.Http.DeleteAsync("/_emulator/faults");
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    private static async Task AddFaultAsync(EmulatorHost host, object rule)
    {
        using var api = new EmulatorApi(host);
        using var r = await api.PostJsonAsync("/_emulator/faults", JsonSerializer.Serialize(rule));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A first process uploaded (where the provider uploads), journaled "create started" and sent the create, which the
    /// provider carried out; the process died before the answer was journaled.
    /// </summary>
    private async Task<(JournalEntry Entry, string? FileId, IrisBatchInfo Made)> KilledAfterCreateAsync(EmulatorHost host, Surface s, HttpSettings settings, IBatchProvider provider)
    {
        var entry = Spool(provider, s);
        var submission = BatchSubmission.From(entry, _journal.InputPath(entry));
        _journal.Record(entry, JournalStep.UploadStarted);
        var fileId = await provider.UploadAsync(submission, null, CancellationToken.None);
        entry.InputFileId = fileId;
        entry.State = SubmissionState.Uploaded;
        _journal.Record(entry, JournalStep.Uploaded, fileId);
        _journal.Record(entry, JournalStep.CreateStarted);
        submission.InputFileId = fileId;
        var made = await Provider(host, s, settings).CreateAsync(submission, fileId, CancellationToken.None);
        return (entry, fileId, made);
    }

    /// <summary>Someone else's batches: another idempotency key each, on another (smaller) input.</summary>
    private async Task MakeStrangersAsync(IBatchProvider provider, Surface s, int count)
    {
        var other = Spool(provider, s with { Rows = 1 });
        var strangers = BatchSubmission.From(other, _journal.InputPath(other));
        var strangerFile = await provider.UploadAsync(strangers, null, CancellationToken.None);
        for (int i = 0; i < count; i++)
        {
            strangers.IdempotencyKey = "stranger-" + i;
            await provider.CreateAsync(strangers, strangerFile, CancellationToken.None);
        }
    }

    private async Task AssertAllSucceededAsync(IBatchProvider provider, IrisBatchInfo batch, JournalEntry entry, int rows)
    {
        for (int i = 0; i < 3000 && !batch.IsComplete; i++) batch = await provider.GetAsync(batch.Id, CancellationToken.None);
        Assert.True(batch.IsComplete, $"batch {batch.Id} did not end: {batch.Status}");
        var dir = Path.Combine(_dir, "results-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var files = await provider.DownloadResultsAsync(batch, dir, null, CancellationToken.None);
        var results = new ResultReader(provider, batch, _journal.RequestsPath(entry)).Read(files).ToList();
        Assert.Equal(Enumerable.Range(1, rows).Select(i => "request-" + i).OrderBy(x => x), results.Select(r => r.CustomId).OrderBy(x => x));
        Assert.All(results, r => Assert.Equal(ResultStatus.Succeeded, r.Status));
    }

    [Theory]
    [MemberData(nameof(Uploading))]
    public async Task An_upload_whose_answer_is_lost_is_found_not_sent_again(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "upload", kind = "reset_after" });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(batch.InputFileId ?? entry.InputFileId, _journal.Load(entry.SubmissionId)!.InputFileId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }

    [Theory]
    [InlineData("AzureV1")]
    [InlineData("GeminiFile")]
    public async Task A_create_whose_answer_is_lost_is_found_not_made_again(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "create", kind = "reset_after" });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }

    [Theory]
    [InlineData("AzureV1")]
    [InlineData("GeminiFile")]
    public async Task A_twin_of_a_lost_create_gives_SubmissionUncertain(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "create", kind = "duplicate" });

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(ErrorIds.SubmissionUncertain, ex.ErrorId);
        Assert.Equal(2, host.State.Stats.BatchesCreated);
        Assert.Null(_journal.Load(entry.SubmissionId)!.BatchId);
    }

    /// <summary>
    /// A first process uploaded (where the provider uploads), journaled "create started", sent the create, which the
    /// provider carried out, and died before the answer arrived. The next run has only the journal: it finds that batch
    /// and creates none.
    /// </summary>
    [Theory]
    [MemberData(nameof(All))]
    public async Task A_run_killed_after_its_create_acted_resumes_to_that_batch(string surface)
    {
        await using var arranged = await ArrangeAsync(surface, spool: false);
        var (s, host, settings, provider) = arranged;
        var (entry, fileId, made) = await KilledAfterCreateAsync(host, s, settings, provider);

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);

        Assert.Equal(made.Id, batch.Id);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(fileId == null ? 0 : 1, host.State.Stats.Uploads);
        Assert.Equal(made.Id, _journal.Load(entry.SubmissionId)!.BatchId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }
    /// <summary>
    /// As above, but 120 other batches were made after ours before the run resumed: newest first, 100 a page, ours is on
    /// the second page of the provider's list (the emulator pages each list as its spec does), so the look-up must page.
    /// </summary>
    [Theory]
    [MemberData(nameof(All))]
    public async Task A_killed_run_finds_its_batch_behind_a_full_page_of_newer_ones(string surface)
    {
        await using var arranged = await ArrangeAsync(surface, spool: false);
        var (s, host, settings, provider) = arranged;
        var (entry, fileId, made) = await KilledAfterCreateAsync(host, s, settings, provider);
        await MakeStrangersAsync(provider, s, 120);   // another key, another (smaller) input, made since

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);

        Assert.Equal(made.Id, batch.Id);
        Assert.Equal(121, host.State.Stats.BatchesCreated);
        Assert.Equal(made.Id, _journal.Load(entry.SubmissionId)!.BatchId);
    }
    /// <summary>
    /// A 5xx that came after the service did the work (a gateway lost the answer): ambiguous, so the client looks before
    /// sending again, and finds the batch or file that was made (the emulator's <c>status</c> fault with <c>after</c>).
    /// </summary>
    [Theory]
    [MemberData(nameof(All))]
    public async Task A_5xx_after_the_create_acted_ends_with_one_batch(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "create", kind = "status", status_code = 502, after = true });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Contains(_log, l => l.Contains("502", StringComparison.Ordinal));
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }

    /// <summary>
    /// Every create call fails with a 5xx, and the last one had made the batch (a gateway lost its answer): the last
    /// failure is looked up as a retry's is, and the batch adopted and journaled, not left billing behind a raw error.
    /// </summary>
    [Theory]
    [MemberData(nameof(All))]
    public async Task The_last_create_call_failing_after_it_acted_adopts_its_batch(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        // Rules are looked at in order: the first counts the first MaxRetries calls without firing, then fires on the last.
        await AddFaultAsync(host, new { route = "create", kind = "status", status_code = 502, after = true, skip = settings.MaxRetries });
        await AddFaultAsync(host, new { route = "create", kind = "status", status_code = 503, count = settings.MaxRetries });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(settings.MaxRetries + 1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        var saved = _journal.Load(entry.SubmissionId)!;
        Assert.Equal(SubmissionState.Created, saved.State);
        Assert.Equal(batch.Id, saved.BatchId);
        Assert.Equal(entry.SubmissionId, _journal.FindByBatchId(batch.Id)!.SubmissionId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }

    /// <summary>
    /// Every create call fails with a 5xx before acting: the look-up after the last finds nothing, so the run stops with
    /// IrisBatch.CreateUnconfirmed (may or may not exist, nothing resubmitted, run again), and the next run makes one batch.
    /// </summary>
    [Theory]
    [MemberData(nameof(All))]
    public async Task The_last_create_call_failing_before_it_acted_says_so_and_the_next_run_creates_once(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "create", kind = "status", status_code = 502, count = settings.MaxRetries + 1 });

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(ErrorIds.CreateUnconfirmed, ex.ErrorId);
        Assert.Equal(entry.SubmissionId, ex.Target);
        Assert.Contains("may or may not have been made", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found no such batch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was sent again", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Run the same Submit-IrisBatch command again", ex.Message, StringComparison.Ordinal);
        Assert.Equal(settings.MaxRetries + 1, host.State.Stats.FaultsInjected);
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        Assert.Null(_journal.Load(entry.SubmissionId)!.BatchId);

        var batch = await new BatchSubmitter(_journal, provider, Settings()).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }

    /// <summary>
    /// As above, but the look-up after the last create call fails too (its list call's connection is reset, or a 5xx): the same
    /// IrisBatch.CreateUnconfirmed, saying the look-up failed, and still nothing created.
    /// </summary>
    [Theory]
    [InlineData("reset_before")]
    [InlineData("status")]
    public async Task The_last_create_call_failing_and_its_look_up_failing_says_so(string listFault)
    {
        await using var arranged = await ArrangeAsync("OpenAI");
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "create", kind = "status", status_code = 502, count = settings.MaxRetries + 1 });
        // The look-ups after the first MaxRetries calls list one empty page each; the last one's list calls are reset, or
        // answered with a 503 (each retried by the client until it gives up).
        if (listFault == "status") await AddFaultAsync(host, new { route = "list", kind = "status", status_code = 503, skip = settings.MaxRetries, count = 100 });
        else await AddFaultAsync(host, new { route = "list", kind = "reset_before", skip = settings.MaxRetries, count = 100 });

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(ErrorIds.CreateUnconfirmed, ex.ErrorId);
        Assert.Contains("may or may not have been made", ex.Message, StringComparison.Ordinal);
        Assert.Contains("looking for it then failed too", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        Assert.Null(_journal.Load(entry.SubmissionId)!.BatchId);
    }

    /// <summary>
    /// The first upload or create call fails with a 5xx and the look-up after it fails too (a call before the last): the
    /// same IrisBatch.UploadUnconfirmed or CreateUnconfirmed as after the last call, not a bare ConnectionFailed, nothing
    /// stored or created, and the next run (the faults gone) looks, finds nothing and makes exactly one of each.
    /// </summary>
    [Theory]
    [InlineData("upload")]
    [InlineData("create")]
    public async Task A_look_up_failing_between_calls_says_so_and_the_next_run_makes_one(string step)
    {
        await using var arranged = await ArrangeAsync("OpenAI");
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = step, kind = "status", status_code = 502, count = 1 });
        await AddFaultAsync(host, new { route = "list", kind = "reset_before", count = 100 });

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(step == "upload" ? ErrorIds.UploadUnconfirmed : ErrorIds.CreateUnconfirmed, ex.ErrorId);
        Assert.Contains("looking for it then failed too", ex.Message, StringComparison.Ordinal);
        Assert.Equal((step == "upload" ? 0 : 1, 0), (host.State.Stats.Uploads, host.State.Stats.BatchesCreated));
        Assert.Null(_journal.Load(entry.SubmissionId)!.BatchId);

        await ClearFaultsAsync(host);
        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);
        Assert.Equal((1, 1), (host.State.Stats.Uploads, host.State.Stats.BatchesCreated));
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
    }

    /// <summary>
    /// The first <paramref name="calls"/> upload calls that carry the file each fail with a 5xx; the last of them after it
    /// stored the file when <paramref name="lastActed"/>. Rules are looked at in order, each counting the calls it skips.
    /// Gemini's upload is two calls on one route (start, then upload+finalize; a failed start is retried on its own), so
    /// there each attempt's finalize is failed by a rule of its own, skipping the calls before it.
    /// </summary>
    private static async Task FailUploadCallsAsync(EmulatorHost host, Surface s, int calls, bool lastActed)
    {
        if (s.Provider == "Gemini")
        {
            for (int i = calls - 1; i >= 0; i--)
                await AddFaultAsync(host, new { route = "upload", kind = "status", status_code = 502, after = lastActed && i == calls - 1, skip = 2 * i + 1, count = 1 });
            return;
        }
        if (lastActed)
        {
            await AddFaultAsync(host, new { route = "upload", kind = "status", status_code = 502, after = true, skip = calls - 1 });
            await AddFaultAsync(host, new { route = "upload", kind = "status", status_code = 503, count = calls - 1 });
        }
        else await AddFaultAsync(host, new { route = "upload", kind = "status", status_code = 502, count = calls });
    }

    /// <summary>
    /// Every upload call fails with a 5xx, and the last one had stored the file (a gateway lost its answer): the last
    /// failure is looked up as a retry's is, and the file used for the one batch, not left behind a raw error.
    /// </summary>
    [Theory]
    [MemberData(nameof(Uploading))]
    public async Task The_last_upload_call_failing_after_it_acted_uses_its_file(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        await FailUploadCallsAsync(host, s, settings.MaxRetries + 1, lastActed: true);

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(settings.MaxRetries + 1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        var saved = _journal.Load(entry.SubmissionId)!;
        Assert.Equal(SubmissionState.Created, saved.State);
        Assert.Equal(batch.Id, saved.BatchId);
        Assert.NotNull(saved.InputFileId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }

    /// <summary>
    /// Every upload call fails with a 5xx before acting: the look-up after the last finds no file, so the run stops with
    /// IrisBatch.UploadUnconfirmed (may or may not exist, nothing sent again, run again) and no batch, and the next run
    /// uploads once and makes one batch.
    /// </summary>
    [Theory]
    [MemberData(nameof(Uploading))]
    public async Task The_last_upload_call_failing_before_it_acted_says_so_and_the_next_run_creates_once(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        await FailUploadCallsAsync(host, s, settings.MaxRetries + 1, lastActed: false);

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(ErrorIds.UploadUnconfirmed, ex.ErrorId);
        Assert.Equal(entry.SubmissionId, ex.Target);
        Assert.Contains("may or may not have been uploaded", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found no such file", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was sent again", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Run the same Submit-IrisBatch command again", ex.Message, StringComparison.Ordinal);
        Assert.Equal(settings.MaxRetries + 1, host.State.Stats.FaultsInjected);
        Assert.Equal(0, host.State.Stats.Uploads);
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        var saved = _journal.Load(entry.SubmissionId)!;
        Assert.Null(saved.InputFileId);
        Assert.Null(saved.BatchId);

        var batch = await new BatchSubmitter(_journal, provider, Settings()).SubmitAsync(saved, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }

    /// <summary>
    /// As above, but the look-up after the last upload call fails too (its list call's connection is reset): the same
    /// IrisBatch.UploadUnconfirmed, saying the look-up failed, and nothing uploaded or created.
    /// </summary>
    [Fact]
    public async Task The_last_upload_call_failing_and_its_look_up_failing_says_so()
    {
        await using var arranged = await ArrangeAsync("OpenAI");
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "upload", kind = "status", status_code = 502, count = settings.MaxRetries + 1 });
        // The look-ups after the first MaxRetries calls list one empty page each; the last one's list calls are reset.
        await AddFaultAsync(host, new { route = "list", kind = "reset_before", skip = settings.MaxRetries, count = 100 });

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));

        Assert.Equal(ErrorIds.UploadUnconfirmed, ex.ErrorId);
        Assert.Contains("may or may not have been uploaded", ex.Message, StringComparison.Ordinal);
        Assert.Contains("looking for it then failed too", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.State.Stats.Uploads);
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        Assert.Null(_journal.Load(entry.SubmissionId)!.BatchId);
    }

    /// <summary>
    /// A run stops unconfirmed after its upload or create calls failed; the next run, which must look for what they made
    /// before sending anything, cannot look (its list calls are reset): it stops with the same IrisBatch.UploadUnconfirmed
    /// or CreateUnconfirmed, saying an earlier run's calls may have acted and the look-up failed, not the look-up's bare
    /// ConnectionFailed, and sends nothing. The run after that (the faults gone) looks, finds nothing, and makes one of each.
    /// </summary>
    [Theory]
    [InlineData("upload")]
    [InlineData("create")]
    public async Task A_rerun_whose_look_up_fails_says_the_earlier_calls_are_unconfirmed_and_sends_nothing(string step)
    {
        await using var arranged = await ArrangeAsync("OpenAI");
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = step, kind = "status", status_code = 502, count = settings.MaxRetries + 1 });
        var first = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None));
        Assert.Equal(step == "upload" ? ErrorIds.UploadUnconfirmed : ErrorIds.CreateUnconfirmed, first.ErrorId);
        long uploads = host.State.Stats.Uploads;
        await ClearFaultsAsync(host);
        await AddFaultAsync(host, new { route = "list", kind = "reset_before", count = 1000 });

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None));

        Assert.Equal(step == "upload" ? ErrorIds.UploadUnconfirmed : ErrorIds.CreateUnconfirmed, ex.ErrorId);
        Assert.Equal(entry.SubmissionId, ex.Target);
        Assert.Contains(step == "upload" ? "may or may not have been uploaded" : "may or may not have been made", ex.Message, StringComparison.Ordinal);
        Assert.Contains("an earlier run", ex.Message, StringComparison.Ordinal);
        Assert.Contains("now failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Run the same Submit-IrisBatch command again", ex.Message, StringComparison.Ordinal);
        if (step == "create") Assert.Contains($"sent {settings.MaxRetries + 1} create calls", ex.Message, StringComparison.Ordinal);
        Assert.Equal((uploads, 0), (host.State.Stats.Uploads, host.State.Stats.BatchesCreated));
        Assert.Null(_journal.Load(entry.SubmissionId)!.BatchId);

        await ClearFaultsAsync(host);
        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);
        Assert.Equal((1, 1), (host.State.Stats.Uploads, host.State.Stats.BatchesCreated));
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
    }

    [Theory]
    [MemberData(nameof(Uploading))]
    public async Task A_5xx_after_the_upload_acted_ends_with_one_upload(string surface)
    {
        await using var arranged = await ArrangeAsync(surface);
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "upload", kind = "status", status_code = 500, after = true });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }
    /// <summary>
    /// Together's SDK upload flow (spec §14.2: the form, a 302 to a presigned URL, the PUT of the bytes, the preprocess),
    /// taken where POST /files/upload is absent: whichever step's answer is lost, the file is stored once and one batch made.
    /// </summary>
    [Theory]
    [InlineData("POST /together/v1/files", "reset_after")]
    [InlineData("PUT /together/_upload/{token}", "reset_after")]
    [InlineData("PUT /together/_upload/{token}", "status")]
    [InlineData("POST /together/v1/files/{file_id}/preprocess", "reset_after")]
    public async Task Together_redirect_upload_whose_answer_is_lost_is_stored_once(string route, string kind)
    {
        var s = Surfaces["Together"];
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0, TogetherUploadRoute = false,
        });
        var settings = Settings();
        var provider = Provider(host, s, settings);
        var entry = Spool(provider, s);
        if (kind == "status") await AddFaultAsync(host, new { route, kind, status_code = 503, after = true });
        else await AddFaultAsync(host, new { route, kind });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }
    /// <summary>
    /// Gemini's resumable upload is two calls on one route (spec §4: start, then upload+finalize): the finalize's answer
    /// lost after the file was stored is found again by its display name; a lost start left no file, so it is sent again.
    /// </summary>
    [Theory]
    [InlineData(0, "reset_after")]
    [InlineData(1, "reset_after")]
    [InlineData(1, "status")]
    public async Task Gemini_file_mode_upload_whose_answer_is_lost_is_stored_once(int skip, string kind)
    {
        await using var arranged = await ArrangeAsync("GeminiFile");
        var (s, host, settings, provider, entry) = arranged;
        if (kind == "status") await AddFaultAsync(host, new { route = "upload", kind, skip, status_code = 503, after = true });
        else await AddFaultAsync(host, new { route = "upload", kind, skip });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(1, host.State.Stats.Uploads);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }
    /// <summary>
    /// Groq's list has no documented order (spec §13.5). Listed oldest first, its first page holds only batches made long
    /// before this submission began: the look-up must not take that page for the end of the window, or it misses the batch
    /// the lost create made, on the second page, and creates another one.
    /// </summary>
    [Fact]
    public async Task Groq_listed_oldest_first_still_finds_a_lost_create_behind_a_page_of_old_batches()
    {
        var s = Surfaces["Groq"];
        var clock = new ManualClock(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(30));
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0, TimeProvider = clock, GroqListOldestFirst = true,
        });
        var settings = Settings();
        var provider = Provider(host, s, settings);
        await MakeStrangersAsync(provider, s, 120);   // someone else's, made half an hour ago
        clock.Advance(TimeSpan.FromMinutes(30));
        var entry = Spool(provider, s);
        await AddFaultAsync(host, new { route = "create", kind = "reset_after" });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.Equal(1, host.State.Stats.FaultsInjected);
        Assert.Equal(121, host.State.Stats.BatchesCreated);
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
    }
    /// <summary>
    /// The user's -Metadata fills all 16 pairs OpenAI-like hosts allow (spec §1.4), so the idempotency key cannot travel:
    /// the batch the lost create made is still found, by this submission's own input file, and a stranger's is not taken.
    /// </summary>
    [Theory]
    [InlineData("OpenAI")]
    [InlineData("AzureDated")]
    [InlineData("AzureV1")]
    [InlineData("Groq")]
    public async Task A_lost_create_whose_metadata_had_no_room_for_the_key_is_found_by_its_input_file(string surface)
    {
        await using var arranged = await ArrangeAsync(surface, spool: false);
        var (s, host, settings, provider) = arranged;
        var full = Enumerable.Range(1, 16).ToDictionary(i => "k" + i, i => "v" + i);
        var stranger = Spool(provider, s, full);
        var strangerBatch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(stranger, null, CancellationToken.None);
        var pointer = Path.Combine(_journal.Root, "ids", strangerBatch.Id);
        Assert.True(File.Exists(pointer));
        File.Delete(pointer);   // not in this journal: a look-up sees it as anyone's
        var entry = Spool(provider, s, full);
        await AddFaultAsync(host, new { route = "create", kind = "reset_after" });

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        Assert.NotEqual(strangerBatch.Id, batch.Id);
        Assert.Equal(2, host.State.Stats.BatchesCreated);
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
        await AssertAllSucceededAsync(provider, batch, entry, s.Rows);
    }
    /// <summary>
    /// A run journaled "create started" and stopped before its create was sent (killed). Long after, someone else made a
    /// batch of the same size. Anthropic's batches echo nothing else, so only time can tell them apart: the resumed run's
    /// window ends where the stopped run's last create call could have ended (each call is journaled as it is sent, plus the
    /// attempt time and the clock-skew margin), so that batch is not adopted and this run makes its own. Before, a resumed
    /// look-up had no end to its window and adopted it.
    /// </summary>
    [Fact]
    public async Task A_resumed_look_up_does_not_adopt_a_batch_made_long_after_the_stopped_run()
    {
        var s = Surfaces["Anthropic"];
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0, TimeProvider = clock,
        });
        var settings = Settings();
        var provider = Provider(host, s, settings);
        var entry = Spool(provider, s);
        _journal.Record(entry, JournalStep.UploadStarted);
        entry.State = SubmissionState.Uploaded;
        _journal.Record(entry, JournalStep.Uploaded);
        _journal.Record(entry, JournalStep.CreateStarted);   // and then the process died, before sending
        // 20 minutes later (the provider's clock), someone else's batch of the same size.
        clock.Advance(TimeSpan.FromMinutes(20));
        var other = Spool(provider, s);
        var theirs = await provider.CreateAsync(BatchSubmission.From(other, _journal.InputPath(other)), null, CancellationToken.None);

        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);

        Assert.NotEqual(theirs.Id, batch.Id);
        Assert.Equal(2, host.State.Stats.BatchesCreated);
        Assert.Equal(batch.Id, _journal.Load(entry.SubmissionId)!.BatchId);
    }

    /// <summary>
    /// A run with a 30-minute attempt timeout journaled its create call and was killed while the call was under way; the
    /// provider made the batch 20 minutes later (a slow call). The resumed run has a 30-second timeout: its look-up's window
    /// must end where the killed run's call could have ended, by that run's journaled timeout, not by this run's, or it
    /// misses the batch and pays for a second one. Before, the window used this run's timeout and a second batch was made.
    /// </summary>
    [Fact]
    public async Task A_resumed_look_up_uses_the_stopped_runs_attempt_timeout()
    {
        var s = Surfaces["OpenAI"];
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0, TimeProvider = clock,
        });
        var slow = Settings();
        slow.AttemptTimeout = TimeSpan.FromMinutes(30);
        var provider = Provider(host, s, slow);
        var entry = Spool(provider, s);
        // The killed run: its upload, then its create call journaled as the submitter journals it, with its timeout.
        var submission = BatchSubmission.From(entry, _journal.InputPath(entry));
        _journal.Record(entry, JournalStep.UploadStarted);
        var fileId = await provider.UploadAsync(submission, null, CancellationToken.None);
        entry.InputFileId = fileId;
        entry.State = SubmissionState.Uploaded;
        _journal.Record(entry, JournalStep.Uploaded, fileId);
        _journal.Record(entry, JournalStep.CreateStarted, BatchSubmitter.CreateCallDetail(slow.AttemptTimeout));
        Assert.Equal(slow.AttemptTimeout, BatchSubmitter.AttemptTimeoutOf(_journal.Load(entry.SubmissionId)!.History.Last()));
        clock.Advance(TimeSpan.FromMinutes(20));
        submission.InputFileId = fileId;
        var made = await provider.CreateAsync(submission, fileId, CancellationToken.None);

        var quick = Settings();
        quick.AttemptTimeout = TimeSpan.FromSeconds(30);
        var batch = await new BatchSubmitter(_journal, Provider(host, s, quick), quick).SubmitAsync(_journal.Load(entry.SubmissionId)!, null, CancellationToken.None);

        Assert.Equal(made.Id, batch.Id);
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(made.Id, _journal.Load(entry.SubmissionId)!.BatchId);
    }

    /// <summary>Each create call the submitter sends is journaled with the attempt timeout it was sent with.</summary>
    [Fact]
    public async Task Each_create_call_is_journaled_with_its_attempt_timeout()
    {
        await using var arranged = await ArrangeAsync("OpenAI");
        var (s, host, settings, provider, entry) = arranged;
        await AddFaultAsync(host, new { route = "create", kind = "status", status_code = 503 });

        await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);

        var calls = _journal.Load(entry.SubmissionId)!.History.Where(h => h.Step == JournalStep.CreateStarted).ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal(settings.AttemptTimeout, BatchSubmitter.AttemptTimeoutOf(c)));
    }
}
