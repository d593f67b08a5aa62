using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;
using static IrisBatch.Tests.Emulator.FeatureBatch;

namespace IrisBatch.Tests.Emulator;

/// <summary>Spec §11.1 size limits of structured-output schemas the emulator holds lines to.</summary>
public sealed class SchemaLimitTests
{
    private static JsonObject EnumSchema(int values, int length) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["e"] = new JsonObject
            {
                ["type"] = "string",
                ["enum"] = new JsonArray(Enumerable.Range(0, values).Select(i => (JsonNode?)JsonValue.Create(i.ToString().PadLeft(length, 'v'))).ToArray()),
            },
        },
        ["required"] = new JsonArray("e"),
        ["additionalProperties"] = false,
    };

    [Fact]
    public async Task OpenAI_strict_schemas_are_held_to_the_enum_and_total_string_length_limits()
    {
        // Spec §11.1 (strict): names, enum and const strings ≤ 120,000 characters in all; an enum of more than 250 string
        // values ≤ 15,000 characters. 1000 values of 121 characters are within the 1000-value limit but 121,000 characters.
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("big-enum", ChatBody("gpt-4o-mini", "hi", b => b["response_format"] = StrictSchema("X", EnumSchema(251, 60)))),
            Line("total", ChatBody("gpt-4o-mini", "hi", b => b["response_format"] = StrictSchema("X", EnumSchema(250, 485)))),
            Line("ok-enum", ChatBody("gpt-4o-mini", "hi", b => b["response_format"] = StrictSchema("X", EnumSchema(250, 60)))),
            Line("ok-small", ChatBody("gpt-4o-mini", "hi", b => b["response_format"] = StrictSchema("X", EnumSchema(300, 50)))));
        Assert.Equal((4, 2, 2), EmulatorApi.Counts(batch));
        Assert.Equal("Invalid schema for response_format 'X': In context=('properties', 'e'), 'enum' has 251 values with a total string length of 15060; an enum of more than 250 values may have at most 15000 characters in all.",
            AssertRejected(lines["big-enum"], "response_format", "invalid_json_schema").GetProperty("message").GetString());
        Assert.Equal("Invalid schema for response_format 'X': The total string length of all property names, definition names, enum values and const values (121251) exceeds the limit of 120000.",
            AssertRejected(lines["total"], "response_format", "invalid_json_schema").GetProperty("message").GetString());
        Assert.Equal(200, Status(lines["ok-enum"]));
        Assert.Equal(200, Status(lines["ok-small"]));
    }

    // ------------------------------------------------------------------ Anthropic

    private static JsonObject Claude(string id, JsonObject extra, params (string Role, string Text)[] messages)
    {
        var ps = new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["max_tokens"] = 20000,
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode?)new JsonObject { ["role"] = m.Role, ["content"] = m.Text }).ToArray()),
        };
        foreach (var p in extra) ps[p.Key] = p.Value?.DeepClone();
        return new JsonObject { ["custom_id"] = id, ["params"] = ps };
    }

    private static async Task<Dictionary<string, JsonElement>> RunClaudeAsync(AnthropicApi api, params JsonObject[] requests)
    {
        string id = await api.StartAsync(requests.Select(r => (object)JsonSerializer.Deserialize<JsonElement>(r.ToJsonString())).ToArray());
        JsonElement batch;
        while (AnthropicApi.Status(batch = await api.GetAsync(id)) != "ended") await Task.Delay(10);
        return (await api.ResultsAsync(batch)).ById;
    }

    private static string ClaudeError(JsonElement result)
    {
        Assert.Equal("errored", result.GetProperty("type").GetString());
        var error = result.GetProperty("error").GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        return error.GetProperty("message").GetString()!;
    }

    /// <summary>An object schema of <paramref name="count"/> string properties, the first <paramref name="required"/> required; <paramref name="unions"/> of them typed ["string","null"].</summary>
    private static JsonObject Fields(int count, int required, int unions)
    {
        var props = new JsonObject();
        for (int i = 0; i < count; i++)
            props["f" + i] = i < unions ? new JsonObject { ["type"] = new JsonArray("string", "null") } : new JsonObject { ["type"] = "string" };
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = props,
            ["required"] = new JsonArray(Enumerable.Range(0, required).Select(i => (JsonNode?)JsonValue.Create("f" + i)).ToArray()),
            ["additionalProperties"] = false,
        };
    }

    private static JsonObject Format(JsonObject schema) =>
        new() { ["output_config"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["schema"] = schema } } };

    [Fact]
    public async Task A_schema_with_keywords_Anthropic_lacks_is_answered_as_the_client_writes_it()
    {
        // The emulator refuses minimum, maxLength, oneOf and such (spec §11.1); the client moves them into descriptions.
        const string schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10},"
            + "\"s\":{\"type\":\"string\",\"maxLength\":5},\"u\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}},"
            + "\"required\":[\"n\",\"s\",\"u\"],\"additionalProperties\":false}";
        var request = new IrisBatch.IrisBatchRequest { CustomId = "c1", Model = "claude-sonnet-4-5", Schema = schema, Messages = new[] { new IrisBatch.ChatMessage("user", "Describe") } };
        using var ms = new System.IO.MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) IrisBatch.Providers.Anthropic.AnthropicRequestWriter.Write(w, request);
        var written = JsonNode.Parse(ms.ToArray())!.AsObject();
        var raw = written.DeepClone().AsObject();
        raw["custom_id"] = "raw";
        raw["params"]!["output_config"]!["format"]!["schema"] = JsonNode.Parse(schema);

        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new AnthropicApi(host);
        var results = await RunClaudeAsync(api, written, raw);
        Assert.Equal("succeeded", results["c1"].GetProperty("type").GetString());
        Assert.Contains("minimum", ClaudeError(results["raw"]));   // as written by the user: refused, as before
    }

    [Fact]
    public async Task Anthropic_schemas_are_held_to_24_optional_and_16_union_typed_parameters()
    {
        // Spec §11.1: "≤24 optional parameters, ≤16 union-typed parameters (summed over all strict schemas)"; nested objects count.
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new AnthropicApi(host);
        var nested = Fields(20, 0, 0);
        nested["properties"]!["inner"] = Fields(5, 0, 0);
        var r = await RunClaudeAsync(api,
            Claude("optional-25", Format(Fields(25, 0, 0)), ("user", "a lamp")),
            Claude("optional-24", Format(Fields(30, 6, 0)), ("user", "a lamp")),
            Claude("nested-26", Format(nested), ("user", "a lamp")),
            Claude("unions-17", Format(Fields(17, 17, 17)), ("user", "a lamp")),
            Claude("unions-16", Format(Fields(17, 17, 16)), ("user", "a lamp")));
        Assert.Equal("output_config.format.schema: The schema has 25 optional parameters (properties not in 'required'); at most 24 are allowed.", ClaudeError(r["optional-25"]));
        Assert.Equal("output_config.format.schema: The schema has 26 optional parameters (properties not in 'required'); at most 24 are allowed.", ClaudeError(r["nested-26"]));
        Assert.Equal("output_config.format.schema: The schema has 17 parameters with union types ('anyOf' or a list of types); at most 16 are allowed.", ClaudeError(r["unions-17"]));
        Assert.Equal("succeeded", r["optional-24"].GetProperty("type").GetString());
        Assert.Equal("succeeded", r["unions-16"].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Anthropic_refuses_an_assistant_prefill_with_structured_outputs_or_thinking()
    {
        // Spec §11.1: structured outputs are "incompatible with … assistant prefill"; §11.4: thinking takes "no prefill".
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new AnthropicApi(host);
        var thinking = new JsonObject { ["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 2048 } };
        var r = await RunClaudeAsync(api,
            Claude("schema-prefill", Format(Fields(2, 2, 0)), ("user", "a lamp"), ("assistant", "{")),
            Claude("think-prefill", thinking, ("user", "a lamp"), ("assistant", "Sure")),
            Claude("plain-prefill", new JsonObject(), ("user", "a lamp"), ("assistant", "Sure")),
            Claude("schema-turns", Format(Fields(2, 2, 0)), ("user", "a lamp"), ("assistant", "ok"), ("user", "again")));
        Assert.StartsWith("Prefilling the assistant message is not supported with structured outputs", ClaudeError(r["schema-prefill"]));
        Assert.StartsWith("Prefilling the assistant message is not supported when thinking is enabled", ClaudeError(r["think-prefill"]));
        Assert.Equal("succeeded", r["plain-prefill"].GetProperty("type").GetString());
        Assert.Equal("succeeded", r["schema-turns"].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Anthropic_refuses_thinking_with_forced_tool_use_and_structured_outputs_with_citations()
    {
        // Spec §11.4: thinking is not compatible with "forced tool use"; §11.1: structured outputs are incompatible with citations (400).
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new AnthropicApi(host);
        JsonObject Thinking(string? toolChoice)
        {
            var o = new JsonObject { ["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 2048 } };
            if (toolChoice is not null) o["tool_choice"] = new JsonObject { ["type"] = toolChoice };
            return o;
        }
        JsonObject WithDocument(JsonObject request, bool citations)
        {
            var document = new JsonObject
            {
                ["type"] = "document",
                ["source"] = new JsonObject { ["type"] = "text", ["media_type"] = "text/plain", ["data"] = "The lamp is red." },
                ["citations"] = new JsonObject { ["enabled"] = citations },
            };
            request["params"]!["messages"]![0]!["content"] = new JsonArray(document, new JsonObject { ["type"] = "text", ["text"] = "a lamp" });
            return request;
        }
        var r = await RunClaudeAsync(api,
            Claude("think-any", Thinking("any"), ("user", "a lamp")),
            Claude("think-tool", Thinking("tool"), ("user", "a lamp")),
            Claude("think-auto", Thinking("auto"), ("user", "a lamp")),
            WithDocument(Claude("schema-cite", Format(Fields(2, 2, 0)), ("user", "x")), true),
            WithDocument(Claude("schema-doc", Format(Fields(2, 2, 0)), ("user", "x")), false),
            WithDocument(Claude("cite", new JsonObject(), ("user", "x")), true));
        Assert.StartsWith("Thinking may not be enabled when tool_choice forces tool use.", ClaudeError(r["think-any"]));
        Assert.StartsWith("Thinking may not be enabled when tool_choice forces tool use.", ClaudeError(r["think-tool"]));
        Assert.StartsWith("Citations are not supported with structured outputs", ClaudeError(r["schema-cite"]));
        Assert.Equal("succeeded", r["think-auto"].GetProperty("type").GetString());
        Assert.Equal("succeeded", r["schema-doc"].GetProperty("type").GetString());
        Assert.Equal("succeeded", r["cite"].GetProperty("type").GetString());
    }
}
