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

        public void WriteAll(Utf8JsonWriter writer)
        {
            if (_doc == null) return;
            foreach (var p in _doc.RootElement.EnumerateObject()) p.WriteTo(writer);
        }

        public JsonElement? Get(string name)
        {
            if (_doc == null || !_doc.RootElement.TryGetProperty(name, out var v)) return null;
            return v;
        }
    }
}
