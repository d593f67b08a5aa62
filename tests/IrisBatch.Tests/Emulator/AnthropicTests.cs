using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Anthropic Message Batches over raw HTTP, on a manual clock. Requests run over validating + in-progress ms (1000 here),
/// the batch ends after finalizing ms more (at 1100), or cancelling ms after a cancel.
/// </summary>
public sealed class AnthropicTests
{
    private const int RunMs = 1000, EndMs = 1100, CancelMs = 100;

    private static async Task<(EmulatorHost Host, ManualClock Clock)> StartAsync()
    {
        var clock = new ManualClock();
        var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 100, InProgressMs = 900, FinalizingMs = 100, CancellingMs = CancelMs, TimeProvider = clock,
        });
        return (host, clock);
    }

    [Fact]
    public async Task Create_answers_an_in_progress_batch_with_rfc3339_times_and_every_request_processing()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        using var r = await api.CreateRawAsync(AnthropicApi.Many(3));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Matches("^req_[0-9a-f]{32}$", r.Headers.GetValues("request-id").Single());
        var b = await EmulatorApi.JsonAsync(r);

        Assert.Equal(new[] { "archived_at", "cancel_initiated_at", "created_at", "ended_at", "expires_at", "id", "processing_status", "request_counts", "results_url", "type" },
            b.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Matches("^msgbatch_01[A-Za-z0-9]{22}$", b.GetProperty("id").GetString());
        Assert.Equal("message_batch", b.GetProperty("type").GetString());
        Assert.Equal("in_progress", AnthropicApi.Status(b));
        Assert.Equal((3, 0, 0, 0, 0), AnthropicApi.Counts(b));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", b.GetProperty("created_at").GetString());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), AnthropicApi.Time(b, "created_at"));
        Assert.Equal(AnthropicApi.Time(b, "created_at").AddHours(24), AnthropicApi.Time(b, "expires_at"));
        foreach (string unset in new[] { "ended_at", "archived_at", "cancel_initiated_at", "results_url" })
            Assert.Equal(JsonValueKind.Null, b.GetProperty(unset).ValueKind);

        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(1, host.State.Stats.RouteCalls("POST /v1/messages/batches"));
        Assert.Equal(1, host.State.AnthropicBatchCount);
        Assert.Equal(0, host.State.OpenAIBatchCount);
    }

    [Fact]
    public async Task Batch_stays_in_progress_until_the_end_then_has_counts_and_shuffled_results_at_its_results_url()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        var requests = AnthropicApi.Many(8, i => i switch { 2 => "please [fail] this", 5 => "and [fail500] this", _ => $"question number {i}" });
        requests[0] = AnthropicApi.Request("req-1", "Hello there", system: "You are terse.");
        string id = await api.StartAsync(requests);

        clock.AdvanceMs(EndMs - 1);
        var b = await api.GetAsync(id);
        Assert.Equal("in_progress", AnthropicApi.Status(b));
        Assert.Equal((8, 0, 0, 0, 0), AnthropicApi.Counts(b));      // nothing but processing until the whole batch ends
        Assert.Equal(JsonValueKind.Null, b.GetProperty("results_url").ValueKind);

        clock.AdvanceMs(1);
        b = await api.GetAsync(id);
        Assert.Equal("ended", AnthropicApi.Status(b));
        Assert.Equal((0, 6, 2, 0, 0), AnthropicApi.Counts(b));
        Assert.Equal(AnthropicApi.Time(b, "created_at").AddMilliseconds(EndMs), AnthropicApi.Time(b, "ended_at"));
        Assert.Equal(JsonValueKind.Null, b.GetProperty("cancel_initiated_at").ValueKind);
        Assert.Equal($"{host.BaseUri.GetLeftPart(UriPartial.Authority)}/v1/messages/batches/{id}/results", b.GetProperty("results_url").GetString());

        var (order, results) = await api.ResultsAsync(b);
        Assert.Equal(requests.Select(q => (string)q["custom_id"]!).OrderBy(x => x), order.OrderBy(x => x));
        Assert.NotEqual(requests.Select(q => (string)q["custom_id"]!), order);

        var ok = results["req-1"];
        Assert.Equal(new[] { "message", "type" }, ok.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal("succeeded", ok.GetProperty("type").GetString());
        var m = ok.GetProperty("message");
        Assert.Equal(new[] { "content", "id", "model", "role", "stop_reason", "stop_sequence", "type", "usage" },
            m.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Matches("^msg_01[A-Za-z0-9]{22}$", m.GetProperty("id").GetString());
        Assert.Equal("message", m.GetProperty("type").GetString());
        Assert.Equal("assistant", m.GetProperty("role").GetString());
        Assert.Equal("claude-emulated-1", m.GetProperty("model").GetString());
        Assert.Equal("""[{"type":"text","text":"Echo: Hello there"}]""", m.GetProperty("content").GetRawText());
        Assert.Equal("end_turn", m.GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, m.GetProperty("stop_sequence").ValueKind);
        Assert.Equal("""{"input_tokens":5,"output_tokens":3}""", m.GetProperty("usage").GetRawText());   // "You are terse." + "Hello there"

        AssertErrored(results["req-2"], "invalid_request_error", "[fail]");
        AssertErrored(results["req-5"], "api_error", "[fail500]");
        Assert.Equal(1, host.State.Stats.Downloads);
    }

    private static void AssertErrored(JsonElement result, string type, string messagePart)
    {
        Assert.Equal("errored", result.GetProperty("type").GetString());
        var envelope = result.GetProperty("error");
        Assert.Equal("error", envelope.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, envelope.GetProperty("request_id").ValueKind);
        Assert.Equal(type, envelope.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(messagePart, envelope.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task System_prompt_as_text_blocks_and_content_blocks_feed_the_fake_model()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        var request = new Dictionary<string, object?>
        {
            ["custom_id"] = "blocks",
            ["params"] = new Dictionary<string, object?>
            {
                ["model"] = "claude-emulated-1",
                ["max_tokens"] = 100,
                ["system"] = new object[] { new { type = "text", text = "Be brief. " }, new { type = "text", text = "Very brief." } },
                ["messages"] = new object[]
                {
                    new { role = "user", content = "first question" },
                    new { role = "assistant", content = "first answer" },
                    new { role = "user", content = new object[] { new { type = "text", text = "second " }, new { type = "text", text = "question" } } },
                },
            },
        };
        string id = await api.StartAsync(request);
        clock.AdvanceMs(EndMs);
        var (_, results) = await api.ResultsAsync(await api.GetAsync(id));
        var m = results["blocks"].GetProperty("message");
        Assert.Equal("Echo: second question", m.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(10, m.GetProperty("usage").GetProperty("input_tokens").GetInt32());   // 4 system + 2 + 2 + 2
        Assert.Equal(3, m.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Params_are_validated_asynchronously_into_errored_results()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        string id = await api.StartAsync(
            AnthropicApi.Request("fine", "hello"),
            AnthropicApi.Request("no-max-tokens", "hello", maxTokens: -1),
            AnthropicApi.Request("zero-max-tokens", "hello", maxTokens: 0),
            AnthropicApi.Request("no-messages", "hello", withMessages: false),
            AnthropicApi.Request("streaming", "hello", stream: true),
            AnthropicApi.Request("no-model", "hello", model: null));
        Assert.Equal(1, host.State.Stats.BatchesCreated);

        clock.AdvanceMs(EndMs);
        var b = await api.GetAsync(id);
        Assert.Equal((0, 1, 5, 0, 0), AnthropicApi.Counts(b));
        var (_, results) = await api.ResultsAsync(b);
        Assert.Equal("succeeded", results["fine"].GetProperty("type").GetString());
        AssertErrored(results["no-max-tokens"], "invalid_request_error", "max_tokens");
        AssertErrored(results["zero-max-tokens"], "invalid_request_error", "max_tokens");
        AssertErrored(results["no-messages"], "invalid_request_error", "messages");
        AssertErrored(results["streaming"], "invalid_request_error", "stream");
        AssertErrored(results["no-model"], "invalid_request_error", "model");
    }

    public static IEnumerable<object[]> BadBodies() => new[]
    {
        new object[] { """{"requests":[]}""", "requests" },
        new object[] { """{}""", "requests" },
        new object[] { """{"requests":{}}""", "requests" },
        new object[] { """[1,2]""", "dictionary" },
        new object[] { """{"requests":[{"custom_id":"a","params":{}}],"extra":1}""", "extra" },
        new object[] { """{"requests":[{"custom_id":"has space","params":{}}]}""", "custom_id" },
        new object[] { """{"requests":[{"custom_id":"a\n","params":{}}]}""", "custom_id" },
        new object[] { """{"requests":[{"custom_id":"","params":{}}]}""", "custom_id" },
        new object[] { $$$"""{"requests":[{"custom_id":"{{{new string('x', 65)}}}","params":{}}]}""", "custom_id" },
        new object[] { """{"requests":[{"custom_id":"a","params":{}},{"custom_id":"a","params":{}}]}""", "Duplicate" },
        new object[] { """{"requests":[{"params":{}}]}""", "custom_id" },
        new object[] { """{"requests":[{"custom_id":"a"}]}""", "params" },
        new object[] { """{"requests":[{"custom_id":"a","params":"x"}]}""", "params" },
        new object[] { """{"requests":[{"custom_id":"a","params":{},"other":1}]}""", "other" },
        new object[] { """not json""", "JSON" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Envelope_custom_ids_and_their_uniqueness_are_checked_synchronously(string body, string messagePart)
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        using var r = await api.PostJsonAsync(AnthropicApi.Batches, body);
        Assert.Contains(messagePart, await AnthropicApi.AssertErrorAsync(r, 400, "invalid_request_error"));
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        Assert.Equal(0, host.State.AnthropicBatchCount);
    }

    [Fact]
    public async Task Custom_ids_of_64_allowed_characters_and_100000_requests_are_accepted_but_not_100001()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        string longId = "aZ09_-" + new string('x', 58);
        string Body(int n) => "{\"requests\":[" + string.Join(",", Enumerable.Range(0, n).Select(i =>
            $"{{\"custom_id\":\"{(i == 0 ? longId : "r" + i)}\",\"params\":{{}}}}")) + "]}";
        using (var r = await api.PostJsonAsync(AnthropicApi.Batches, Body(100_001)))
            Assert.Contains("100000", await AnthropicApi.AssertErrorAsync(r, 400, "invalid_request_error"));
        using (var r = await api.PostJsonAsync(AnthropicApi.Batches, Body(100_000)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal((100_000, 0, 0, 0, 0), AnthropicApi.Counts(await EmulatorApi.JsonAsync(r)));
        }
    }

    [Theory]
    [InlineData(false, "2023-06-01")]
    [InlineData(true, "2023-06-01")]
    [InlineData(true, "2026-03-15")]
    [InlineData(false, "2099-12-31")]
    public async Task The_key_is_accepted_as_x_api_key_or_bearer_with_any_dated_version(bool bearer, string version)
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host, bearer: bearer, version: version);
        using var r = await api.Http.GetAsync(AnthropicApi.Batches);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Matches("^req_[0-9a-f]{32}$", r.Headers.GetValues("request-id").Single());
    }

    [Theory]
    [InlineData("sk-ant-wrong-secret", false)]
    [InlineData("sk-ant-wrong-secret", true)]
    [InlineData(null, false)]
    public async Task A_wrong_or_missing_key_is_401_authentication_error_that_never_repeats_the_key(string? key, bool bearer)
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host, key, bearer);
        foreach (var (method, path) in new[] { ("GET", AnthropicApi.Batches), ("POST", AnthropicApi.Batches), ("GET", AnthropicApi.Batches + "/msgbatch_x/results") })
        {
            using var r = await api.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            await AnthropicApi.AssertErrorAsync(r, 401, "authentication_error");
            if (key is not null) Assert.DoesNotContain(key, await r.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, host.State.Stats.BatchesCreated);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("latest")]
    [InlineData("2023-6-1")]
    public async Task A_missing_or_undated_anthropic_version_is_400(string? version)
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host, version: version);
        using var r = await api.Http.GetAsync(AnthropicApi.Batches);
        Assert.Contains("anthropic-version", await AnthropicApi.AssertErrorAsync(r, 400, "invalid_request_error"));
    }

    [Fact]
    public async Task Unknown_ids_and_paths_are_404_not_found_error()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        foreach (var (method, path) in new[]
        {
            ("GET", "/v1/messages/batches/msgbatch_missing"), ("POST", "/v1/messages/batches/msgbatch_missing/cancel"),
            ("GET", "/v1/messages/batches/msgbatch_missing/results"), ("DELETE", "/v1/messages/batches/msgbatch_missing"),
            ("GET", "/v1/messages/not-a-route"), ("POST", "/v1/messages"),
        })
        {
            using var r = await api.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            await AnthropicApi.AssertErrorAsync(r, 404, "not_found_error");
        }
    }

    [Fact]
    public async Task Cancel_goes_canceling_then_ended_with_canceled_results_for_the_requests_not_done()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        string id = await api.StartAsync(AnthropicApi.Many(10));

        clock.AdvanceMs(RunMs * 3 / 10);                                   // 3 of 10 have run
        var b = await api.PostAsync($"{AnthropicApi.Batches}/{id}/cancel");
        Assert.Equal("canceling", AnthropicApi.Status(b));
        Assert.Equal((10, 0, 0, 0, 0), AnthropicApi.Counts(b));
        DateTimeOffset initiated = AnthropicApi.Time(b, "cancel_initiated_at");
        Assert.Equal(AnthropicApi.Time(b, "created_at").AddMilliseconds(RunMs * 3 / 10), initiated);
        Assert.Equal(JsonValueKind.Null, b.GetProperty("results_url").ValueKind);

        clock.AdvanceMs(CancelMs - 1);
        b = await api.PostAsync($"{AnthropicApi.Batches}/{id}/cancel");      // a retried cancel is harmless
        Assert.Equal("canceling", AnthropicApi.Status(b));
        Assert.Equal(initiated, AnthropicApi.Time(b, "cancel_initiated_at"));
        Assert.Equal(1, host.State.Stats.Cancels);

        clock.AdvanceMs(1);
        b = await api.GetAsync(id);
        Assert.Equal("ended", AnthropicApi.Status(b));
        Assert.Equal((0, 3, 0, 7, 0), AnthropicApi.Counts(b));
        Assert.Equal(initiated.AddMilliseconds(CancelMs), AnthropicApi.Time(b, "ended_at"));
        Assert.Equal(initiated, AnthropicApi.Time(b, "cancel_initiated_at"));

        var (_, results) = await api.ResultsAsync(b);
        Assert.Equal(10, results.Count);
        foreach (int i in Enumerable.Range(1, 10))
            Assert.Equal(i <= 3 ? "succeeded" : "canceled", results[$"req-{i}"].GetProperty("type").GetString());
        Assert.Equal("""{"type":"canceled"}""", results["req-10"].GetRawText());

        using var again = await api.Http.PostAsync($"{AnthropicApi.Batches}/{id}/cancel", null);
        await AnthropicApi.AssertErrorAsync(again, 400, "invalid_request_error");
    }

    [Fact]
    public async Task The_expire_control_route_ends_the_batch_with_expired_results_for_the_requests_not_done()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        string id = await api.StartAsync(AnthropicApi.Many(4));
        clock.AdvanceMs(RunMs / 2);                                        // 2 of 4 have run

        using (var r = await api.Http.PostAsync($"/_emulator/batches/{id}/expire", null))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var expired = await EmulatorApi.JsonAsync(r);
            Assert.Equal("ended", AnthropicApi.Status(expired));
            Assert.Equal((0, 2, 0, 0, 2), AnthropicApi.Counts(expired));
            Assert.Equal(AnthropicApi.Time(expired, "created_at").AddMilliseconds(RunMs / 2), AnthropicApi.Time(expired, "ended_at"));
        }
        var (_, results) = await api.ResultsAsync(await api.GetAsync(id));
        Assert.Equal(new[] { "succeeded", "succeeded", "expired", "expired" }, Enumerable.Range(1, 4).Select(i => results[$"req-{i}"].GetProperty("type").GetString()));
        Assert.Equal("""{"type":"expired"}""", results["req-4"].GetRawText());

        using var again = await api.Http.PostAsync($"/_emulator/batches/{id}/expire", null);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("invalid_request_error", (await EmulatorApi.JsonAsync(again)).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Results_and_delete_wait_for_the_end_then_delete_forgets_the_batch()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        string id = await api.StartAsync(AnthropicApi.Many(2));

        using (var r = await api.Http.GetAsync($"{AnthropicApi.Batches}/{id}/results"))
            Assert.Contains("ended", await AnthropicApi.AssertErrorAsync(r, 400, "invalid_request_error"));
        using (var r = await api.Http.DeleteAsync($"{AnthropicApi.Batches}/{id}"))
            Assert.Contains("cancel", await AnthropicApi.AssertErrorAsync(r, 400, "invalid_request_error"));

        clock.AdvanceMs(EndMs);
        using (var r = await api.Http.GetAsync($"{AnthropicApi.Batches}/{id}/results"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(2, (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        using (var r = await api.Http.DeleteAsync($"{AnthropicApi.Batches}/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal($$"""{"id":"{{id}}","type":"message_batch_deleted"}""", await r.Content.ReadAsStringAsync());
        }
        using (var r = await api.Http.GetAsync($"{AnthropicApi.Batches}/{id}"))
            await AnthropicApi.AssertErrorAsync(r, 404, "not_found_error");
        Assert.Equal(0, host.State.AnthropicBatchCount);
    }

    [Fact]
    public async Task List_is_newest_first_and_pages_with_after_id_and_before_id()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        var ids = new List<string>();
        for (int i = 0; i < 5; i++) ids.Add(await api.StartAsync(AnthropicApi.Many(1)));
        ids.Reverse();                                                     // newest first: ids[0] is the last created

        // A page as "ids | has_more | first_id | last_id", with the batches named by their position newest-first.
        async Task<string> PageAsync(string query)
        {
            var page = await EmulatorApi.JsonAsync(await api.Http.GetAsync(AnthropicApi.Batches + query));
            Assert.Equal(new[] { "data", "first_id", "has_more", "last_id" }, page.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
            string Name(string? id) => id is null ? "null" : "b" + ids.IndexOf(id);
            var data = page.GetProperty("data").EnumerateArray().Select(b => Name(b.GetProperty("id").GetString()));
            return $"{string.Join(",", data)} | {page.GetProperty("has_more").GetBoolean()} | {Name(EmulatorApi.Str(page, "first_id"))} | {Name(EmulatorApi.Str(page, "last_id"))}";
        }

        Assert.Equal("b0,b1,b2,b3,b4 | False | b0 | b4", await PageAsync(""));
        Assert.Equal("b0,b1 | True | b0 | b1", await PageAsync("?limit=2"));
        Assert.Equal("b2,b3 | True | b2 | b3", await PageAsync($"?limit=2&after_id={ids[1]}"));
        Assert.Equal("b4 | False | b4 | b4", await PageAsync($"?limit=2&after_id={ids[3]}"));
        Assert.Equal("b2,b3 | True | b2 | b3", await PageAsync($"?limit=2&before_id={ids[4]}"));
        Assert.Equal("b0 | False | b0 | b0", await PageAsync($"?limit=2&before_id={ids[1]}"));
        Assert.Equal(" | False | null | null", await PageAsync($"?after_id={ids[4]}"));

        foreach (string bad in new[] { "?limit=0", "?limit=1001", "?limit=many", $"?after_id={ids[0]}&before_id={ids[1]}" })
        {
            using var r = await api.Http.GetAsync(AnthropicApi.Batches + bad);
            await AnthropicApi.AssertErrorAsync(r, 400, "invalid_request_error");
        }
        using (var r = await api.Http.GetAsync(AnthropicApi.Batches + "?limit=1000"))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        // Listing shows each batch as retrieving it would.
        clock.AdvanceMs(EndMs);
        var listed = await EmulatorApi.JsonAsync(await api.Http.GetAsync(AnthropicApi.Batches));
        Assert.All(listed.GetProperty("data").EnumerateArray(), b => Assert.Equal("ended", AnthropicApi.Status(b)));
    }

    [Fact]
    public async Task Reset_forgets_anthropic_batches_and_stats_count_their_routes()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        string id = await api.StartAsync(AnthropicApi.Many(1));
        await api.GetAsync(id);
        await api.GetAsync(id);
        var stats = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/_emulator/stats"));
        Assert.Equal(1, stats.GetProperty("batches_created").GetInt32());
        Assert.Equal(2, stats.GetProperty("routes").GetProperty("GET /v1/messages/batches/{message_batch_id}").GetInt32());

        using (await api.Http.PostAsync("/_emulator/reset", null)) { }
        Assert.Equal(0, host.State.AnthropicBatchCount);
        using var r = await api.Http.GetAsync($"{AnthropicApi.Batches}/{id}");
        await AnthropicApi.AssertErrorAsync(r, 404, "not_found_error");
    }

    [Fact]
    public async Task Faults_apply_to_anthropic_routes_through_the_same_pipeline()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new AnthropicApi(host);
        using (var rule = await api.PostJsonAsync("/_emulator/faults", """{"route":"POST /v1/messages/batches","kind":"status","status_code":529,"count":1}"""))
            Assert.Equal(HttpStatusCode.OK, rule.StatusCode);

        using (var r = await api.CreateRawAsync(AnthropicApi.Many(1)))
            Assert.Equal(529, (int)r.StatusCode);
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        await api.CreateAsync(AnthropicApi.Many(1));
        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(2, host.State.Stats.RouteCalls("POST /v1/messages/batches"));
    }
}
