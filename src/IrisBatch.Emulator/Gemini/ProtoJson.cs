using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IrisBatch.Emulator.Gemini;

/// <summary>
/// Reading request bodies the way Google's proto-JSON parser does (spec §10): a field may be spelled as its proto name
/// (<c>display_name</c>) or its JSON name (<c>displayName</c>); a name the message does not have is an
/// <c>Invalid JSON payload received. Unknown name …</c> error; the same field twice (once in each spelling) is an error too.
/// Writing follows proto3 JSON: camelCase names, int64 as strings, RFC 3339 timestamps.
/// </summary>
internal static class ProtoJson
{
    /// <summary>"displayName" → "display_name"; "display_name" stays.</summary>
    public static string Snake(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (c is >= 'A' and <= 'Z')
            {
                sb.Append('_');
                sb.Append((char)(c + 32));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The fields of a message object, keyed by proto (snake_case) name. Null with <paramref name="error"/> set when
    /// <paramref name="obj"/> is not an object, names an unknown field, or names one field twice.
    /// </summary>
    /// <param name="path">Where the object sits, in proto names (e.g. <c>batch.input_config</c>); empty for the body itself.</param>
    public static Dictionary<string, JsonElement>? Fields(JsonElement obj, string path, IReadOnlyCollection<string> known, out string? error)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            error = $"Invalid value at '{PathOr(path)}': expected a JSON object, got {Kind(obj)}.";
            return null;
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            string snake = Snake(p.Name);
            if (!Contains(known, snake))
            {
                error = path.Length == 0
                    ? $"Invalid JSON payload received. Unknown name \"{p.Name}\": Cannot find field."
                    : $"Invalid JSON payload received. Unknown name \"{p.Name}\" at '{path}': Cannot find field.";
                return null;
            }
            if (!fields.TryAdd(snake, p.Value))
            {
                error = $"Invalid JSON payload received. Field '{Join(path, snake)}' is set more than once.";
                return null;
            }
        }
        error = null;
        return fields;
    }

    public static string Join(string path, string field) => path.Length == 0 ? field : path + "." + field;

    public static string TypeError(string path, string expected, JsonElement got) =>
        $"Invalid value at '{path}' ({expected}), {Truncate(got.GetRawText())}";

    /// <summary>A string field: null when absent or JSON null; an error when present with another type.</summary>
    public static string? OptionalString(Dictionary<string, JsonElement> fields, string name, string path, ref string? error)
    {
        if (!fields.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        error ??= TypeError(Join(path, name), "TYPE_STRING", v);
        return null;
    }

    /// <summary>An int64 field, which proto JSON accepts as a number or a decimal string.</summary>
    public static long? OptionalInt64(Dictionary<string, JsonElement> fields, string name, string path, ref string? error)
    {
        if (!fields.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n)) return n;
        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n)) return n;
        error ??= TypeError(Join(path, name), "TYPE_INT64", v);
        return null;
    }

    /// <summary>RFC 3339 in UTC with microseconds, one of the forms Google emits (0, 3, 6 or 9 fractional digits).</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>int64 values travel as JSON strings in proto3 JSON.</summary>
    public static string Int64(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>An opaque page token standing for "after the item with this sequence number".</summary>
    public static string PageToken(long seq) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("after:" + seq.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryReadPageToken(string token, out long seq)
    {
        seq = 0;
        try
        {
            string b64 = token.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - b64.Length % 4) % 4);
            string text = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            return text.StartsWith("after:", StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads <c>pageSize</c> (default <paramref name="defaultSize"/>; larger values are coerced to <paramref name="maxSize"/>,
    /// as Google's list methods do) and <c>pageToken</c>. Returns an error message or null.
    /// </summary>
    public static string? PageParams(Microsoft.AspNetCore.Http.IQueryCollection q, int defaultSize, int maxSize, out int size, out long? afterSeq)
    {
        size = defaultSize;
        afterSeq = null;
        string? raw = q.TryGetValue("pageSize", out var a) ? a.ToString() : q.TryGetValue("page_size", out var b) ? b.ToString() : null;
        if (raw is { Length: > 0 })
        {
            if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out size) || size < 0)
                return $"Invalid value at 'page_size' (TYPE_INT32), \"{raw}\"";
            if (size == 0) size = defaultSize;
            if (size > maxSize) size = maxSize;
        }
        string? token = q.TryGetValue("pageToken", out var c) ? c.ToString() : q.TryGetValue("page_token", out var d) ? d.ToString() : null;
        if (token is { Length: > 0 })
        {
            if (!TryReadPageToken(token, out long seq)) return "Invalid page token.";
            afterSeq = seq;
        }
        return null;
    }

    private static bool Contains(IReadOnlyCollection<string> known, string name)
    {
        foreach (string k in known) if (k == name) return true;
        return false;
    }

    private static string PathOr(string path) => path.Length == 0 ? "(body)" : path;

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "something else",
    };

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
