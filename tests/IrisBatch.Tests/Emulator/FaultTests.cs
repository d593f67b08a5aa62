using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// The emulator's fault injection (issue 3): per-route faults set through /_emulator/faults, by count (with skip) or
/// seeded probability, and the counters they leave behind.
/// </summary>
public sealed class FaultTests
{
    private static Task<EmulatorHost> StartAsync() =>
        EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });

    private static async Task<JsonElement> AddFaultAsync(EmulatorApi api, object rule)
    {
        using var r = await api.PostJsonAsync("/_emulator/faults", JsonSerializer.Serialize(rule));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return await EmulatorApi.JsonAsync(r);
    }

    private static async Task<JsonElement> StatsAsync(EmulatorApi api) => await api.ControlAsync("/_emulator/stats");

    private static long Stat(JsonElement stats, string name) => stats.GetProperty(name).GetInt64();

    private static object CreateBody(string fileId, Dictionary<string, string>? metadata = null) =>
        new { input_file_id = fileId, endpoint = EmulatorApi.Chat, completion_window = "24h", metadata };

    private static async Task<List<string>> BatchIdsAsync(EmulatorApi api)
    {
        var list = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1/batches?limit=100"));
        return list.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("id").GetString()!).ToList();
    }

    [Fact]
    public async Task Control_api_adds_lists_and_deletes_rules()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);

        var added = await AddFaultAsync(api, new { route = "create", kind = "status", status_code = 503, count = 2 });
        Assert.Equal("fault_1", added.GetProperty("id").GetString());
        Assert.Equal("create", added.GetProperty("route").GetString());
        Assert.Equal("status", added.GetProperty("kind").GetString());
        Assert.Equal(503, added.GetProperty("status_code").GetInt32());
        Assert.Equal(2, added.GetProperty("remaining").GetInt32());
        await AddFaultAsync(api, new { route = "download", kind = "slow", delay_ms = 10, after = true });

        var list = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/_emulator/faults"));
        Assert.Equal(new[] { "fault_1", "fault_2" }, list.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(1, list.GetProperty("data")[1].GetProperty("remaining").GetInt32());   // count defaults to 1
        Assert.Equal(0, list.GetProperty("faults_injected").GetInt32());

        using (var del = await api.Http.DeleteAsync("/_emulator/faults/fault_1")) Assert.Equal(HttpStatusCode.OK, del.StatusCode);
        using (var del = await api.Http.DeleteAsync("/_emulator/faults/fault_1")) Assert.Equal(HttpStatusCode.NotFound, del.StatusCode);
        using (var del = await api.Http.DeleteAsync("/_emulator/faults"))
            Assert.Equal(1, (await EmulatorApi.JsonAsync(del)).GetProperty("deleted").GetInt32());
        list = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/_emulator/faults"));
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("{\"route\":\"create\"}", "kind")]
    [InlineData("{\"route\":\"create\",\"kind\":\"explode\"}", "kind")]
    [InlineData("{\"kind\":\"quota\"}", "route")]
    [InlineData("{\"route\":\"bogus\",\"kind\":\"quota\"}", "route")]
    [InlineData("{\"route\":\"create\",\"kind\":\"quota\",\"delay_ms\":5}", "delay_ms")]
    [InlineData("{\"route\":\"create\",\"kind\":\"slow\"}", "delay_ms")]
    [InlineData("{\"route\":\"create\",\"kind\":\"status\",\"status_code\":200}", "status_code")]
    [InlineData("{\"route\":\"create\",\"kind\":\"status\",\"count\":0}", "count")]
    [InlineData("{\"route\":\"create\",\"kind\":\"status\",\"probability\":1.5}", "probability")]
    [InlineData("{\"route\":\"create\",\"kind\":\"status\",\"seed\":3}", "seed")]
    [InlineData("{\"route\":\"create\",\"kind\":\"slow\",\"delay_ms\":5,\"after\":\"yes\"}", "after")]
    [InlineData("{\"route\":\"get\",\"kind\":\"status_word\"}", "word")]
    [InlineData("{\"route\":\"create\",\"kind\":\"status\",\"status_code\":429,\"after\":true}", "after")]
    [InlineData("{\"route\":\"create\",\"kind\":\"quota\",\"after\":true}", "after")]
    [InlineData("{\"route\":\"get\",\"kind\":\"status_word\",\"word\":5}", "word")]
    [InlineData("{\"route\":\"create\",\"kind\":\"duplicate\",\"word\":\"x\"}", "word")]
    public async Task A_bad_rule_is_a_400_naming_the_setting(string json, string param)
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        using var r = await api.PostJsonAsync("/_emulator/faults", json);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var error = EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r));
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(0, (await EmulatorApi.JsonAsync(await api.Http.GetAsync("/_emulator/faults"))).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Status_429_sends_Retry_After_and_retry_after_ms_for_the_next_count_calls_without_acting()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        await AddFaultAsync(api, new { route = "upload", kind = "status", status_code = 429, retry_after = 2, retry_after_ms = 1500, count = 2 });
        string content = Lines.Jsonl(Lines.Many(1));

        for (int i = 0; i < 2; i++)
        {
            using var r = await api.UploadRawAsync(content);
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.Equal("2", r.Headers.GetValues("Retry-After").Single());
            Assert.Equal("1500", r.Headers.GetValues("retry-after-ms").Single());
            Assert.True(r.Headers.Contains("x-request-id"));
            var error = EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r), "requests");
            Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        }
        await api.UploadAsync(content);

        var stats = await StatsAsync(api);
        Assert.Equal(1, Stat(stats, "uploads"));
        Assert.Equal(2, Stat(stats, "faults_injected"));
        Assert.Equal(3, stats.GetProperty("routes").GetProperty("POST /v1/files").GetInt32());
        var rule = (await EmulatorApi.JsonAsync(await api.Http.GetAsync("/_emulator/faults"))).GetProperty("data")[0];
        Assert.Equal(2, rule.GetProperty("injected").GetInt32());
        Assert.Equal(0, rule.GetProperty("remaining").GetInt32());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Server_errors_use_the_openai_envelope_and_come_before_auth(int status)
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        await AddFaultAsync(api, new { route = "get", kind = "status", status_code = status, should_retry = true });
        string id = await api.StartBatchAsync(Lines.Many(1));

        using var wrongKey = new EmulatorApi(host, "wrong-key");
        using var r = await wrongKey.Http.GetAsync($"/v1/batches/{id}");
        Assert.Equal(status, (int)r.StatusCode);
        Assert.Equal("true", r.Headers.GetValues("x-should-retry").Single());
        Assert.False(r.Headers.Contains("Retry-After"));
        var error = EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r), "server_error");
        Assert.Equal(JsonValueKind.Null, error.GetProperty("code").ValueKind);

        using var again = await wrongKey.Http.GetAsync($"/v1/batches/{id}");
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        await api.GetBatchAsync(id);
    }

    [Fact]
    public async Task Quota_is_a_429_insufficient_quota_without_Retry_After()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        await AddFaultAsync(api, new { route = "create", kind = "quota" });

        using var r = await api.CreateBatchRawAsync(CreateBody(fileId));
        Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
        Assert.False(r.Headers.Contains("Retry-After"));
        var error = EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r), "insufficient_quota");
        Assert.Equal("insufficient_quota", error.GetProperty("code").GetString());
        Assert.Equal(0, Stat(await StatsAsync(api), "batches_created"));
    }

    [Fact]
    public async Task Reset_before_aborts_the_connection_and_the_create_never_happens()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        await AddFaultAsync(api, new { route = "create", kind = "reset_before" });

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.CreateBatchRawAsync(CreateBody(fileId)));
        var stats = await StatsAsync(api);
        Assert.Equal(0, Stat(stats, "batches_created"));
        Assert.Equal(1, Stat(stats, "faults_injected"));
        Assert.Empty(await BatchIdsAsync(api));

        await api.CreateBatchAsync(fileId);   // the next call is served as usual
        Assert.Equal(1, Stat(await StatsAsync(api), "batches_created"));
    }

    [Fact]
    public async Task Reset_after_creates_the_batch_then_loses_the_answer()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        await AddFaultAsync(api, new { route = "create", kind = "reset_after" });

        var metadata = new Dictionary<string, string> { ["irisbatch_key"] = "key-123" };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.CreateBatchRawAsync(CreateBody(fileId, metadata)));

        var stats = await StatsAsync(api);
        Assert.Equal(1, Stat(stats, "batches_created"));
        Assert.Equal(1, Stat(stats, "faults_injected"));
        var list = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1/batches"));
        var batch = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal("key-123", batch.GetProperty("metadata").GetProperty("irisbatch_key").GetString());
    }

    [Fact]
    public async Task Duplicate_on_create_makes_two_identical_batches_and_loses_the_answer()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(2)));
        await AddFaultAsync(api, new { route = "create", kind = "duplicate" });

        var metadata = new Dictionary<string, string> { ["irisbatch_key"] = "key-twin" };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.CreateBatchRawAsync(CreateBody(fileId, metadata)));

        var stats = await StatsAsync(api);
        Assert.Equal(2, Stat(stats, "batches_created"));
        Assert.Equal(1, Stat(stats, "faults_injected"));
        var list = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1/batches"));
        var batches = list.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, batches.Count);
        Assert.NotEqual(batches[0].GetProperty("id").GetString(), batches[1].GetProperty("id").GetString());
        Assert.All(batches, b =>
        {
            Assert.Equal("key-twin", b.GetProperty("metadata").GetProperty("irisbatch_key").GetString());
            Assert.Equal(fileId, b.GetProperty("input_file_id").GetString());
        });
    }

    [Fact]
    public async Task Reset_after_on_upload_stores_the_file_that_the_client_never_heard_of()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        await AddFaultAsync(api, new { route = "upload", kind = "reset_after" });

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.UploadRawAsync(Lines.Jsonl(Lines.Many(3)), "irisbatch-abc.jsonl"));
        Assert.Equal(1, Stat(await StatsAsync(api), "uploads"));
        var files = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1/files?purpose=batch"));
        Assert.Equal("irisbatch-abc.jsonl", Assert.Single(files.GetProperty("data").EnumerateArray()).GetProperty("filename").GetString());
    }

    [Fact]
    public async Task Slow_before_acting_delays_the_answer_and_a_client_that_gives_up_never_sees_the_handler_act()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));

        await AddFaultAsync(api, new { route = "create", kind = "slow", delay_ms = 300 });
        var watch = Stopwatch.StartNew();
        await api.CreateBatchAsync(fileId);
        Assert.True(watch.ElapsedMilliseconds >= 280, $"answered after {watch.ElapsedMilliseconds} ms");

        await AddFaultAsync(api, new { route = "create", kind = "slow", delay_ms = 1500 });
        using (var cts = new CancellationTokenSource(200))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                api.Http.PostAsync("/v1/batches", new StringContent(JsonSerializer.Serialize(CreateBody(fileId)), Encoding.UTF8, "application/json"), cts.Token));
        }
        // The absence is proven once the emulator has seen the client go: the held call is counted as abandoned.
        var stats = await StatsAsync(api);
        for (int i = 0; i < 1000 && Stat(stats, "calls_abandoned") == 0; i++)
        {
            await Task.Yield();
            stats = await StatsAsync(api);
        }
        Assert.Equal(1, Stat(stats, "calls_abandoned"));
        Assert.Equal(1, Stat(stats, "batches_created"));
        Assert.Equal(2, Stat(stats, "faults_injected"));
        Assert.Single(await BatchIdsAsync(api));
    }

    [Fact]
    public async Task Slow_after_acting_creates_the_batch_even_when_the_client_times_out()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        await AddFaultAsync(api, new { route = "create", kind = "slow", delay_ms = 5000, after = true });

        using (var cts = new CancellationTokenSource(300))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                api.Http.PostAsync("/v1/batches", new StringContent(JsonSerializer.Serialize(CreateBody(fileId)), Encoding.UTF8, "application/json"), cts.Token));
        }
        Assert.Equal(1, Stat(await StatsAsync(api), "batches_created"));
        Assert.Single(await BatchIdsAsync(api));

        // And with a patient client the buffered answer arrives whole.
        await AddFaultAsync(api, new { route = "get", kind = "slow", delay_ms = 200, after = true });
        string id = (await BatchIdsAsync(api))[0];
        var watch = Stopwatch.StartNew();
        var batch = await api.GetBatchAsync(id);
        Assert.True(watch.ElapsedMilliseconds >= 180);
        Assert.Equal(id, batch.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Truncate_sends_the_full_content_length_then_part_of_the_body_and_aborts()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(Lines.Many(50));
        string outputId = EmulatorApi.Str(await api.WaitForStatusAsync(id, "completed"), "output_file_id")!;
        long size = (await EmulatorApi.JsonAsync(await api.Http.GetAsync($"/v1/files/{outputId}"))).GetProperty("bytes").GetInt64();
        await AddFaultAsync(api, new { route = "download", kind = "truncate" });

        using var r = await api.Http.GetAsync($"/v1/files/{outputId}/content", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(size, r.Content.Headers.ContentLength);
        await using var body = await r.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(received));
        Assert.InRange(received.Length, 1, size - 1);   // part of the body arrived: a cut, not a reset

        var whole = await api.DownloadLinesAsync(outputId);   // the next download is whole
        Assert.Equal(50, whole.Count);
        var stats = await StatsAsync(api);
        Assert.Equal(2, Stat(stats, "downloads"));
        Assert.Equal(1, Stat(stats, "faults_injected"));
    }

    [Fact]
    public async Task Truncate_of_a_json_answer_with_bytes_sends_that_many_bytes()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        await AddFaultAsync(api, new { route = "list", kind = "truncate", bytes = 5 });
        using var r = await api.Http.GetAsync("/v1/batches", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(r.Content.Headers.ContentLength > 5);
        await using var body = await r.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(received));
        Assert.Equal(5, received.Length);
    }

    [Fact]
    public async Task Malformed_line_breaks_one_line_of_a_result_file_keeping_its_custom_id_and_spares_input_files()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(Lines.Many(20));
        var done = await api.WaitForStatusAsync(id, "completed");
        string inputId = EmulatorApi.Str(done, "input_file_id")!;
        string outputId = EmulatorApi.Str(done, "output_file_id")!;
        await AddFaultAsync(api, new { route = "download", kind = "malformed_line", line = 3 });

        Assert.Equal(20, (await api.DownloadLinesAsync(inputId)).Count);   // not a result file: rule not used
        using var r = await api.Http.GetAsync($"/v1/files/{outputId}/content");
        string text = await r.Content.ReadAsStringAsync();
        Assert.Equal(Encoding.UTF8.GetByteCount(text), r.Content.Headers.ContentLength);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, lines.Length);
        var bad = new List<(int Line, string Text)>();
        var customIds = new HashSet<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            try
            {
                using var doc = JsonDocument.Parse(lines[i]);
                customIds.Add(doc.RootElement.GetProperty("custom_id").GetString()!);
            }
            catch (JsonException) { bad.Add((i + 1, lines[i])); }
        }
        var broken = Assert.Single(bad);
        Assert.Equal(3, broken.Line);
        var m = System.Text.RegularExpressions.Regex.Match(broken.Text, "\"custom_id\"\\s*:\\s*\"(req-\\d+)\"");
        Assert.True(m.Success, broken.Text);
        Assert.DoesNotContain(m.Groups[1].Value, customIds);
        Assert.Equal(19, customIds.Count);

        Assert.Equal(20, (await api.DownloadLinesAsync(outputId)).Count);   // count 1: the next download is clean
        Assert.Equal(1, Stat(await StatsAsync(api), "faults_injected"));
    }

    [Fact]
    public void BreakLine_keeps_other_lines_and_line_endings()
    {
        string content = "{\"custom_id\":\"a\",\"x\":1}\r\n\r\n{\"custom_id\":\"b\",\"response\":{\"status_code\":200}}\r\n";
        string broken = Encoding.UTF8.GetString(Faults.BreakLine(Encoding.UTF8.GetBytes(content), 2));
        var lines = broken.Split('\n');
        Assert.Equal("{\"custom_id\":\"a\",\"x\":1}\r", lines[0]);
        Assert.Equal("\r", lines[1]);
        Assert.StartsWith("{\"custom_id\":\"b\"", lines[2]);
        Assert.EndsWith("\r", lines[2]);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(lines[2]));
        Assert.Equal("", lines[3]);

        // Past the end: the last line. A line that is all custom_id still stops being JSON.
        string last = Encoding.UTF8.GetString(Faults.BreakLine(Encoding.UTF8.GetBytes("{\"custom_id\":\"only\"}\n"), 9));
        Assert.StartsWith("{\"custom_id\":\"only\"", last);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(last));
    }

    [Fact]
    public async Task Skip_lets_the_first_calls_pass()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        await AddFaultAsync(api, new { route = "list", kind = "status", status_code = 502, skip = 2, count = 1 });
        var codes = new List<int>();
        foreach (string path in new[] { "/v1/batches", "/v1/files", "/v1/batches", "/v1/files" })
        {
            using var r = await api.Http.GetAsync(path);
            codes.Add((int)r.StatusCode);
        }
        Assert.Equal(new[] { 200, 200, 502, 200 }, codes);   // "list" covers both list routes
    }

    [Fact]
    public async Task Probability_with_a_seed_is_repeatable()
    {
        async Task<string> PatternAsync(double p, int seed)
        {
            await using var host = await StartAsync();
            using var api = new EmulatorApi(host);
            await AddFaultAsync(api, new { route = "list", kind = "status", status_code = 500, probability = p, seed });
            var sb = new StringBuilder();
            for (int i = 0; i < 40; i++)
            {
                using var r = await api.Http.GetAsync("/v1/batches");
                sb.Append(r.IsSuccessStatusCode ? '.' : 'x');
            }
            Assert.Equal(sb.ToString().Count(c => c == 'x'), Stat(await StatsAsync(api), "faults_injected"));
            return sb.ToString();
        }

        string a = await PatternAsync(0.5, 42), b = await PatternAsync(0.5, 42), c = await PatternAsync(0.5, 7);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Contains('x', a);
        Assert.Contains('.', a);
        Assert.DoesNotContain('x', await PatternAsync(0, 1));
        Assert.DoesNotContain('.', await PatternAsync(1, 1));
    }

    [Fact]
    public async Task Rules_on_one_route_fire_in_order_and_leave_other_routes_alone()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        await AddFaultAsync(api, new { route = "get", kind = "status", status_code = 500 });
        await AddFaultAsync(api, new { route = "get", kind = "status", status_code = 503 });
        string id = await api.StartBatchAsync(Lines.Many(1));   // upload and create are not faulted

        var codes = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            using var r = await api.Http.GetAsync($"/v1/batches/{id}");
            codes.Add((int)r.StatusCode);
        }
        Assert.Equal(new[] { 500, 503, 200 }, codes);
    }

    [Fact]
    public async Task Exact_route_keys_and_star_are_accepted()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        await AddFaultAsync(api, new { route = "GET /v1/files/{file_id}", kind = "status", status_code = 500 });
        using (var r = await api.Http.GetAsync($"/v1/files/{fileId}")) Assert.Equal(500, (int)r.StatusCode);
        using (var r = await api.Http.GetAsync($"/v1/files/{fileId}")) Assert.Equal(200, (int)r.StatusCode);

        await AddFaultAsync(api, new { route = "*", kind = "status", status_code = 503, count = 2 });
        using (var r = await api.Http.GetAsync("/v1/batches")) Assert.Equal(503, (int)r.StatusCode);
        using (var r = await api.Http.GetAsync($"/v1/files/{fileId}/content")) Assert.Equal(503, (int)r.StatusCode);
        using (var r = await api.Http.GetAsync("/v1/batches")) Assert.Equal(200, (int)r.StatusCode);
        using (var r = await api.Http.GetAsync("/_emulator/stats")) Assert.Equal(200, (int)r.StatusCode);   // control routes are never faulted
    }

    [Theory]
    [InlineData("POST /v1/files", "upload")]
    [InlineData("POST /v1/batches", "create")]
    [InlineData("GET /v1/batches/{batch_id}", "get")]
    [InlineData("GET /v1/batches", "list")]
    [InlineData("GET /v1/files", "list")]
    [InlineData("POST /v1/batches/{batch_id}/cancel", "cancel")]
    [InlineData("GET /v1/files/{file_id}/content", "download")]
    [InlineData("POST /openai/files", "upload")]                                   // Azure, dated surface
    [InlineData("GET /openai/v1/files/{file_id}/content", "download")]            // Azure, v1 surface
    [InlineData("POST /groq/openai/v1/batches/{batch_id}/cancel", "cancel")]      // --openai-prefix
    [InlineData("POST /v1/messages/batches", "create")]                           // Anthropic
    [InlineData("GET /v1/messages/batches", "list")]
    [InlineData("GET /v1/messages/batches/{message_batch_id}", "get")]
    [InlineData("POST /v1/messages/batches/{message_batch_id}/cancel", "cancel")]
    [InlineData("GET /v1/messages/batches/{message_batch_id}/results", "download")]
    [InlineData("DELETE /v1/messages/batches/{message_batch_id}", null)]
    [InlineData("GET /v1/files/{file_id}", null)]
    [InlineData("DELETE /v1/files/{file_id}", null)]
    [InlineData("GET /v1/{**path}", null)]
    public void Route_names_follow_the_shape_of_the_route_on_every_surface(string routeKey, string? name) =>
        Assert.Equal(name, Faults.RouteName(routeKey));

    [Fact]
    public async Task Route_names_reach_other_openai_prefixes()
    {
        var options = new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 };
        options.OpenAIPrefixes.Add("/groq/openai/v1");
        await using var host = await EmulatorHost.StartAsync(options);
        using var api = new EmulatorApi(host);
        await AddFaultAsync(api, new { route = "upload", kind = "status", status_code = 503, count = 2 });

        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("batch"), "purpose");
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(Lines.Jsonl(Lines.Many(1)))), "file", "input.jsonl");
        using (var r = await api.Http.PostAsync("/groq/openai/v1/files", form)) Assert.Equal(503, (int)r.StatusCode);
        using (var r = await api.UploadRawAsync(Lines.Jsonl(Lines.Many(1)))) Assert.Equal(503, (int)r.StatusCode);
        await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        Assert.Equal(2, Stat(await StatsAsync(api), "faults_injected"));
    }

    [Fact]
    public async Task Anthropic_routes_answer_faults_in_anthropic_envelopes()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        using var anthropic = new AnthropicApi(host);
        await AddFaultAsync(api, new { route = "create", kind = "status", status_code = 529, retry_after = 1 });
        await AddFaultAsync(api, new { route = "create", kind = "status", status_code = 429 });
        await AddFaultAsync(api, new { route = "create", kind = "quota" });

        using (var r = await anthropic.CreateRawAsync(AnthropicApi.Many(1)))
        {
            await AnthropicApi.AssertErrorAsync(r, 529, "overloaded_error");
            Assert.Equal("1", r.Headers.GetValues("Retry-After").Single());
        }
        using (var r = await anthropic.CreateRawAsync(AnthropicApi.Many(1))) await AnthropicApi.AssertErrorAsync(r, 429, "rate_limit_error");
        using (var r = await anthropic.CreateRawAsync(AnthropicApi.Many(1))) await AnthropicApi.AssertErrorAsync(r, 402, "billing_error");
        Assert.Equal(0, host.State.AnthropicBatchCount);
        await anthropic.StartAsync(AnthropicApi.Many(1));
        Assert.Equal(1, host.State.AnthropicBatchCount);
    }

    [Fact]
    public async Task Anthropic_create_reset_after_acting_and_a_malformed_results_line()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        using var anthropic = new AnthropicApi(host);
        await AddFaultAsync(api, new { route = "create", kind = "reset_after" });
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => anthropic.CreateRawAsync(AnthropicApi.Many(10)));
        Assert.Equal(1, host.State.AnthropicBatchCount);

        var list = await EmulatorApi.JsonAsync(await anthropic.Http.GetAsync(AnthropicApi.Batches));
        string id = Assert.Single(list.GetProperty("data").EnumerateArray()).GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var batch = await anthropic.GetAsync(id);
        while (AnthropicApi.Status(batch) != "ended")
        {
            Assert.True(DateTime.UtcNow < deadline, "the batch did not end");
            await Task.Delay(10);
            batch = await anthropic.GetAsync(id);
        }

        await AddFaultAsync(api, new { route = "download", kind = "malformed_line", line = 2 });
        using var r = await anthropic.Http.GetAsync(new Uri(batch.GetProperty("results_url").GetString()!));
        var lines = (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(lines[1]));
        Assert.Contains("\"custom_id\"", lines[1]);
        foreach (var line in lines.Where((_, i) => i != 1)) JsonDocument.Parse(line).Dispose();
    }

    [Fact]
    public async Task Cancel_route_can_be_faulted()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 60_000 });
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(Lines.Many(1));
        await AddFaultAsync(api, new { route = "cancel", kind = "reset_after" });
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.PostJsonAsync($"/v1/batches/{id}/cancel", ""));
        Assert.Equal("cancelling", EmulatorApi.Status(await api.GetBatchAsync(id)));
        Assert.Equal(1, Stat(await StatsAsync(api), "cancels"));
    }

    [Fact]
    public async Task Emulator_reset_clears_rules_and_the_injected_count()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        await AddFaultAsync(api, new { route = "list", kind = "status", status_code = 500, count = 5 });
        using (await api.Http.GetAsync("/v1/batches")) { }
        Assert.Equal(1, Stat(await StatsAsync(api), "faults_injected"));

        await api.ControlAsync("/_emulator/reset");
        Assert.Equal(0, Stat(await StatsAsync(api), "faults_injected"));
        using (var r = await api.Http.GetAsync("/v1/batches")) Assert.Equal(200, (int)r.StatusCode);
        var added = await AddFaultAsync(api, new { route = "list", kind = "quota" });
        Assert.Equal("fault_1", added.GetProperty("id").GetString());
        Assert.Equal(1, host.State.Stats.RouteCalls("GET /v1/batches"));
    }
}
