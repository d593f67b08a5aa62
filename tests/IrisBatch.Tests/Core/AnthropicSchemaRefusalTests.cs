using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using IrisBatch.Data;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Requests;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Anthropic lines the service would refuse for their schema or messages (spec §11.1, §11.4) are refused before upload.</summary>
    public class AnthropicSchemaRefusalTests
    {
        private static IrisBatchRequest Request(string? schema, params ChatMessage[] messages) => new IrisBatchRequest
        {
            CustomId = "r1",
            Model = "claude-sonnet-4-5",
            RowNumber = 7,
            Schema = schema,
            Messages = messages.Length > 0 ? messages : new[] { new ChatMessage("user", "Describe") },
        };

        private static JsonElement Line(IrisBatchRequest r)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) AnthropicRequestWriter.Write(w, r);
            return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
        }

        private static IrisBatchException Refused(IrisBatchRequest r)
        {
            var ex = Assert.Throws<IrisBatchException>(() => Line(r));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 7", ex.Message);
            return ex;
        }

        /// <summary>An object of <paramref name="count"/> properties, the first <paramref name="required"/> required, the first <paramref name="unions"/> typed ["integer","null"].</summary>
        private static string Fields(int count, int required, int unions)
        {
            var props = string.Join(",", Enumerable.Range(0, count).Select(i =>
                $"\"f{i}\":{{\"type\":{(i < unions ? "[\"integer\",\"null\"]" : "\"integer\"")}}}"));
            var req = string.Join(",", Enumerable.Range(0, required).Select(i => $"\"f{i}\""));
            return $"{{\"type\":\"object\",\"properties\":{{{props}}},\"required\":[{req}],\"additionalProperties\":false}}";
        }

        public sealed class SeventeenNullables
        {
            public int? A { get; set; } public int? B { get; set; } public int? C { get; set; } public int? D { get; set; }
            public int? E { get; set; } public int? F { get; set; } public int? G { get; set; } public int? H { get; set; }
            public int? I { get; set; } public int? J { get; set; } public int? K { get; set; } public int? L { get; set; }
            public int? M { get; set; } public int? N { get; set; } public int? O { get; set; } public int? P { get; set; }
            public double? Q { get; set; }
        }

        [Fact]
        public void Keywords_Anthropics_subset_lacks_are_moved_into_the_description_as_its_sdk_does()
        {
            const string schema = "{\"type\":\"object\",\"properties\":{"
                + "\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10,\"description\":\"A number\"},"
                + "\"s\":{\"type\":\"string\",\"format\":\"regex\",\"maxLength\":5,\"pattern\":\"^a\"},"
                + "\"e\":{\"type\":\"string\",\"format\":\"email\",\"enum\":[\"a@b.c\"]},"
                + "\"a\":{\"type\":\"array\",\"items\":{\"type\":\"number\",\"multipleOf\":0.5},\"minItems\":2},"
                + "\"b\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1},"
                + "\"u\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\",\"exclusiveMinimum\":0}]}},"
                + "\"required\":[\"n\",\"s\",\"e\",\"a\",\"b\",\"u\"],\"additionalProperties\":false}";
            var sent = Line(Request(schema)).GetProperty("params").GetProperty("output_config").GetProperty("format").GetProperty("schema");
            var p = sent.GetProperty("properties");
            Assert.Equal("A number\n\n{minimum: 1, maximum: 10}", p.GetProperty("n").GetProperty("description").GetString());
            Assert.False(p.GetProperty("n").TryGetProperty("minimum", out _));
            Assert.Equal("{maxLength: 5, format: regex}", p.GetProperty("s").GetProperty("description").GetString());
            Assert.Equal("^a", p.GetProperty("s").GetProperty("pattern").GetString());
            Assert.Equal("email", p.GetProperty("e").GetProperty("format").GetString());
            Assert.False(p.GetProperty("e").TryGetProperty("description", out _));
            Assert.Equal("{minItems: 2}", p.GetProperty("a").GetProperty("description").GetString());
            Assert.Equal("{multipleOf: 0.5}", p.GetProperty("a").GetProperty("items").GetProperty("description").GetString());
            Assert.Equal(1, p.GetProperty("b").GetProperty("minItems").GetInt32());
            Assert.False(p.GetProperty("u").TryGetProperty("oneOf", out _));
            Assert.Equal("{exclusiveMinimum: 0}", p.GetProperty("u").GetProperty("anyOf")[1].GetProperty("description").GetString());
            Assert.Equal(6, sent.GetProperty("required").GetArrayLength());
            Assert.False(sent.GetProperty("additionalProperties").GetBoolean());

            // A schema with nothing to move is sent as written.
            const string plain = "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}},\"required\":[\"x\"],\"additionalProperties\":false}";
            Assert.Equal(plain, Line(Request(plain)).GetProperty("params").GetProperty("output_config").GetProperty("format").GetProperty("schema").GetRawText());
        }

        [Fact]
        public void A_schema_over_Anthropics_optional_or_union_limits_is_refused_naming_the_row()
        {
            // Spec §11.1: "≤24 optional parameters, ≤16 union-typed parameters"; the service refuses every line with a 400.
            var optional = Refused(Request(Fields(25, 0, 0)));
            Assert.Contains("25 optional properties", optional.Message);
            Assert.Contains("at most 24", optional.Message);
            var unions = Refused(Request(SchemaBuilder.FromType(typeof(SeventeenNullables))));
            Assert.Contains("17 properties with union types", unions.Message);
            Assert.Contains("at most 16", unions.Message);

            var ok = Line(Request(Fields(30, 6, 16))).GetProperty("params").GetProperty("output_config").GetProperty("format");
            Assert.Equal(30, ok.GetProperty("schema").GetProperty("properties").EnumerateObject().Count());
        }
    
        [Fact]
        public void An_assistant_prefill_with_a_schema_or_thinking_is_refused_naming_the_row()
        {
            // Spec §11.1: structured outputs are incompatible with assistant prefill; §11.4: thinking takes no prefill.
            const string Schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"],\"additionalProperties\":false}";
            var prefill = new[] { new ChatMessage("user", "Describe"), new ChatMessage("assistant", "{") };
            Assert.Contains("-Schema", Refused(Request(Schema, prefill)).Message);

            var thinking = Request(null, prefill);
            thinking.ReasoningEffort = "low";
            thinking.MaxTokens = 4096;
            Assert.Contains("extended thinking", Refused(thinking).Message);
            thinking.ReasoningEffort = null;
            thinking.BodyJson = "{\"thinking\":{\"type\":\"adaptive\"}}";
            Assert.Contains("extended thinking", Refused(thinking).Message);

            // A prefill alone, or a conversation that ends with the user (system messages aside), is sent.
            Assert.Equal("assistant", Line(Request(null, prefill)).GetProperty("params").GetProperty("messages")[1].GetProperty("role").GetString());
            var turns = Request(Schema, new ChatMessage("user", "a"), new ChatMessage("assistant", "b"), new ChatMessage("user", "c"), new ChatMessage("system", "Be brief."));
            Assert.Equal(3, Line(turns).GetProperty("params").GetProperty("messages").GetArrayLength());
        }
    
        [Theory]
        [InlineData("{\"tool_choice\":{\"type\":\"any\"}}", "low", true)]
        [InlineData("{\"tool_choice\":{\"type\":\"tool\",\"name\":\"f\"},\"thinking\":{\"type\":\"adaptive\"}}", null, true)]
        [InlineData("{\"tool_choice\":{\"type\":\"auto\"}}", "low", false)]
        [InlineData("{\"tool_choice\":{\"type\":\"any\"}}", null, false)]
        public void Thinking_with_forced_tool_use_is_refused_naming_the_row(string body, string? effort, bool refused)
        {
            // Spec §11.4: "Thinking isn't compatible with ... forced tool use".
            var r = Request(null);
            r.BodyJson = body;
            r.ReasoningEffort = effort;
            r.MaxTokens = 4096;
            if (!refused)
            {
                Assert.Equal(JsonValueKind.Object, Line(r).GetProperty("params").GetProperty("tool_choice").ValueKind);
                return;
            }
            var ex = Refused(r);
            Assert.Contains("'tool_choice'", ex.Message);
            Assert.Contains(effort == null ? "the thinking of -Body" : "-ReasoningEffort", ex.Message);
        }
    }
}
