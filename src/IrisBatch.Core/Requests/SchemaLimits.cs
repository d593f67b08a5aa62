using System.Collections.Concurrent;
using System.Collections.Generic;
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

        private static readonly ConcurrentDictionary<string, (int Optional, int Unions)> Counts =
            new ConcurrentDictionary<string, (int, int)>(System.StringComparer.Ordinal);

        /// <summary>
        /// Properties not in their object's "required", and properties typed with "anyOf" or a list of types (a nullable
        /// class property is ["integer","null"]), anywhere in the schema: in nested objects, array items, unions and $defs.
        /// </summary>
        public static (int Optional, int Unions) AnthropicCounts(string schema) => Counts.GetOrAdd(schema, s =>
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
                var required = new HashSet<string>(System.StringComparer.Ordinal);
                if (s.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
                    foreach (var x in req.EnumerateArray())
                        if (x.ValueKind == JsonValueKind.String) required.Add(x.GetString()!);
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
    }
}
