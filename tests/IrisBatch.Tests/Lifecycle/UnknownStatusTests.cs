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
using IrisBatch.Submission;
using IrisBatch.Tests.Emulator;
using IrisBatch.Waiting;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Issue 15, "Unknown provider status": a status word outside the spec's enum becomes <see cref="BatchStatus.Unknown"/>
/// (its word kept in ProviderStatus, so the warning can name it), and a wait treats it as not finished and goes on
/// polling. The emulator's status_word fault answers the word on the next gets, as a service that grew a state would.
/// </summary>
public sealed class UnknownStatusTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-unknown-" + Guid.NewGuid().ToString("N"));
    private readonly JournalStore _journal;

    public UnknownStatusTests()
    {
        Directory.CreateDirectory(_dir);
        _journal = new JournalStore(Path.Combine(_dir, "journal"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>Each provider with a status word, the model it runs, and a word outside its spec's enum (in its own casing).</summary>
    public static IEnumerable<object[]> Cases => new[]
    {
        new object[] { "OpenAI", "gpt-4o-mini", "paused" },
        new object[] { "AzureOpenAI", "gpt-4o-mini-batch", "paused" },
        new object[] { "Anthropic", "claude-sonnet-4-5", "paused" },
        new object[] { "Gemini", "gemini-2.5-flash", "BATCH_STATE_PAUSED" },
        new object[] { "Groq", "llama-3.1-8b-instant", "paused" },
        new object[] { "Mistral", "mistral-small-latest", "PAUSED" },
        new object[] { "Together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "PAUSED" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_status_outside_the_enum_is_Unknown_and_a_wait_goes_on_polling_until_a_known_end(string name, string model, string word)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        var settings = new HttpSettings { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(20) };
        var provider = ExactlyOnceTests.Provider(host, name, settings);
        var entry = Spool(provider, model);
        var batch = await new BatchSubmitter(_journal, provider, settings).SubmitAsync(entry, null, CancellationToken.None);
        using (var api = new EmulatorApi(host))
        using (var r = await api.PostJsonAsync("/_emulator/faults", JsonSerializer.Serialize(new { route = "get", kind = "status_word", word, count = 3 })))
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());

        long getsBefore = Gets(host);
        var waiter = new BatchWaiter((b, ct) => provider.GetAsync(b.Id, ct)) { PollInterval = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromSeconds(60) };
        var events = waiter.Wait(new[] { batch }, CancellationToken.None).ToList();

        // The batch ended at once underneath; the three answers that said "paused" did not end the wait, the next did.
        Assert.Equal(4, events.Count);
        Assert.All(events.Take(3), e =>
        {
            Assert.Equal(WaitEventKind.Polled, e.Kind);
            Assert.Equal(BatchStatus.Unknown, e.Batch!.Status);
            Assert.Equal(word, e.Batch.ProviderStatus);
            Assert.False(e.Batch.IsComplete);
            Assert.Contains($"'{word}'", Messages.UnknownStatus(e.Batch.Provider, e.Batch.Id, e.Batch.ProviderStatus));
        });
        Assert.Equal(WaitEventKind.Completed, events[3].Kind);
        Assert.Equal(BatchStatus.Completed, events[3].Batch!.Status);
        Assert.Equal(4, Gets(host) - getsBefore);
    }

    private static long Gets(EmulatorHost host) => host.State.Stats.Routes.Where(r => Faults.RouteName(r.Key) == "get").Sum(r => r.Value);

    [Theory]
    [InlineData("OpenAI", "paused")]
    [InlineData("Anthropic", "suspended")]
    [InlineData("Gemini", "BATCH_STATE_PAUSED")]
    [InlineData("Mistral", "PAUSED")]
    [InlineData("Together", "PAUSED")]
    public void The_mapping_keeps_the_word_and_never_calls_it_Pending(string name, string word)
    {
        var status = name switch
        {
            "OpenAI" => IrisBatch.Providers.OpenAI.OpenAIJson.MapStatus(word),
            "Gemini" => IrisBatch.Providers.Gemini.GeminiJson.MapState(word),
            "Mistral" => IrisBatch.Providers.Mistral.MistralJson.MapStatus(word, started: true),
            "Together" => IrisBatch.Providers.Together.TogetherJson.MapStatus(word),
            _ => AnthropicStatus(word),
        };
        Assert.Equal(BatchStatus.Unknown, status);
        Assert.False(status.IsTerminal());
    }

    private static BatchStatus AnthropicStatus(string word)
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(new
        {
            id = "msgbatch_01x", type = "message_batch", processing_status = word,
            request_counts = new { processing = 1, succeeded = 0, errored = 0, canceled = 0, expired = 0 },
            created_at = "2026-01-01T00:00:00Z", expires_at = "2026-01-02T00:00:00Z",
        }));
        var b = IrisBatch.Providers.Anthropic.AnthropicJson.ReadBatch(doc.RootElement, new Uri("http://127.0.0.1/"));
        Assert.Equal(word, b.ProviderStatus);
        return b.Status;
    }

    private JournalEntry Spool(IBatchProvider provider, string model)
    {
        using var spooler = new BatchSpooler(_journal, provider, "unknown", null);
        for (int i = 1; i <= 5; i++)
            Assert.True(spooler.Add(new IrisBatchRequest
            {
                CustomId = "request-" + i,
                Model = model,
                Messages = new[] { new ChatMessage("user", "prompt " + i) },
                MaxTokens = 50,
                RowNumber = i,
            }));
        var entry = spooler.Finish().Single().Entry;
        _journal.IndexFingerprint(entry);
        return entry;
    }
}
