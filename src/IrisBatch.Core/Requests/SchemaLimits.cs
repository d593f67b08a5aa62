using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace IrisBatch.Requests
{
    /// <summary>
    /// Limits a provider puts on a whole structured-output schema (spec §11.1), checked once per schema text (every row of
    /// a batch shares one): what the service would refuse on every line a day later is refused before upload.
    /// </summary>
    public static class SchemaLimits
    {
        /// <summary>Anthropic: "≤24 optional parameters, ≤16 union-typed parameters (summed over all strict schemas)".</summary>
        public const int AnthropicMaxOptional = 24, AnthropicMaxUnions = 16;

        private static readonly SchemaCache<(int Optional, int Unions)> Counts = new SchemaCache<(int, int)>();

        /// <summary>
        /// Properties not in their object's "required", and properties typed with "anyOf" or a list of types (a nullable
        /// class property is ["integer","null"]), anywhere in the schema: in nested objects, array items, unions and $defs.
        /// </summary>
        public static (int Optional, int Unions) AnthropicCounts(string schema) => Counts.Get(schema, s =>
        {
            int optional = 0, unions = 0;
            try
            {
                using var doc = JsonDocument.Parse(s);
                Count(doc.RootElement, ref optional, ref unions);
            }
            catch (JsonException) { }
            return (optional, unions);
        });

        private static void Count(JsonElement s, ref int optional, ref int unions)
        {
            if (s.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in s.EnumerateArray()) Count(item, ref optional, ref unions);
                return;
            }
            if (s.ValueKind != JsonValueKind.Object) return;
            if (s.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                var required = RequiredOf(s);
                foreach (var p in props.EnumerateObject())
                {
                    if (!required.Contains(p.Name)) optional++;
                    if (p.Value.ValueKind == JsonValueKind.Object
                        && (p.Value.TryGetProperty("anyOf", out _) || p.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.Array))
                        unions++;
                }
            }
            foreach (var p in s.EnumerateObject())
            {
                if ((p.Name == "properties" || p.Name == "$defs" || p.Name == "definitions") && p.Value.ValueKind == JsonValueKind.Object)
                    foreach (var q in p.Value.EnumerateObject()) Count(q.Value, ref optional, ref unions);
                else if (p.Name == "items" || p.Name == "anyOf" || p.Name == "allOf")
                    Count(p.Value, ref optional, ref unions);
            }
        }

        private static readonly string[] OpenAIForbidden = { "allOf", "not", "dependentRequired", "dependentSchemas", "if", "then", "else" };
        private static readonly HashSet<string> OpenAIFormats = new HashSet<string>(StringComparer.Ordinal)
            { "date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid" };
        private static readonly SchemaCache<string> OpenAIProblems = new SchemaCache<string>();

        /// <summary>
        /// Why OpenAI's strict mode (which the client always asks for) refuses the schema, or null (spec §11.1): every
        /// object lists every property in "required" and has "additionalProperties": false; no allOf, not, dependentRequired,
        /// dependentSchemas, if, then, else; "format" from OpenAI's list; at most 10 levels, 5,000 properties, 1,000 values
        /// an enum; names, enum and const strings at most 120,000 characters, an enum of more than 250 values at most 15,000.
        /// </summary>
        public static string? OpenAIStrict(string schema) => Checked(OpenAIProblems, schema, root =>
        {
            long total = 0;
            int properties = 0;
            var found = OpenAINode(root, "#", 1, ref total, ref properties);
            if (found == null && total > 120000)
                found = "property names, definition names, enum and const values come to " + total + " characters, over OpenAI's 120,000";
            return found;
        });

        /// <summary>
        /// A check's answer for a schema text, made once per text (every row of a batch shares one): the problem, or null,
        /// also for text that is not JSON (the caller refuses that as it always did).
        /// </summary>
        private static string? Checked(SchemaCache<string> answers, string schema, Func<JsonElement, string?> check)
        {
            var problem = answers.Get(schema, s =>
            {
                try
                {
                    using var doc = JsonDocument.Parse(s);
                    return check(doc.RootElement) ?? "";
                }
                catch (JsonException) { return ""; }
            });
            return problem.Length == 0 ? null : problem;
        }

        /// <summary>The names an object schema lists in "required".</summary>
        private static HashSet<string> RequiredOf(JsonElement s)
        {
            var required = new HashSet<string>(StringComparer.Ordinal);
            if (s.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
                foreach (var x in req.EnumerateArray())
                    if (x.ValueKind == JsonValueKind.String) required.Add(x.GetString()!);
            return required;
        }

        private static string? OpenAINode(JsonElement s, string at, int depth, ref long total, ref int properties)
        {
            if (s.ValueKind != JsonValueKind.Object) return null;
            if (depth > 10) return "at " + at + ", the schema is nested more than 10 levels deep";
            foreach (var bad in OpenAIForbidden)
                if (s.TryGetProperty(bad, out _)) return "at " + at + ", '" + bad + "' is not supported";
            if (s.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String && !OpenAIFormats.Contains(f.GetString()!))
                return "at " + at + ", format '" + f.GetString() + "' is not supported";
            if (s.TryGetProperty("const", out var c) && c.ValueKind == JsonValueKind.String) total += c.GetString()!.Length;
            if (s.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array)
            {
                long length = e.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Sum(v => (long)v.GetString()!.Length);
                total += length;
                if (e.GetArrayLength() > 1000) return "at " + at + ", the enum has " + e.GetArrayLength() + " values; OpenAI takes at most 1,000";
                if (e.GetArrayLength() > 250 && length > 15000)
                    return "at " + at + ", the enum's " + e.GetArrayLength() + " values come to " + length + " characters; OpenAI takes at most 15,000 in an enum of more than 250 values";
            }
            bool hasProps = s.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object;
            bool isObject = hasProps || s.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "object";
            if (isObject && !s.TryGetProperty("anyOf", out _))
            {
                if (!s.TryGetProperty("additionalProperties", out var ap) || ap.ValueKind != JsonValueKind.False)
                    return "at " + at + ", 'additionalProperties' must be false";
                if (hasProps)
                {
                    properties += props.EnumerateObject().Count();
                    if (properties > 5000) return "the schema has more than 5,000 object properties in all";
                    var required = RequiredOf(s);
                    var missing = props.EnumerateObject().Select(p => p.Name).Where(n => !required.Contains(n)).ToList();
                    if (missing.Count > 0)
                        return "at " + at + ", every property must be in 'required' (missing '" + string.Join("', '", missing)
                            + "'): make an optional one nullable instead, e.g. \"type\": [\"string\", \"null\"]";
                }
            }
            foreach (var p in s.EnumerateObject())
            {
                if ((p.Name == "properties" || p.Name == "$defs" || p.Name == "definitions") && p.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var q in p.Value.EnumerateObject())
                    {
                        total += q.Name.Length;
                        var problem = OpenAINode(q.Value, at + "/" + p.Name + "/" + q.Name, p.Name == "properties" ? depth + 1 : depth, ref total, ref properties);
                        if (problem != null) return problem;
                    }
                }
                else if (p.Name == "items")
                {
                    var problem = OpenAINode(p.Value, at + "/items", depth + 1, ref total, ref properties);
                    if (problem != null) return problem;
                }
                else if (p.Name == "anyOf" && p.Value.ValueKind == JsonValueKind.Array)
                {
                    int i = 0;
                    foreach (var b in p.Value.EnumerateArray())
                    {
                        var problem = OpenAINode(b, at + "/anyOf/" + i++, depth + 1, ref total, ref properties);
                        if (problem != null) return problem;
                    }
                }
            }
            return null;
        }

        private static readonly SchemaCache<string> XaiProblems = new SchemaCache<string>();

        /// <summary>
        /// What xAI's structured outputs refuse in a schema (spec §11.1: "allOf single subschema only", non-circular local
        /// $ref/$defs), or null. Checked once per schema text.
        /// </summary>
        public static string? Xai(string schema) => Checked(XaiProblems, schema, root => XaiNode(root, "#", 0));

        private static string? XaiNode(JsonElement s, string at, int depth)
        {
            if (depth > 64) return null;
            if (s.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var item in s.EnumerateArray())
                    if (XaiNode(item, at + "/" + i++, depth + 1) is string problem) return problem;
                return null;
            }
            if (s.ValueKind != JsonValueKind.Object) return null;
            if (s.TryGetProperty("allOf", out var all) && all.ValueKind == JsonValueKind.Array && all.GetArrayLength() != 1)
                return "at " + at + ", 'allOf' has " + all.GetArrayLength() + " subschemas; xAI takes it with one only";
            if (s.TryGetProperty("$ref", out var r) && r.ValueKind == JsonValueKind.String && !r.GetString()!.StartsWith("#", StringComparison.Ordinal))
                return "at " + at + ", '$ref' is '" + r.GetString() + "'; xAI takes only references inside the schema (#/...)";
            foreach (var p in s.EnumerateObject())
            {
                if (p.Name == "enum" || p.Name == "const" || p.Name == "default" || p.Name == "required") continue;
                if ((p.Name == "properties" || p.Name == "$defs" || p.Name == "definitions") && p.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var q in p.Value.EnumerateObject())
                        if (XaiNode(q.Value, at + "/" + p.Name + "/" + q.Name, depth + 1) is string problem) return problem;
                }
                else if (p.Value.ValueKind == JsonValueKind.Object || p.Value.ValueKind == JsonValueKind.Array)
                {
                    if (XaiNode(p.Value, at + "/" + p.Name, depth + 1) is string problem) return problem;
                }
            }
            return null;
        }
    }
}
