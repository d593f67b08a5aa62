using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Ollama over raw HTTP (spec §6): native /api/chat (streamed or not), the OpenAI-compatible /v1/chat/completions, the
/// parallel limit's 503, the execution counters that prove exactly-once, and --ollama-only servers.
/// </summary>
public sealed class OllamaTests
{
    private static Task<EmulatorHost> StartAsync(int latencyMs = 0, int maxParallel = 4, bool only = false) =>
        EmulatorHost.StartAsync(new EmulatorOptions { OllamaLatencyMs = latencyMs, OllamaMaxParallel = maxParallel, OllamaOnly = only });

    private static HttpClient Client(EmulatorHost host) => new() { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(60) };

    private static string Chat(string text, bool? stream = false, string model = "llama3.2")
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["messages"] = new object[] { new { role = "system", content = "Be brief." }, new { role = "user", content = text } },
        };
        if (stream is not null) body["stream"] = stream;
        return JsonSerializer.Serialize(body);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string json, CancellationToken ct = default) =>
        http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), ct);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Native_chat_with_stream_false_answers_one_object_and_needs_no_key()
    {
        await using var host = await StartAsync();
        using var http = Client(host);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ignored");   // accepted and ignored
        using var r = await PostAsync(http, "/api/chat", Chat("Why is the sky blue?"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var o = await EmulatorApi.JsonAsync(r);
        Assert.Equal("llama3.2", o.GetProperty("model").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$", o.GetProperty("created_at").GetString());
        Assert.Equal("assistant", o.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("Echo: Why is the sky blue?", o.GetProperty("message").GetProperty("content").GetString());
        Assert.True(o.GetProperty("done").GetBoolean());
        Assert.Equal("stop", o.GetProperty("done_reason").GetString());
        Assert.Equal(7, o.GetProperty("prompt_eval_count").GetInt32());      // "Be brief." + "Why is the sky blue?"
        Assert.Equal(6, o.GetProperty("eval_count").GetInt32());
        foreach (string d in new[] { "total_duration", "load_duration", "prompt_eval_duration", "eval_duration" })
            Assert.True(o.GetProperty(d).GetInt64() > 0, d);
        Assert.Equal(1, host.State.Stats.Ollama.Requests);
    }

    [Fact]
    public async Task Native_chat_streams_ndjson_by_default_and_ends_with_done()
    {
        await using var host = await StartAsync();
        using var http = Client(host);
        using var r = await PostAsync(http, "/api/chat", Chat("one two three", stream: null));
        Assert.Equal("application/x-ndjson", r.Content.Headers.ContentType!.MediaType);
        var lines = (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.Clone(); }).ToList();
        Assert.True(lines.Count > 2);
        Assert.All(lines.SkipLast(1), l => Assert.False(l.GetProperty("done").GetBoolean()));
        var last = lines[^1];
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal("stop", last.GetProperty("done_reason").GetString());
        Assert.Equal(4, last.GetProperty("eval_count").GetInt32());
        Assert.Equal("Echo: one two three", string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString())));
        Assert.Equal(1, host.State.Stats.Ollama.Requests);

        // "stream": true is the same.
        using var r2 = await PostAsync(http, "/api/chat", Chat("one two three", stream: true));
        Assert.Equal("application/x-ndjson", r2.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task OpenAI_compatible_chat_completions_answers_a_chat_completion_or_an_event_stream()
    {
        await using var host = await StartAsync();
        using var http = Client(host);
        using var r = await PostAsync(http, "/v1/chat/completions", Chat("hello there"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var c = await EmulatorApi.JsonAsync(r);
        Assert.StartsWith("chatcmpl-", c.GetProperty("id").GetString());
        Assert.Equal("chat.completion", c.GetProperty("object").GetString());
        Assert.Equal("llama3.2", c.GetProperty("model").GetString());
        var choice = c.GetProperty("choices")[0];
        Assert.Equal("Echo: hello there", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(4, c.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, c.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(7, c.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        using var s = await PostAsync(http, "/v1/chat/completions", Chat("hello there", stream: true));
        Assert.Equal("text/event-stream", s.Content.Headers.ContentType!.MediaType);
        var events = (await s.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Equal("data: [DONE]", events[^1]);
        string text = string.Concat(events.SkipLast(1).Select(e =>
        {
            using var d = JsonDocument.Parse(e["data: ".Length..]);
            return d.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString();
        }));
        Assert.Equal("Echo: hello there", text);
        Assert.Equal(2, host.State.Stats.Ollama.Requests);
    }

    [Fact]
    public async Task Bad_requests_unknown_models_and_fail_markers_answer_in_ollamas_shapes()
    {
        await using var host = await StartAsync();
        using var http = Client(host);
        async Task<(HttpStatusCode, JsonElement)> Call(string path, string json)
        {
            using var r = await PostAsync(http, path, json);
            return (r.StatusCode, await EmulatorApi.JsonAsync(r));
        }

        var (status, body) = await Call("/api/chat", "{\"messages\":[]}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("model is required", body.GetProperty("error").GetString());
        (status, body) = await Call("/api/chat", Chat("x", model: "invalid-model"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("not found", body.GetProperty("error").GetString());
        (status, _) = await Call("/api/chat", "{\"model\":\"m\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        (status, body) = await Call("/api/chat", Chat("please [fail] this"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("[fail]", body.GetProperty("error").GetString());
        (status, _) = await Call("/api/chat", Chat("please [fail500] this"));
        Assert.Equal(HttpStatusCode.InternalServerError, status);

        (status, body) = await Call("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        (status, body) = await Call("/v1/chat/completions", Chat("please [fail500] this"));
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("[fail500]", body.GetProperty("error").GetProperty("message").GetString());

        // The [fail] answers were written: they count as executions; the 400s before running do not.
        Assert.Equal(3, host.State.Stats.Ollama.Requests);
    }

    [Fact]
    public async Task Model_lists_on_api_tags_and_v1_models()
    {
        await using var host = await StartAsync();
        using var http = Client(host);
        var tags = await EmulatorApi.JsonAsync(await http.GetAsync("/api/tags"));
        var names = tags.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();
        Assert.Contains("llama3.2:latest", names);
        Assert.Equal("gguf", tags.GetProperty("models")[0].GetProperty("details").GetProperty("format").GetString());
        var models = await EmulatorApi.JsonAsync(await http.GetAsync("/v1/models"));
        Assert.Equal("list", models.GetProperty("object").GetString());
        Assert.Equal(names, models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        using var one = await http.GetAsync("/v1/models/llama3.2:latest");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        using var missing = await http.GetAsync("/v1/models/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Ollama is running", await http.GetStringAsync("/"));
    }

    [Fact]
    public async Task Beyond_the_parallel_limit_requests_get_503_and_a_client_that_hangs_up_is_not_counted()
    {
        await using var host = await StartAsync(latencyMs: 60_000, maxParallel: 2);
        using var http = Client(host);
        using var cts = new CancellationTokenSource();
        var slow = new[]
        {
            PostAsync(http, "/api/chat", Chat("slow one"), cts.Token),
            PostAsync(http, "/v1/chat/completions", Chat("slow two"), cts.Token),
        };
        await WaitUntilAsync(() => host.State.OllamaInFlight == 2);

        using (var busy = await PostAsync(http, "/api/chat", Chat("third")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Equal("server busy, please try again. maximum pending requests exceeded",
                (await EmulatorApi.JsonAsync(busy)).GetProperty("error").GetString());
        }
        using (var busy = await PostAsync(http, "/v1/chat/completions", Chat("fourth")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Contains("server busy", (await EmulatorApi.JsonAsync(busy)).GetProperty("error").GetProperty("message").GetString());
        }
        Assert.Equal(2, host.State.Stats.Ollama.Rejected);

        cts.Cancel();
        foreach (var t in slow) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => t);
        await WaitUntilAsync(() => host.State.OllamaInFlight == 0);
        Assert.Equal(0, host.State.Stats.Ollama.Requests);

        using var control = new EmulatorApi(host);
        var config = await control.ControlAsync("/_emulator/config", "{\"ollama_latency_ms\":0,\"ollama_max_parallel\":3}");
        Assert.Equal(3, config.GetProperty("ollama_max_parallel").GetInt32());
        using (var ok = await PostAsync(http, "/api/chat", Chat("third"))) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(1, host.State.Stats.Ollama.Requests);
        using (var bad = await control.PostJsonAsync("/_emulator/config", "{\"ollama_max_parallel\":0}"))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Counters_show_each_prompt_answered_once_and_a_repeat_as_a_duplicate()
    {
        await using var host = await StartAsync(latencyMs: 5, maxParallel: 32);
        using var http = Client(host);
        var calls = Enumerable.Range(1, 20).Select(async i =>
        {
            using var r = await PostAsync(http, i % 2 == 0 ? "/api/chat" : "/v1/chat/completions", Chat($"prompt number {i}", model: i <= 5 ? "qwen2.5:7b" : "llama3.2"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        });
        await Task.WhenAll(calls);
        var stats = host.State.Stats.Ollama;
        Assert.Equal(20, stats.Requests);
        Assert.Equal(0, stats.Duplicates);
        Assert.Equal(1, stats.MaxPerPrompt);
        Assert.Equal(20, stats.ByPrompt.Count);
        Assert.Equal(5, stats.ByModel["qwen2.5:7b"]);

        using (var again = await PostAsync(http, "/api/chat", Chat("prompt number 7"))) Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var control = new EmulatorApi(host);
        var json = await control.ControlAsync("/_emulator/stats");
        Assert.Equal(21, json.GetProperty("ollama_requests").GetInt64());
        Assert.Equal(1, json.GetProperty("ollama_duplicates").GetInt64());
        Assert.Equal(2, json.GetProperty("ollama_max_per_prompt").GetInt64());
        Assert.Equal(0, json.GetProperty("ollama_rejected").GetInt64());
        Assert.Equal(20, json.GetProperty("ollama_by_prompt").EnumerateObject().Count());
        Assert.Equal(16, json.GetProperty("ollama_by_model").GetProperty("llama3.2").GetInt64());

        await control.ControlAsync("/_emulator/reset");
        Assert.Equal(0, host.State.Stats.Ollama.Requests);
        Assert.Empty(host.State.Stats.Ollama.ByPrompt);
    }

    [Fact]
    public async Task Ollama_only_servers_answer_404_for_every_other_route_and_count_separately()
    {
        await using var a = await StartAsync(only: true);
        await using var b = await StartAsync(only: true);
        using var httpA = Client(a);
        using var httpB = Client(b);
        httpA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-key");

        foreach (var (method, path) in new[]
        {
            ("GET", "/v1/batches"), ("POST", "/v1/batches"), ("POST", "/v1/files"), ("GET", "/v1/files"), ("GET", "/v1/nothing"),
            ("GET", "/v1beta/batches"), ("POST", "/xai/v1/batches"), ("POST", "/v1/messages/batches"), ("GET", "/openai/v1/batches"),
        })
        {
            using var r = await httpA.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{}") : null });
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("404 page not found", await r.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, a.State.Stats.RouteCalls("GET /v1/batches"));

        for (int i = 0; i < 3; i++)
            using (var r = await PostAsync(httpA, "/api/chat", Chat($"to a {i}"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await PostAsync(httpB, "/v1/chat/completions", Chat("to b"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(3, a.State.Stats.Ollama.Requests);
        Assert.Equal(1, b.State.Stats.Ollama.Requests);
        Assert.Equal(3, (await EmulatorApi.JsonAsync(await httpA.GetAsync("/_emulator/stats"))).GetProperty("ollama_requests").GetInt64());

        // A full emulator serves both.
        await using var full = await StartAsync();
        using var httpFull = Client(full);
        using (var r = await httpFull.GetAsync("/v1/batches")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using (var r = await PostAsync(httpFull, "/api/chat", Chat("x"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public async Task Faults_reach_the_chat_routes_and_a_reset_before_answering_is_not_an_execution()
    {
        await using var host = await StartAsync();
        using var http = Client(host);
        using var control = new EmulatorApi(host);
        await control.ControlAsync("/_emulator/faults", "{\"route\":\"POST /api/chat\",\"kind\":\"reset_before\"}");
        await control.ControlAsync("/_emulator/faults", "{\"route\":\"POST /v1/chat/completions\",\"kind\":\"status\",\"status_code\":503}");
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(http, "/api/chat", Chat("x")));
        using (var r = await PostAsync(http, "/v1/chat/completions", Chat("x"))) Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Equal(0, host.State.Stats.Ollama.Requests);
        using (var r = await PostAsync(http, "/api/chat", Chat("x"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(1, host.State.Stats.Ollama.Requests);
        Assert.Equal(2, host.State.Stats.RouteCalls("POST /api/chat"));
    }

    [Fact]
    public void Options_parse_the_ollama_flags()
    {
        var o = EmulatorOptions.Parse(new[] { "--ollama-latency-ms", "5", "--ollama-max-parallel", "8", "--ollama-only" });
        Assert.Equal(5, o.OllamaLatencyMs);
        Assert.Equal(8, o.OllamaMaxParallel);
        Assert.True(o.OllamaOnly);
        var d = EmulatorOptions.Parse(Array.Empty<string>());
        Assert.Equal((20, 4, false), (d.OllamaLatencyMs, d.OllamaMaxParallel, d.OllamaOnly));
        Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(new[] { "--ollama-max-parallel", "0" }));
        Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(new[] { "--ollama-latency-ms", "-1" }));
    }
}
