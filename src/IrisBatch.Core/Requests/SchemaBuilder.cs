using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Requests
{
    /// <summary>
    /// Turns what -Schema was given (JSON text, or a class / .NET type) into one JSON Schema of an object, normalised
    /// for strict structured output: every object has "additionalProperties": false and, where it lists no
    /// "required", all of its properties required. Anything else is <see cref="ErrorIds.InvalidSchema"/>.
    /// </summary>
    public static class SchemaBuilder
    {
        public const string DefaultName = "response";

        /// <summary>A JSON schema (or a response_format / text.format wrapper around one), checked and normalised.</summary>
        public static string FromJson(string json, string origin, out string name)
        {
            JsonNode? node;
            try { node = JsonNode.Parse(json); }
            catch (JsonException ex) { throw Invalid(Messages.SchemaNotJson(origin, ex.Message)); }
            if (!(node is JsonObject root)) throw Invalid(Messages.SchemaNotObject(origin));
            name = DefaultName;
            // Accept the provider wrappers users copy from docs: {"type":"json_schema","json_schema":{"name","schema"}} and {"type":"json_schema","name","schema"}.
            if (root["json_schema"] is JsonObject wrapped && wrapped["schema"] is JsonObject inner)
            {
                name = (wrapped["name"] as JsonValue)?.ToString() ?? name;
                root = inner;
            }
            else if (root["schema"] is JsonObject flat && (root["type"] as JsonValue)?.ToString() == "json_schema")
            {
                name = (root["name"] as JsonValue)?.ToString() ?? name;
                root = flat;
            }
            else if ((root["title"] as JsonValue) != null && root["title"]!.GetValueKind() == JsonValueKind.String)
                name = root["title"]!.GetValue<string>();
            root = (JsonObject)root.DeepClone();
            var type = root["type"];
            if (type == null && root["properties"] is JsonObject) root["type"] = "object";
            else if (!(type is JsonValue tv && tv.GetValueKind() == JsonValueKind.String && tv.GetValue<string>() == "object"))
                throw Invalid(Messages.SchemaNotObjectType(origin, type?.ToJsonString()));
            if (!(root["properties"] is JsonObject props) || props.Count == 0)
                throw Invalid(Messages.SchemaNoProperties(origin));
            Normalise(root);
            name = CleanName(name);
            return root.ToJsonString();
        }

        /// <summary>The JSON schema of a class or .NET type: its public properties, all required, nested types and arrays included.</summary>
        public static string FromType(Type type)
        {
            if (Scalar(type) != null || Element(type) != null)
                throw Invalid(Messages.SchemaTypeNotClass(type.FullName ?? type.Name));
            var root = ObjectSchema(type, new Stack<Type>(), type.Name);
            SchemaTypes.Register(type);
            return root.ToJsonString();
        }

        /// <summary>The schema name OpenAI takes: letters, digits, '_' and '-', 1 to 64 characters.</summary>
        public static string CleanName(string? name)
        {
            var sb = new StringBuilder();
            foreach (char c in name ?? "")
            {
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') sb.Append(c);
                else if (sb.Length > 0 && sb[sb.Length - 1] != '_') sb.Append('_');
                if (sb.Length == 64) break;
            }
            var s = sb.ToString().Trim('_');
            return s.Length == 0 ? DefaultName : s;
        }

        private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> Columns = new ConcurrentDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

        /// <summary>The top-level property names of a schema, in order (cached: every row of a batch shares one schema).</summary>
        public static IReadOnlyList<string> TopLevelProperties(string? schema)
        {
            if (string.IsNullOrEmpty(schema)) return new string[0];
            return Columns.GetOrAdd(schema!, s =>
            {
                try
                {
                    using var doc = JsonDocument.Parse(s);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                        return p.EnumerateObject().Select(x => x.Name).ToArray();
                }
                catch (JsonException) { }
                return new string[0];
            });
        }

        private static void Normalise(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    var type = o["type"];
                    bool isObject = o["properties"] is JsonObject || (type is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "object");
                    if (isObject && o["properties"] is JsonObject props)
                    {
                        if (!o.ContainsKey("additionalProperties")) o["additionalProperties"] = false;
                        if (!o.ContainsKey("required")) o["required"] = new JsonArray(props.Select(p => (JsonNode?)JsonValue.Create(p.Key)).ToArray());
                    }
                    foreach (var child in o.ToList()) Normalise(child.Value);
                    break;
                case JsonArray a:
                    foreach (var child in a) Normalise(child);
                    break;
            }
        }

        private static JsonObject ObjectSchema(Type type, Stack<Type> path, string where)
        {
            if (path.Contains(type))
                throw Invalid(Messages.SchemaTypeRecursive(path.Last().FullName ?? path.Last().Name, where));
            path.Push(type);
            var properties = new JsonObject();
            var required = new JsonArray();
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (p.GetIndexParameters().Length > 0 || !p.CanRead) continue;
                if (p.GetCustomAttributes(true).Any(a => a.GetType().Name == "HiddenAttribute")) continue;
                properties[p.Name] = PropertySchema(p.PropertyType, path, where + "." + p.Name);
                required.Add(p.Name);
            }
            path.Pop();
            if (properties.Count == 0)
                throw Invalid(Messages.SchemaTypeEmpty(type.FullName ?? type.Name, where));
            return new JsonObject
            {
                ["type"] = "object",
                ["properties"] = properties,
                ["required"] = required,
                ["additionalProperties"] = false,
            };
        }

        private static JsonNode PropertySchema(Type t, Stack<Type> path, string where)
        {
            var underlying = Nullable.GetUnderlyingType(t);
            if (underlying != null)
            {
                var inner = PropertySchema(underlying, path, where);
                if (inner is JsonObject o && o["type"] is JsonValue tv)
                    o["type"] = new JsonArray(JsonValue.Create(tv.GetValue<string>()), JsonValue.Create("null"));
                return inner;
            }
            if (t.IsEnum)
                return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(Enum.GetNames(t).Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()) };
            var scalar = Scalar(t);
            if (scalar != null)
            {
                var s = new JsonObject { ["type"] = scalar };
                if (t == typeof(DateTime) || t == typeof(DateTimeOffset)) s["format"] = "date-time";
                return s;
            }
            var element = Element(t);
            if (element != null) return new JsonObject { ["type"] = "array", ["items"] = PropertySchema(element, path, where + "[]") };
            if (t == typeof(object) || typeof(IDictionary).IsAssignableFrom(t) || t.FullName == "System.Management.Automation.PSObject")
                throw Invalid(Messages.SchemaTypeUnstated(where, t.Name));
            return ObjectSchema(t, path, where);
        }

        private static string? Scalar(Type t)
        {
            if (t == typeof(string) || t == typeof(char) || t == typeof(Guid) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(Uri)) return "string";
            if (t == typeof(bool)) return "boolean";
            if (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(sbyte) || t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort)) return "integer";
            if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return "number";
            return null;
        }

        /// <summary>The element type of an array or list type, else null.</summary>
        private static Type? Element(Type t)
        {
            if (t == typeof(string)) return null;
            if (t.IsArray) return t.GetElementType();
            if (t.IsGenericType && typeof(IEnumerable).IsAssignableFrom(t) && !typeof(IDictionary).IsAssignableFrom(t))
            {
                var args = t.GetGenericArguments();
                if (args.Length == 1) return args[0];
            }
            return null;
        }

        private static IrisBatchException Invalid(string message) =>
            new IrisBatchException(ErrorIds.InvalidSchema, FailureKind.InvalidArgument, Messages.NothingUploaded(message));
    }

    /// <summary>The classes schemas were made from, by full name, so results can be made instances of them again.</summary>
    public static class SchemaTypes
    {
        private static readonly ConcurrentDictionary<string, Type> Known = new ConcurrentDictionary<string, Type>(StringComparer.Ordinal);

        public static void Register(Type type) => Known[type.FullName ?? type.Name] = type;

        /// <summary>The type registered under this name in this session, else the last loaded type of that name, else null.</summary>
        public static Type? Find(string? fullName)
        {
            if (string.IsNullOrEmpty(fullName)) return null;
            if (Known.TryGetValue(fullName!, out var t)) return t;
            foreach (var assembly in Enumerable.Reverse(AppDomain.CurrentDomain.GetAssemblies()))
            {
                try
                {
                    var found = assembly.GetType(fullName!, false);
                    if (found != null) return found;
                }
                catch (Exception) { }
            }
            return null;
        }
    }
}
