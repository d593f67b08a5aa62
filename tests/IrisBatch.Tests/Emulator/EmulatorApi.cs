using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>A raw HTTP client for the emulator's OpenAI and control routes, with polling helpers.</summary>
internal sealed class EmulatorApi : IDisposable
{
    public const string Chat = "/v1/chat/completions";

    public EmulatorApi(EmulatorHost host, string? key = "test-key")
    {
        Http = new HttpClient { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public HttpClient Http { get; }

    public void Dispose() => Http.Dispose();

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public async Task<HttpResponseMessage> UploadRawAsync(string content, string filename = "input.jsonl", string purpose = "batch")
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(purpose), "purpose");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", filename);
        return await Http.PostAsync("/v1/files", form);
    }

    public async Task<string> UploadAsync(string content, string filename = "input.jsonl", string purpose = "batch")
    {
        using var r = await UploadRawAsync(content, filename, purpose);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return (await JsonAsync(r)).GetProperty("id").GetString()!;
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> CreateBatchRawAsync(object body) => PostJsonAsync("/v1/batches", JsonSerializer.Serialize(body));

    public async Task<JsonElement> CreateBatchAsync(string fileId, string endpoint = Chat, Dictionary<string, string>? metadata = null)
    {
        using var r = await CreateBatchRawAsync(new { input_file_id = fileId, endpoint, completion_window = "24h", metadata });
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await JsonAsync(r);
    }

    /// <summary>Uploads the lines and creates a chat batch; returns the batch id.</summary>
    public async Task<string> StartBatchAsync(params string[] lines) =>
        (await CreateBatchAsync(await UploadAsync(Lines.Jsonl(lines)))).GetProperty("id").GetString()!;

    public async Task<JsonElement> GetBatchAsync(string id)
    {
        using var r = await Http.GetAsync($"/v1/batches/{id}");
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await JsonAsync(r);
    }

    public async Task<JsonElement> WaitAsync(string id, Func<JsonElement, bool> until, int timeoutMs = 15000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var batch = await GetBatchAsync(id);
            if (until(batch)) return batch;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"batch {id} did not reach the expected state: {batch}");
            await Task.Delay(10);
        }
    }

    public Task<JsonElement> WaitForStatusAsync(string id, params string[] statuses) =>
        WaitAsync(id, b => statuses.Contains(b.GetProperty("status").GetString()));

    public async Task<List<JsonElement>> DownloadLinesAsync(string fileId)
    {
        using var r = await Http.GetAsync($"/v1/files/{fileId}/content");
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        string text = await r.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.Clone(); })
            .ToList();
    }

    public async Task<JsonElement> ControlAsync(string path, string? json = null)
    {
        using var r = json is null && path.EndsWith("stats", StringComparison.Ordinal)
            ? await Http.GetAsync(path)
            : await PostJsonAsync(path, json ?? "{}");
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await JsonAsync(r);
    }

    public static string Status(JsonElement batch) => batch.GetProperty("status").GetString()!;

    public static (int Total, int Completed, int Failed) Counts(JsonElement batch)
    {
        var c = batch.GetProperty("request_counts");
        return (c.GetProperty("total").GetInt32(), c.GetProperty("completed").GetInt32(), c.GetProperty("failed").GetInt32());
    }

    public static string? Str(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();

    /// <summary>Asserts the OpenAI error envelope: exactly message, type, param, code.</summary>
    public static JsonElement AssertEnvelope(JsonElement body, string type = "invalid_request_error")
    {
        var error = body.GetProperty("error");
        Assert.Equal(new[] { "code", "message", "param", "type" }, error.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error;
    }
}

/// <summary>Builds batch input lines.</summary>
internal static class Lines
{
    public static string Chat(string customId, string userText, string model = "gpt-4o-mini", string url = EmulatorApi.Chat,
        string method = "POST", bool? stream = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["messages"] = new object[]
            {
                new { role = "system", content = "You are terse." },
                new { role = "user", content = userText },
            },
        };
        if (stream is not null) body["stream"] = stream;
        return JsonSerializer.Serialize(new { custom_id = customId, method, url, body });
    }

    public static string Jsonl(IEnumerable<string> lines) => string.Concat(lines.Select(l => l + "\n"));

    public static string[] Many(int count, Func<int, string>? text = null) =>
        Enumerable.Range(1, count).Select(i => Chat($"req-{i}", text?.Invoke(i) ?? $"question number {i}")).ToArray();
}
