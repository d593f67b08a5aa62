using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IrisBatch.Providers
{
    /// <summary>
    /// The user's extra body fields (a JSON object), parsed once and reused for every request that shares them:
    /// most batches give the same -Body for every row.
    /// </summary>
    public sealed class BodyFields
    {
        [ThreadStatic] private static string? _lastJson;
        [ThreadStatic] private static BodyFields? _last;

        private readonly JsonDocument? _doc;
        private readonly HashSet<string> _names = new HashSet<string>(StringComparer.Ordinal);

        private BodyFields(string? json)
        {
            if (string.IsNullOrWhiteSpace(json)) return;
            _doc = JsonDocument.Parse(json!);
            if (_doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, Messages.BodyNotObject());
            foreach (var p in _doc.RootElement.EnumerateObject()) _names.Add(p.Name);
        }

        [MethodImpl(Hot.Path)]
        public static BodyFields For(string? json)
        {
            if (_last != null && ReferenceEquals(json, _lastJson)) return _last;
            if (_last != null && json != null && json == _lastJson) return _last;
            var fields = new BodyFields(json);
            _lastJson = json;
            _last = fields;
            return fields;
        }

        /// <summary>True when the user set this field: then it wins over IrisBatch's own value.</summary>
        public bool Has(string name) => _names.Contains(name);

        /// <summary>
        /// Every field of the user's body but <paramref name="except"/> and <paramref name="except2"/>: fields the caller
        /// has written already, merged with its own (either may be null).
        /// </summary>
        public void WriteAll(Utf8JsonWriter writer, string? except = null, string? except2 = null)
        {
            if (_doc == null) return;
            foreach (var p in _doc.RootElement.EnumerateObject())
                if (p.Name != except && p.Name != except2) p.WriteTo(writer);
        }

        /// <summary>
        /// The name under which the user gave an object field that IrisBatch also writes into (spelled
        /// <paramref name="names"/>, e.g. camelCase and snake_case), or null when no such field is an object: then the
        /// user's own value, if any, is sent as given.
        /// </summary>
        public string? ObjectField(params string[] names)
        {
            foreach (var name in names)
                if (Get(name) is { ValueKind: JsonValueKind.Object }) return name;
            return null;
        }

        /// <summary>
        /// Whether IrisBatch may write one of <paramref name="names"/> into the object field <paramref name="container"/>:
        /// the user gave no such field, or gave it as an object that has none of them. A value of the user's own that
        /// is not an object is sent as given, so there is no room in it.
        /// </summary>
        public bool HasRoomIn(string container, params string[] names)
        {
            var field = Get(container);
            return field == null || field.Value.ValueKind == JsonValueKind.Object && !HasAny(field.Value, names);
        }

        /// <summary>Whether the user's object field <paramref name="container"/> has one of <paramref name="names"/>.</summary>
        public bool HasIn(string? container, params string[] names) =>
            container != null && Get(container) is { ValueKind: JsonValueKind.Object } o && HasAny(o, names);

        /// <summary>Whether the JSON object has a property of one of these names.</summary>
        public static bool HasAny(JsonElement o, params string[] names)
        {
            foreach (var name in names) if (o.TryGetProperty(name, out _)) return true;
            return false;
        }

        /// <summary>
        /// Writes the fields of the user's object field <paramref name="container"/> (after the caller's own), but
        /// <paramref name="except"/> (one the caller has written already, merged with its own).
        /// </summary>
        public void WriteFieldsOf(Utf8JsonWriter writer, string? container, string? except = null)
        {
            if (container == null || Get(container) is not { ValueKind: JsonValueKind.Object } o) return;
            foreach (var p in o.EnumerateObject())
                if (except == null || p.Name != except) p.WriteTo(writer);
        }

        /// <summary>
        /// The object that the user's object field <paramref name="container"/> holds under one of <paramref name="names"/>
        /// (e.g. Gemini's generationConfig.thinkingConfig), with the name it has there; null when none is an object.
        /// </summary>
        public JsonElement? ObjectIn(string? container, out string? name, params string[] names)
        {
            name = null;
            if (container == null || Get(container) is not { ValueKind: JsonValueKind.Object } o) return null;
            foreach (var n in names)
                if (o.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Object)
                {
                    name = n;
                    return v;
                }
            return null;
        }

        public JsonElement? Get(string name)
        {
            if (_doc == null || !_doc.RootElement.TryGetProperty(name, out var v)) return null;
            return v;
        }
    }
}
