using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// xAI's native batch API over raw HTTP (spec §5, §10) under the emulator's /xai/v1 prefix, on a manual clock: each add
/// call's requests finish linearly over validating + in-progress ms (100 + 900) after the call; a cancel takes 100 ms.
/// </summary>
public sealed class XaiTests
{
    private const int RunMs = 1000, CancelMs = 100;

    private static async Task<(EmulatorHost Host, ManualClock Clock)> StartAsync(string? prefix = null)
    {
        var clock = new ManualClock();
        var options = new EmulatorOptions { ValidatingMs = 100, InProgressMs = 900, FinalizingMs = 100, CancellingMs = CancelMs, TimeProvider = clock };
        if (prefix is not null) options.XaiPrefix = prefix;
        return (await EmulatorHost.StartAsync(options), clock);
    }

    private sealed class Api : IDisposable
    {
        private readonly string _prefix;

        public Api(EmulatorHost host, string? key = "test-key", string prefix = "/xai/v1")
        {
            _prefix = prefix;
            Http = new HttpClient { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
            if (key is not null) Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        public HttpClient Http { get; }

        public void Dispose() => Http.Dispose();

        public string Path(string rest) => _prefix + rest;

        public Task<HttpResponseMessage> PostAsync(string rest, object body) =>
            Http.PostAsync(Path(rest), new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

        public async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
        {
            using var r = await call;
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            return await EmulatorApi.JsonAsync(r);
        }

        public async Task<string> CreateAsync(string name = "my-batch") =>
            (await OkAsync(PostAsync("/batches", new { name }))).GetProperty("batch_id").GetString()!;

        public Task<HttpResponseMessage> AddRawAsync(string id, IEnumerable<object> requests) =>
            PostAsync($"/batches/{id}/requests", new { batch_requests = requests.ToArray() });

        public async Task AddAsync(string id, IEnumerable<object> requests) => await OkAsync(AddRawAsync(id, requests));

        public Task<JsonElement> GetAsync(string id) => OkAsync(Http.GetAsync(Path($"/batches/{id}")));
    }

    private static object Request(string id, string text, string model = "grok-4") => new
    {
        batch_request_id = id,
        batch_request = new
        {
            chat_get_completion = new { model, messages = new object[] { new { role = "system", content = "Be brief." }, new { role = "user", content = text } }, max_tokens = 100 },
        },
    };

    private static IEnumerable<object> Many(int from, int count, Func<int, string>? text = null) =>
        Enumerable.Range(from, count).Select(i => Request($"req-{i}", text?.Invoke(i) ?? $"question number {i}"));

    private static (int Requests, int Pending, int Success, int Error, int Cancelled) Counts(JsonElement batch)
    {
        var s = batch.GetProperty("state");
        return (s.GetProperty("num_requests").GetInt32(), s.GetProperty("num_pending").GetInt32(), s.GetProperty("num_success").GetInt32(),
            s.GetProperty("num_error").GetInt32(), s.GetProperty("num_cancelled").GetInt32());
    }

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage r, HttpStatusCode status)
    {
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"expected {status}, got {r.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        var e = doc.RootElement.Clone();
        Assert.Equal(new[] { "code", "error" }, e.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        return e;
    }

    [Fact]
    public async Task Create_answers_an_empty_batch_object_without_a_status_string()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new Api(host);
        var b = await api.OkAsync(api.PostAsync("/batches", new { name = "my-batch" }));
        Assert.Equal(new[] { "batch_id", "cancel_by_xai_message", "cancel_time", "create_api_key_id", "create_time", "expire_time", "name", "state" },
            b.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.StartsWith("batch_", b.GetProperty("batch_id").GetString());
        Assert.Equal("my-batch", b.GetProperty("name").GetString());
        Assert.Equal("2026-01-01T00:00:00.000000Z", b.GetProperty("create_time").GetString());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("cancel_time").ValueKind);
        Assert.DoesNotContain("test-key", b.GetRawText());
        Assert.Equal((0, 0, 0, 0, 0), Counts(b));
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(1, host.State.XaiBatchCount);
        Assert.Equal(0, host.State.OpenAIBatchCount);

        // OpenAI's POST /v1/batches on the same server is untouched: {"name"} is not a valid OpenAI batch.
        using var openai = new EmulatorApi(host);
        using var r = await openai.PostJsonAsync("/v1/batches", "{\"name\":\"x\"}");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);

        using (var bad = await api.PostAsync("/batches", new { name = "x", input_file_id = "file-1" })) await ErrorAsync(bad, HttpStatusCode.BadRequest);
        using (var bad = await api.PostAsync("/batches", new { })) await ErrorAsync(bad, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Requests_added_in_chunks_finish_over_the_timings_until_num_pending_is_0()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new Api(host);
        string id = await api.CreateAsync();
        await api.AddAsync(id, Many(1, 4, i => i == 2 ? "please [fail] this" : $"question number {i}"));
        Assert.Equal((4, 4, 0, 0, 0), Counts(await api.GetAsync(id)));

        clock.AdvanceMs(500);                                    // first chunk: 2 of 4 done, in no particular order (spec §9.6)
        await api.AddAsync(id, Many(5, 2));                      // second chunk starts now
        var half = Counts(await api.GetAsync(id));
        Assert.Equal((6, 4, 0), (half.Requests, half.Pending, half.Cancelled));
        Assert.Equal(2, half.Success + half.Error);

        clock.AdvanceMs(RunMs - 500);                            // first chunk complete, second half-way
        Assert.Equal((6, 1, 4, 1, 0), Counts(await api.GetAsync(id)));
        clock.AdvanceMs(500);
        Assert.Equal((6, 0, 5, 1, 0), Counts(await api.GetAsync(id)));

        var listed = await api.OkAsync(api.Http.GetAsync(api.Path($"/batches/{id}/requests?limit=4")));
        var meta = listed.GetProperty("batch_request_metadata").EnumerateArray().ToList();
        Assert.Equal(new[] { "req-1", "req-2", "req-3", "req-4" }, meta.Select(m => m.GetProperty("batch_request_id").GetString()));
        Assert.Equal(new[] { "succeeded", "failed", "succeeded", "succeeded" }, meta.Select(m => m.GetProperty("state").GetString()));
        Assert.Equal("/v1/chat/completions", meta[0].GetProperty("endpoint").GetString());
        Assert.Equal("grok-4", meta[0].GetProperty("model").GetString());
        string token = listed.GetProperty("pagination_token").GetString()!;
        var rest = await api.OkAsync(api.Http.GetAsync(api.Path($"/batches/{id}/requests?limit=4&pagination_token={token}")));
        Assert.Equal(2, rest.GetProperty("batch_request_metadata").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("pagination_token").ValueKind);
    }

    [Fact]
    public async Task Results_are_paginated_by_limit_or_page_size_and_carry_completions_and_error_messages()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new Api(host);
        string id = await api.CreateAsync();
        await api.AddAsync(id, Many(1, 5, i => i == 4 ? "x [fail500]" : $"question number {i}"));
        clock.AdvanceMs(RunMs);

        var results = new List<JsonElement>();
        string? token = null;
        int pages = 0;
        do
        {
            string size = pages % 2 == 0 ? "limit=2" : "page_size=2";
            var page = await api.OkAsync(api.Http.GetAsync(api.Path($"/batches/{id}/results?{size}" + (token is null ? "" : "&pagination_token=" + token))));
            pages++;
            results.AddRange(page.GetProperty("results").EnumerateArray());
            var t = page.GetProperty("pagination_token");
            token = t.ValueKind == JsonValueKind.Null ? null : t.GetString();
        } while (token is not null);
        Assert.Equal(3, pages);
        Assert.Equal(new[] { "req-1", "req-2", "req-3", "req-4", "req-5" }, results.Select(r => r.GetProperty("batch_request_id").GetString()).OrderBy(s => s));

        var failed = results.Single(r => r.GetProperty("batch_request_id").GetString() == "req-4");
        Assert.Contains("[fail500]", failed.GetProperty("error_message").GetString());
        Assert.False(failed.TryGetProperty("batch_result", out _));

        var ok = results.Single(r => r.GetProperty("batch_request_id").GetString() == "req-1");
        var completion = ok.GetProperty("batch_result").GetProperty("response").GetProperty("chat_get_completion");
        Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
        Assert.Equal("grok-4", completion.GetProperty("model").GetString());
        Assert.Equal("Echo: question number 1", completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", completion.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = completion.GetProperty("usage");
        Assert.Equal(5, usage.GetProperty("prompt_tokens").GetInt32());     // "Be brief." + "question number 1"
        Assert.Equal(4, usage.GetProperty("completion_tokens").GetInt32());
        // grok-4 reasons (spec §11.4); xAI reports those tokens apart from completion_tokens and counts them in the total (§11.6).
        int reasoning = IrisBatch.Emulator.FakeModel.ReasoningTokens("low", 5);
        Assert.Equal(reasoning, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(9 + reasoning, usage.GetProperty("total_tokens").GetInt32());
        // What xAI billed, in ticks (1 USD = 10^10; spec §11.6): the emulator's flat fake rates, 15,000 a prompt token and 75,000 an output one.
        Assert.Equal(5 * 15_000L + (4 + reasoning) * 75_000L, usage.GetProperty("cost_in_usd_ticks").GetInt64());

        using var bad = await api.Http.GetAsync(api.Path($"/batches/{id}/results?pagination_token=nonsense"));
        await ErrorAsync(bad, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Results_pages_stay_stable_while_more_requests_finish()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new Api(host);
        string id = await api.CreateAsync();
        await api.AddAsync(id, Many(1, 10));
        clock.AdvanceMs(450);                                    // 4 done
        var page = await api.OkAsync(api.Http.GetAsync(api.Path($"/batches/{id}/results?limit=3")));
        var seen = page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("batch_request_id").GetString()!).ToList();
        string token = page.GetProperty("pagination_token").GetString()!;
        clock.AdvanceMs(RunMs);                                  // everything done
        while (true)
        {
            page = await api.OkAsync(api.Http.GetAsync(api.Path($"/batches/{id}/results?limit=3&pagination_token={token}")));
            seen.AddRange(page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("batch_request_id").GetString()!));
            if (page.GetProperty("pagination_token").ValueKind == JsonValueKind.Null) break;
            token = page.GetProperty("pagination_token").GetString()!;
        }
        // Each result once, none missed, in the order they finished (not the order they were added: spec §9.6).
        var all = await api.OkAsync(api.Http.GetAsync(api.Path($"/batches/{id}/results?limit=100")));
        var finished = all.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("batch_request_id").GetString()!).ToList();
        Assert.Equal(finished, seen);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"req-{i}"), seen.OrderBy(s => int.Parse(s.Substring(4))));
        Assert.NotEqual(Enumerable.Range(1, 10).Select(i => $"req-{i}"), seen);
    }

    [Fact]
    public async Task A_duplicate_batch_request_id_is_400_and_adds_nothing()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new Api(host);
        string id = await api.CreateAsync();
        using (var r = await api.AddRawAsync(id, new[] { Request("a", "x"), Request("a", "y") })) await ErrorAsync(r, HttpStatusCode.BadRequest);
        await api.AddAsync(id, new[] { Request("a", "x") });
        using (var r = await api.AddRawAsync(id, new[] { Request("b", "x"), Request("a", "y") }))
        {
            var e = await ErrorAsync(r, HttpStatusCode.BadRequest);
            Assert.Contains("'a'", e.GetProperty("error").GetString());
        }
        Assert.Equal(1, Counts(await api.GetAsync(id)).Requests);

        foreach (string body in new[]
        {
            "{\"batch_requests\":[]}",
            "{\"batch_requests\":[{\"batch_request\":{\"chat_get_completion\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}}]}",
            "{\"batch_requests\":[{\"batch_request_id\":\"c\",\"batch_request\":{\"chat_get_completion\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}}]}",
            "{\"batch_requests\":[{\"batch_request_id\":\"c\",\"batch_request\":{\"chat_get_completion\":{\"model\":\"m\",\"messages\":[]}}}]}",
            "{\"batch_requests\":[{\"batch_request_id\":\"c\",\"batch_request\":{\"completion\":{\"model\":\"m\"}}}]}",
            "{\"batch_requests\":[{\"batch_request_id\":\"c\",\"batch_request\":{\"chat_get_completion\":{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}}]}",
        })
        {
            using var r = await api.PostAsync($"/batches/{id}/requests", body);
            await ErrorAsync(r, HttpStatusCode.BadRequest);
        }
        Assert.Equal(1, Counts(await api.GetAsync(id)).Requests);
    }

    [Fact]
    public async Task An_add_call_over_25_MB_is_413()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new Api(host);
        string id = await api.CreateAsync();
        // 25 MB read as 25,000,000 bytes, the smaller reading of the spec's "25 MB": 25.5 million is refused (it is under
        // 25 MiB, which the emulator took before), 24.9 million fits.
        string big = new('x', 25_500_000);
        using (var r = await api.AddRawAsync(id, new[] { Request("big", big) })) await ErrorAsync(r, HttpStatusCode.RequestEntityTooLarge);
        await api.AddAsync(id, new[] { Request("fits", new string('y', 24_900_000)) });
        Assert.Equal(1, Counts(await api.GetAsync(id)).Requests);
    }

    [Fact]
    public async Task A_wrong_or_missing_key_is_400_and_the_key_is_never_repeated()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var wrong = new Api(host, "xai-secret-wrong");
        using var r = await wrong.Http.GetAsync(wrong.Path("/batches"));
        string text = await r.Content.ReadAsStringAsync();
        var e = await ErrorAsync(r, HttpStatusCode.BadRequest);
        Assert.StartsWith("Incorrect API key provided", e.GetProperty("error").GetString());
        Assert.DoesNotContain("xai-secret-wrong", text);

        using var none = new Api(host, key: null);
        using var r2 = await none.Http.GetAsync(none.Path("/batches"));
        await ErrorAsync(r2, HttpStatusCode.BadRequest);

        using var ok = new Api(host);
        using var r3 = await ok.Http.GetAsync(ok.Path("/batches/nosuch"));
        await ErrorAsync(r3, HttpStatusCode.NotFound);
        using var r4 = await ok.Http.GetAsync(ok.Path("/no/such/route"));
        await ErrorAsync(r4, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Cancel_sets_cancel_time_and_pending_requests_end_cancelled_without_results()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new Api(host);
        string id = await api.CreateAsync();
        await api.AddAsync(id, Many(1, 10));
        clock.AdvanceMs(300);                                    // 3 done
        var b = await api.OkAsync(api.Http.PostAsync(api.Path($"/batches/{id}:cancel"), null));
        Assert.Equal("2026-01-01T00:00:00.300000Z", b.GetProperty("cancel_time").GetString());
        Assert.Equal((10, 7, 3, 0, 0), Counts(b));
        clock.AdvanceMs(CancelMs);
        Assert.Equal((10, 0, 3, 0, 7), Counts(await api.GetAsync(id)));
        clock.AdvanceMs(RunMs);
        Assert.Equal((10, 0, 3, 0, 7), Counts(await api.GetAsync(id)));

        // The 3 that finished before the cancel have results (which 3: the order they ran in, spec §9.6); the rest none.
        var results = await api.OkAsync(api.Http.GetAsync(api.Path($"/batches/{id}/results")));
        var withResults = results.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("batch_request_id").GetString()).ToList();
        var listed = await api.OkAsync(api.Http.GetAsync(api.Path($"/batches/{id}/requests?limit=100")));
        var succeeded = listed.GetProperty("batch_request_metadata").EnumerateArray()
            .Where(m => m.GetProperty("state").GetString() == "succeeded").Select(m => m.GetProperty("batch_request_id").GetString()).ToList();
        Assert.Equal(3, withResults.Count);
        Assert.Equal(succeeded.OrderBy(x => x), withResults.OrderBy(x => x));

        var again = await api.OkAsync(api.Http.PostAsync(api.Path($"/batches/{id}:cancel"), null));
        Assert.Equal("2026-01-01T00:00:00.300000Z", again.GetProperty("cancel_time").GetString());
        Assert.Equal(1, host.State.Stats.Cancels);
        using var late = await api.AddRawAsync(id, Many(20, 1));
        await ErrorAsync(late, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task List_is_newest_first_with_pagination_tokens_and_the_prefix_is_configurable()
    {
        var (host, _) = await StartAsync(prefix: "/grok/v1");
        await using var _h = host;
        using var api = new Api(host, prefix: "/grok/v1");
        var created = new List<string>();
        for (int i = 0; i < 3; i++) created.Add(await api.CreateAsync($"b{i}"));
        created.Reverse();
        var page1 = await api.OkAsync(api.Http.GetAsync(api.Path("/batches?limit=2")));
        var page2 = await api.OkAsync(api.Http.GetAsync(api.Path("/batches?limit=2&pagination_token=" + page1.GetProperty("pagination_token").GetString())));
        var ids = page1.GetProperty("batches").EnumerateArray().Concat(page2.GetProperty("batches").EnumerateArray())
            .Select(b => b.GetProperty("batch_id").GetString());
        Assert.Equal(created, ids);
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("pagination_token").ValueKind);
        Assert.Equal(2, host.State.Stats.RouteCalls("GET /grok/v1/batches"));

        using var old = await api.Http.GetAsync("/xai/v1/batches");
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }

    [Fact]
    public void Options_parse_the_xai_prefix_and_refuse_one_that_collides_with_another_surface()
    {
        Assert.Equal("/x/v1", EmulatorOptions.Parse(new[] { "--xai-prefix", "/x/v1/" }).XaiPrefix);
        Assert.Equal("/xai/v1", EmulatorOptions.Parse(Array.Empty<string>()).XaiPrefix);
        foreach (string bad in new[] { "/v1", "/openai/v1", "xai", "/_emulator/x", "/v1beta", "/a b" })
            Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(new[] { "--xai-prefix", bad }));
    }
}
