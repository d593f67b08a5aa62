using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IrisBatch.Emulator;

/// <summary>
/// The fake model's answer to a schema request: compact JSON that fits the schema, the same for the same prompt and schema.
/// Reads JSON Schema (OpenAI, Anthropic, xAI, Ollama, Gemini <c>responseJsonSchema</c>) and Gemini's proto Schema
/// (<c>responseSchema</c>: upper-case types, <c>nullable</c>, <c>propertyOrdering</c>). Every value comes from a hash of
/// the prompt and the value's path:
/// <list type="bullet">
/// <item>object: every property, in schema order (or <c>propertyOrdering</c>); no other keys;</item>
/// <item>a nullable type (<c>["string","null"]</c>, <c>anyOf</c> with null, <c>nullable: true</c>): the non-null type;</item>
/// <item><c>const</c>: itself; <c>enum</c>: one of its values; <c>anyOf</c>/<c>oneOf</c>: the first non-null branch; <c>$ref</c> (<c>#</c>, <c>#/$defs/…</c>, <c>#/definitions/…</c>) resolved;</item>
/// <item>string: per <c>format</c> (date-time, date, time, duration, email, hostname, ipv4, ipv6, uuid, uri), else
/// "&lt;property&gt;-&lt;6 hex&gt;", fitted to minLength/maxLength and, where one of a few candidates matches, <c>pattern</c>;</item>
/// <item>integer 0..99 and number 0.00..99.99, moved into minimum/maximum (exclusive too) and multipleOf;</item>
/// <item>boolean from the hash; array: 1..3 items within minItems/maxItems (0 beyond nesting depth 6).</item>
/// </list>
/// </summary>
public static class SchemaAnswer
{
    private const int MaxDepth = 6;

