using System.IO;
using System.Linq;
using System.Text.Json;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Requests;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>A -Schema OpenAI's strict mode refuses (spec §11.1) is refused before upload, naming the row, not on every line a day later.</summary>
    public class OpenAIStrictSchemaTests
    {
        private static IrisBatchRequest Request(string schema, RequestEndpoint endpoint = RequestEndpoint.ChatCompletions) => new IrisBatchRequest
        {
            CustomId = "r1",
            Model = "gpt-4o-mini",
            RowNumber = 7,
            Schema = schema,
            Endpoint = endpoint,
            Messages = new[] { new ChatMessage("user", "Describe") },
        };

        private static JsonElement Line(IrisBatchRequest r, string provider = "OpenAI")
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) OpenAIRequestWriter.Write(w, r, "/v1/chat/completions", provider);
            return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
        }

        private const string Tail = ",\"additionalProperties\":false}";

        [Theory]
        [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}},\"required\":[\"a\"]" + Tail, "missing 'b'")]
        [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\"}},\"required\":[\"a\"]" + Tail, "#/properties/a, 'additionalProperties' must be false")]
        [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"],\"additionalProperties\":true}", "#, 'additionalProperties' must be false")]
        [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"allOf\":[{\"type\":\"string\"}]}},\"required\":[\"a\"]" + Tail, "'allOf' is not supported")]
        [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"uri\"}},\"required\":[\"a\"]" + Tail, "format 'uri'")]
        [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}" + Tail + "}},\"required\":[\"a\"]" + Tail, "#/properties/a/items, every property must be in 'required'")]
        public void A_schema_strict_mode_refuses_is_refused_naming_the_row(string schema, string problem)
        {
            foreach (var endpoint in new[] { RequestEndpoint.ChatCompletions, RequestEndpoint.Responses })
                foreach (var provider in new[] { "OpenAI", "AzureOpenAI" })
                {
                    var ex = Assert.Throws<IrisBatchException>(() => Line(Request(schema, endpoint), provider));
                    Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
                    Assert.Contains("Row 7", ex.Message);
                    Assert.Contains(problem, ex.Message);
                }
        }

        /// <summary>An object nested <paramref name="levels"/> deep (the root is level 1), each with one required property.</summary>
        private static string Nested(int levels) => levels == 1
            ? "{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"string\"}},\"required\":[\"v\"]" + Tail
            : "{\"type\":\"object\",\"properties\":{\"n\":" + Nested(levels - 1) + "},\"required\":[\"n\"]" + Tail;

        [Fact]
        public void Depth_property_and_enum_count_limits_are_refused()
        {
            // Spec §11.1: "≤5000 object properties, ≤10 nesting levels", "≤1000 enum values". 9 objects deep puts the leaf
            // string at level 10; 10 objects deep puts it at 11.
            Assert.Equal(JsonValueKind.Object, Line(Request(Nested(9))).ValueKind);
            Assert.Contains("more than 10 levels", Assert.Throws<IrisBatchException>(() => Line(Request(Nested(10)))).Message);
            string Wide(int n) => "{\"type\":\"object\",\"properties\":{" + string.Join(",", Enumerable.Range(0, n).Select(i => "\"p" + i + "\":{\"type\":\"integer\"}"))
                + "},\"required\":[" + string.Join(",", Enumerable.Range(0, n).Select(i => "\"p" + i + "\"")) + "]" + Tail;
            Assert.Equal(JsonValueKind.Object, Line(Request(Wide(5000))).ValueKind);
            Assert.Contains("5,000", Assert.Throws<IrisBatchException>(() => Line(Request(Wide(5001)))).Message);
            string Enum(int n) => "{\"type\":\"object\",\"properties\":{\"e\":{\"type\":\"integer\",\"enum\":[" + string.Join(",", Enumerable.Range(0, n)) + "]}},\"required\":[\"e\"]" + Tail;
            Assert.Equal(JsonValueKind.Object, Line(Request(Enum(1000))).ValueKind);
            Assert.Contains("1,000", Assert.Throws<IrisBatchException>(() => Line(Request(Enum(1001)))).Message);
        }

        [Fact]
        public void Enum_and_total_string_limits_are_refused_and_a_strict_schema_is_sent()
        {
            string Enum(int values, int length) => "{\"type\":\"object\",\"properties\":{\"e\":{\"type\":\"string\",\"enum\":["
                + string.Join(",", Enumerable.Range(0, values).Select(i => "\"" + i.ToString().PadLeft(length, 'v') + "\"")) + "]}},\"required\":[\"e\"]" + Tail;
            Assert.Contains("15,000", Assert.Throws<IrisBatchException>(() => Line(Request(Enum(251, 60)))).Message);
            Assert.Contains("120,000", Assert.Throws<IrisBatchException>(() => Line(Request(Enum(250, 485)))).Message);
            var ok = Line(Request(Enum(250, 60))).GetProperty("body").GetProperty("response_format").GetProperty("json_schema");
            Assert.True(ok.GetProperty("strict").GetBoolean());
            // A class schema is strict already; -Body's own response_format is the user's and is sent as given.
            Assert.Equal(JsonValueKind.Object, Line(Request(SchemaBuilder.FromType(typeof(AnthropicSchemaRefusalTests.SeventeenNullables)))).GetProperty("body").ValueKind);
            var own = Request("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}" + Tail);
            own.BodyJson = "{\"response_format\":{\"type\":\"json_object\"}}";
            Assert.Equal("json_object", Line(own).GetProperty("body").GetProperty("response_format").GetProperty("type").GetString());
        }
    }
}
