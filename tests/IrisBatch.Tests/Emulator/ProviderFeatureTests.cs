using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;
using static IrisBatch.Tests.Emulator.FeatureBatch;

namespace IrisBatch.Tests.Emulator;

/// <summary>Spec §11 on Anthropic, Gemini, xAI and Ollama: schema answers, markers, reasoning/thinking rules, schema and image checks.</summary>
public sealed class ProviderFeatureTests
{
    private static readonly string Png64 = Convert.ToBase64String(ImageBytes.Png), Jpeg64 = Convert.ToBase64String(ImageBytes.Jpeg);

    private static JsonElement Doc(JsonNode node)
    {
        using var d = JsonDocument.Parse(node.ToJsonString());
        return d.RootElement.Clone();
    }

    // ------------------------------------------------------------------ Anthropic

    private static JsonObject Claude(string id, string text, Action<JsonObject>? extra = null, int maxTokens = 20000, JsonNode? content = null)
    {
        var ps = new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["max_tokens"] = maxTokens,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content ?? text }),
        };
        extra?.Invoke(ps);
        return new JsonObject { ["custom_id"] = id, ["params"] = ps };
    }

    private static async Task<Dictionary<string, JsonElement>> RunClaudeAsync(AnthropicApi api, params JsonObject[] requests)
    {
        string id = await api.StartAsync(requests.Select(r => (object)JsonSerializer.Deserialize<JsonElement>(r.ToJsonString())).ToArray());
        JsonElement batch;
        while (AnthropicApi.Status(batch = await api.GetAsync(id)) != "ended") await Task.Delay(10);
        return (await api.ResultsAsync(batch)).ById;
    }

    private static string ErrorMessage(JsonElement result)
    {
        Assert.Equal("errored", result.GetProperty("type").GetString());
        var error = result.GetProperty("error").GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        return error.GetProperty("message").GetString()!;
    }

    [Fact]
    public async Task Anthropic_output_config_thinking_markers_and_images()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new AnthropicApi(host);
        var schema = ProductSchema();
        schema["properties"]!["price"] = new JsonObject { ["type"] = "number" };     // Anthropic: no numeric constraints
        schema["properties"]!["stock"] = new JsonObject { ["type"] = "integer" };
        schema["properties"]!["tags"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } };
        JsonObject Format(JsonNode s) => new() { ["format"] = new JsonObject { ["type"] = "json_schema", ["schema"] = s } };
        var image = new JsonArray(
            new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = Png64 } },
            new JsonObject { ["type"] = "text", ["text"] = "Describe it" });
        var wrongType = new JsonArray(
            new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = Jpeg64 } },
            new JsonObject { ["type"] = "text", ["text"] = "Describe it" });
        var url = new JsonArray(new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "url", ["url"] = "https://example.com/a.jpg" } });

        var r = await RunClaudeAsync(api,
            Claude("json", "a lamp", p => p["output_config"] = Format(schema.DeepClone())),
            Claude("cut", "a lamp [truncate]", p => p["output_config"] = Format(schema.DeepClone())),
            Claude("no", "a lamp [refuse]"),
            Claude("think", "a lamp", p => p["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 2048 }),
            Claude("think-temp", "a lamp", p => { p["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 2048 }; p["temperature"] = 0.5; }),
            Claude("budget-low", "a lamp", p => p["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 500 }),
            Claude("budget-high", "a lamp", p => p["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 4096 }, maxTokens: 4096),
            Claude("named", "a lamp", p => p["output_config"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["name"] = "X", ["schema"] = schema.DeepClone() } }),
            Claude("minimum", "a lamp", p => p["output_config"] = Format(JsonNode.Parse("""{"type":"object","properties":{"n":{"type":"integer","minimum":1}},"additionalProperties":false}""")!)),
            Claude("img", "", content: image),
            Claude("img-url", "", content: url),
            Claude("img-wrong", "", content: wrongType),
            Claude("temp-plain", "a lamp", p => p["temperature"] = 0.5));

        var json = r["json"].GetProperty("message");
        Assert.Equal("end_turn", json.GetProperty("stop_reason").GetString());
        Assert.Equal(SchemaAnswer.Generate(Doc(schema), "a lamp"), json.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("max_tokens", r["cut"].GetProperty("message").GetProperty("stop_reason").GetString());
        Assert.Equal("refusal", r["no"].GetProperty("message").GetProperty("stop_reason").GetString());

        var think = r["think"].GetProperty("message");
        Assert.Equal("thinking", think.GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal("text", think.GetProperty("content")[1].GetProperty("type").GetString());
        int thinking = think.GetProperty("usage").GetProperty("output_tokens_details").GetProperty("thinking_tokens").GetInt32();
        Assert.Equal(FakeModel.ReasoningTokens("medium", 2), thinking);
        Assert.Equal(thinking + 3, think.GetProperty("usage").GetProperty("output_tokens").GetInt32());   // thinking + "Echo: a lamp"

        Assert.StartsWith("`temperature` may only be set to 1 when thinking is enabled.", ErrorMessage(r["think-temp"]));
        Assert.Equal("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024", ErrorMessage(r["budget-low"]));
        Assert.StartsWith("`max_tokens` must be greater than `thinking.budget_tokens`.", ErrorMessage(r["budget-high"]));
        Assert.Equal("output_config.format.name: Extra inputs are not permitted", ErrorMessage(r["named"]));
        Assert.Equal("output_config.format.schema: Schema at '#/properties/n': 'minimum' is not supported in structured outputs.", ErrorMessage(r["minimum"]));
        Assert.Equal("succeeded", r["img"].GetProperty("type").GetString());
        Assert.Equal("succeeded", r["img-url"].GetProperty("type").GetString());
        Assert.Equal("messages.0.content.0.image.source.base64.data: Image does not match the provided media type image/png", ErrorMessage(r["img-wrong"]));
        Assert.Equal("succeeded", r["temp-plain"].GetProperty("type").GetString());

        var f = host.State.Stats.Features.For("anthropic");
        Assert.Equal(3, f.ImageRequests);
        Assert.Equal(1, f.ImageUrlParts);
        Assert.Equal(1, f.ReasoningRequests);
        Assert.Equal(6, f.Rejected);
    }

    /// <summary>A PNG header of the given size (the emulator reads the size from the header, as the service does).</summary>
    private static string PngOf(int width, int height)
    {
        var b = (byte[])ImageBytes.Png.Clone();
        b[16] = (byte)(width >> 24); b[17] = (byte)(width >> 16); b[18] = (byte)(width >> 8); b[19] = (byte)width;
        b[20] = (byte)(height >> 24); b[21] = (byte)(height >> 16); b[22] = (byte)(height >> 8); b[23] = (byte)height;
        return Convert.ToBase64String(b);
    }

    private static JsonArray ClaudeImages(int count, string data)
    {
        var content = new JsonArray();
        for (int i = 0; i < count; i++)
            content.Add(new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = data } });
        content.Add(new JsonObject { ["type"] = "text", ["text"] = "Describe them" });
        return content;
    }

    [Fact]
    public async Task Anthropic_takes_100_images_a_request_8000_pixels_a_side_and_2000_above_20_images()
    {
        // Spec §11.2 (Anthropic vision): at most 100 images a request, at most 8000 x 8000 pixels, at most 2000 x 2000 when
        // the request has more than 20 images. Params are validated asynchronously: such a request errors, the others run.
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new AnthropicApi(host);
        var r = await RunClaudeAsync(api,
            Claude("hundred", "", content: ClaudeImages(100, PngOf(1, 1))),
            Claude("too-many", "", content: ClaudeImages(101, PngOf(1, 1))),
            Claude("wide", "", content: ClaudeImages(1, PngOf(8001, 10))),
            Claude("tall-ok", "", content: ClaudeImages(1, PngOf(10, 8000))),
            Claude("twenty-big", "", content: ClaudeImages(20, PngOf(2001, 2001))),
            Claude("many-big", "", content: ClaudeImages(21, PngOf(2001, 10))),
            Claude("many-small", "", content: ClaudeImages(21, PngOf(2000, 2000))));
        Assert.Equal("succeeded", r["hundred"].GetProperty("type").GetString());
        Assert.Equal("messages: Too many images in request. Max is 100.", ErrorMessage(r["too-many"]));
        Assert.Equal("messages.0.content.0.image.source.base64.data: At least one of the image dimensions exceed max allowed size: 8000 pixels", ErrorMessage(r["wide"]));
        Assert.Equal("succeeded", r["tall-ok"].GetProperty("type").GetString());
        Assert.Equal("succeeded", r["twenty-big"].GetProperty("type").GetString());
        Assert.Equal("messages.0.content.0.image.source.base64.data: At least one of the image dimensions exceed max allowed size for many-image requests: 2000 pixels", ErrorMessage(r["many-big"]));
        Assert.Equal("succeeded", r["many-small"].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Anthropic_params_refuse_a_field_the_messages_api_does_not_know()
    {
        // Spec §3.3 / §11.5: params are Messages API params only; an OpenAI-style field errors that request (after the batch
        // ends, as params validation is asynchronous), the others run.
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new AnthropicApi(host);
        var r = await RunClaudeAsync(api,
            Claude("effort", "a lamp", p => p["reasoning_effort"] = "low"),
            Claude("format", "a lamp", p => p["response_format"] = new JsonObject { ["type"] = "json_object" }),
            Claude("penalty", "a lamp", p => p["frequency_penalty"] = 0.5),
            Claude("known", "a lamp", p =>
            {
                p["system"] = "Be brief.";
                p["stop_sequences"] = new JsonArray("END");
                p["metadata"] = new JsonObject { ["user_id"] = "u1" };
                p["top_p"] = 0.9;
                p["top_k"] = 5;
                p["service_tier"] = "auto";
                p["stream"] = false;
            }));
        Assert.Equal("reasoning_effort: Extra inputs are not permitted", ErrorMessage(r["effort"]));
        Assert.Equal("response_format: Extra inputs are not permitted", ErrorMessage(r["format"]));
        Assert.Equal("frequency_penalty: Extra inputs are not permitted", ErrorMessage(r["penalty"]));
        Assert.Equal("succeeded", r["known"].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Anthropic_legacy_output_format_needs_the_structured_outputs_beta_header()
    {
        // Spec §11.1: GA structured outputs are output_config.format with no beta header; the legacy top-level output_format
        // works only with "anthropic-beta: structured-outputs-2025-11-13" on the create call (ASDK joins betas with commas).
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var plain = new AnthropicApi(host);
        using var beta = new AnthropicApi(host);
        beta.Http.DefaultRequestHeaders.Add("anthropic-beta", "message-batches-2024-09-24,structured-outputs-2025-11-13");
        var schema = JsonNode.Parse("""{"type":"object","properties":{"name":{"type":"string"},"plan":{"type":"string"}},"required":["name","plan"],"additionalProperties":false}""")!;
        JsonObject Legacy() => new() { ["type"] = "json_schema", ["schema"] = schema.DeepClone() };

        var without = await RunClaudeAsync(plain, Claude("legacy", "a lamp", p => p["output_format"] = Legacy()),
            Claude("ga", "a lamp", p => p["output_config"] = new JsonObject { ["format"] = Legacy() }));
        Assert.Equal("output_format: Extra inputs are not permitted", ErrorMessage(without["legacy"]));
        Assert.Equal("succeeded", without["ga"].GetProperty("type").GetString());

        var with = await RunClaudeAsync(beta, Claude("legacy", "a lamp", p => p["output_format"] = Legacy()));
        var message = with["legacy"].GetProperty("message");
        Assert.Equal(SchemaAnswer.Generate(Doc(schema), "a lamp"), message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(1, host.State.Stats.Features.For("anthropic").Rejected);
    }

    // ------------------------------------------------------------------ Gemini

    private static JsonObject Gem(string key, string text, JsonObject? config = null, JsonArray? parts = null)
    {
        var request = new JsonObject
        {
            ["contents"] = new JsonArray(new JsonObject { ["role"] = "user", ["parts"] = parts ?? new JsonArray(new JsonObject { ["text"] = text }) }),
        };
        if (config is not null) request["generationConfig"] = config;
        return new JsonObject { ["request"] = request, ["metadata"] = new JsonObject { ["key"] = key } };
    }

    private static async Task<Dictionary<string, JsonElement>> RunGeminiAsync(GeminiApi api, string model, params JsonObject[] requests)
    {
        var body = new JsonObject { ["batch"] = new JsonObject { ["displayName"] = "f", ["inputConfig"] = new JsonObject { ["requests"] = new JsonObject { ["requests"] = new JsonArray(requests) } } } };
        using var r = await api.PostJsonAsync($"/v1beta/models/{model}:batchGenerateContent", body.ToJsonString());
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        string name = GeminiApi.Name(await EmulatorApi.JsonAsync(r));
        var op = await api.WaitAsync(name, GeminiApi.IsDone);
        return op.GetProperty("response").GetProperty("inlinedResponses").GetProperty("inlinedResponses").EnumerateArray()
            .ToDictionary(i => i.GetProperty("metadata").GetProperty("key").GetString()!);
    }

    private static string GeminiError(JsonElement item)
    {
        Assert.Equal(3, item.GetProperty("error").GetProperty("code").GetInt32());
        return item.GetProperty("error").GetProperty("message").GetString()!;
    }

    [Fact]
    public async Task Gemini_json_schemas_thinking_markers_and_images()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new GeminiApi(host);
        var proto = JsonNode.Parse("""{"type":"OBJECT","properties":{"b":{"type":"STRING","enum":["x","y"]},"a":{"type":"INTEGER","nullable":true}},"required":["a","b"],"propertyOrdering":["a","b"]}""")!;
        var plain = JsonNode.Parse("""{"type":"array","items":{"type":"object","properties":{"recipe_name":{"type":"string"}},"required":["recipe_name"]}}""")!;
        JsonObject Json(string field, JsonNode s) => new() { ["responseMimeType"] = "application/json", [field] = s.DeepClone() };
        var r = await RunGeminiAsync(api, "gemini-2.5-flash",
            Gem("proto", "cookies", Json("responseSchema", proto)),
            Gem("plain", "cookies", Json("responseJsonSchema", plain)),
            Gem("cut", "cookies [truncate]", Json("responseJsonSchema", plain)),
            Gem("no", "cookies [refuse]"),
            Gem("nomime", "cookies", new JsonObject { ["responseJsonSchema"] = plain.DeepClone() }),
            Gem("both", "cookies", new JsonObject { ["responseMimeType"] = "application/json", ["responseSchema"] = proto.DeepClone(), ["responseJsonSchema"] = plain.DeepClone() }),
            Gem("badkey", "cookies", Json("responseJsonSchema", JsonNode.Parse("""{"type":"object","patternProperties":{}}""")!)),
            Gem("off", "cookies", new JsonObject { ["thinkingConfig"] = new JsonObject { ["thinkingBudget"] = 0 } }),
            Gem("budget", "cookies", new JsonObject { ["thinkingConfig"] = new JsonObject { ["thinkingBudget"] = 10 } }),
            Gem("toobig", "cookies", new JsonObject { ["thinkingConfig"] = new JsonObject { ["thinkingBudget"] = 30000 } }),
            Gem("level", "cookies", new JsonObject { ["thinkingConfig"] = new JsonObject { ["thinkingLevel"] = "LOW" } }),
            Gem("img", "", parts: new JsonArray(new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = "image/png", ["data"] = Png64 } }, new JsonObject { ["text"] = "what" })),
            Gem("img-gif", "", parts: new JsonArray(new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = "image/gif", ["data"] = Convert.ToBase64String(ImageBytes.Gif) } }, new JsonObject { ["text"] = "what" })),
            Gem("img-wrong", "", parts: new JsonArray(new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = "image/png", ["data"] = Jpeg64 } }, new JsonObject { ["text"] = "what" })),
            Gem("img-file", "", parts: new JsonArray(new JsonObject { ["fileData"] = new JsonObject { ["mimeType"] = "image/png", ["fileUri"] = "https://generativelanguage.googleapis.com/v1beta/files/abc" } }, new JsonObject { ["text"] = "what" })),
            Gem("img-url", "", parts: new JsonArray(new JsonObject { ["fileData"] = new JsonObject { ["mimeType"] = "image/png", ["fileUri"] = "https://example.com/a.png" } }, new JsonObject { ["text"] = "what" })));

        string Text(string key) => r[key].GetProperty("response").GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString()!;
        string Finish(string key) => r[key].GetProperty("response").GetProperty("candidates")[0].GetProperty("finishReason").GetString()!;
        using (var d = JsonDocument.Parse(Text("proto")))
        {
            Assert.Equal(new[] { "a", "b" }, d.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Number, d.RootElement.GetProperty("a").ValueKind);
            Assert.Contains(d.RootElement.GetProperty("b").GetString(), new[] { "x", "y" });
        }
        using (var d = JsonDocument.Parse(Text("plain"))) Assert.Equal(JsonValueKind.Array, d.RootElement.ValueKind);
        Assert.Equal("MAX_TOKENS", Finish("cut"));
        Assert.Equal("SAFETY", Finish("no"));
        Assert.StartsWith("* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be application/json", GeminiError(r["nomime"]));
        Assert.Contains("response_schema must be omitted when response_json_schema is set", GeminiError(r["both"]));
        Assert.Contains("'patternProperties' is not supported", GeminiError(r["badkey"]));
        var usage = r["proto"].GetProperty("response").GetProperty("usageMetadata");
        Assert.Equal(FakeModel.ReasoningTokens("medium", 1), usage.GetProperty("thoughtsTokenCount").GetInt32());
        Assert.False(r["off"].GetProperty("response").GetProperty("usageMetadata").TryGetProperty("thoughtsTokenCount", out _));
        Assert.Equal(10, r["budget"].GetProperty("response").GetProperty("usageMetadata").GetProperty("thoughtsTokenCount").GetInt32());   // capped by the budget
        Assert.Contains("The thinking budget 30000 is invalid", GeminiError(r["toobig"]));
        Assert.Contains("Thinking level is not supported", GeminiError(r["level"]));
        Assert.Equal("STOP", Finish("img"));
        Assert.StartsWith("Unable to process input image.", GeminiError(r["img-wrong"]));
        Assert.Equal("Unsupported MIME type: image/gif", GeminiError(r["img-gif"]));   // §11.2: png/jpeg/webp/heic/heif
        Assert.Equal("STOP", Finish("img-file"));
        Assert.Equal("Invalid or unsupported file uri: https://example.com/a.png", GeminiError(r["img-url"]));
        var f = host.State.Stats.Features.For("gemini");
        Assert.Equal(5, f.ImageRequests);
        Assert.Equal(3, f.SchemaRequests);   // proto, plain, cut

        // Gemini 2.5 Pro cannot turn thinking off; Gemini 3 takes levels.
        var pro = await RunGeminiAsync(api, "gemini-2.5-pro", Gem("off", "x", new JsonObject { ["thinkingConfig"] = new JsonObject { ["thinkingBudget"] = 0 } }));
        Assert.Equal("Budget 0 is invalid. This model only works in thinking mode.", GeminiError(pro["off"]));
        var g3 = await RunGeminiAsync(api, "gemini-3-pro-preview", Gem("level", "x", new JsonObject { ["thinkingConfig"] = new JsonObject { ["thinkingLevel"] = "HIGH" } }));
        Assert.Equal(FakeModel.ReasoningTokens("high", 1), g3["level"].GetProperty("response").GetProperty("usageMetadata").GetProperty("thoughtsTokenCount").GetInt32());
    }

    [Theory]
    [InlineData("""{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","additionalProperties":false}}""", "Unknown name \"additionalProperties\"")]
    [InlineData("""{"responseMimeType":"application/json","responseSchema":{"type":"OBJEKT"}}""", "response_schema.type")]
    [InlineData("""{"thinkingConfig":{"budget":5}}""", "Unknown name \"budget\"")]
    [InlineData("""{"maxTokens":5}""", "Unknown name \"maxTokens\"")]
    public async Task Gemini_refuses_a_malformed_generation_config_at_create(string config, string expected)
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new GeminiApi(host);
        var body = new JsonObject { ["batch"] = new JsonObject { ["displayName"] = "f", ["inputConfig"] = new JsonObject { ["requests"] = new JsonObject { ["requests"] = new JsonArray(Gem("k", "x", JsonNode.Parse(config)!.AsObject())) } } } };
        using var r = await api.PostJsonAsync("/v1beta/models/gemini-2.5-flash:batchGenerateContent", body.ToJsonString());
        Assert.Contains(expected, (await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT")).GetProperty("message").GetString());
        Assert.Equal(0, host.State.GeminiBatchCount);
    }

    [Fact]
    public async Task Gemini_refuses_image_bytes_that_are_not_base64_at_create()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new GeminiApi(host);
        var parts = new JsonArray(new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = "image/png", ["data"] = "@@@" } });
        var body = new JsonObject { ["batch"] = new JsonObject { ["displayName"] = "f", ["inputConfig"] = new JsonObject { ["requests"] = new JsonObject { ["requests"] = new JsonArray(Gem("k", "", parts: parts)) } } } };
        using var r = await api.PostJsonAsync("/v1beta/models/gemini-2.5-flash:batchGenerateContent", body.ToJsonString());
        Assert.Contains("Base64 decoding failed", (await GeminiApi.AssertErrorAsync(r, 400, "INVALID_ARGUMENT")).GetProperty("message").GetString());
    }

    // ------------------------------------------------------------------ xAI

    [Fact]
    public async Task Xai_schemas_images_markers_and_reasoning_tokens()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "test-key");
        async Task<JsonElement> Post(string path, JsonNode body)
        {
            using var r = await http.PostAsync("/xai/v1" + path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            return await EmulatorApi.JsonAsync(r);
        }
        JsonObject Req(string id, JsonObject body) => new() { ["batch_request_id"] = id, ["batch_request"] = new JsonObject { ["chat_get_completion"] = body } };
        var loose = JsonNode.Parse("""{"type":"object","properties":{"name":{"type":"string"},"size":{"type":"integer"}},"required":["name"]}""")!;
        JsonObject WithFormat(string text, JsonNode schema) => ChatBody("grok-4", text, b => b["response_format"] = new JsonObject
        {
            ["type"] = "json_schema", ["json_schema"] = new JsonObject { ["name"] = "P", ["schema"] = schema.DeepClone(), ["strict"] = true },
        });
        // Spec §11.2, xAI: "no image-count limit" (OpenAI's 500 a request does not apply).
        JsonObject Many(int count)
        {
            var content = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "what" });
            for (int i = 0; i < count; i++) content.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = $"https://example.com/{i}.png" } });
            return new JsonObject { ["model"] = "grok-4", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }) };
        }
        JsonObject WithImage(string url) => new()
        {
            ["model"] = "grok-4",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new JsonArray(
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } }, new JsonObject { ["type"] = "text", ["text"] = "what" }) }),
        };
        string id = (await Post("/batches", new JsonObject { ["name"] = "x" })).GetProperty("batch_id").GetString()!;
        await Post($"/batches/{id}/requests", new JsonObject { ["batch_requests"] = new JsonArray(
            Req("json", WithFormat("a lamp", loose)),
            Req("allof", WithFormat("a lamp", JsonNode.Parse("""{"type":"object","allOf":[{"type":"object"},{"type":"object"}]}""")!)),
            Req("no", ChatBody("grok-4", "a lamp [refuse]")),
            Req("cut", ChatBody("grok-4", "a lamp [truncate]")),
            Req("filter", ChatBody("grok-4", "a lamp [content-filter]")),
            Req("png", WithImage(ImageBytes.DataUrl("image/png", ImageBytes.Png))),
            Req("gif", WithImage(ImageBytes.DataUrl("image/gif", ImageBytes.Gif))),
            Req("webp", WithImage(ImageBytes.DataUrl("image/webp", ImageBytes.Webp))),
            Req("many", Many(501)),
            Req("effort", ChatBody("grok-3-mini", "a lamp", b => b["reasoning_effort"] = "medium"))) });
        JsonElement batch;
        do { using var g = await http.GetAsync($"/xai/v1/batches/{id}"); batch = await EmulatorApi.JsonAsync(g); }
        while (batch.GetProperty("state").GetProperty("num_pending").GetInt32() > 0);
        using var rr = await http.GetAsync($"/xai/v1/batches/{id}/results?limit=100");
        var results = (await EmulatorApi.JsonAsync(rr)).GetProperty("results").EnumerateArray().ToDictionary(x => x.GetProperty("batch_request_id").GetString()!);
        JsonElement Completion(string k) => results[k].GetProperty("batch_result").GetProperty("response").GetProperty("chat_get_completion");

        var json = Completion("json");
        Assert.Equal(SchemaAnswer.Generate(Doc(loose), "a lamp"), json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var usage = json.GetProperty("usage");
        int reasoning = usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32();
        Assert.True(reasoning > 0);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32() + reasoning, usage.GetProperty("total_tokens").GetInt32());
        Assert.Contains("'allOf' is only supported with a single subschema.", results["allof"].GetProperty("error_message").GetString());
        Assert.Equal(FakeModel.RefusalText, Completion("no").GetProperty("choices")[0].GetProperty("message").GetProperty("refusal").GetString());
        Assert.Equal("length", Completion("cut").GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        // xAI's spec names no content filter stop: the marker is plain text there.
        Assert.Equal("stop", Completion("filter").GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("Echo: a lamp [content-filter]", Completion("filter").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.True(results["png"].TryGetProperty("batch_result", out _));
        Assert.Contains("Unsupported image format", results["gif"].GetProperty("error_message").GetString());
        Assert.Contains("Unsupported image format", results["webp"].GetProperty("error_message").GetString());   // jpg/png only
        Assert.True(results["many"].TryGetProperty("batch_result", out _), results["many"].ToString());
        Assert.Equal("Unsupported value: 'reasoning_effort' does not support 'medium' with this model. Supported values are: 'low' and 'high'.",
            results["effort"].GetProperty("error_message").GetString());
        Assert.Equal(4, host.State.Stats.Features.For("xai").ImageRequests);
        Assert.Equal(501, host.State.Stats.Features.For("xai").ImageUrlParts);
    }

    [Fact]
    public async Task Gemini_and_xai_report_the_cached_marker_as_cached_prompt_tokens()
    {
        // Spec §11.6: Gemini cachedContentTokenCount and xAI prompt_tokens_details.cached_tokens, both part of the prompt's count.
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new GeminiApi(host);
        var g = await RunGeminiAsync(api, "gemini-2.0-flash", Gem("c", "one two three four five six [cached]"), Gem("p", "one two three four five six"));
        var cached = g["c"].GetProperty("response").GetProperty("usageMetadata");
        Assert.Equal(cached.GetProperty("promptTokenCount").GetInt32() / 2, cached.GetProperty("cachedContentTokenCount").GetInt32());
        Assert.True(cached.GetProperty("cachedContentTokenCount").GetInt32() > 0);
        Assert.False(g["p"].GetProperty("response").GetProperty("usageMetadata").TryGetProperty("cachedContentTokenCount", out _));

        using var http = new HttpClient { BaseAddress = host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "test-key");
        async Task<JsonElement> Send(HttpMethod method, string path, JsonNode? body = null)
        {
            using var m = new HttpRequestMessage(method, "/xai/v1" + path);
            if (body is not null) m.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var r = await http.SendAsync(m);
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            return await EmulatorApi.JsonAsync(r);
        }
        JsonObject Req(string id, string text) => new() { ["batch_request_id"] = id, ["batch_request"] = new JsonObject { ["chat_get_completion"] = ChatBody("grok-4", text) } };
        string id = (await Send(HttpMethod.Post, "/batches", new JsonObject { ["name"] = "c" })).GetProperty("batch_id").GetString()!;
        await Send(HttpMethod.Post, $"/batches/{id}/requests", new JsonObject { ["batch_requests"] = new JsonArray(
            Req("c", "one two three four five six [cached]"), Req("p", "one two three four five six")) });
        while ((await Send(HttpMethod.Get, $"/batches/{id}")).GetProperty("state").GetProperty("num_pending").GetInt32() > 0) await Task.Delay(10);
        var results = (await Send(HttpMethod.Get, $"/batches/{id}/results")).GetProperty("results").EnumerateArray()
            .ToDictionary(x => x.GetProperty("batch_request_id").GetString()!, x => x.GetProperty("batch_result").GetProperty("response").GetProperty("chat_get_completion").GetProperty("usage"));
        Assert.Equal(results["c"].GetProperty("prompt_tokens").GetInt32() / 2, results["c"].GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.True(results["c"].GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32() > 0);
        Assert.Equal(0, results["p"].GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    // ------------------------------------------------------------------ Ollama

    [Fact]
    public async Task Ollama_format_images_think_and_length_on_both_routes()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { OllamaLatencyMs = 0 });
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        async Task<(int Status, JsonElement Body)> Post(string path, JsonNode body)
        {
            using var r = await http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            return ((int)r.StatusCode, await EmulatorApi.JsonAsync(r));
        }
        JsonObject Native(string text, Action<JsonObject>? extra = null, JsonArray? images = null)
        {
            var message = new JsonObject { ["role"] = "user", ["content"] = text };
            if (images is not null) message["images"] = images;
            var b = new JsonObject { ["model"] = "llama3.2", ["stream"] = false, ["messages"] = new JsonArray(message) };
            extra?.Invoke(b);
            return b;
        }
        var schema = JsonNode.Parse("""{"type":"object","properties":{"n":{"type":"integer"},"s":{"type":"string"}},"required":["n","s"]}""")!;

        var (status, body) = await Post("/api/chat", Native("a lamp", b => b["format"] = schema.DeepClone()));
        Assert.Equal(200, status);
        Assert.Equal(SchemaAnswer.Generate(Doc(schema), "a lamp"), body.GetProperty("message").GetProperty("content").GetString());
        (status, body) = await Post("/api/chat", Native("a lamp", b => b["format"] = "json"));
        using (var d = JsonDocument.Parse(body.GetProperty("message").GetProperty("content").GetString()!)) Assert.Equal(JsonValueKind.Object, d.RootElement.ValueKind);
        (status, body) = await Post("/api/chat", Native("a lamp", b => b["format"] = "xml"));
        Assert.Equal(400, status);
        Assert.StartsWith("invalid format", body.GetProperty("error").GetString());
        (status, body) = await Post("/api/chat", Native("a lamp [truncate]"));
        Assert.Equal("length", body.GetProperty("done_reason").GetString());
        (status, body) = await Post("/api/chat", Native("a lamp", b => b["think"] = true));
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("message").TryGetProperty("thinking", out _));
        (status, body) = await Post("/api/chat", Native("what", images: new JsonArray(Png64)));
        Assert.Equal(200, status);
        (status, body) = await Post("/api/chat", Native("what", images: new JsonArray(ImageBytes.DataUrl("image/png", ImageBytes.Png))));
        Assert.Equal(400, status);
        Assert.Equal("illegal base64 data at input byte 4", body.GetProperty("error").GetString());
        (status, body) = await Post("/api/chat", Native("what", images: new JsonArray(Convert.ToBase64String(ImageBytes.Text))));
        Assert.Equal(400, status);

        var v1 = ChatBody("llama3.2", "a lamp", b => b["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = new JsonObject { ["name"] = "x", ["schema"] = schema.DeepClone() } });
        (status, body) = await Post("/v1/chat/completions", v1);
        Assert.Equal(SchemaAnswer.Generate(Doc(schema), "a lamp"), body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        (status, body) = await Post("/v1/chat/completions", ChatBody("llama3.2", "a lamp [truncate]"));
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var withUrl = new JsonObject
        {
            ["model"] = "llava",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new JsonArray(
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "https://example.com/a.png" } }) }),
        };
        (status, body) = await Post("/v1/chat/completions", withUrl);
        Assert.Equal(400, status);
        Assert.Equal("invalid image input", body.GetProperty("error").GetProperty("message").GetString());
        var f = host.State.Stats.Features.For("ollama");
        Assert.Equal(1, f.ImageRequests);     // refused requests are not answered, so not counted
    }
}
