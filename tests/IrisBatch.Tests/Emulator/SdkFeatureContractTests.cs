using System;
using System.ClientModel.Primitives;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using OpenAI.Chat;
using OpenAI.Responses;
using Xunit;
using static IrisBatch.Tests.Emulator.FeatureBatch;

namespace IrisBatch.Tests.Emulator;

/// <summary>The OpenAI .NET SDK's own model types read the emulator's §11 result bodies (chat with schema, Responses).</summary>
public sealed class SdkFeatureContractTests
{
    private static T Read<T>(JsonElement body) => ModelReaderWriter.Read<T>(BinaryData.FromString(body.GetRawText()))!;

    [Fact]
    public async Task Sdk_chat_completion_reads_schema_answers_refusals_truncation_and_reasoning_usage()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        JsonObject Schema(string text) => ChatBody("o4-mini", text, b =>
        {
            b["response_format"] = StrictSchema("Product", ProductSchema());
            b["max_completion_tokens"] = 4000;
        });
        var (_, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("ok", Schema("a lamp")), Line("no", Schema("a lamp [refuse]")), Line("cut", Schema("a lamp [truncate]")));

        ChatCompletion ok = Read<ChatCompletion>(Body(lines["ok"]));
        Assert.Equal(ChatFinishReason.Stop, ok.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, ok.Role);
        using (var doc = JsonDocument.Parse(ok.Content.Single().Text)) Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.Null(ok.Refusal);
        Assert.Equal(FakeModel.ReasoningTokens("medium", 2), ok.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal(ok.Usage.InputTokenCount + ok.Usage.OutputTokenCount, ok.Usage.TotalTokenCount);

        ChatCompletion no = Read<ChatCompletion>(Body(lines["no"]));
        Assert.Equal(FakeModel.RefusalText, no.Refusal);
        Assert.Empty(no.Content);

        ChatCompletion cut = Read<ChatCompletion>(Body(lines["cut"]));
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
    }

    [Fact]
    public async Task Sdk_response_result_reads_completed_incomplete_and_refusal_responses()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        const string url = "/v1/responses";
        JsonObject Body_(string text) => ResponsesBody("gpt-5-mini", text, b =>
        {
            b["instructions"] = "Be brief.";
            b["reasoning"] = new JsonObject { ["effort"] = "high" };
            b["max_output_tokens"] = 4000;
            b["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["name"] = "P", ["strict"] = true, ["schema"] = ProductSchema() } };
        });
        var (_, lines) = await RunAsync(api, url, Line("ok", Body_("a lamp"), url), Line("cut", Body_("a lamp [truncate]"), url), Line("no", Body_("a lamp [refuse]"), url));

        ResponseResult ok = Read<ResponseResult>(Body(lines["ok"]));
        Assert.Equal(ResponseStatus.Completed, ok.Status);
        using (var doc = JsonDocument.Parse(ok.GetOutputText())) Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.Contains(ok.OutputItems, i => i is ReasoningResponseItem);
        Assert.Equal(FakeModel.ReasoningTokens("high", 4), ok.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal(ok.Usage.InputTokenCount + ok.Usage.OutputTokenCount, ok.Usage.TotalTokenCount);

        ResponseResult cut = Read<ResponseResult>(Body(lines["cut"]));
        Assert.Equal(ResponseStatus.Incomplete, cut.Status);
        Assert.Equal(ResponseIncompleteStatusReason.MaxOutputTokens, cut.IncompleteStatusDetails.Reason);

        ResponseResult no = Read<ResponseResult>(Body(lines["no"]));
        var part = no.OutputItems.OfType<MessageResponseItem>().Single().Content.Single();
        Assert.Equal(ResponseContentPartKind.Refusal, part.Kind);
        Assert.Equal(FakeModel.RefusalText, part.Refusal);
    }
}
