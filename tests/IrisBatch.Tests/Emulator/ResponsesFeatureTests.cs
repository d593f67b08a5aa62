using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;
using static IrisBatch.Tests.Emulator.FeatureBatch;

namespace IrisBatch.Tests.Emulator;

/// <summary>Spec §11.3: Responses batches: the endpoint, the body rules, and the Response result body.</summary>
public sealed class ResponsesFeatureTests
{
    private const string Url = "/v1/responses";

    private static JsonObject TextFormat(JsonObject schema) => new()
    {
        ["format"] = new JsonObject { ["type"] = "json_schema", ["name"] = "Product", ["strict"] = true, ["schema"] = schema },
    };

    private static JsonElement Output(JsonElement line, string type) =>
        Body(line).GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == type);

    [Fact]
    public async Task A_responses_batch_answers_response_objects_with_schema_json_reasoning_and_usage()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, Url,
            Line("json", ResponsesBody("gpt-5-mini", "Describe the lamp", b =>
            {
                b["instructions"] = "Extract the product.";
                b["max_output_tokens"] = 4000;
                b["reasoning"] = new JsonObject { ["effort"] = "low" };
                b["text"] = TextFormat(ProductSchema());
                b["store"] = false;
            }), Url),
            Line("plain", new JsonObject { ["model"] = "gpt-5-mini", ["input"] = "just a string" }, Url));
        Assert.Equal((2, 2, 0), EmulatorApi.Counts(batch));
        Assert.Equal("/v1/responses", batch.GetProperty("endpoint").GetString());

        var body = Body(lines["json"]);
        Assert.Equal("response", body.GetProperty("object").GetString());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("incomplete_details").ValueKind);
        Assert.Equal("rs_", Output(lines["json"], "reasoning").GetProperty("id").GetString()![..3]);
        var part = Output(lines["json"], "message").GetProperty("content").EnumerateArray().Single();
        Assert.Equal("output_text", part.GetProperty("type").GetString());
        using var schemaDoc = JsonDocument.Parse(ProductSchema().ToJsonString());
        Assert.Equal(SchemaAnswer.Generate(schemaDoc.RootElement, "Describe the lamp"), part.GetProperty("text").GetString());
        var usage = body.GetProperty("usage");
        int reasoning = usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32();
        Assert.Equal(FakeModel.ReasoningTokens("low", 6), reasoning);   // "Extract the product." + "Describe the lamp"
        Assert.Equal(reasoning + 1, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("output_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal("Echo: just a string", Output(lines["plain"], "message").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(2, host.State.Stats.Features.Total.ResponsesRequests);
    }

    [Fact]
    public async Task Markers_give_incomplete_and_refusal_responses()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (_, lines) = await RunAsync(api, Url,
            Line("cut", ResponsesBody("gpt-4o-mini", "item [truncate]", b => b["text"] = TextFormat(ProductSchema())), Url),
            Line("no", ResponsesBody("gpt-4o-mini", "item [refuse]"), Url),
            Line("bad", ResponsesBody("gpt-4o-mini", "item [invalid-json]", b => b["text"] = TextFormat(ProductSchema())), Url));
        var cut = Body(lines["cut"]);
        Assert.Equal(200, Status(lines["cut"]));
        Assert.Equal("incomplete", cut.GetProperty("status").GetString());
        Assert.Equal("max_output_tokens", cut.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(Output(lines["cut"], "message").GetProperty("content")[0].GetProperty("text").GetString()!));
        var refusal = Output(lines["no"], "message").GetProperty("content").EnumerateArray().Single();
        Assert.Equal("refusal", refusal.GetProperty("type").GetString());
        Assert.Equal(FakeModel.RefusalText, refusal.GetProperty("refusal").GetString());
        Assert.StartsWith(FakeModel.InvalidJsonPrefix, Output(lines["bad"], "message").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_content_filter_marker_gives_an_incomplete_response_with_reason_content_filter()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (_, lines) = await RunAsync(api, Url, Line("filtered", ResponsesBody("gpt-4o-mini", "some item words [content-filter]"), Url));
        var body = Body(lines["filtered"]);
        Assert.Equal(200, Status(lines["filtered"]));
        Assert.Equal("incomplete", body.GetProperty("status").GetString());
        Assert.Equal("content_filter", body.GetProperty("incomplete_details").GetProperty("reason").GetString());
        var message = Output(lines["filtered"], "message");
        Assert.Equal("incomplete", message.GetProperty("status").GetString());
        string text = message.GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.Equal("Echo: some item words [content-filter]"[..text.Length], text);
    }

    public static TheoryData<string, string, string, string> BadBodies() => new()
    {
        { """{"max_tokens":100}""", "Unknown parameter: 'max_tokens'.", "max_tokens", "unknown_parameter" },
        { """{"max_output_tokens":10}""", "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 10 instead.", "max_output_tokens", "integer_below_min_value" },
        { """{"temperature":0.2}""", "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", "temperature", "unsupported_value" },
        { """{"reasoning":{"effort":"none"}}""", "Unsupported value: 'reasoning.effort' does not support 'none' with this model. Supported values are: 'minimal', 'low', 'medium', and 'high'.", "reasoning.effort", "unsupported_value" },
        { """{"response_format":{"type":"json_object"}}""", "Unsupported parameter: 'response_format'. In the Responses API, this parameter has moved to 'text.format'. Try again with the new parameter. See the API documentation for more information: https://platform.openai.com/docs/api-reference/responses/create.", "response_format", "unsupported_parameter" },
        { """{"text":{"format":{"type":"json_schema","json_schema":{"name":"X","schema":{"type":"object"}}}}}""", "Unknown parameter: 'text.format.json_schema'.", "text.format.json_schema", "unknown_parameter" },
        { """{"text":{"format":{"type":"json_schema","name":"X","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}}}}}}""", "Invalid schema for response_format 'X': In context=(), 'additionalProperties' is required to be supplied and to be false.", "text.format.schema", "invalid_json_schema" },
        { """{"input":[{"role":"user","content":[{"type":"input_image","image_url":"https://example.com/a.png"}]}]}""", "Missing required parameter: 'input[0].content[0].detail'.", "input[0].content[0].detail", "missing_required_parameter" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_responses_body_fails_its_line(string extra, string message, string param, string code)
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var body = ResponsesBody("gpt-5-mini", "hello");
        foreach (var (k, v) in JsonNode.Parse(extra)!.AsObject().ToList()) body[k] = v?.DeepClone();
        var (batch, lines) = await RunAsync(api, Url, Line("bad", body, Url), Line("good", ResponsesBody("gpt-5-mini", "hello"), Url));
        Assert.Equal((2, 1, 1), EmulatorApi.Counts(batch));
        var error = AssertRejected(lines["bad"], param, code);
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_line_whose_url_is_not_the_batch_endpoint_fails_the_batch()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(new[]
        {
            Line("r", ResponsesBody("gpt-5-mini", "hi"), Url),
            Line("c", ChatBody("gpt-5-mini", "hi"), EmulatorApi.Chat),
        }));
        string id = (await api.CreateBatchAsync(fileId, Url)).GetProperty("id").GetString()!;
        var batch = await api.WaitForStatusAsync(id, "failed");
        var error = batch.GetProperty("errors").GetProperty("data").EnumerateArray().Single();
        Assert.Equal("url_mismatch", error.GetProperty("code").GetString());
        Assert.Equal(2, error.GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task Response_images_take_url_and_data_and_refuse_a_mismatched_type()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        static JsonObject WithImage(string url) => ResponsesBody("gpt-4o-mini", "what is this", b =>
            b["input"]![0]!["content"]!.AsArray().Add(new JsonObject { ["type"] = "input_image", ["image_url"] = url, ["detail"] = "auto" }));
        var (_, lines) = await RunAsync(api, Url,
            Line("url", WithImage("https://example.com/a.png"), Url),
            Line("data", WithImage("data:image/png;base64," + System.Convert.ToBase64String(ImageBytes.Png)), Url),
            Line("mismatch", WithImage("data:image/png;base64," + System.Convert.ToBase64String(ImageBytes.Jpeg)), Url));
        Assert.Equal(200, Status(lines["url"]));
        Assert.Equal(200, Status(lines["data"]));
        AssertRejected(lines["mismatch"], "input[0].content[1].image_url", "invalid_image_format");
        var f = host.State.Stats.Features.For("openai");
        Assert.Equal(3, f.ImageRequests);
        Assert.Equal(1, f.ImageUrlParts);
    }
}

/// <summary>The first bytes of each image type: enough for the magic-number checks.</summary>
internal static class ImageBytes
{
    public static readonly byte[] Png = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0 };
    public static readonly byte[] Jpeg = { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9 };
    public static readonly byte[] Gif = { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B };
    public static readonly byte[] AnimatedGif = { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B };
    public static readonly byte[] Webp = { 0x52, 0x49, 0x46, 0x46, 26, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4C, 13, 0, 0, 0, 0x2F, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07, 0 };
    public static readonly byte[] Text = System.Text.Encoding.ASCII.GetBytes("this is not an image at all");

    public static string DataUrl(string type, byte[] bytes) => $"data:{type};base64,{System.Convert.ToBase64String(bytes)}";
}
