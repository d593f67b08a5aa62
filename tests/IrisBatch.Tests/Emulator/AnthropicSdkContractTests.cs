using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Anthropic;
using Anthropic.Exceptions;
using Messages = Anthropic.Models.Messages;
using Anthropic.Models.Messages.Batches;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// The official Anthropic .NET SDK drives the emulator's Message Batches routes end to end, validating every answer
/// against its models. If the SDK cannot parse an answer, the emulator is wrong.
/// </summary>
public sealed class AnthropicSdkContractTests
{
    private static AnthropicClient Client(EmulatorHost host, string key = "test-key") => new()
    {
        ApiKey = key,
        BaseUrl = host.BaseUri.GetLeftPart(UriPartial.Authority),
        MaxRetries = 0,
        ResponseValidation = true,
    };

    private static BatchCreateParams Create(params (string Id, string Text)[] requests) => new()
    {
        Requests = requests.Select(r => new Request
        {
            CustomID = r.Id,
            Params = new Params
            {
                Model = "claude-emulated-1",
                MaxTokens = 256,
                System = "You are terse.",
                Messages = [new Messages::UserMessageParam { Content = r.Text }],
            },
        }).ToList(),
    };

    [Fact]
    public async Task Official_sdk_creates_retrieves_lists_cancels_and_streams_results()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 20, InProgressMs = 60_000, FinalizingMs = 20, CancellingMs = 30,
        });
        using var api = new EmulatorApi(host);
        var client = Client(host);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;

        // A slow batch to cancel (created under the 60 s in-progress timing) ...
        MessageBatch slow = await client.Messages.Batches.Create(Create(("s1", "first slow"), ("s2", "second slow")), ct);
        slow.Validate();
        // ... and a quick one to run to the end.
        await api.ControlAsync("/_emulator/config", """{"in_progress_ms":50}""");
        MessageBatch quick = await client.Messages.Batches.Create(Create(("alpha", "Hello there"), ("beta", "please [fail] now"), ("gamma", "and [fail500] too")), ct);
        quick.Validate();
        Assert.StartsWith("msgbatch_", quick.ID);
        Assert.Equal(ProcessingStatus.InProgress, quick.ProcessingStatus.Value());
        Assert.Equal(3, quick.RequestCounts.Processing);
        Assert.Null(quick.ResultsUrl);

        MessageBatch got = await client.Messages.Batches.Retrieve(quick.ID, new(), ct);
        Assert.Equal(quick.ID, got.ID);
        Assert.Equal(quick.CreatedAt, got.CreatedAt);

        // List one per page, so the SDK has to follow has_more / last_id.
        var listed = new List<string>();
        BatchListPage page = await client.Messages.Batches.List(new BatchListParams { Limit = 1 }, ct);
        while (true)
        {
            page.Validate();
            listed.AddRange(page.Items.Select(b => b.ID));
            if (!page.HasNext()) break;
            page = await page.Next(ct);
        }
        Assert.Equal(new[] { quick.ID, slow.ID }, listed);

        MessageBatch canceling = await client.Messages.Batches.Cancel(slow.ID, new(), ct);
        Assert.Equal(ProcessingStatus.Canceling, canceling.ProcessingStatus.Value());
        Assert.NotNull(canceling.CancelInitiatedAt);

        MessageBatch ended = await WaitEndedAsync(client, quick.ID, ct);
        Assert.Equal((0L, 1L, 2L, 0L, 0L), (ended.RequestCounts.Processing, ended.RequestCounts.Succeeded, ended.RequestCounts.Errored,
            ended.RequestCounts.Canceled, ended.RequestCounts.Expired));
        Assert.NotNull(ended.EndedAt);
        Assert.EndsWith($"/v1/messages/batches/{quick.ID}/results", ended.ResultsUrl);

        var results = new Dictionary<string, MessageBatchResult>();
        await foreach (MessageBatchIndividualResponse line in client.Messages.Batches.ResultsStreaming(quick.ID, new(), ct))
        {
            line.Validate();
            results.Add(line.CustomID, line.Result);
        }
        Assert.Equal(new[] { "alpha", "beta", "gamma" }, results.Keys.OrderBy(k => k));
        Assert.True(results["alpha"].TryPickSucceeded(out var succeeded));
        Messages::Message message = succeeded!.Message;
        Assert.Equal("claude-emulated-1", (string)message.Model);
        Assert.True(message.Content.Single().TryPickText(out var text));
        Assert.Equal("Echo: Hello there", text!.Text);
        Assert.Equal(5, message.Usage.InputTokens);
        Assert.Equal(3, message.Usage.OutputTokens);
        Assert.True(results["beta"].TryPickErrored(out var failed400));
        Assert.True(results["gamma"].TryPickErrored(out var failed500));
        Assert.Contains("[fail]", failed400!.Error.Error.Message);
        Assert.Contains("[fail500]", failed500!.Error.Error.Message);

        MessageBatch cancelled = await WaitEndedAsync(client, slow.ID, ct);
        Assert.Equal(2, cancelled.RequestCounts.Succeeded + cancelled.RequestCounts.Canceled);
        await foreach (var line in client.Messages.Batches.ResultsStreaming(slow.ID, new(), ct))
            Assert.True(line.Result.TryPickCanceled(out _) || line.Result.TryPickSucceeded(out _));

        DeletedMessageBatch deleted = await client.Messages.Batches.Delete(quick.ID, new(), ct);
        deleted.Validate();
        Assert.Equal(quick.ID, deleted.ID);
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => client.Messages.Batches.Retrieve(quick.ID, new(), ct));
        Assert.Equal(2, host.State.Stats.BatchesCreated);
    }

    [Fact]
    public async Task Official_sdk_reports_a_wrong_key_as_unauthorized()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        var e = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => Client(host, "not-the-key").Messages.Batches.Retrieve("msgbatch_x", new()));
        Assert.DoesNotContain("not-the-key", e.Message);
    }

    private static async Task<MessageBatch> WaitEndedAsync(AnthropicClient client, string id, CancellationToken ct)
    {
        while (true)
        {
            MessageBatch b = await client.Messages.Batches.Retrieve(id, new(), ct);
            b.Validate();
            if (b.ProcessingStatus.Value() == ProcessingStatus.Ended) return b;
            await Task.Delay(10, ct);
        }
    }
}
