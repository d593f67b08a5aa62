using System;
using System.Globalization;
using System.Text.Json;

namespace IrisBatch
{
    /// <summary>Tolerant readers for provider JSON: absent and null are alike, numbers may come as strings, times as unix seconds or ISO text.</summary>
    public static class JsonRead
    {
        public static JsonElement? Prop(this JsonElement e, string name)
        {
            if (e.ValueKind != JsonValueKind.Object) return null;
            if (e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null && v.ValueKind != JsonValueKind.Undefined) return v;
            return null;
        }

        public static string? Str(this JsonElement e, string name)
        {
            var v = e.Prop(name);
            if (v == null) return null;
            return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : v.Value.GetRawText();
        }

        public static long? Long(this JsonElement e, string name)
        {
            var v = e.Prop(name);
            if (v == null) return null;
            if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt64(out var n)) return n;
            if (v.Value.ValueKind == JsonValueKind.Number) return (long)v.Value.GetDouble();
            if (v.Value.ValueKind == JsonValueKind.String && long.TryParse(v.Value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)) return s;
            return null;
        }

        public static DateTimeOffset? Time(this JsonElement e, string name)
        {
            var v = e.Prop(name);
            if (v == null) return null;
            if (v.Value.ValueKind == JsonValueKind.Number)
            {
                var seconds = v.Value.TryGetInt64(out var n) ? n : (long)v.Value.GetDouble();
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
            if (v.Value.ValueKind == JsonValueKind.String)
            {
                var s = v.Value.GetString();
                if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix)) return DateTimeOffset.FromUnixTimeSeconds(unix);
                if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)) return t;
            }
            return null;
        }
    }
}
