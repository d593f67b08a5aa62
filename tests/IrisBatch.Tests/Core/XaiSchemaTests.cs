using System.IO;
using System.Text.Json;
using IrisBatch.Providers.Xai;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>xAI's schema rules (spec §11.1: allOf with one subschema only, $ref inside the schema only), refused before upload.</summary>
    public class XaiSchemaTests
    {
        private static IrisBatchRequest Request(string schema) => new IrisBatchRequest
        {
            CustomId = "r1", Model = "grok-4", RowNumber = 5, Schema = schema,
            Messages = new[] { new ChatMessage("user", "Describe") },
        };

        private static JsonElement Line(IrisBatchRequest r)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) XaiRequestWriter.Write(w, r);
            return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
        }

        private const string Two = "{\"type\":\"object\",\"properties\":{\"a\":{\"allOf\":[{\"type\":\"string\"},{\"minLength\":1}]}},\"required\":[\"a\"]}";
        private const string One = "{\"type\":\"object\",\"properties\":{\"a\":{\"allOf\":[{\"type\":\"string\"}]}},\"required\":[\"a\"]}";
        private const string Remote = "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"https://example.com/a.json\"}},\"required\":[\"a\"]}";
        private const string Local = "{\"type\":\"object\",\"$defs\":{\"A\":{\"type\":\"string\"}},\"properties\":{\"a\":{\"$ref\":\"#/$defs/A\"}},\"required\":[\"a\"]}";

        [Theory]
        [InlineData(Two, "#/properties/a", "'allOf' has 2 subschemas")]
        [InlineData(Remote, "#/properties/a", "https://example.com/a.json")]
        public void A_schema_xAI_refuses_is_refused_naming_the_row_and_the_place(string schema, string place, string why)
        {
            var ex = Assert.Throws<IrisBatchException>(() => Line(Request(schema)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 5", ex.Message);
            Assert.Contains(place, ex.Message);
            Assert.Contains(why, ex.Message);
        }

        [Theory]
        [InlineData(One)]
        [InlineData(Local)]
        public void A_schema_within_xAIs_rules_is_sent(string schema)
        {
            var sent = Line(Request(schema)).GetProperty("batch_request").GetProperty("chat_get_completion").GetProperty("response_format");
            Assert.Equal("json_schema", sent.GetProperty("type").GetString());
        }
    }
}
