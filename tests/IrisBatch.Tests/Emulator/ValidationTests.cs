using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>The input file is checked after the create call succeeded: the batch then fails with errors naming the line.</summary>
public sealed class ValidationTests
{
    public static IEnumerable<object?[]> BadFiles()
    {
        string Good(string id) => Lines.Chat(id, "fine");
        yield return new object?[] { new[] { Good("a"), "{not json", Good("c") }, "invalid_json_line", new int?[] { 2 } };
        yield return new object?[] { new[] { Good("a"), Good("b"), Good("a") }, "duplicate_custom_id", new int?[] { 3 } };
        yield return new object?[] { new[] { Good("a"), Lines.Chat("b", "x", url: "/v1/embeddings") }, "url_mismatch", new int?[] { 2 } };
        yield return new object?[] { new[] { Lines.Chat("a", "x", method: "GET"), Good("b") }, "invalid_method", new int?[] { 1 } };
        yield return new object?[] { new[] { Good("a"), Good("b"), Lines.Chat("c", "x", model: "gpt-other") }, "model_mismatch", new int?[] { 3 } };
        yield return new object?[] { System.Array.Empty<string>(), "empty_file", new int?[] { null } };
        yield return new object?[] { new[] { Good("a"), Lines.Chat("b", "x", stream: true) }, "invalid_request", new int?[] { 2 } };
        yield return new object?[] { new[] { Lines.Chat("a", "x", model: "invalid-model"), Good("b"), Lines.Chat("c", "y", model: "invalid-model") }, "model_not_found", new int?[] { 1, 3 } };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Bad_input_fails_the_batch_with_code_and_line(string[] lines, string code, int?[] expectedLines)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 20, InProgressMs = 20, FinalizingMs = 0 });
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(lines));
        var created = await api.CreateBatchAsync(fileId);
        Assert.Equal("validating", EmulatorApi.Status(created));

        var failed = await api.WaitForStatusAsync(created.GetProperty("id").GetString()!, "failed", "completed");
        AssertFailed(failed, code, expectedLines);
    }

    [Fact]
    public async Task More_than_50000_lines_is_too_many_tasks()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0 });
        using var api = new EmulatorApi(host);
        string line = Lines.Chat("ID", "x");
        string content = string.Concat(Enumerable.Range(0, 50_001).Select(i => line.Replace("\"ID\"", $"\"r{i}\"") + "\n"));
        string fileId = await api.UploadAsync(content);
        string id = (await api.CreateBatchAsync(fileId)).GetProperty("id").GetString()!;
        var failed = await api.WaitForStatusAsync(id, "failed", "completed");
        AssertFailed(failed, "too_many_tasks", new int?[] { null });
    }

    [Fact]
    public async Task Blank_lines_crlf_and_a_bom_are_tolerated_and_line_numbers_stay_physical()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0 });
        using var api = new EmulatorApi(host);
        string content = "\uFEFF" + Lines.Chat("a", "one") + "\r\n\r\n" + Lines.Chat("b", "two") + "\r\n";
        string id = (await api.CreateBatchAsync(await api.UploadAsync(content))).GetProperty("id").GetString()!;
        var done = await api.WaitForStatusAsync(id, "failed", "completed");
        Assert.Equal("completed", EmulatorApi.Status(done));
        var lines = await api.DownloadLinesAsync(done.GetProperty("output_file_id").GetString()!);
        Assert.Equal(new[] { "a", "b" }, lines.Select(l => l.GetProperty("custom_id").GetString()).OrderBy(s => s));

        string bad = Lines.Chat("a", "one") + "\n\n{oops\n";
        string badId = (await api.CreateBatchAsync(await api.UploadAsync(bad))).GetProperty("id").GetString()!;
        AssertFailed(await api.WaitForStatusAsync(badId, "failed", "completed"), "invalid_json_line", new int?[] { 3 });
    }

    private static void AssertFailed(JsonElement batch, string code, int?[] expectedLines)
    {
        Assert.Equal("failed", EmulatorApi.Status(batch));
        Assert.Equal(JsonValueKind.Number, batch.GetProperty("failed_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, batch.GetProperty("in_progress_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, batch.GetProperty("output_file_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, batch.GetProperty("error_file_id").ValueKind);
        Assert.Equal((0, 0, 0), EmulatorApi.Counts(batch));
        var errors = batch.GetProperty("errors");
        Assert.Equal("list", errors.GetProperty("object").GetString());
        var data = errors.GetProperty("data").EnumerateArray().ToList();
        Assert.All(data, e =>
        {
            Assert.Equal(code, e.GetProperty("code").GetString());
            Assert.Equal(JsonValueKind.Null, e.GetProperty("param").ValueKind);
            Assert.False(string.IsNullOrEmpty(e.GetProperty("message").GetString()));
        });
        int?[] lines = data.Select(e => e.GetProperty("line").ValueKind == JsonValueKind.Null ? (int?)null : e.GetProperty("line").GetInt32()).ToArray();
        Assert.Equal(expectedLines, lines);
    }
}
