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

/// <summary>A raw HTTP client for the emulator's Anthropic Message Batches routes.</summary>
internal sealed class AnthropicApi : IDisposable
{
    public const string Batches = "/v1/messages/batches";

    /// <param name="bearer">Send the key as <c>Authorization: Bearer</c> instead of <c>x-api-key</c>.</param>
    public AnthropicApi(EmulatorHost host, string? key = "test-key", bool bearer = false, string? version = "2023-06-01")
    {
        Http = new HttpClient { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            if (bearer) Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            else Http.DefaultRequestHeaders.Add("x-api-key", key);
        }
        if (version is not null) Http.DefaultRequestHeaders.Add("anthropic-version", version);
    }

    public HttpClient Http { get; }

    public void Dispose() => Http.Dispose();

    /// <summary>One entry of <c>requests</c>; leave out a param by passing null (max_tokens: pass -1 to omit).</summary>
    public static Dictionary<string, object?> Request(string customId, string userText, object? system = null, int maxTokens = 256,
        string? model = "claude-emulated-1", bool? stream = null, bool withMessages = true)
    {
        var ps = new Dictionary<string, object?>();
        if (model is not null) ps["model"] = model;
        if (maxTokens >= 0) ps["max_tokens"] = maxTokens;
        if (system is not null) ps["system"] = system;
        if (withMessages) ps["messages"] = new object[] { new { role = "user", content = userText } };
        if (stream is not null) ps["stream"] = stream;
        return new Dictionary<string, object?> { ["custom_id"] = customId, ["params"] = ps };
    }

    public static Dictionary<string, object?>[] Many(int count, Func<int, string>? text = null) =>
        Enumerable.Range(1, count).Select(i => Request($"req-{i}", text?.Invoke(i) ?? $"question number {i}")).ToArray();

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> CreateRawAsync(params object[] requests) =>
        PostJsonAsync(Batches, JsonSerializer.Serialize(new { requests }));

    public async Task<JsonElement> CreateAsync(params object[] requests)
    {
        using var r = await CreateRawAsync(requests);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await EmulatorApi.JsonAsync(r);
    }

    public async Task<string> StartAsync(params object[] requests) => (await CreateAsync(requests)).GetProperty("id").GetString()!;

    public async Task<JsonElement> GetAsync(string id)
    {
        using var r = await Http.GetAsync($"{Batches}/{id}");
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await EmulatorApi.JsonAsync(r);
    }

    public async Task<JsonElement> PostAsync(string path)
    {
        using var r = await Http.PostAsync(path, null);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await EmulatorApi.JsonAsync(r);
    }

    /// <summary>Downloads the results from the batch's results_url (never a hard-coded path), keyed by custom_id.</summary>
    public async Task<(List<string> Order, Dictionary<string, JsonElement> ById)> ResultsAsync(JsonElement batch)
    {
        string url = batch.GetProperty("results_url").GetString()!;
        using var r = await Http.GetAsync(new Uri(url));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        Assert.Equal("application/x-jsonl", r.Content.Headers.ContentType!.MediaType);
        var lines = (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.Clone(); }).ToList();
        var order = lines.Select(l => l.GetProperty("custom_id").GetString()!).ToList();
        return (order, lines.ToDictionary(l => l.GetProperty("custom_id").GetString()!, l => l.GetProperty("result")));
    }

    public static string Status(JsonElement batch) => batch.GetProperty("processing_status").GetString()!;

    /// <summary>(processing, succeeded, errored, canceled, expired).</summary>
    public static (int, int, int, int, int) Counts(JsonElement batch)
    {
        var c = batch.GetProperty("request_counts");
        return (c.GetProperty("processing").GetInt32(), c.GetProperty("succeeded").GetInt32(), c.GetProperty("errored").GetInt32(),
            c.GetProperty("canceled").GetInt32(), c.GetProperty("expired").GetInt32());
    }

    public static DateTimeOffset Time(JsonElement batch, string name) =>
        DateTimeOffset.Parse(batch.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Asserts Anthropic's envelope (exactly type, error{type, message}, request_id = the request-id header); returns the message.</summary>
    public static async Task<string> AssertErrorAsync(HttpResponseMessage r, int status, string type)
    {
        Assert.Equal(status, (int)r.StatusCode);
        var body = await EmulatorApi.JsonAsync(r);
        Assert.Equal(new[] { "error", "request_id", "type" }, body.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal("error", body.GetProperty("type").GetString());
        var error = body.GetProperty("error");
        Assert.Equal(new[] { "message", "type" }, error.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(type, error.GetProperty("type").GetString());
        string requestId = r.Headers.GetValues("request-id").Single();
        Assert.Matches("^req_[0-9a-f]{32}$", requestId);
        Assert.Equal(requestId, body.GetProperty("request_id").GetString());
        string message = error.GetProperty("message").GetString()!;
        Assert.False(string.IsNullOrEmpty(message));
        return message;
    }
}
