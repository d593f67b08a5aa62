using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using IrisBatch.Requests;

namespace IrisBatch.Providers.Anthropic
{
    /// <summary>
    /// A -Schema as Anthropic's structured outputs take it (spec §11.1). The subset has no numeric constraints
    /// (minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf), no minLength/maxLength, no array constraints but
    /// minItems 0 or 1, formats from a short list, and no oneOf, not, if/then/else or dependent*. As Anthropic's own SDK
    /// does (its transform_schema), each such keyword is taken out of the schema and written at the end of the schema's
    /// description, "{minimum: 1, maximum: 10}", so the model still reads it, and oneOf becomes anyOf. Everything the
    /// subset has (type, enum, const, anyOf, allOf, $ref/$defs, required, additionalProperties, pattern, default, titles
    /// and descriptions) is sent as it is.
    /// </summary>
    internal static class AnthropicSchema
    {
        private static readonly string[] Moved =
        {
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems",
            "uniqueItems", "contains", "minContains", "maxContains", "minProperties", "maxProperties", "propertyNames",
            "patternProperties", "dependentSchemas", "dependentRequired", "not", "if", "then", "else",
        };

        private static readonly HashSet<string> Formats = new HashSet<string>(StringComparer.Ordinal)
            { "date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid" };

        private static readonly SchemaCache<string> Made = new SchemaCache<string>();

        /// <summary>The schema to send (made once per schema text): the same text when it has nothing to move.</summary>
        public static string ForAnthropic(string schema) => Made.Get(schema, s =>
        {
            JsonNode? root;
            try { root = JsonNode.Parse(s); }
            catch (System.Text.Json.JsonException) { return s; }   // not JSON: sent as it is, and refused by the service
            return root != null && Transform(root) ? root.ToJsonString() : s;
        });

        /// <summary>Moves what the subset lacks out of one schema and those under it; whether anything changed.</summary>
        private static bool Transform(JsonNode? node)
        {
            if (!(node is JsonObject o)) return false;
            bool changed = false;
            var moved = new List<string>();
            foreach (var key in Moved)
                if (o.TryGetPropertyValue(key, out var value))
                {
                    moved.Add(key + ": " + Text(value));
                    o.Remove(key);
                }
            if (o.TryGetPropertyValue("format", out var format) && !(format is JsonValue f && f.TryGetValue<string>(out var name) && Formats.Contains(name)))
            {
                moved.Add("format: " + Text(format));
                o.Remove("format");
            }
            if (o.TryGetPropertyValue("minItems", out var minItems) && !(minItems is JsonValue m && m.TryGetValue<double>(out var n) && (n == 0 || n == 1)))
            {
                moved.Add("minItems: " + Text(minItems));
                o.Remove("minItems");
            }
            if (o.TryGetPropertyValue("oneOf", out var oneOf) && !o.ContainsKey("anyOf"))
            {
                o.Remove("oneOf");
                o["anyOf"] = oneOf;
                changed = true;
            }
            if (moved.Count > 0)
            {
                var said = o.TryGetPropertyValue("description", out var d) && d is JsonValue dv && dv.TryGetValue<string>(out var text) ? text + "\n\n" : "";
                o["description"] = said + "{" + string.Join(", ", moved) + "}";
                changed = true;
            }

            // The schemas under this one.
            foreach (var key in new[] { "items", "additionalProperties" })
                if (o.TryGetPropertyValue(key, out var sub)) changed |= Transform(sub);
            foreach (var key in new[] { "properties", "$defs", "definitions" })
                if (o.TryGetPropertyValue(key, out var map) && map is JsonObject subs)
                    foreach (var child in subs.ToList()) changed |= Transform(child.Value);
            foreach (var key in new[] { "anyOf", "allOf", "prefixItems" })
                if (o.TryGetPropertyValue(key, out var list) && list is JsonArray items)
                    foreach (var item in items) changed |= Transform(item);
            return changed;
        }

        /// <summary>A value as it reads in a description: a string bare, anything else as its JSON.</summary>
        private static string Text(JsonNode? value) =>
            value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "null";
    }
}
