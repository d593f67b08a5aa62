using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>POST /v1/batches is validated synchronously like the real service: 400 envelopes naming the param.</summary>
public sealed class CreateBatchTests
{
    private static readonly string[] BatchFields =
    {
        "id", "object", "endpoint", "model", "errors", "input_file_id", "completion_window", "status", "output_file_id",
        "error_file_id", "created_at", "in_progress_at", "expires_at", "finalizing_at", "completed_at", "failed_at",
        "expired_at", "cancelling_at", "cancelled_at", "request_counts", "usage", "metadata",
    };

    [Fact]
    public async Task Create_answers_a_validating_batch_with_every_field()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 60_000 });
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(2)));
        var batch = await api.CreateBatchAsync(fileId, metadata: new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });

        Assert.Equal(BatchFields.OrderBy(f => f), batch.EnumerateObject().Select(p => p.Name).OrderBy(f => f));
        Assert.Matches("^batch_", batch.GetProperty("id").GetString());
        Assert.Equal("batch", batch.GetProperty("object").GetString());
        Assert.Equal("validating", EmulatorApi.Status(batch));
        Assert.Equal(fileId, batch.GetProperty("input_file_id").GetString());
        Assert.Equal("24h", batch.GetProperty("completion_window").GetString());
        Assert.Equal(24 * 3600, batch.GetProperty("expires_at").GetInt64() - batch.GetProperty("created_at").GetInt64());
        Assert.Equal((0, 0, 0), EmulatorApi.Counts(batch));
        foreach (string f in new[] { "errors", "output_file_id", "error_file_id", "in_progress_at", "finalizing_at", "completed_at",
                     "failed_at", "expired_at", "cancelling_at", "cancelled_at", "usage" })
            Assert.Equal(JsonValueKind.Null, batch.GetProperty(f).ValueKind);
        Assert.Equal("2", batch.GetProperty("metadata").GetProperty("b").GetString());
        Assert.Equal(1, host.State.Stats.BatchesCreated);
    }

    public static IEnumerable<object[]> BadBodies()
    {
        var tooMany = Enumerable.Range(0, 17).ToDictionary(i => $"k{i}", i => "v");
        yield return new object[] { new { endpoint = "/v1/chat/completions", completion_window = "24h" }, "input_file_id" };
        yield return new object[] { new { input_file_id = "FILE", endpoint = "/v1/nope", completion_window = "24h" }, "endpoint" };
        yield return new object[] { new { input_file_id = "FILE", endpoint = "/v1/chat/completions", completion_window = "48h" }, "completion_window" };
        yield return new object[] { new { input_file_id = "FILE", endpoint = "/v1/chat/completions", completion_window = "24h", metadata = tooMany }, "metadata" };
        yield return new object[] { new { input_file_id = "FILE", endpoint = "/v1/chat/completions", completion_window = "24h", metadata = new Dictionary<string, string> { [new string('k', 65)] = "v" } }, "metadata" };
        yield return new object[] { new { input_file_id = "FILE", endpoint = "/v1/chat/completions", completion_window = "24h", metadata = new Dictionary<string, string> { ["k"] = new string('v', 513) } }, "metadata" };
        yield return new object[] { new { input_file_id = "file-doesnotexist", endpoint = "/v1/chat/completions", completion_window = "24h" }, "input_file_id" };
        yield return new object[] { new { input_file_id = "FILE", endpoint = "/v1/chat/completions", completion_window = "24h", surprise = 1 }, "surprise" };
        // seconds as a string: a 400 naming it (before, a 500: the number reader threw on a string).
        yield return new object[] { new { input_file_id = "FILE", endpoint = "/v1/chat/completions", completion_window = "24h", output_expires_after = new { anchor = "created_at", seconds = "3600" } }, "output_expires_after.seconds" };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Invalid_create_is_400_with_param(object body, string param)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions());
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        string json = JsonSerializer.Serialize(body).Replace("\"FILE\"", $"\"{fileId}\"");
        using var r = await api.PostJsonAsync("/v1/batches", json);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var error = EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r));
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        Assert.Equal(1, host.State.Stats.RouteCalls("POST /v1/batches"));
    }

    [Fact]
    public async Task Metadata_at_the_limits_is_accepted()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions());
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        var md = Enumerable.Range(0, 16).ToDictionary(i => i.ToString("D2") + new string('k', 62), i => new string('v', 512));
        var batch = await api.CreateBatchAsync(fileId, metadata: md);
        Assert.Equal(16, batch.GetProperty("metadata").EnumerateObject().Count());
    }

    [Fact]
    public async Task Input_file_must_have_purpose_batch()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions());
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)), purpose: "fine-tune");
        using var r = await api.CreateBatchRawAsync(new { input_file_id = fileId, endpoint = EmulatorApi.Chat, completion_window = "24h" });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("input_file_id", EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task Malformed_json_body_is_400()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions());
        using var api = new EmulatorApi(host);
        using var r = await api.PostJsonAsync("/v1/batches", "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r));
    }
}
