using System;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// The official OpenAI .NET SDK drives the emulator end to end. If the SDK cannot parse an answer, the emulator is wrong.
/// </summary>
public sealed class OpenAISdkContractTests
{
    [Fact]
    public async Task Official_sdk_uploads_creates_gets_lists_cancels_waits_and_downloads()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 20, InProgressMs = 60_000, FinalizingMs = 20, CancellingMs = 30,
        });
        using var api = new EmulatorApi(host);
        var options = new OpenAIClientOptions { Endpoint = new Uri(host.BaseUri, "/v1") };
        var credential = new ApiKeyCredential("test-key");
        var files = new OpenAIFileClient(credential, options);
        var batches = new BatchClient(credential, new BatchClientOptions { Endpoint = new Uri(host.BaseUri, "/v1") });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var requestOptions = new RequestOptions { CancellationToken = timeout.Token };

        string jsonl = Lines.Jsonl(new[]
        {
            Lines.Chat("alpha", "Hello there"),
            Lines.Chat("beta", "please [fail] now"),
            Lines.Chat("gamma", "third one"),
        });
        OpenAIFile input = await files.UploadFileAsync(BinaryData.FromString(jsonl), "contract.jsonl", FileUploadPurpose.Batch);
        Assert.StartsWith("file-", input.Id);
        Assert.Equal(FilePurpose.Batch, input.Purpose);
        Assert.Equal("contract.jsonl", input.Filename);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(jsonl), input.SizeInBytes);
        OpenAIFile fetched = await files.GetFileAsync(input.Id);
        Assert.Equal(input.Id, fetched.Id);

        // A slow batch to cancel (created under the 60 s in-progress timing) ...
        CreateBatchOperation toCancel = await batches.CreateBatchAsync(CreateBody(input.Id, "cancel-me"), waitUntilCompleted: false, requestOptions);
        // ... and a quick one to complete.
        await api.ControlAsync("/_emulator/config", """{"in_progress_ms":50}""");
        CreateBatchOperation op = await batches.CreateBatchAsync(CreateBody(input.Id, "contract"), waitUntilCompleted: false, requestOptions);
        Assert.StartsWith("batch_", op.BatchId);
        Assert.False(op.HasCompleted);

        using (var created = JsonDocument.Parse(op.GetRawResponse().Content))
        {
            Assert.Equal("validating", created.RootElement.GetProperty("status").GetString());
            Assert.Equal("contract", created.RootElement.GetProperty("metadata").GetProperty("job").GetString());
        }

        ClientResult got = await batches.GetBatchAsync(op.BatchId, requestOptions);
        using (var doc = JsonDocument.Parse(got.GetRawResponse().Content))
            Assert.Equal(op.BatchId, doc.RootElement.GetProperty("id").GetString());

        // List, one per page, so the SDK has to follow has_more / last_id.
        var listed = new List<string>();
        await foreach (ClientResult page in batches.GetBatchesAsync(after: null, limit: 1, requestOptions).GetRawPagesAsync())
        {
            using var doc = JsonDocument.Parse(page.GetRawResponse().Content);
            listed.AddRange(doc.RootElement.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("id").GetString()!));
        }
        Assert.Equal(new[] { op.BatchId, toCancel.BatchId }, listed);

        ClientResult cancelled = await toCancel.CancelAsync(requestOptions);
        using (var doc = JsonDocument.Parse(cancelled.GetRawResponse().Content))
            Assert.Equal("cancelling", doc.RootElement.GetProperty("status").GetString());

        await op.WaitForCompletionAsync(timeout.Token);
        Assert.True(op.HasCompleted);
        using var final = JsonDocument.Parse(op.GetRawResponse().Content);
        var batch = final.RootElement;
        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal((3, 2, 1), EmulatorApi.Counts(batch));

        string outputId = batch.GetProperty("output_file_id").GetString()!;
        string errorId = batch.GetProperty("error_file_id").GetString()!;
        OpenAIFile outputFile = await files.GetFileAsync(outputId);
        Assert.Equal(FilePurpose.BatchOutput, outputFile.Purpose);

        BinaryData output = await files.DownloadFileAsync(outputId);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(l => l.GetProperty("custom_id").GetString()!);
        Assert.Equal(new[] { "alpha", "gamma" }, lines.Keys.OrderBy(k => k));
        var alpha = lines["alpha"].GetProperty("response");
        Assert.Equal(200, alpha.GetProperty("status_code").GetInt32());
        Assert.Equal("Echo: Hello there", alpha.GetProperty("body").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        BinaryData errors = await files.DownloadFileAsync(errorId);
        using var errorLine = JsonDocument.Parse(errors.ToString().Trim());
        Assert.Equal("beta", errorLine.RootElement.GetProperty("custom_id").GetString());
        Assert.Equal(400, errorLine.RootElement.GetProperty("response").GetProperty("status_code").GetInt32());

        var cancelledBatch = await api.WaitForStatusAsync(toCancel.BatchId, "cancelled");
        Assert.Equal(JsonValueKind.Number, cancelledBatch.GetProperty("cancelled_at").ValueKind);

        FileDeletionResult deletion = await files.DeleteFileAsync(outputId);
        Assert.True(deletion.Deleted);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => files.GetFileAsync(outputId));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task Official_sdk_reports_a_wrong_key_as_401()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        var files = new OpenAIFileClient(new ApiKeyCredential("not-the-key"), new OpenAIClientOptions { Endpoint = new Uri(host.BaseUri, "/v1") });
        var e = await Assert.ThrowsAsync<ClientResultException>(() => files.GetFileAsync("file-nope"));
        Assert.Equal(401, e.Status);
        Assert.DoesNotContain("not-the-key", e.Message);
    }

    private static BinaryContent CreateBody(string fileId, string job) => BinaryContent.Create(BinaryData.FromObjectAsJson(new
    {
        input_file_id = fileId,
        endpoint = "/v1/chat/completions",
        completion_window = "24h",
        metadata = new Dictionary<string, string> { ["job"] = job },
    }));
}
