using System;
using System.Collections.Generic;
using IrisBatch.Templates;
using Xunit;

namespace IrisBatch.Tests.Core
{
    public class PromptTemplateTests
    {
        private static string? Expand(string template, Dictionary<string, string> row, out string? missing)
        {
            var t = PromptTemplate.Parse(template);
            return t.Expand((string name, out string? value) =>
            {
                foreach (var kv in row)
                    if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) { value = kv.Value; return true; }
                value = null;
                return false;
            }, out missing);
        }

        [Fact]
        public void Placeholders_are_replaced_by_row_values()
        {
            var text = Expand("Describe {name} ({category}).", new Dictionary<string, string> { ["name"] = "Lamp", ["category"] = "Home" }, out var missing);
            Assert.Equal("Describe Lamp (Home).", text);
            Assert.Null(missing);
        }

        [Fact]
        public void Doubled_braces_are_literal()
        {
            var text = Expand("JSON: {{\"n\": \"{name}\"}}", new Dictionary<string, string> { ["name"] = "x" }, out _);
            Assert.Equal("JSON: {\"n\": \"x\"}", text);
        }

        [Fact]
        public void A_missing_property_is_named()
        {
            var text = Expand("Describe {name} for {audience}", new Dictionary<string, string> { ["name"] = "x" }, out var missing);
            Assert.Null(text);
            Assert.Equal("audience", missing);
        }

        [Fact]
        public void Text_without_placeholders_is_returned_as_is()
        {
            Assert.Equal("plain", Expand("plain", new Dictionary<string, string>(), out _));
            Assert.Empty(PromptTemplate.Parse("plain").Placeholders);
        }

        [Theory]
        [InlineData("Describe {name")]
        [InlineData("lone } brace")]
        [InlineData("empty {} placeholder")]
        public void Malformed_templates_are_refused(string template)
        {
            Assert.Throws<FormatException>(() => PromptTemplate.Parse(template));
        }
    }
}
