using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Providers;
using IrisBatch.Providers.Ollama;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Issue 6: -Provider Ollama runs batches on "any OpenAI-compatible chat server (vLLM, llama.cpp, LM Studio)". vLLM and
/// llama.cpp started with --api-key answer 401 without "Authorization: Bearer &lt;key&gt;": -ApiKey must reach them, and
/// no error may repeat it. A stand-in server that wants a key plays such a server.
/// </summary>
public sealed class OllamaApiKeyTests : IDisposable
{
    private const string Key = "sk-local-secret-123";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-ollama-key-" + Guid.NewGuid().ToString("N"));
    private readonly HttpListener _server = new();
    private readonly Uri _baseUri;
    private int _authorized, _refused;

    public OllamaApiKeyTests()
    {
        Directory.CreateDirectory(_dir);
        var body = JsonSerializer.Serialize(new { model = "qwen2.5", messages = new[] { new { role = "user", content = "Hello" } }, stream = false });
        File.WriteAllText(Path.Combine(_dir, "input.jsonl"), "{\"custom_id\":\"request-1\",\"body\":" + body + "}\n");
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _server.Prefixes.Add($"http://127.0.0.1:{port}/");
        _server.Start();
        _baseUri = new Uri($"http://127.0.0.1:{port}/v1");
        _ = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_server.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _server.GetContextAsync(); }
            catch (Exception) { return; }
            bool ok = ctx.Request.Headers["Authorization"] == "Bearer " + Key && ctx.Request.Url!.AbsolutePath == "/v1/chat/completions";
            if (ok) Interlocked.Increment(ref _authorized); else Interlocked.Increment(ref _refused);
            var answer = ok
                ? "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"qwen2.5\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi there\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}"
                : "{\"error\":{\"message\":\"Unauthorized\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";
            ctx.Response.StatusCode = ok ? 200 : 401;
            ctx.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(answer);
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _server.Close();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private async Task<JsonElement> RunAsync(string apiKey)
    {
        var settings = new HttpSettings { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(20) };
        var executor = new OllamaExecutor(_dir, new[] { _baseUri }, openAICompatible: true, settings, throttle: 1, apiKey);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await executor.RunAsync(cts.Token);
        var line = Assert.Single(File.ReadAllLines(OllamaExecutor.ExecutedPath(_dir)), l => l.Length > 0);
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    [Fact]
    public async Task The_key_goes_to_an_OpenAI_compatible_server_as_a_bearer_token()
    {
        var line = await RunAsync(Key);
        Assert.True(line.GetProperty("ok").GetBoolean(), line.GetRawText());
        Assert.Equal("Hi there", line.GetProperty("output").GetString());
        Assert.Equal(1, _authorized);
        Assert.Equal(0, _refused);
    }

    [Fact]
    public void The_provider_built_with_ApiKey_keeps_it_for_its_runs()
    {
        var provider = ProviderFactory.Create("Ollama", _baseUri.AbsoluteUri, Key, new HttpSettings());
        var field = typeof(OllamaProvider).GetField("_apiKey", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
        Assert.NotNull(field);
        Assert.Equal(Key, field!.GetValue(provider));
    }

    [Fact]
    public async Task Without_a_key_the_request_fails_with_the_server_s_401_and_nothing_repeats_a_key()
    {
        var line = await RunAsync("");
        Assert.False(line.GetProperty("ok").GetBoolean());
        Assert.Equal(401, line.GetProperty("error").GetProperty("http_status").GetInt32());
        Assert.DoesNotContain(Key, line.GetRawText());
        Assert.Equal(0, _authorized);
    }
}
