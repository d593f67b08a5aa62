using System.Linq;
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
}
