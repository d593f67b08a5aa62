using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text.Json;
using IrisBatch.Jsonl;

namespace IrisBatch.Conversion
{
    /// <summary>Between PowerShell objects and JSON: input rows to the journal and back, -Body hashtables to body fields.</summary>
    internal static class PSConvert
    {
        private const int MaxDepth = 8;

        public static string ToJson(object? value)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options)) Write(w, value, 0);
            return System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
        }

        /// <summary>A row as a JSON object of its properties (a hashtable's keys, or an object's properties).</summary>
        public static string RowToJson(PSObject row)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options))
            {
                var baseObject = row.BaseObject;
                if (baseObject is IDictionary || baseObject is PSCustomObject || !IsScalar(baseObject)) WriteObject(w, row, 0);
                else
                {
                    w.WriteStartObject();
                    w.WritePropertyName("Value");
                    Write(w, baseObject, 1);
                    w.WriteEndObject();
                }
            }
            return System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
        }

        [MethodImpl(Hot.Path)]
        internal static bool IsScalar(object? v) =>
            v == null || v is string || v is bool || v is char || v is DateTime || v is DateTimeOffset || v is Guid || v is Enum ||
            v is byte || v is sbyte || v is short || v is ushort || v is int || v is uint || v is long || v is ulong ||
            v is float || v is double || v is decimal;

        [MethodImpl(Hot.Path)]
        internal static void Write(Utf8JsonWriter w, object? value, int depth)
        {
            if (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) value = pso.BaseObject;
            switch (value)
            {
                case null: w.WriteNullValue(); return;
                case string s: w.WriteStringValue(s); return;
                case bool b: w.WriteBooleanValue(b); return;
                case char c: w.WriteStringValue(c.ToString()); return;
                case int i: w.WriteNumberValue(i); return;
                case long l: w.WriteNumberValue(l); return;
                case short sh: w.WriteNumberValue(sh); return;
                case byte by: w.WriteNumberValue(by); return;
                case uint ui: w.WriteNumberValue(ui); return;
                case ulong ul: w.WriteNumberValue(ul); return;
                case float f: w.WriteNumberValue(f); return;
                case double d: if (double.IsNaN(d) || double.IsInfinity(d)) w.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); else w.WriteNumberValue(d); return;
                case decimal m: w.WriteNumberValue(m); return;
                case DateTime dt: w.WriteStringValue(dt.ToString("o", CultureInfo.InvariantCulture)); return;
                case DateTimeOffset dto: w.WriteStringValue(dto.ToString("o", CultureInfo.InvariantCulture)); return;
                case Guid g: w.WriteStringValue(g.ToString()); return;
                case Enum e: w.WriteStringValue(e.ToString()); return;
                case SwitchParameter sw: w.WriteBooleanValue(sw.IsPresent); return;
            }
            if (depth >= MaxDepth) { w.WriteStringValue(value.ToString()); return; }
            if (value is IDictionary dict)
            {
                w.WriteStartObject();
                foreach (DictionaryEntry de in dict)
                {
                    w.WritePropertyName(Convert.ToString(de.Key, CultureInfo.InvariantCulture) ?? "");
                    Write(w, de.Value, depth + 1);
                }
                w.WriteEndObject();
                return;
            }
            if (value is IEnumerable list)
            {
                w.WriteStartArray();
                foreach (var item in list) Write(w, item, depth + 1);
                w.WriteEndArray();
                return;
            }
            if (value is PSObject custom) { WriteObject(w, custom, depth); return; }
            if (value is ScriptBlock sb) { w.WriteStringValue(sb.ToString()); return; }
            // A .NET object nested in a row (a FileInfo's Directory, say) is kept as text past the second level, as
            // ConvertTo-Json does: following every property of rich objects grows without bound.
            if (depth >= 2) { w.WriteStringValue(value.ToString()); return; }
            WriteObject(w, PSObject.AsPSObject(value), depth);
        }

        [MethodImpl(Hot.Path)]
        private static void WriteObject(Utf8JsonWriter w, PSObject obj, int depth)
        {
            if (obj.BaseObject is IDictionary dict) { Write(w, dict, depth); return; }
            WriteProperties(w, obj.Properties, depth);
        }

        /// <summary>An object's properties as a JSON object: the readable data properties (not methods or sets).</summary>
        [MethodImpl(Hot.Path)]
        internal static void WriteProperties(Utf8JsonWriter w, IEnumerable<PSPropertyInfo> properties, int depth)
        {
            w.WriteStartObject();
            foreach (var p in properties)
            {
                if (!p.IsGettable) continue;
                if (!(p is PSNoteProperty || p is PSProperty || p is PSAliasProperty || p is PSScriptProperty || p is PSCodeProperty)) continue;
                object? v;
                try { v = p.Value; } catch (Exception) { continue; }
                w.WritePropertyName(p.Name);
                Write(w, v, depth + 1);
            }
            w.WriteEndObject();
        }

        /// <summary>A JSON value as PowerShell would have it: objects become PSCustomObjects with properties in order.</summary>
        [MethodImpl(Hot.Path)]
        public static object? FromJson(string? json)
        {
            if (string.IsNullOrEmpty(json)) return null;
            // One forward pass over the UTF-8 bytes (a row per result: no document to build and throw away). Bad
            // JSON goes through JsonDocument, so its error is the one it always was.
            try
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                var r = new JsonLineReader(bytes, 0, bytes.Length);
                if (!r.Read()) throw new JsonException("no value");
                var value = ReadValue(ref r);
                if (r.Read()) throw new JsonException("more than one value");
                return value;
            }
            catch (JsonException)
            {
                using var doc = JsonDocument.Parse(json!);
                return FromElement(doc.RootElement);
            }
        }

        /// <summary>
        /// Adds the properties of a JSON object to <paramref name="target"/> as note properties (names through
        /// <paramref name="name"/>), with the values <see cref="FromJson"/> gives them. False, having added what it had
        /// read so far, when the text is not one JSON object: the caller then starts over the long way.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public static bool TryAddProperties(PSObject target, string json, Func<string, string> name)
        {
            try
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                var r = new JsonLineReader(bytes, 0, bytes.Length);
                if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var key = r.GetString()!;
                    r.Read();
                    target.Properties.Add(new PSNoteProperty(name(key), ReadValue(ref r)));
                }
                return r.TokenType == JsonTokenType.EndObject && !r.Read();
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>As <see cref="FromJson"/>, for the value the reader is on (it is left on the value's last token).</summary>
        internal static object? ReadJsonValue(ref JsonLineReader r) => ReadValue(ref r);

        /// <summary>As <see cref="FromElement"/>, for the value the reader is on (it is left on the value's last token).</summary>
        [MethodImpl(Hot.Path)]
        private static object? ReadValue(ref JsonLineReader r)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject:
                    var obj = new PSObject();
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = r.GetString()!;
                        r.Read();
                        obj.Properties.Add(new PSNoteProperty(name, ReadValue(ref r)));
                    }
                    return obj;
                case JsonTokenType.StartArray:
                    var items = new System.Collections.Generic.List<object?>();
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray) items.Add(ReadValue(ref r));
                    return items.ToArray();
                case JsonTokenType.String: return r.GetString();
                case JsonTokenType.Number: return r.TryGetInt64(out var l) ? (object)l : r.GetDouble();
                case JsonTokenType.True: return true;
                case JsonTokenType.False: return false;
                default: return null;
            }
        }

        public static object? FromElement(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    var obj = new PSObject();
                    foreach (var p in e.EnumerateObject()) obj.Properties.Add(new PSNoteProperty(p.Name, FromElement(p.Value)));
                    return obj;
                case JsonValueKind.Array:
                    var items = new System.Collections.Generic.List<object?>();
                    foreach (var item in e.EnumerateArray()) items.Add(FromElement(item));
                    return items.ToArray();
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.Number: return e.TryGetInt64(out var l) ? (object)l : e.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                default: return null;
            }
        }

        /// <summary>Reads a property of a row for a template: a hashtable key or an object property, case-insensitive.</summary>
        [MethodImpl(Hot.Path)]
        public static bool TryGetText(PSObject? row, string name, out string? text)
        {
            text = null;
            if (row == null) return false;
            object? value;
            if (row.BaseObject is IDictionary dict)
            {
                if (dict.Contains(name)) value = dict[name];
                else
                {
                    bool found = false;
                    value = null;
                    foreach (DictionaryEntry de in dict)
                        if (string.Equals(Convert.ToString(de.Key, CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase)) { value = de.Value; found = true; break; }
                    if (!found) return false;
                }
            }
            else
            {
                var p = row.Properties[name];
                if (p == null) return false;
                value = p.Value;
            }
            text = ToText(value);
            return true;
        }

        [MethodImpl(Hot.Path)]
        public static string ToText(object? value)
        {
            if (value == null) return string.Empty;
            if (value is PSObject pso) value = pso.BaseObject;
            if (value is string s) return s;
            return (string)LanguagePrimitives.ConvertTo(value, typeof(string), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// One input row at a time, for New-IrisBatchRequest: its properties are listed once per row and serve both the
    /// template placeholders and the row's JSON for the journal. Each PSObject property lookup walks the instance,
    /// type-table and adapter members, so a lookup per placeholder plus a separate listing for the JSON cost several
    /// times more than the CSV parsing that made the row. Same values and JSON as <see cref="PSConvert.TryGetText"/>
    /// and <see cref="PSConvert.RowToJson"/>; one instance is reused for every row (one writer and buffer).
    /// </summary>
    internal sealed class RowReader
    {
        private readonly List<PSPropertyInfo> _properties = new List<PSPropertyInfo>();
        private readonly MemoryStream _buffer = new MemoryStream();
        private readonly Utf8JsonWriter _writer;
        private readonly InstancePropertyLister _direct = new InstancePropertyLister();
        private static readonly Func<PSObject, IEnumerable<PSPropertyInfo>> PublicListing = ListedProperties;
        private PSObject? _row;
        private bool _listed;

        public RowReader()
        {
            _writer = new Utf8JsonWriter(_buffer, JsonlWriter.Options);
        }

        public PSObject? Row => _row;

        /// <summary>Starts on a new row (null when there is none).</summary>
        [MethodImpl(Hot.Path)]
        public void Reset(PSObject? row)
        {
            _row = row;
            Invalidate();
        }

        /// <summary>Forgets the listed properties (a script block ran and may have changed the row).</summary>
        [MethodImpl(Hot.Path)]
        public void Invalidate()
        {
            _properties.Clear();
            _listed = false;
        }

        /// <summary>The row's properties, listed on first use; null for a dictionary (its keys are read directly).</summary>
        [MethodImpl(Hot.Path)]
        private List<PSPropertyInfo>? Properties()
        {
            if (_row == null || _row.BaseObject is IDictionary) return null;
            if (!_listed)
            {
                if (!_direct.TryList(_row, _properties, PublicListing))
                    foreach (var p in ListedProperties(_row)) _properties.Add(p);
                _listed = true;
            }
            return _properties;
        }

        /// <summary>
        /// The properties a listing of <paramref name="row"/> gives. For a PSCustomObject (Import-Csv's rows, most
        /// pipelines' rows) they are its extended view: its note properties, then those type data adds, in order and
        /// as the same member objects; a PSCustomObject has no adapted properties. Listing them from the psextended
        /// member set gives that list for less than half the cost: listing the object itself first makes all five of
        /// its reserved member sets (psbase, psadapted, psobject, psextended, pstypenames), per row.
        /// </summary>
        private static IEnumerable<PSPropertyInfo> ListedProperties(PSObject row)
        {
            if (row.BaseObject is PSCustomObject && row.Members["psextended"] is PSMemberSet extended) return extended.Properties;
            return row.Properties;
        }

        /// <summary>The listed property <paramref name="name"/> (case-insensitive); null when the row has none, or is a dictionary.</summary>
        [MethodImpl(Hot.Path)]
        private PSPropertyInfo? Find(string name)
        {
            var properties = Properties();
            if (properties == null) return null;
            foreach (var p in properties)
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p;
            }
            return null;
        }

        /// <summary>The names of the row's properties (a dictionary's keys), for error messages.</summary>
        public List<string> PropertyNames()
        {
            var names = new List<string>();
            if (_row == null) return names;
            if (_row.BaseObject is IDictionary d)
            {
                foreach (var key in d.Keys) if (key != null) names.Add(key.ToString());
                return names;
            }
            if (PSConvert.IsScalar(_row.BaseObject) && !(_row.BaseObject is PSCustomObject)) return names;
            var properties = Properties();
            if (properties != null) foreach (var p in properties) names.Add(p.Name);
            return names;
        }

        /// <summary>The property's name as the row spells it (case-insensitive lookup); null when it has none.</summary>
        public string? PropertyName(string name) => Find(name)?.Name;

        /// <summary>As <see cref="PSConvert.TryGetText"/>: a hashtable key or an object property, case-insensitive.</summary>
        [MethodImpl(Hot.Path)]
        public bool TryGetText(string name, out string? text)
        {
            var property = Find(name);
            if (property != null)
            {
                text = PSConvert.ToText(property.Value);
                return true;
            }
            // Dictionaries, and members a listing does not show (hidden ones): the lookup itself.
            return PSConvert.TryGetText(_row, name, out text);
        }

        /// <summary>
        /// The value of the row's property <paramref name="name"/> (case-insensitive), as PowerShell's binding by property
        /// name would find it: an object's visible properties, not a dictionary's keys.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public bool TryGetProperty(string name, out object? value)
        {
            var property = Find(name);
            value = property?.Value;
            return property != null;
        }

        /// <summary>As <see cref="PSConvert.RowToJson"/> for the current row (null when there is none).</summary>
        [MethodImpl(Hot.Path)]
        public string? ToJson()
        {
            if (_row == null) return null;
            _buffer.SetLength(0);
            _writer.Reset(_buffer);
            var properties = Properties();
            if (properties != null && (_row.BaseObject is PSCustomObject || !PSConvert.IsScalar(_row.BaseObject)))
            {
                PSConvert.WriteProperties(_writer, properties, 0);
                _writer.Flush();
                return System.Text.Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);
            }
            return PSConvert.RowToJson(_row);
        }
    }
}
