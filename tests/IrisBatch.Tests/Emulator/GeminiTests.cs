using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Gemini batch mode over raw HTTP (spec §4, §10), on a manual clock: PENDING for 100 ms, RUNNING until 1100 ms (requests
/// finish linearly from 100 to 1000 ms), then SUCCEEDED; a cancel takes 100 ms.
/// </summary>
public sealed class GeminiTests
{
    private const int RunningAt = 100, EndMs = 1100, CancelMs = 100;

    private static async Task<(EmulatorHost Host, ManualClock Clock)> StartAsync(bool jobStates = false)
    {
        var clock = new ManualClock();
        var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 100, InProgressMs = 900, FinalizingMs = 100, CancellingMs = CancelMs, TimeProvider = clock, GeminiJobStates = jobStates,
        });
        return (host, clock);
    }

    [Fact]
    public async Task Inline_create_answers_a_pending_operation_with_int64_counters_as_strings()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        var op = await api.CreateAsync(GeminiApi.InlineBody(GeminiApi.Many(3)));

        Assert.Matches("^batches/[a-z0-9]+$", GeminiApi.Name(op));
        Assert.Equal(new[] { "metadata", "name" }, op.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        var m = op.GetProperty("metadata");
        Assert.Equal("type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch", m.GetProperty("@type").GetString());
        Assert.Equal("models/" + GeminiApi.Model, m.GetProperty("model").GetString());
        Assert.Equal("my-batch", m.GetProperty("displayName").GetString());
        Assert.Equal(GeminiApi.Name(op), m.GetProperty("name").GetString());
        Assert.Equal("2026-01-01T00:00:00.000000Z", m.GetProperty("createTime").GetString());
        Assert.Equal("BATCH_STATE_PENDING", GeminiApi.State(op));
        Assert.Equal("{\"requestCount\":\"3\",\"pendingRequestCount\":\"3\"}", m.GetProperty("batchStats").GetRawText());
        Assert.False(GeminiApi.IsDone(op));

        Assert.Equal(1, host.State.Stats.BatchesCreated);
        Assert.Equal(1, host.State.Stats.RouteCalls("POST /v1beta/models/{model}:batchGenerateContent"));
        Assert.Equal(1, host.State.GeminiBatchCount);
    }

    [Fact]
    public async Task Inline_batch_runs_pending_running_succeeded_with_rising_counts_then_inlined_responses_in_input_order()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        var requests = GeminiApi.Many(3, i => i == 2 ? "please [fail] this" : $"question number {i}");
        requests[0] = GeminiApi.Inline("request-1", "Describe photosynthesis", system: "Be brief.");
        string name = await api.StartAsync(requests);

        clock.AdvanceMs(RunningAt - 1);
        Assert.Equal("BATCH_STATE_PENDING", GeminiApi.State(await api.GetAsync(name)));
        clock.AdvanceMs(1);
        var op = await api.GetAsync(name);
        Assert.Equal("BATCH_STATE_RUNNING", GeminiApi.State(op));
        Assert.Equal((3, 0, 0, 3), GeminiApi.Stats(op));
        clock.AdvanceMs(600);                                    // 2 of 3 done: one ok, one [fail]
        op = await api.GetAsync(name);
        Assert.Equal((3, 1, 1, 1), GeminiApi.Stats(op));
        Assert.False(GeminiApi.IsDone(op));
        Assert.False(op.GetProperty("metadata").TryGetProperty("output", out _));

        clock.AdvanceMs(EndMs - RunningAt - 600);
        op = await api.GetAsync(name);
        Assert.Equal("BATCH_STATE_SUCCEEDED", GeminiApi.State(op));
        Assert.True(GeminiApi.IsDone(op));
        Assert.Equal((3, 2, 1, 0), GeminiApi.Stats(op));
        Assert.Equal("2026-01-01T00:00:01.100000Z", op.GetProperty("metadata").GetProperty("endTime").GetString());
        var response = op.GetProperty("response");
        Assert.Equal("type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput", response.GetProperty("@type").GetString());
        var items = response.GetProperty("inlinedResponses").GetProperty("inlinedResponses").EnumerateArray().ToList();
        Assert.Equal(new[] { "request-1", "request-2", "request-3" }, items.Select(i => i.GetProperty("metadata").GetProperty("key").GetString()));

        var first = items[0].GetProperty("response");
        var candidate = first.GetProperty("candidates")[0];
        Assert.Equal("Echo: Describe photosynthesis", candidate.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("model", candidate.GetProperty("content").GetProperty("role").GetString());
        Assert.Equal("STOP", candidate.GetProperty("finishReason").GetString());
        var usage = first.GetProperty("usageMetadata");
        Assert.Equal(4, usage.GetProperty("promptTokenCount").GetInt32());      // "Be brief." + "Describe photosynthesis"
        Assert.Equal(3, usage.GetProperty("candidatesTokenCount").GetInt32());
        // gemini-2.5 thinks by default (spec §11.4): thoughts are counted apart from the candidates, and in the total.
        int thoughts = IrisBatch.Emulator.FakeModel.ReasoningTokens("medium", 4);
        Assert.Equal(thoughts, usage.GetProperty("thoughtsTokenCount").GetInt32());
        Assert.Equal(7 + thoughts, usage.GetProperty("totalTokenCount").GetInt32());
        Assert.Equal(GeminiApi.Model, first.GetProperty("modelVersion").GetString());

        var error = items[1].GetProperty("error");
        Assert.Equal(3, error.GetProperty("code").GetInt32());                  // google.rpc.Status: gRPC INVALID_ARGUMENT
        Assert.Contains("[fail]", error.GetProperty("message").GetString());
        Assert.False(items[1].TryGetProperty("response", out _));

        // metadata.output carries the same results.
        Assert.Equal(response.GetProperty("inlinedResponses").GetRawText(),
            op.GetProperty("metadata").GetProperty("output").GetProperty("inlinedResponses").GetRawText());
    }

    [Fact]
    public async Task Snake_case_and_camelCase_bodies_are_both_accepted_and_unknown_or_repeated_fields_are_rejected()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        await api.CreateAsync(GeminiApi.InlineBody(new[] { GeminiApi.Inline("a", "hi", camel: false, system: "s") }, camel: false));
        await api.CreateAsync(GeminiApi.InlineBody(new[] { GeminiApi.Inline("a", "hi", camel: true, system: "s") }, camel: true));
        await api.CreateAsync("{\"batch\":{\"displayName\":\"mixed\",\"input_config\":{\"requests\":{\"requests\":[{\"request\":{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}],\"generationConfig\":{\"temperature\":0.7}}}]}}}}");
        Assert.Equal(3, host.State.GeminiBatchCount);

        using var unknown = await api.PostJsonAsync(GeminiApi.Create, "{\"batch\":{\"displayName\":\"x\",\"colour\":\"red\",\"inputConfig\":{\"fileName\":\"files/x\"}}}");
        var e = await GeminiApi.AssertErrorAsync(unknown, 400, "INVALID_ARGUMENT");
        Assert.Contains("Unknown name \"colour\" at 'batch'", e.GetProperty("message").GetString());

        using var twice = await api.PostJsonAsync(GeminiApi.Create, "{\"batch\":{\"displayName\":\"x\",\"display_name\":\"y\",\"inputConfig\":{\"fileName\":\"files/x\"}}}");
        await GeminiApi.AssertErrorAsync(twice, 400, "INVALID_ARGUMENT");
        Assert.Equal(3, host.State.GeminiBatchCount);
    }

    [Theory]
    [InlineData("{\"batch\":{\"input_config\":{\"requests\":{\"requests\":[{\"request\":{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}]}}]}}}}", "display_name")]
    [InlineData("{\"batch\":{\"display_name\":\"d\"}}", "input_config")]
    [InlineData("{\"batch\":{\"display_name\":\"d\",\"input_config\":{\"file_name\":\"files/a\",\"requests\":{\"requests\":[]}}}}", "exactly one")]
    [InlineData("{\"batch\":{\"display_name\":\"d\",\"input_config\":{\"requests\":{\"requests\":[]}}}}", "at least one")]
    [InlineData("{\"batch\":{\"display_name\":\"d\",\"input_config\":{\"requests\":[{\"request\":{}}]}}}", "expected a JSON object")]
    [InlineData("{\"batch\":{\"display_name\":\"d\",\"input_config\":{\"requests\":{\"requests\":[{\"request\":{\"contents\":[]}}]}}}}", "contents is not specified")]
    [InlineData("{\"batch\":{\"display_name\":\"d\",\"input_config\":{\"requests\":{\"requests\":[{\"request\":{\"contents\":[{\"role\":\"bot\",\"parts\":[{\"text\":\"x\"}]}]}}]}}}}", "valid role")]
    [InlineData("{\"batch\":{\"display_name\":\"d\",\"input_config\":{\"requests\":{\"requests\":[{\"request\":{\"contents\":[{\"parts\":[]}]}}]}}}}", "must not be empty")]
    [InlineData("{\"batch\":{\"display_name\":\"d\",\"input_config\":{\"file_name\":\"abc\"}}}", "files/")]
    [InlineData("not json", "not valid JSON")]
    public async Task Create_rejects_malformed_batches_with_400_INVALID_ARGUMENT(string body, string expected)
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        using var r = await api.PostJsonAsync(GeminiApi.Create, body);
        var e = await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT");
        Assert.Contains(expected, e.GetProperty("message").GetString());
        Assert.Equal(0, host.State.Stats.BatchesCreated);
    }

    [Fact]
    public async Task Unknown_model_or_input_file_is_404_and_an_inline_body_over_20_MB_is_400()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        using (var r = await api.PostJsonAsync("/v1beta/models/invalid-model:batchGenerateContent", GeminiApi.InlineBody(GeminiApi.Many(1))))
            await GeminiApi.AssertErrorAsync(r, 404, "NOT_FOUND");
        using (var r = await api.PostJsonAsync(GeminiApi.Create, GeminiApi.FileBody("files/nosuchfile")))
            await GeminiApi.AssertErrorAsync(r, 404, "NOT_FOUND");

        string big = new('x', 21 * 1024 * 1024);
        using (var r = await api.PostJsonAsync(GeminiApi.Create, GeminiApi.InlineBody(new[] { GeminiApi.Inline("big", big) })))
        {
            var e = await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT");
            Assert.Equal("Request payload size exceeds the limit: 20971520 bytes.", e.GetProperty("message").GetString());
        }
        // Under the limit is fine.
        await api.CreateAsync(GeminiApi.InlineBody(new[] { GeminiApi.Inline("big", new string('y', 19 * 1024 * 1024)) }));
        Assert.Equal(1, host.State.GeminiBatchCount);
    }

    [Fact]
    public async Task A_wrong_key_is_400_API_KEY_INVALID_a_missing_one_403_and_the_key_query_parameter_works()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var wrong = new GeminiApi(host, "wrong-key");
        using var r = await wrong.Http.GetAsync("/v1beta/batches");
        var e = await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT");
        Assert.Equal("API key not valid. Please pass a valid API key.", e.GetProperty("message").GetString());
        var info = e.GetProperty("details")[0];
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", info.GetProperty("@type").GetString());
        Assert.Equal("API_KEY_INVALID", info.GetProperty("reason").GetString());
        Assert.Equal("googleapis.com", info.GetProperty("domain").GetString());
        Assert.DoesNotContain("wrong-key", await r.Content.ReadAsStringAsync());

        using var none = new GeminiApi(host, key: null);
        using (var r2 = await none.Http.GetAsync("/v1beta/batches")) await GeminiApi.AssertErrorAsync(r2, 403, "PERMISSION_DENIED");
        using (var r3 = await none.Http.GetAsync("/v1beta/batches?key=test-key")) Assert.Equal(HttpStatusCode.OK, r3.StatusCode);
        using (var r4 = await none.Http.GetAsync("/v1beta/nothing/here")) await GeminiApi.AssertErrorAsync(r4, 404, "NOT_FOUND");
    }

    [Fact]
    public async Task File_mode_reads_a_chunked_resumable_upload_and_answers_a_shuffled_responses_file_on_both_download_paths()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        var lines = Enumerable.Range(1, 8).Select(i => JsonSerializer.Serialize(new
        {
            key = $"request-{i}",
            request = new { contents = new[] { new { role = "user", parts = new[] { new { text = i == 3 ? "x [fail500]" : $"question {i}" } } } } },
        }));
        var file = await api.UploadAsync(string.Concat(lines.Select(l => l + "\r\n")), "batch-input", chunks: 3);
        string fileName = file.GetProperty("name").GetString()!;
        Assert.Matches("^files/[a-z0-9-]+$", fileName);
        Assert.Equal("batch-input", file.GetProperty("displayName").GetString());
        Assert.Equal("application/jsonl", file.GetProperty("mimeType").GetString());
        Assert.Equal(JsonValueKind.String, file.GetProperty("sizeBytes").ValueKind);
        Assert.Equal("ACTIVE", file.GetProperty("state").GetString());
        Assert.Equal(1, host.State.Stats.Uploads);

        var op = await api.CreateAsync(GeminiApi.FileBody(fileName, camel: true));
        string name = GeminiApi.Name(op);
        Assert.Equal(fileName, op.GetProperty("metadata").GetProperty("inputConfig").GetProperty("fileName").GetString());
        // The input file is read in the background, and running starts when that ends (by the emulator's clock): move the
        // clock to the end of validating, wait for the read, then to the end. One jump to the end could outrun the read,
        // which would then start the run at the end and never finish it.
        clock.AdvanceMs(RunningAt);
        op = await api.WaitAsync(name, o => GeminiApi.State(o) == "BATCH_STATE_RUNNING");
        clock.AdvanceMs(EndMs - RunningAt);
        op = await api.WaitAsync(name, GeminiApi.IsDone);
        Assert.Equal("BATCH_STATE_SUCCEEDED", GeminiApi.State(op));
        Assert.Equal((8, 7, 1, 0), GeminiApi.Stats(op));
        string responsesFile = op.GetProperty("response").GetProperty("responsesFile").GetString()!;
        Assert.Equal(responsesFile, op.GetProperty("metadata").GetProperty("output").GetProperty("responsesFile").GetString());
        Assert.StartsWith("files/batch-", responsesFile);

        var docs = await api.DownloadLinesAsync($"/download/v1beta/{responsesFile}:download?alt=media");
        var sdk = await api.DownloadLinesAsync($"/v1beta/{responsesFile}:download?alt=media");
        Assert.Equal(docs.Select(l => l.GetRawText()), sdk.Select(l => l.GetRawText()));
        var keys = docs.Select(l => l.GetProperty("key").GetString()!).ToList();
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"request-{i}").OrderBy(k => k), keys.OrderBy(k => k));
        Assert.NotEqual(Enumerable.Range(1, 8).Select(i => $"request-{i}"), keys);        // shuffled: join on key
        var failed = docs.Single(l => l.GetProperty("key").GetString() == "request-3");
        Assert.Equal(13, failed.GetProperty("error").GetProperty("code").GetInt32());
        var ok = docs.Single(l => l.GetProperty("key").GetString() == "request-5");
        Assert.Equal("Echo: question 5", ok.GetProperty("response").GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal(2, host.State.Stats.Downloads);

        // Only generated files download; alt=media is required.
        using (var r = await api.Http.GetAsync($"/v1beta/{fileName}:download?alt=media")) await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT");
        using (var r = await api.Http.GetAsync($"/v1beta/{responsesFile}:download")) await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT");
    }

    [Fact]
    public async Task Resumable_upload_checks_protocol_offsets_and_length_and_a_retried_finalize_makes_no_second_file()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        using (var m = new HttpRequestMessage(HttpMethod.Post, "/upload/v1beta/files") { Content = new StringContent("{}", Encoding.UTF8, "application/json") })
        {
            m.Headers.Add("X-Goog-Upload-Command", "start");
            using var r = await api.Http.SendAsync(m);
            await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT");
        }

        byte[] bytes = Encoding.UTF8.GetBytes("0123456789");
        string url = await api.StartUploadAsync("ten", bytes.Length);
        Assert.StartsWith(host.BaseUri.GetLeftPart(UriPartial.Authority) + "/upload/v1beta/files?upload_id=", url);
        using (var r = await api.ChunkAsync(url, bytes[..4], 0, "upload")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await api.ChunkAsync(url, bytes[4..], 3, "upload, finalize")) await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT");
        using (var r = await api.ChunkAsync(url, Array.Empty<byte>(), 0, "query"))
            Assert.Equal("4", r.Headers.GetValues("X-Goog-Upload-Size-Received").Single());
        using (var r = await api.ChunkAsync(url, bytes[4..8], 4, "upload, finalize"))            // 8 of the declared 10
            await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT");
        string first;
        using (var r = await api.ChunkAsync(url, bytes[8..], 8, "upload, finalize"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            first = (await EmulatorApi.JsonAsync(r)).GetProperty("file").GetProperty("name").GetString()!;
        }
        using (var r = await api.ChunkAsync(url, bytes[8..], 8, "upload, finalize"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(first, (await EmulatorApi.JsonAsync(r)).GetProperty("file").GetProperty("name").GetString());
        }
        Assert.Equal(1, host.State.Stats.Uploads);
        var meta = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1beta/" + first));
        Assert.Equal("10", meta.GetProperty("sizeBytes").GetString());

        using (var r = await api.ChunkAsync(host.BaseUri + "upload/v1beta/files?upload_id=nope", bytes, 0, "upload, finalize"))
            await GeminiApi.AssertErrorAsync(r, 404, "NOT_FOUND");
    }

    [Fact]
    public async Task Files_list_pages_get_and_delete()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        Assert.Equal("{}", (await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1beta/files"))).GetRawText());
        var names = new System.Collections.Generic.List<string>();
        for (int i = 0; i < 3; i++) names.Add((await api.UploadAsync("{}\n", $"f{i}")).GetProperty("name").GetString()!);
        names.Reverse();

        var page1 = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1beta/files?pageSize=2"));
        Assert.Equal(names.Take(2), page1.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        string token = page1.GetProperty("nextPageToken").GetString()!;
        var page2 = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1beta/files?pageSize=2&pageToken=" + token));
        Assert.Equal(names.Skip(2), page2.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.False(page2.TryGetProperty("nextPageToken", out _));

        using (var d = await api.Http.DeleteAsync("/v1beta/" + names[0])) Assert.Equal("{}", await d.Content.ReadAsStringAsync());
        using (var g = await api.Http.GetAsync("/v1beta/" + names[0])) await GeminiApi.AssertErrorAsync(g, 404, "NOT_FOUND");
        Assert.Equal(1, host.State.Stats.FilesDeleted);
    }

    [Fact]
    public async Task A_bad_input_file_fails_the_batch_with_an_operation_error_naming_the_line()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        string good = "{\"key\":\"a\",\"request\":{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}]}}";
        foreach (var (content, expected) in new[]
        {
            (good + "\n{not json\n", "Line 2"),
            (good + "\n{\"request\":{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}]}}\n", "'key' is required"),
            (good + "\n" + good + "\n", "the key 'a' is used by more than one request"),
            ("\n\n", "no requests"),
        })
        {
            var file = await api.UploadAsync(content);
            string name = GeminiApi.Name(await api.CreateAsync(GeminiApi.FileBody(file.GetProperty("name").GetString()!)));
            clock.AdvanceMs(RunningAt);
            var op = await api.WaitAsync(name, GeminiApi.IsDone);
            Assert.Equal("BATCH_STATE_FAILED", GeminiApi.State(op));
            Assert.Equal(3, op.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Contains(expected, op.GetProperty("error").GetProperty("message").GetString());
            Assert.False(op.TryGetProperty("response", out _));
        }
    }

    [Fact]
    public async Task States_come_with_the_JOB_STATE_prefix_when_switched_by_config_or_option()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        using var control = new EmulatorApi(host);
        string name = await api.StartAsync(GeminiApi.Many(1));
        Assert.Equal("BATCH_STATE_PENDING", GeminiApi.State(await api.GetAsync(name)));

        var config = await control.ControlAsync("/_emulator/config", "{\"gemini_state_prefix\":\"JOB_STATE_\"}");
        Assert.Equal("JOB_STATE_", config.GetProperty("gemini_state_prefix").GetString());
        Assert.Equal("JOB_STATE_PENDING", GeminiApi.State(await api.GetAsync(name)));
        clock.AdvanceMs(EndMs);
        Assert.Equal("JOB_STATE_SUCCEEDED", GeminiApi.State(await api.GetAsync(name)));

        using (var bad = await control.PostJsonAsync("/_emulator/config", "{\"gemini_state_prefix\":\"STATE_\"}"))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        await control.ControlAsync("/_emulator/reset");
        Assert.Equal("BATCH_STATE_", (await EmulatorApi.JsonAsync(await control.Http.GetAsync("/_emulator/config"))).GetProperty("gemini_state_prefix").GetString());

        var (jobHost, _) = await StartAsync(jobStates: true);
        await using var _j = jobHost;
        using var jobApi = new GeminiApi(jobHost);
        Assert.Equal("JOB_STATE_PENDING", GeminiApi.State(await jobApi.CreateAsync(GeminiApi.InlineBody(GeminiApi.Many(1)))));
    }

    [Fact]
    public async Task List_is_newest_first_and_pages_with_page_tokens()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        Assert.Equal("{}", (await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1beta/batches"))).GetRawText());
        var created = new System.Collections.Generic.List<string>();
        for (int i = 0; i < 5; i++) created.Add(await api.StartAsync(GeminiApi.Many(1)));
        created.Reverse();

        var seen = new System.Collections.Generic.List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            var page = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1beta/batches?pageSize=2" + (token is null ? "" : "&pageToken=" + token)));
            pages++;
            seen.AddRange(page.GetProperty("operations").EnumerateArray().Select(GeminiApi.Name));
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        Assert.Equal(3, pages);
        Assert.Equal(created, seen);

        using var bad = await api.Http.GetAsync("/v1beta/batches?pageToken=garbage");
        await GeminiApi.AssertErrorAsync(bad, 400, "INVALID_ARGUMENT");
    }

    [Fact]
    public async Task Cancel_answers_an_empty_object_and_the_batch_ends_cancelled_with_results_only_for_requests_done()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        string name = await api.StartAsync(GeminiApi.Many(9));
        clock.AdvanceMs(RunningAt + 300);                          // 3 of 9 done
        using (var r = await api.Http.PostAsync($"/v1beta/{name}:cancel", null))
            Assert.Equal("{}", await r.Content.ReadAsStringAsync());
        clock.AdvanceMs(CancelMs - 1);
        var op = await api.GetAsync(name);
        Assert.Equal("BATCH_STATE_RUNNING", GeminiApi.State(op));
        Assert.False(GeminiApi.IsDone(op));
        clock.AdvanceMs(1);
        op = await api.GetAsync(name);
        Assert.Equal("BATCH_STATE_CANCELLED", GeminiApi.State(op));
        Assert.True(GeminiApi.IsDone(op));
        Assert.Equal((9, 3, 0, 6), GeminiApi.Stats(op));
        var keys = op.GetProperty("response").GetProperty("inlinedResponses").GetProperty("inlinedResponses").EnumerateArray()
            .Select(i => i.GetProperty("metadata").GetProperty("key").GetString());
        Assert.Equal(new[] { "request-1", "request-2", "request-3" }, keys);

        using (var again = await api.Http.PostAsync($"/v1beta/{name}:cancel", null)) Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, host.State.Stats.Cancels);

        string done = await api.StartAsync(GeminiApi.Many(1));
        clock.AdvanceMs(EndMs);
        using (var late = await api.Http.PostAsync($"/v1beta/{done}:cancel", null)) await GeminiApi.AssertErrorAsync(late, 400, "FAILED_PRECONDITION");
        using (var missing = await api.Http.PostAsync("/v1beta/batches/nosuch:cancel", null)) await GeminiApi.AssertErrorAsync(missing, 404, "NOT_FOUND");
    }

    [Fact]
    public async Task Faults_reach_the_Gemini_routes_by_name_or_exact_key()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        using var control = new EmulatorApi(host);
        await control.ControlAsync("/_emulator/faults", "{\"route\":\"POST /v1beta/models/{model}:batchGenerateContent\",\"kind\":\"reset_after\"}");
        await Assert.ThrowsAsync<HttpRequestException>(() => api.PostJsonAsync(GeminiApi.Create, GeminiApi.InlineBody(GeminiApi.Many(1))));
        Assert.Equal(1, host.State.Stats.BatchesCreated);              // the handler ran; only the answer was lost
        string name = GeminiApi.Name((await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1beta/batches"))).GetProperty("operations")[0]);

        await control.ControlAsync("/_emulator/faults", "{\"route\":\"get\",\"kind\":\"status\",\"status_code\":503}");
        using (var r = await api.Http.GetAsync("/v1beta/" + name)) Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Equal("BATCH_STATE_PENDING", GeminiApi.State(await api.GetAsync(name)));
        Assert.Equal(2, host.State.Stats.FaultsInjected);
    }

    [Fact]
    public async Task Expire_control_route_ends_a_running_batch_as_EXPIRED_without_results_and_delete_forgets_a_batch()
    {
        var (host, clock) = await StartAsync();
        await using var _h = host;
        using var api = new GeminiApi(host);
        using var control = new EmulatorApi(host);
        string name = await api.StartAsync(GeminiApi.Many(4));
        string id = name["batches/".Length..];
        using (var early = await control.PostJsonAsync($"/_emulator/batches/{id}/expire", "{}"))
            await GeminiApi.AssertErrorAsync(early, 400, "FAILED_PRECONDITION");
        clock.AdvanceMs(RunningAt + 450);
        var expired = await control.ControlAsync($"/_emulator/batches/{id}/expire");
        Assert.Equal("BATCH_STATE_EXPIRED", GeminiApi.State(expired));
        var op = await api.GetAsync(name);
        Assert.True(GeminiApi.IsDone(op));
        Assert.Equal("BATCH_STATE_EXPIRED", GeminiApi.State(op));
        Assert.False(op.TryGetProperty("response", out _));
        Assert.False(op.GetProperty("metadata").TryGetProperty("output", out _));

        using (var d = await api.Http.DeleteAsync("/v1beta/" + name)) Assert.Equal("{}", await d.Content.ReadAsStringAsync());
        using (var g = await api.Http.GetAsync("/v1beta/" + name)) await GeminiApi.AssertErrorAsync(g, 404, "NOT_FOUND");
        Assert.Equal(0, host.State.GeminiBatchCount);
    }
}
