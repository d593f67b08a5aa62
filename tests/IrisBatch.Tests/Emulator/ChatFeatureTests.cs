using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;
using static IrisBatch.Tests.Emulator.FeatureBatch;

namespace IrisBatch.Tests.Emulator;

/// <summary>Spec §11 on OpenAI chat batch lines: schema answers, markers, reasoning-model rules, schema and image checks.</summary>
public sealed class ChatFeatureTests
{
    private static JsonObject WithSchema(string model, string text, JsonObject? schema = null) =>
        ChatBody(model, text, b => b["response_format"] = StrictSchema("Product", schema ?? ProductSchema()));

    [Fact]
    public async Task A_schema_request_is_answered_with_json_that_fits_the_schema_deterministically()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("a", WithSchema("gpt-4o-mini", "Describe the red ball")),
            Line("b", WithSchema("gpt-4o-mini", "Describe the red ball")),
            Line("c", WithSchema("gpt-4o-mini", "Describe the blue car")));
        Assert.Equal((3, 3, 0), EmulatorApi.Counts(batch));
        string a = Message(lines["a"]).GetProperty("content").GetString()!;
        Assert.Equal(a, Message(lines["b"]).GetProperty("content").GetString());
        Assert.NotEqual(a, Message(lines["c"]).GetProperty("content").GetString());
        Assert.Equal("stop", FinishReason(lines["a"]));
        Assert.Equal(JsonValueKind.Null, Message(lines["a"]).GetProperty("refusal").ValueKind);

        foreach (string id in new[] { "a", "c" })
        {
            using var doc = JsonDocument.Parse(Message(lines[id]).GetProperty("content").GetString()!);
            var o = doc.RootElement;
            Assert.Equal(new[] { "name", "category", "price", "stock", "active", "tags", "dims", "note", "released", "code" },
                o.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.String, o.GetProperty("name").ValueKind);
            Assert.Contains(o.GetProperty("category").GetString(), new[] { "toys", "food", "tools" });
            Assert.InRange(o.GetProperty("price").GetDouble(), 1, 5);
            Assert.InRange(o.GetProperty("stock").GetInt32(), 10, 20);
            Assert.True(o.GetProperty("active").ValueKind is JsonValueKind.True or JsonValueKind.False);
            Assert.InRange(o.GetProperty("tags").GetArrayLength(), 2, 4);
            Assert.All(o.GetProperty("tags").EnumerateArray(), t => Assert.Equal(JsonValueKind.String, t.ValueKind));
            Assert.Equal(JsonValueKind.Number, o.GetProperty("dims").GetProperty("w").ValueKind);
            Assert.True(o.GetProperty("dims").GetProperty("w").TryGetInt64(out _));
            Assert.Equal(JsonValueKind.Number, o.GetProperty("dims").GetProperty("h").ValueKind);
            Assert.Equal(JsonValueKind.String, o.GetProperty("note").ValueKind);
            Assert.True(DateTime.TryParseExact(o.GetProperty("released").GetString(), "yyyy-MM-dd", null, System.Globalization.DateTimeStyles.None, out _));
            Assert.Matches("^[0-9]+$", o.GetProperty("code").GetString());
        }
        // The public generator gives the same text, so tests elsewhere can compute expected answers.
        using var schemaDoc = JsonDocument.Parse(ProductSchema().ToJsonString());
        Assert.Equal(a, SchemaAnswer.Generate(schemaDoc.RootElement, "Describe the red ball"));
    }

    [Fact]
    public async Task Markers_give_invalid_json_a_truncated_answer_and_a_refusal_with_or_without_a_schema()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("full", WithSchema("gpt-4o-mini", "item one")),
            Line("bad", WithSchema("gpt-4o-mini", "item one [invalid-json]")),
            Line("cut", WithSchema("gpt-4o-mini", "item one [truncate]")),
            Line("no", WithSchema("gpt-4o-mini", "item one [refuse]")),
            Line("cut-text", ChatBody("gpt-4o-mini", "plain words here [truncate]")),
            Line("no-text", ChatBody("gpt-4o-mini", "plain words [refuse]")));
        Assert.Equal((6, 6, 0), EmulatorApi.Counts(batch));

        string bad = Message(lines["bad"]).GetProperty("content").GetString()!;
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(bad));
        Assert.Equal("stop", FinishReason(lines["bad"]));

        string cut = Message(lines["cut"]).GetProperty("content").GetString()!;
        Assert.Equal("length", FinishReason(lines["cut"]));
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(cut));
        Assert.StartsWith("{", cut);

        var refused = Message(lines["no"]);
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("content").ValueKind);
        Assert.Equal(FakeModel.RefusalText, refused.GetProperty("refusal").GetString());
        Assert.Equal("stop", FinishReason(lines["no"]));

        Assert.Equal("length", FinishReason(lines["cut-text"]));
        string cutText = Message(lines["cut-text"]).GetProperty("content").GetString()!;
        Assert.NotEmpty(cutText);
        Assert.Equal("Echo: plain words here [truncate]"[..cutText.Length], cutText);
        Assert.Equal(FakeModel.RefusalText, Message(lines["no-text"]).GetProperty("refusal").GetString());
    }

    [Fact]
    public async Task The_content_filter_marker_stops_a_chat_answer_half_way_with_finish_reason_content_filter()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("filtered", ChatBody("gpt-4o-mini", "plain words here [content-filter]")),
            Line("plain", ChatBody("gpt-4o-mini", "plain words here")));
        Assert.Equal((2, 2, 0), EmulatorApi.Counts(batch));   // a 200 line in the output file, as the real service's
        Assert.Equal("content_filter", FinishReason(lines["filtered"]));
        string text = Message(lines["filtered"]).GetProperty("content").GetString()!;
        Assert.NotEmpty(text);
        Assert.Equal("Echo: plain words here [content-filter]"[..text.Length], text);
        Assert.True(text.Length < "Echo: plain words here [content-filter]".Length);
        Assert.Equal("stop", FinishReason(lines["plain"]));
    }

    [Fact]
    public async Task Reasoning_models_refuse_max_tokens_and_temperature_per_line_with_the_real_error_text()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("max", ChatBody("gpt-5-mini", "hello", b => b["max_tokens"] = 200)),
            Line("temp", ChatBody("gpt-5-mini", "hello", b => b["temperature"] = 0.2)),
            Line("temp1", ChatBody("gpt-5-mini", "hello", b => b["temperature"] = 1)),
            Line("ok", ChatBody("gpt-5-mini", "hello there", b => b["max_completion_tokens"] = 2000)),
            Line("topp", ChatBody("gpt-5-mini", "hello", b => b["top_p"] = 0.5)),
            Line("minimal", ChatBody("gpt-5-mini", "hello", b => b["reasoning_effort"] = "minimal")),
            Line("bogus", ChatBody("gpt-5-mini", "hello", b => b["reasoning_effort"] = "extreme")));
        Assert.Equal((7, 3, 4), EmulatorApi.Counts(batch));

        var max = AssertRejected(lines["max"], "max_tokens", "unsupported_parameter");
        Assert.Equal("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", max.GetProperty("message").GetString());
        var temp = AssertRejected(lines["temp"], "temperature", "unsupported_value");
        Assert.Equal("Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", temp.GetProperty("message").GetString());
        AssertRejected(lines["topp"], "top_p", "unsupported_parameter");
        AssertRejected(lines["bogus"], "reasoning_effort", "invalid_value");
        Assert.Equal(200, Status(lines["temp1"]));
        Assert.Equal(200, Status(lines["minimal"]));

        var usage = Body(lines["ok"]).GetProperty("usage");
        int reasoning = usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32();
        Assert.Equal(FakeModel.ReasoningTokens("medium", 2), reasoning);
        Assert.Equal(reasoning + 3, usage.GetProperty("completion_tokens").GetInt32());   // "Echo: hello there"
        Assert.True(Body(lines["minimal"]).GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32()
            < reasoning);
        // The batch's usage sums the successful lines' reasoning tokens (spec §1.5).
        long sum = new[] { "temp1", "ok", "minimal" }.Sum(k => (long)Body(lines[k]).GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(sum, batch.GetProperty("usage").GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt64());
        Assert.Equal(4, host.State.Stats.Features.For("openai").Rejected);
        Assert.Equal(3, host.State.Stats.Features.For("openai").ReasoningRequests);
    }

    [Theory]
    [InlineData("o4-mini")]
    [InlineData("o3")]
    [InlineData("o1")]
    [InlineData("gpt-5")]
    [InlineData("gpt-5.1")]
    public async Task Other_reasoning_models_refuse_max_tokens_too(string model)
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (_, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("max", ChatBody(model, "hello", b => b["max_tokens"] = 100)),
            Line("ok", ChatBody(model, "hello", b => b["max_completion_tokens"] = 1000)));
        AssertRejected(lines["max"], "max_tokens", "unsupported_parameter");
        Assert.Equal(200, Status(lines["ok"]));
        Assert.True(Body(lines["ok"]).GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Ordinary_models_take_max_tokens_and_temperature_and_refuse_reasoning_effort()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (_, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("ok", ChatBody("gpt-4o-mini", "hello", b => { b["max_tokens"] = 100; b["temperature"] = 0.2; })),
            Line("effort", ChatBody("gpt-4o-mini", "hello", b => b["reasoning_effort"] = "low")));
        foreach (var (k, v) in (await RunAsync(api, EmulatorApi.Chat,
            Line("gpt51-none", ChatBody("gpt-5.1", "hello", b => { b["reasoning_effort"] = "none"; b["temperature"] = 0.2; })),
            Line("gpt51-low", ChatBody("gpt-5.1", "hello", b => { b["reasoning_effort"] = "low"; b["temperature"] = 0.2; })))).Lines) lines[k] = v;
        foreach (var (k, v) in (await RunAsync(api, EmulatorApi.Chat,
            Line("o3-minimal", ChatBody("o3", "hello", b => b["reasoning_effort"] = "minimal")))).Lines) lines[k] = v;
        Assert.Equal(200, Status(lines["ok"]));
        Assert.Equal(0, Body(lines["ok"]).GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal("Unsupported parameter: 'reasoning_effort' is not supported with this model.",
            AssertRejected(lines["effort"], "reasoning_effort", "unsupported_parameter").GetProperty("message").GetString());
        Assert.Equal(200, Status(lines["gpt51-none"]));
        Assert.Equal(0, Body(lines["gpt51-none"]).GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        AssertRejected(lines["gpt51-low"], "temperature", "unsupported_value");
        Assert.Equal("Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported values are: 'low', 'medium', and 'high'.",
            AssertRejected(lines["o3-minimal"], "reasoning_effort", "unsupported_value").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_max_completion_tokens_too_small_for_the_reasoning_ends_with_length_and_no_text()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (_, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("tiny", ChatBody("o4-mini", "hello", b => b["max_completion_tokens"] = 5)));
        Assert.Equal("length", FinishReason(lines["tiny"]));
        Assert.Equal("", Message(lines["tiny"]).GetProperty("content").GetString());
        Assert.Equal(5, Body(lines["tiny"]).GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    public static TheoryData<string, string, string?, string?> BadFormats() => new()
    {
        { """{"type":"json_schema","json_schema":{"name":"has space","strict":true,"schema":{"type":"object","properties":{},"required":[],"additionalProperties":false}}}""",
          "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", "response_format.json_schema.name", "invalid_value" },
        { """{"type":"json_schema","json_schema":{"name":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","schema":{"type":"object"}}}""",
          "Invalid 'response_format.json_schema.name': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.", "response_format.json_schema.name", "string_above_max_length" },
        { """{"type":"json_schema","json_schema":{"strict":true,"schema":{"type":"object"}}}""",
          "Missing required parameter: 'response_format.json_schema.name'.", "response_format.json_schema.name", "missing_required_parameter" },
        { """{"type":"json_schema","json_schema":{"name":"X","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}}}""",
          "Invalid schema for response_format 'X': In context=(), 'additionalProperties' is required to be supplied and to be false.", "response_format", "invalid_json_schema" },
        { """{"type":"json_schema","json_schema":{"name":"X","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"],"additionalProperties":false}}}""",
          "Invalid schema for response_format 'X': In context=(), 'required' is required to be supplied and to be an array including every key in properties. Missing 'b'.", "response_format", "invalid_json_schema" },
        { """{"type":"json_schema","json_schema":{"name":"X","strict":true,"schema":{"type":"array","items":{"type":"string"}}}}""",
          "Invalid schema for response_format 'X': schema must be a JSON Schema of 'type: \"object\"', got 'type: \"array\"'.", "response_format", "invalid_json_schema" },
        { """{"type":"json_schema","json_schema":{"name":"X","strict":true,"schema":{"type":"object","properties":{"a":{"allOf":[{"type":"string"}]}},"required":["a"],"additionalProperties":false}}}""",
          "Invalid schema for response_format 'X': In context=('properties', 'a'), 'allOf' is not permitted.", "response_format", "invalid_json_schema" },
        { """{"type":"json_schema","json_schema":{"name":"X","strict":true,"schema":{"type":"object","properties":{"o":{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]}},"required":["o"],"additionalProperties":false}}}""",
          "Invalid schema for response_format 'X': In context=('properties', 'o'), 'additionalProperties' is required to be supplied and to be false.", "response_format", "invalid_json_schema" },
        { """{"type":"json_object"}""",
          "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages", null },
        { """{"type":"xml"}""",
          "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'.", "response_format.type", "invalid_value" },
    };

    [Theory]
    [MemberData(nameof(BadFormats))]
    public async Task A_bad_response_format_fails_its_line_with_the_service_error(string format, string message, string? param, string? code)
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("bad", ChatBody("gpt-4o-mini", "hello", b => b["response_format"] = JsonNode.Parse(format))),
            Line("good", WithSchema("gpt-4o-mini", "hello")));
        Assert.Equal((2, 1, 1), EmulatorApi.Counts(batch));
        var error = AssertRejected(lines["bad"]);
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(param, error.GetProperty("param").ValueKind == JsonValueKind.Null ? null : error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").ValueKind == JsonValueKind.Null ? null : error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Accepted_formats_json_object_non_strict_schema_and_defs_refs()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var defs = JsonNode.Parse("""
            {"type":"json_schema","json_schema":{"name":"Tree","strict":true,"schema":{"type":"object","properties":{"root":{"$ref":"#/$defs/node"}},"required":["root"],"additionalProperties":false,
             "$defs":{"node":{"type":"object","properties":{"label":{"type":"string"},"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["label","kids"],"additionalProperties":false}}}}}
            """);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("jo", ChatBody("gpt-4o-mini", "answer in JSON please", b => b["response_format"] = JsonNode.Parse("""{"type":"json_object"}"""))),
            Line("loose", ChatBody("gpt-4o-mini", "hi", b => b["response_format"] = JsonNode.Parse("""{"type":"json_schema","json_schema":{"name":"L","schema":{"type":"object","properties":{"x":{"type":"integer"}}}}}"""))),
            Line("tree", ChatBody("gpt-4o-mini", "hi", b => b["response_format"] = defs)));
        Assert.Equal((3, 3, 0), EmulatorApi.Counts(batch));
        var old = (await RunAsync(api, EmulatorApi.Chat, Line("old", ChatBody("gpt-3.5-turbo", "hi", b => b["response_format"] = StrictSchema("P", ProductSchema()))))).Lines;
        lines["old"] = old["old"];
        using (var d = JsonDocument.Parse(Message(lines["jo"]).GetProperty("content").GetString()!)) Assert.Equal(JsonValueKind.Object, d.RootElement.ValueKind);
        using (var d = JsonDocument.Parse(Message(lines["loose"]).GetProperty("content").GetString()!)) Assert.Equal(JsonValueKind.Number, d.RootElement.GetProperty("x").ValueKind);
        using (var d = JsonDocument.Parse(Message(lines["tree"]).GetProperty("content").GetString()!))
            Assert.Equal(JsonValueKind.String, d.RootElement.GetProperty("root").GetProperty("label").ValueKind);
        Assert.Equal("Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
            AssertRejected(lines["old"], "response_format").GetProperty("message").GetString());
        Assert.Equal(2, host.State.Stats.Features.Total.SchemaRequests);   // loose + tree (json_object has none; the refused line is counted as rejected)
    }

    [Fact]
    public async Task Azure_lines_follow_the_same_rules()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var http = new System.Net.Http.HttpClient { BaseAddress = host.BaseUri };
        http.DefaultRequestHeaders.Add("api-key", "test-key");
        string jsonl = Lines.Jsonl(new[]
        {
            Line("max", ChatBody("o4-mini", "hello", b => b["max_tokens"] = 100), "/chat/completions"),
            Line("ok", WithSchema("o4-mini", "hello"), "/chat/completions"),
        });
        using var form = new System.Net.Http.MultipartFormDataContent
        {
            { new System.Net.Http.StringContent("batch"), "purpose" },
            { new System.Net.Http.ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(jsonl)), "file", "in.jsonl" },
        };
        var up = await EmulatorApi.JsonAsync(await http.PostAsync("/openai/v1/files", form));
        var created = await EmulatorApi.JsonAsync(await http.PostAsync("/openai/v1/batches", new System.Net.Http.StringContent(
            JsonSerializer.Serialize(new { input_file_id = up.GetProperty("id").GetString(), endpoint = "/chat/completions", completion_window = "24h" }),
            System.Text.Encoding.UTF8, "application/json")));
        using var api = new EmulatorApi(host);
        var batch = await api.WaitForStatusAsync(created.GetProperty("id").GetString()!, "completed");
        Assert.Equal((2, 1, 1), EmulatorApi.Counts(batch));
        var errors = await api.DownloadLinesAsync(batch.GetProperty("error_file_id").GetString()!);
        AssertRejected(Assert.Single(errors), "max_tokens", "unsupported_parameter");
        Assert.Equal(1, host.State.Stats.Features.For("azure").Rejected);
        Assert.Equal(1, host.State.Stats.Features.For("azure").SchemaRequests);
    }
}
