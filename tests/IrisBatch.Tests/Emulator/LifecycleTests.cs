using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Lifecycle with a manual clock: exact statuses, counts and timestamps at chosen instants.
/// Only the background validation runs on real time, so each test first waits for it to report.
/// </summary>
public sealed class LifecycleTests
{
    private const int Phase = 1000;

    private static async Task<(EmulatorHost Host, ManualClock Clock)> StartAsync()
    {
        var clock = new ManualClock();
        var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = Phase, InProgressMs = Phase, FinalizingMs = Phase, CancellingMs = Phase, TimeProvider = clock,
        });
        return (host, clock);
    }

    /// <summary>Ten requests; req-2 fails with 400 and req-7 with 500.</summary>
    private static string[] TenLines() => Lines.Many(10, i => i switch
    {
        2 => "please [fail] this",
        7 => "and [fail500] this",
        _ => $"question number {i}",
    });

    /// <summary>Moves the clock to the end of validation and waits until the validator has reported.</summary>
    private static async Task<JsonElement> ToInProgressAsync(EmulatorApi api, ManualClock clock, string id, int advanceMs = Phase)
    {
        clock.AdvanceMs(advanceMs);
        return await api.WaitForStatusAsync(id, "in_progress", "failed");
    }

    [Fact]
    public async Task Requests_finish_linearly_in_input_order_then_finalizing_then_completed()
    {
        var (host, clock) = await StartAsync();
        await using var _ = host;
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(TenLines());
        long created = (await api.GetBatchAsync(id)).GetProperty("created_at").GetInt64();

        clock.AdvanceMs(Phase / 2);
        Assert.Equal("validating", EmulatorApi.Status(await api.GetBatchAsync(id)));

        clock.AdvanceMs(Phase / 2 - 1);
        Assert.Equal("validating", EmulatorApi.Status(await api.GetBatchAsync(id)));
        var b = await ToInProgressAsync(api, clock, id, advanceMs: 1);
        Assert.Equal((10, 0, 0), EmulatorApi.Counts(b));
        Assert.Equal("gpt-4o-mini", b.GetProperty("model").GetString());
        Assert.Equal(created + 1, b.GetProperty("in_progress_at").GetInt64());

        clock.AdvanceMs(Phase * 3 / 10);                                  // 3 of 10 done: req-1 ok, req-2 failed, req-3 ok
        Assert.Equal((10, 2, 1), EmulatorApi.Counts(await api.GetBatchAsync(id)));
        clock.AdvanceMs(Phase * 5 / 10);                                  // 8 done: req-7 failed too
        b = await api.GetBatchAsync(id);
        Assert.Equal("in_progress", EmulatorApi.Status(b));
        Assert.Equal((10, 6, 2), EmulatorApi.Counts(b));
        Assert.Equal(JsonValueKind.Null, b.GetProperty("usage").ValueKind);

        clock.AdvanceMs(Phase * 2 / 10);
        b = await api.GetBatchAsync(id);
        Assert.Equal("finalizing", EmulatorApi.Status(b));
        Assert.Equal((10, 8, 2), EmulatorApi.Counts(b));
        Assert.Equal(created + 2, b.GetProperty("finalizing_at").GetInt64());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("output_file_id").ValueKind);

        clock.AdvanceMs(Phase);
        b = await api.GetBatchAsync(id);
        Assert.Equal("completed", EmulatorApi.Status(b));
        Assert.Equal(created + 3, b.GetProperty("completed_at").GetInt64());
        Assert.Equal((10, 8, 2), EmulatorApi.Counts(b));

        var output = await api.DownloadLinesAsync(b.GetProperty("output_file_id").GetString()!);
        var errors = await api.DownloadLinesAsync(b.GetProperty("error_file_id").GetString()!);
        Assert.Equal(8, output.Count);
        Assert.Equal(new[] { "req-2", "req-7" }, errors.Select(CustomId).OrderBy(s => s));

        // Usage = the fake model's tokens over the successful requests:
        // prompt = "You are terse." (3) + "question number N" (3); answer "Echo: question number N" (4).
        var usage = b.GetProperty("usage");
        Assert.Equal(8 * 6, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(8 * 4, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(8 * 10, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Result_lines_have_the_openai_shape_and_a_shuffled_order()
    {
        var (host, clock) = await StartAsync();
        await using var _ = host;
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(TenLines());
        await ToInProgressAsync(api, clock, id);
        clock.AdvanceMs(3 * Phase);
        var b = await api.WaitForStatusAsync(id, "completed");

        var output = await api.DownloadLinesAsync(b.GetProperty("output_file_id").GetString()!);
        var inputOrder = Enumerable.Range(1, 10).Select(i => $"req-{i}").Where(c => c is not ("req-2" or "req-7")).ToList();
        Assert.NotEqual(inputOrder, output.Select(CustomId).ToList());
        Assert.Equal(inputOrder.OrderBy(s => s), output.Select(CustomId).OrderBy(s => s));

        var line = output.Single(l => CustomId(l) == "req-4");
        Assert.Equal(new[] { "custom_id", "error", "id", "response" }, line.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.StartsWith("batch_req_", line.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("error").ValueKind);
        var response = line.GetProperty("response");
        Assert.Equal(200, response.GetProperty("status_code").GetInt32());
        Assert.StartsWith("req_", response.GetProperty("request_id").GetString());
        var body = response.GetProperty("body");
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Number, body.GetProperty("created").ValueKind);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("Echo: question number 4", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal((6, 4, 10), (usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32()));

        var errors = (await api.DownloadLinesAsync(b.GetProperty("error_file_id").GetString()!)).ToDictionary(CustomId);
        var e400 = errors["req-2"].GetProperty("response");
        Assert.Equal(400, e400.GetProperty("status_code").GetInt32());
        var env400 = EmulatorApi.AssertEnvelope(e400.GetProperty("body"));
        Assert.Equal("emulated_failure", env400.GetProperty("code").GetString());
        Assert.Equal("messages", env400.GetProperty("param").GetString());
        Assert.Equal("The emulator failed this request because its prompt contains [fail].", env400.GetProperty("message").GetString());
        var e500 = errors["req-7"].GetProperty("response");
        Assert.Equal(500, e500.GetProperty("status_code").GetInt32());
        var env500 = EmulatorApi.AssertEnvelope(e500.GetProperty("body"), "server_error");
        Assert.Equal(JsonValueKind.Null, env500.GetProperty("code").ValueKind);
        Assert.Equal(JsonValueKind.Null, errors["req-2"].GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Cancel_is_not_terminal_then_cancelled_with_partial_results_and_no_lines_for_unexecuted_requests()
    {
        var (host, clock) = await StartAsync();
        await using var _ = host;
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(TenLines());
        await ToInProgressAsync(api, clock, id);
        clock.AdvanceMs(Phase * 4 / 10);                                  // req-1..4 done (req-2 failed)

        using var r = await api.PostJsonAsync($"/v1/batches/{id}/cancel", "");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var b = await EmulatorApi.JsonAsync(r);
        Assert.Equal("cancelling", EmulatorApi.Status(b));
        Assert.Equal(JsonValueKind.Number, b.GetProperty("cancelling_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, b.GetProperty("cancelled_at").ValueKind);
        Assert.Equal((10, 3, 1), EmulatorApi.Counts(b));

        clock.AdvanceMs(Phase / 2);
        b = await api.GetBatchAsync(id);
        Assert.Equal("cancelling", EmulatorApi.Status(b));                // still not terminal
        Assert.Equal((10, 3, 1), EmulatorApi.Counts(b));                  // frozen at the cancel
        using (var again = await api.PostJsonAsync($"/v1/batches/{id}/cancel", ""))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);           // a retried cancel is harmless

        clock.AdvanceMs(Phase / 2);
        b = await api.GetBatchAsync(id);
        Assert.Equal("cancelled", EmulatorApi.Status(b));
        Assert.Equal(b.GetProperty("cancelling_at").GetInt64() + 1, b.GetProperty("cancelled_at").GetInt64());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("completed_at").ValueKind);
        var output = await api.DownloadLinesAsync(b.GetProperty("output_file_id").GetString()!);
        var errors = await api.DownloadLinesAsync(b.GetProperty("error_file_id").GetString()!);
        Assert.Equal(new[] { "req-1", "req-3", "req-4" }, output.Select(CustomId).OrderBy(s => s));
        Assert.Equal(new[] { "req-2" }, errors.Select(CustomId));
        Assert.Equal(3 * 6, b.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(1, host.State.Stats.Cancels);

        using var late = await api.PostJsonAsync($"/v1/batches/{id}/cancel", "");
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        var error = EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(late));
        Assert.Equal("Cannot cancel a batch with status cancelled.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Cancel_while_validating_ends_cancelled_without_result_files()
    {
        var (host, clock) = await StartAsync();
        await using var _ = host;
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(TenLines());
        using (var r = await api.PostJsonAsync($"/v1/batches/{id}/cancel", ""))
            Assert.Equal("cancelling", EmulatorApi.Status(await EmulatorApi.JsonAsync(r)));
        clock.AdvanceMs(Phase);
        var b = await api.GetBatchAsync(id);
        Assert.Equal("cancelled", EmulatorApi.Status(b));
        Assert.Equal(JsonValueKind.Null, b.GetProperty("in_progress_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, b.GetProperty("output_file_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, b.GetProperty("error_file_id").ValueKind);
    }

    [Fact]
    public async Task Expire_control_route_writes_done_results_and_batch_expired_lines_for_the_rest()
    {
        var (host, clock) = await StartAsync();
        await using var _ = host;
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(TenLines());

        using (var early = await api.PostJsonAsync($"/_emulator/batches/{id}/expire", ""))
            Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);    // validating batches do not expire

        await ToInProgressAsync(api, clock, id);
        clock.AdvanceMs(Phase * 3 / 10);                                  // req-1..3 done (req-2 failed)
        var b = await api.ControlAsync($"/_emulator/batches/{id}/expire");
        Assert.Equal("expired", EmulatorApi.Status(b));
        Assert.Equal(JsonValueKind.Number, b.GetProperty("expired_at").ValueKind);
        Assert.Equal((10, 2, 8), EmulatorApi.Counts(b));

        var output = await api.DownloadLinesAsync(b.GetProperty("output_file_id").GetString()!);
        var errors = (await api.DownloadLinesAsync(b.GetProperty("error_file_id").GetString()!)).ToDictionary(CustomId);
        Assert.Equal(new[] { "req-1", "req-3" }, output.Select(CustomId).OrderBy(s => s));
        Assert.Equal(8, errors.Count);
        Assert.Equal(400, errors["req-2"].GetProperty("response").GetProperty("status_code").GetInt32());
        foreach (int i in new[] { 4, 5, 6, 7, 8, 9, 10 })
        {
            var line = errors[$"req-{i}"];
            Assert.Equal(JsonValueKind.Null, line.GetProperty("response").ValueKind);
            Assert.Equal("batch_expired", line.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal("This request could not be executed before the completion window expired.", line.GetProperty("error").GetProperty("message").GetString());
        }

        clock.AdvanceMs(10 * Phase);
        Assert.Equal("expired", EmulatorApi.Status(await api.GetBatchAsync(id)));
        using var unknown = await api.PostJsonAsync("/_emulator/batches/batch_nope/expire", "");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task All_failed_has_no_output_file_and_none_failed_has_no_error_file()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 10, InProgressMs = 20, FinalizingMs = 10 });
        using var api = new EmulatorApi(host);
        string allFail = await api.StartBatchAsync(Lines.Many(3, i => i == 2 ? "[fail500]" : "[fail]"));
        string noneFail = await api.StartBatchAsync(Lines.Many(3));

        var a = await api.WaitForStatusAsync(allFail, "completed");
        Assert.Equal(JsonValueKind.Null, a.GetProperty("output_file_id").ValueKind);
        Assert.Equal((3, 0, 3), EmulatorApi.Counts(a));
        Assert.Equal(3, (await api.DownloadLinesAsync(a.GetProperty("error_file_id").GetString()!)).Count);
        Assert.Equal(0, a.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        var n = await api.WaitForStatusAsync(noneFail, "completed");
        Assert.Equal(JsonValueKind.Null, n.GetProperty("error_file_id").ValueKind);
        Assert.Equal((3, 3, 0), EmulatorApi.Counts(n));
        var outputFile = await EmulatorApi.JsonAsync(await api.Http.GetAsync($"/v1/files/{n.GetProperty("output_file_id").GetString()}"));
        Assert.Equal("batch_output", outputFile.GetProperty("purpose").GetString());
    }

    [Fact]
    public async Task Array_content_parts_are_concatenated_by_the_fake_model()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0 });
        using var api = new EmulatorApi(host);
        string line = JsonSerializer.Serialize(new
        {
            custom_id = "parts",
            method = "POST",
            url = EmulatorApi.Chat,
            body = new
            {
                model = "gpt-4o-mini",
                messages = new object[]
                {
                    new { role = "user", content = "first question" },
                    new { role = "assistant", content = "an answer" },
                    new { role = "user", content = new object[] { new { type = "text", text = "Hello " }, new { type = "image_url", image_url = new { url = "https://example.com/a.png" } }, new { type = "text", text = "world" } } },
                },
            },
        });
        string id = await api.StartBatchAsync(line);
        var b = await api.WaitForStatusAsync(id, "completed");
        var body = (await api.DownloadLinesAsync(b.GetProperty("output_file_id").GetString()!)).Single().GetProperty("response").GetProperty("body");
        Assert.Equal("Echo: Hello world", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(6, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    private static string CustomId(JsonElement line) => line.GetProperty("custom_id").GetString()!;
}