    public static string Generate(JsonElement schema, string prompt)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, schema, schema, prompt, "", "value", 0);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A stable 64-bit hash (FNV-1a over UTF-16 code units) of the prompt and a path.</summary>
    public static ulong Hash(string prompt, string path)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in prompt) { h ^= c; h *= 1099511628211UL; }
        h ^= 0xFFFF; h *= 1099511628211UL;
        foreach (char c in path) { h ^= c; h *= 1099511628211UL; }
        // Final mix so that nearby inputs spread.
        h ^= h >> 33; h *= 0xff51afd7ed558ccdUL; h ^= h >> 33;
        return h;
    }

    private static void Write(Utf8JsonWriter w, JsonElement root, JsonElement s, string prompt, string path, string name, int depth)
    {
        if (s.ValueKind == JsonValueKind.True || s.ValueKind != JsonValueKind.Object) { w.WriteStringValue(name + "-" + Hex(prompt, path)); return; }
        if (Get(s, "$ref") is { ValueKind: JsonValueKind.String } r && Resolve(root, r.GetString()!) is { } target)
        {
            Write(w, root, target, prompt, path, name, depth + 1);
            return;
        }
        if (Get(s, "const") is { } c) { c.WriteTo(w); return; }
        if (Get(s, "enum") is { ValueKind: JsonValueKind.Array } e && e.GetArrayLength() > 0)
        {
            var values = e.EnumerateArray().Where(v => v.ValueKind != JsonValueKind.Null).ToList();
            if (values.Count == 0) { w.WriteNullValue(); return; }
            values[(int)(Hash(prompt, path) % (ulong)values.Count)].WriteTo(w);
            return;
        }
        foreach (string union in new[] { "anyOf", "oneOf" })
            if (Get(s, union) is { ValueKind: JsonValueKind.Array } branches && branches.GetArrayLength() > 0)
            {
                var pick = branches.EnumerateArray().FirstOrDefault(b => !IsNullSchema(b));
                if (pick.ValueKind == JsonValueKind.Undefined) { w.WriteNullValue(); return; }
                Write(w, root, pick, prompt, path, name, depth + 1);
                return;
            }
        if (Get(s, "allOf") is { ValueKind: JsonValueKind.Array } all && all.GetArrayLength() == 1)
        {
            Write(w, root, all[0], prompt, path, name, depth + 1);
            return;
        }

        string type = TypeOf(s);
        ulong h = Hash(prompt, path);
        switch (type)
        {
            case "object":
                w.WriteStartObject();
                foreach (var (key, sub) in Properties(s))
                {
                    w.WritePropertyName(key);
                    Write(w, root, sub, prompt, path + "/" + key, key, depth + 1);
                }
                w.WriteEndObject();
                break;
            case "array":
                w.WriteStartArray();
                int min = Int(s, "minItems") ?? 0, max = Int(s, "maxItems") ?? int.MaxValue;
                int count = depth >= MaxDepth ? min : Math.Clamp(1 + (int)(h % 3), min, Math.Max(min, max));
                var prefix = Get(s, "prefixItems") is { ValueKind: JsonValueKind.Array } p ? p : default;
                var items = Get(s, "items") ?? default;
                for (int i = 0; i < count; i++)
                {
                    var itemSchema = prefix.ValueKind == JsonValueKind.Array && i < prefix.GetArrayLength() ? prefix[i] : items;
                    Write(w, root, itemSchema, prompt, path + "/" + i.ToString(CultureInfo.InvariantCulture), name, depth + 1);
                }
                w.WriteEndArray();
                break;
            case "integer":
                w.WriteNumberValue(Integer(s, h));
                break;
            case "number":
                w.WriteNumberValue(Number(s, h));
                break;
            case "boolean":
                w.WriteBooleanValue((h & 1) == 0);
                break;
            case "null":
                w.WriteNullValue();
                break;
            default:
                w.WriteStringValue(Text(s, prompt, path, name, h));
                break;
        }
    }

    private static bool IsNullSchema(JsonElement b) =>
        b.ValueKind == JsonValueKind.Object && Get(b, "type") is { ValueKind: JsonValueKind.String } t
        && string.Equals(t.GetString(), "null", StringComparison.OrdinalIgnoreCase);

    /// <summary>The schema's type in lower case; the first non-null one of a list; guessed from its keywords when absent.</summary>
    internal static string TypeOf(JsonElement s)
    {
        if (Get(s, "type") is { } t)
        {
            if (t.ValueKind == JsonValueKind.String) return t.GetString()!.ToLowerInvariant();
            if (t.ValueKind == JsonValueKind.Array)
            {
                string? first = null;
                foreach (var x in t.EnumerateArray())
                    if (x.ValueKind == JsonValueKind.String)
                    {
                        string v = x.GetString()!.ToLowerInvariant();
                        first ??= v;
                        if (v != "null") return v;
                    }
                if (first is not null) return first;
            }
        }
        if (Get(s, "properties") is not null) return "object";
        if (Get(s, "items") is not null || Get(s, "prefixItems") is not null) return "array";
        return "string";
    }

    private static IEnumerable<(string, JsonElement)> Properties(JsonElement s)
    {
        if (Get(s, "properties") is not { ValueKind: JsonValueKind.Object } props) yield break;
        var list = props.EnumerateObject().Select(p => (p.Name, p.Value)).ToList();
        if (Get(s, "propertyOrdering") is { ValueKind: JsonValueKind.Array } order)
        {
            var rank = order.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!).ToList();
            list = list.OrderBy(p => rank.IndexOf(p.Name) is var i && i >= 0 ? i : int.MaxValue).ToList();
        }
        foreach (var p in list) yield return p;
    }

    internal static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (reference == "#") return root;
        if (!reference.StartsWith("#/", StringComparison.Ordinal)) return null;
        JsonElement current = root;
        foreach (string raw in reference[2..].Split('/'))
        {
            string segment = raw.Replace("~1", "/").Replace("~0", "~");
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current)) return null;
        }
        return current;
    }

    private static long Integer(JsonElement s, ulong h)
    {
        double? lo = Num(s, "minimum"), hi = Num(s, "maximum");
        if (Num(s, "exclusiveMinimum") is { } xl) lo = Math.Floor(xl) + 1;
        if (Num(s, "exclusiveMaximum") is { } xh) hi = Math.Ceiling(xh) - 1;
        long min = lo is { } a ? (long)Math.Ceiling(a) : 0, max = hi is { } b ? (long)Math.Floor(b) : Math.Max(min, 0) + 99;
        if (lo is null && hi is { }) min = Math.Min(0, max);
        if (max < min) max = min;
        long span = max - min + 1;
        long v = min + (long)(h % (ulong)Math.Max(1, Math.Min(span, 100)));
        if (Num(s, "multipleOf") is { } m && m >= 1)
        {
            long step = (long)m;
            long k = (long)Math.Ceiling(min / (double)step) + (long)(h % 5);
            v = k * step;
            if (v > max) v = (long)Math.Floor(max / (double)step) * step;
        }
        return v;
    }

    private static double Number(JsonElement s, ulong h)
    {
        double lo = Num(s, "minimum") ?? Num(s, "exclusiveMinimum") ?? 0, hi = Num(s, "maximum") ?? Num(s, "exclusiveMaximum") ?? lo + 100;
        if (hi < lo) hi = lo;
        double fraction = (h % 9999 + 1) / 10000.0;          // strictly between 0 and 1: fits exclusive bounds too
        double v = Math.Round(lo + (hi - lo) * fraction, 2);
        if (v <= lo && Num(s, "exclusiveMinimum") is not null) v = lo + (hi - lo) / 2;
        if (v >= hi && Num(s, "exclusiveMaximum") is not null) v = lo + (hi - lo) / 2;
        if (Num(s, "multipleOf") is { } m && m > 0)
        {
            v = Math.Ceiling(lo / m) * m;
            if (v > hi) v = lo;
        }
        return v;
    }

    private static readonly string[] PatternCandidates =
        { "", "a", "abc", "ABC", "Abc", "1", "123", "12345", "a1", "A1", "abc-123", "ABC-123", "x_y", "2026-01-01", "user@example.com" };

    private static string Text(JsonElement s, string prompt, string path, string name, ulong h)
    {
        int n = (int)(h % 28);
        string text = (Get(s, "format") is { ValueKind: JsonValueKind.String } f ? f.GetString() : null) switch
        {
            "date-time" => new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes((double)(h % 525600)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            "date" => new DateTime(2026, 1, 1).AddDays(n).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "time" => $"{h % 24:00}:{h / 24 % 60:00}:00",
            "duration" => $"P{n + 1}D",
            "email" => $"user{Hex(prompt, path)}@example.com",
            "hostname" => $"host-{Hex(prompt, path)}.example.com",
            "ipv4" => $"192.0.2.{h % 254 + 1}",
            "ipv6" => $"2001:db8::{h % 65535:x}",
            "uuid" => new Guid(BitConverter.GetBytes(h).Concat(BitConverter.GetBytes(h * 31 + 7)).ToArray()).ToString(),
            "uri" => $"https://example.com/{Hex(prompt, path)}",
            _ => $"{Safe(name)}-{Hex(prompt, path)}",
        };
        if (Get(s, "pattern") is { ValueKind: JsonValueKind.String } p)
        {
            Regex? regex = null;
            try { regex = new Regex(p.GetString()!, RegexOptions.None, TimeSpan.FromMilliseconds(50)); } catch (ArgumentException) { }
            if (regex is not null && !SafeMatch(regex, text))
                text = PatternCandidates.FirstOrDefault(c => SafeMatch(regex, c)) ?? text;
        }
        int? minLength = Int(s, "minLength"), maxLength = Int(s, "maxLength");
        if (minLength is { } lo && text.Length < lo) text = text.PadRight(lo, 'x');
        if (maxLength is { } hi && text.Length > hi) text = text[..Math.Max(0, hi)];
        return text;
    }

    private static bool SafeMatch(Regex regex, string text)
    {
        try { return regex.IsMatch(text); } catch (RegexMatchTimeoutException) { return false; }
    }

    private static string Safe(string name) => name.Length == 0 ? "value" : name;

    private static string Hex(string prompt, string path) => (Hash(prompt, path + "#s") & 0xFFFFFF).ToString("x6", CultureInfo.InvariantCulture);

    internal static JsonElement? Get(JsonElement s, string name) =>
        s.ValueKind == JsonValueKind.Object && s.TryGetProperty(name, out var v) ? v : null;

    private static int? Int(JsonElement s, string name) =>
        Get(s, name) is { } v && (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i
            : v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out i) ? i : (int?)null) is { } r ? r : null;

    private static double? Num(JsonElement s, string name) =>
        Get(s, name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : null;
}
