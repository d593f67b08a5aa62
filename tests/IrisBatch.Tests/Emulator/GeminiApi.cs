using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>A raw HTTP client for the emulator's Gemini batch and Files routes (key in x-goog-api-key).</summary>
internal sealed class GeminiApi : IDisposable
{
    public const string Model = "gemini-2.5-flash";
    public const string Create = "/v1beta/models/" + Model + ":batchGenerateContent";

    public GeminiApi(EmulatorHost host, string? key = "test-key")
    {
        Http = new HttpClient { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) Http.DefaultRequestHeaders.Add("x-goog-api-key", key);
    }

    public HttpClient Http { get; }

    public void Dispose() => Http.Dispose();

    /// <summary>One inline request, snake_case as in the docs or camelCase as the JS SDK sends.</summary>
    public static object Inline(string key, string text, bool camel = false, string? system = null)
    {
        var request = new Dictionary<string, object?>
        {
            ["contents"] = new object[] { new { role = "user", parts = new object[] { new { text } } } },
        };
        if (system is not null) request[camel ? "systemInstruction" : "system_instruction"] = new { parts = new object[] { new { text = system } } };
        return new Dictionary<string, object?> { ["request"] = request, ["metadata"] = new { key } };
    }

    public static object[] Many(int count, Func<int, string>? text = null) =>
        Enumerable.Range(1, count).Select(i => Inline($"request-{i}", text?.Invoke(i) ?? $"question number {i}")).ToArray();

    public static string InlineBody(object[] requests, bool camel = false, string displayName = "my-batch") => camel
        ? JsonSerializer.Serialize(new { batch = new { displayName, inputConfig = new { requests = new { requests } } } })
        : JsonSerializer.Serialize(new { batch = new { display_name = displayName, input_config = new { requests = new { requests } } } });

    public static string FileBody(string fileName, bool camel = false) => camel
        ? JsonSerializer.Serialize(new { batch = new { displayName = "file-batch", inputConfig = new { fileName } } })
        : JsonSerializer.Serialize(new { batch = new { display_name = "file-batch", input_config = new { file_name = fileName } } });

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<JsonElement> CreateAsync(string body)
    {
        using var r = await PostJsonAsync(Create, body);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await EmulatorApi.JsonAsync(r);
    }

    /// <summary>Creates an inline batch; returns its name (batches/…).</summary>
    public async Task<string> StartAsync(params object[] requests) => Name(await CreateAsync(InlineBody(requests)));

    public async Task<JsonElement> GetAsync(string name)
    {
        using var r = await Http.GetAsync("/v1beta/" + name);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await EmulatorApi.JsonAsync(r);
    }

    /// <summary>Polls (real time) until the operation satisfies <paramref name="until"/>; for background validation.</summary>
    public async Task<JsonElement> WaitAsync(string name, Func<JsonElement, bool> until, int timeoutMs = 15000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var op = await GetAsync(name);
            if (until(op)) return op;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{name} did not reach the expected state: {op}");
            await Task.Delay(10);
        }
    }

    public static bool IsDone(JsonElement op) => op.TryGetProperty("done", out var d) && d.GetBoolean();

    public static string Name(JsonElement op) => op.GetProperty("name").GetString()!;

    public static string State(JsonElement op) => op.GetProperty("metadata").GetProperty("state").GetString()!;

    /// <summary>(requestCount, successful, failed, pending), absent counters read as 0 as proto3 JSON leaves zeros out.</summary>
    public static (long Total, long Ok, long Failed, long Pending) Stats(JsonElement op)
    {
        var s = op.GetProperty("metadata").GetProperty("batchStats");
        long Get(string name) => s.TryGetProperty(name, out var v) ? long.Parse(v.GetString()!) : 0;
        foreach (var p in s.EnumerateObject()) Assert.Equal(JsonValueKind.String, p.Value.ValueKind);   // int64 travels as a string
        return (Get("requestCount"), Get("successfulRequestCount"), Get("failedRequestCount"), Get("pendingRequestCount"));
    }

    /// <summary>Resumable upload: start, then the bytes in <paramref name="chunks"/> pieces, the last with finalize.</summary>
    public async Task<JsonElement> UploadAsync(string content, string displayName = "input", int chunks = 1)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        string url = await StartUploadAsync(displayName, bytes.Length);
        int size = (bytes.Length + chunks - 1) / chunks;
        JsonElement file = default;
        for (int offset = 0, i = 0; i < chunks; i++, offset += size)
        {
            bool last = i == chunks - 1;
            var part = bytes.AsSpan(offset, last ? bytes.Length - offset : size).ToArray();
            using var r = await ChunkAsync(url, part, offset, last ? "upload, finalize" : "upload");
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            Assert.Equal(last ? "final" : "active", r.Headers.GetValues("X-Goog-Upload-Status").Single());
            if (last) file = (await EmulatorApi.JsonAsync(r)).GetProperty("file");
        }
        return file;
    }

    public async Task<string> StartUploadAsync(string displayName, long length, string mimeType = "application/jsonl")
    {
        using var start = new HttpRequestMessage(HttpMethod.Post, "/upload/v1beta/files")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { file = new { display_name = displayName } }), Encoding.UTF8, "application/json"),
        };
        start.Headers.Add("X-Goog-Upload-Protocol", "resumable");
        start.Headers.Add("X-Goog-Upload-Command", "start");
        start.Headers.Add("X-Goog-Upload-Header-Content-Length", length.ToString());
        start.Headers.Add("X-Goog-Upload-Header-Content-Type", mimeType);
        using var r = await Http.SendAsync(start);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        Assert.Equal("active", r.Headers.GetValues("X-Goog-Upload-Status").Single());
        return r.Headers.GetValues("X-Goog-Upload-URL").Single();
    }

    /// <summary>One command on an upload session, sent the way the SDKs do (the key header too; the URL is what counts).</summary>
    public Task<HttpResponseMessage> ChunkAsync(string url, byte[] bytes, long offset, string command)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
        m.Headers.Add("X-Goog-Upload-Command", command);
        m.Headers.Add("X-Goog-Upload-Offset", offset.ToString());
        return Http.SendAsync(m);
    }

    public async Task<List<JsonElement>> DownloadLinesAsync(string path)
    {
        using var r = await Http.GetAsync(path);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.Clone(); })
            .ToList();
    }

    /// <summary>Asserts Google's error envelope and returns its error object.</summary>
    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage r, int status, string grpcStatus)
    {
        string text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == status, $"expected {status}, got {(int)r.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        var error = doc.RootElement.GetProperty("error").Clone();
        Assert.Equal(status, error.GetProperty("code").GetInt32());
        Assert.Equal(grpcStatus, error.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error;
    }
}
