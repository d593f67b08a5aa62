using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Providers.Ollama;
using IrisBatch.Tests.Emulator;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Issue 15, "Retry-After: honoured on every route of every provider, Ollama's chat calls included. A Retry-After longer
/// than the retry budget is not retried; the error says when to try again." Against the emulator's Ollama route, whose
/// arrival times are recorded server-side: the retry arrives no sooner than the 429's Retry-After allows (a lower bound on
/// behaviour, not a speed assertion).
/// </summary>
public sealed class OllamaRetryAfterTests : IDisposable
{
    private const string Chat = "POST /api/chat";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-ollama-ra-" + Guid.NewGuid().ToString("N"));

    public OllamaRetryAfterTests()
    {
        Directory.CreateDirectory(_dir);
        var body = JsonSerializer.Serialize(new { model = "llama3.2", messages = new[] { new { role = "user", content = "Why is the sky blue?" } }, stream = false });
        File.WriteAllText(Path.Combine(_dir, "input.jsonl"), "{\"custom_id\":\"request-1\",\"body\":" + body + "}\n");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static Task<EmulatorHost> StartAsync() => EmulatorHost.StartAsync(new EmulatorOptions { OllamaLatencyMs = 0 });

    private static async Task AddFaultAsync(EmulatorHost host, object rule)
    {
        using var api = new EmulatorApi(host);
        using var r = await api.PostJsonAsync("/_emulator/faults", JsonSerializer.Serialize(rule));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> RunAsync(EmulatorHost host, TimeSpan budget)
    {
        var settings = new HttpSettings { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = budget, AttemptTimeout = TimeSpan.FromSeconds(20) };
        var executor = new OllamaExecutor(_dir, new[] { host.BaseUri }, openAICompatible: false, settings, throttle: 1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));   // a hang fails the test rather than holding CI
        await executor.RunAsync(cts.Token);
        var line = Assert.Single(File.ReadAllLines(OllamaExecutor.ExecutedPath(_dir)), l => l.Length > 0);
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    [Fact]
    public async Task A_429_with_Retry_After_1_on_a_chat_call_is_not_sent_again_before_that_second_has_passed()
    {
        await using var host = await StartAsync();
        await AddFaultAsync(host, new { route = Chat, kind = "status", status_code = 429, retry_after = 1 });

        var line = await RunAsync(host, TimeSpan.FromSeconds(30));

        Assert.True(line.GetProperty("ok").GetBoolean(), line.GetRawText());
        Assert.Equal(1, host.State.Stats.FaultsInjected);
        var arrivals = host.State.Stats.ArrivalsMs(Chat);
        Assert.Equal(2, arrivals.Count);
        Assert.True(arrivals[1] - arrivals[0] >= 1000,
            $"the retry arrived {arrivals[1] - arrivals[0]:0} ms after the 429 that said Retry-After: 1");
        Assert.Equal(1, host.State.Stats.Ollama.Requests);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_budget_is_not_retried_and_the_error_says_when_to_try_again()
    {
        await using var host = await StartAsync();
        await AddFaultAsync(host, new { route = Chat, kind = "status", status_code = 429, retry_after = 3600 });

        var line = await RunAsync(host, TimeSpan.FromSeconds(5));

        Assert.False(line.GetProperty("ok").GetBoolean());
        var error = line.GetProperty("error");
        Assert.Equal(429, error.GetProperty("http_status").GetInt32());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("try again after", message);
        Assert.Contains("3600 s", message);
        Assert.Single(host.State.Stats.ArrivalsMs(Chat));
        Assert.Equal(0, host.State.Stats.Ollama.Requests);
    }
}
