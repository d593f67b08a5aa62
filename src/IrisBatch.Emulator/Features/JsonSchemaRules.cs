using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace IrisBatch.Emulator;

/// <summary>
/// The schema subsets the services accept (spec §11.1). Each check returns the first problem as the service words it,
/// or null. Contexts are written as OpenAI does: <c>('properties', 'a', 'items')</c>.
/// </summary>
public static class JsonSchemaRules
{
    public const int MaxDepth = 10, MaxProperties = 5000, MaxEnumValues = 1000;

    /// <summary>Strict-mode string limits (spec §11.1): all property, definition, enum and const strings together; and one
    /// enum of more than <see cref="LargeEnumValues"/> string values.</summary>
    public const int MaxStringLength = 120_000, LargeEnumValues = 250, MaxLargeEnumLength = 15_000;

    private static readonly HashSet<string> OpenAITypes = new() { "string", "number", "boolean", "integer", "object", "array", "null" };
    private static readonly HashSet<string> OpenAIFormats = new() { "date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid" };
    private static readonly string[] OpenAIForbidden = { "allOf", "not", "dependentRequired", "dependentSchemas", "if", "then", "else" };

    /// <summary>OpenAI strict mode (chat json_schema and Responses text.format with strict: true): the problem after "Invalid schema for response_format 'name': ", or null.</summary>
    public static string? OpenAIStrict(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object) return "schema must be a JSON object.";
        if (schema.TryGetProperty("anyOf", out _))
            return "schema must be a JSON Schema of 'type: \"object\"', got 'anyOf'.";
        string rootType = SchemaAnswer.TypeOf(schema);
        if (!schema.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || rootType != "object")
            return $"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{(t.ValueKind == JsonValueKind.String ? t.GetString() : rootType)}\"'.";
        int properties = 0;
        if (OpenAINode(schema, new List<string>(), 1, ref properties) is { } problem) return problem;
        long total = 0;
        return OpenAIStrings(schema, new List<string>(), ref total)
            ?? (total > MaxStringLength
                ? $"The total string length of all property names, definition names, enum values and const values ({total}) exceeds the limit of {MaxStringLength}."
                : null);
    }

    /// <summary>Adds up the strings strict mode limits (property and definition names, enum and const values) and checks large enums.</summary>
    private static string? OpenAIStrings(JsonElement s, List<string> path, ref long total)
    {
        if (s.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in s.EnumerateArray())
                if (OpenAIStrings(item, With(path, (i++).ToString()), ref total) is { } problem) return problem;
            return null;
        }
        if (s.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in s.EnumerateObject())
        {
            if (p.Name is "properties" or "$defs" or "definitions" && p.Value.ValueKind == JsonValueKind.Object)
                foreach (var key in p.Value.EnumerateObject()) total += key.Name.Length;
            else if (p.Name == "const" && p.Value.ValueKind == JsonValueKind.String)
            {
                total += p.Value.GetString()!.Length;
                continue;
            }
            else if (p.Name == "enum" && p.Value.ValueKind == JsonValueKind.Array)
            {
                long length = p.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Sum(v => (long)v.GetString()!.Length);
                total += length;
                int count = p.Value.GetArrayLength();
                if (count > LargeEnumValues && length > MaxLargeEnumLength)
                    return $"In context={Context(path)}, 'enum' has {count} values with a total string length of {length}; an enum of more than {LargeEnumValues} values may have at most {MaxLargeEnumLength} characters in all.";
                continue;
            }
            if (OpenAIStrings(p.Value, With(path, p.Name), ref total) is { } problem) return problem;
        }
        return null;
    }

    private static string Context(List<string> path) => "(" + string.Join(", ", path.Select(p => $"'{p}'")) + (path.Count == 1 ? ",)" : ")");

    private static string? OpenAINode(JsonElement s, List<string> path, int depth, ref int properties)
    {
        if (s.ValueKind != JsonValueKind.Object) return $"In context={Context(path)}, schema must be a JSON object.";
        if (depth > MaxDepth) return $"In context={Context(path)}, the schema exceeds the maximum nesting depth of {MaxDepth}.";
        foreach (string bad in OpenAIForbidden)
            if (s.TryGetProperty(bad, out _)) return $"In context={Context(path)}, '{bad}' is not permitted.";
        if (s.TryGetProperty("$ref", out var r))
            return r.ValueKind == JsonValueKind.String && r.GetString()!.StartsWith('#') ? null
                : $"In context={Context(path)}, '$ref' must be a local reference ('#' or '#/$defs/...').";

        if (s.TryGetProperty("type", out var type))
        {
            var names = type.ValueKind == JsonValueKind.String ? new[] { type.GetString()! }
                : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : "?").ToArray()
                : new[] { "?" };
            foreach (string n in names)
                if (!OpenAITypes.Contains(n)) return $"In context={Context(path)}, '{n}' is not a valid type.";
        }
        else if (!s.TryGetProperty("anyOf", out _) && !s.TryGetProperty("enum", out _) && !s.TryGetProperty("const", out _))
            return $"In context={Context(path)}, schema must have a 'type' key.";

        if (s.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String && !OpenAIFormats.Contains(f.GetString()!))
            return $"In context={Context(path)}, '{f.GetString()}' is not a valid format.";
        if (s.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > MaxEnumValues)
            return $"In context={Context(path)}, 'enum' has {e.GetArrayLength()} values; at most {MaxEnumValues} are allowed.";

        string kind = SchemaAnswer.TypeOf(s);
        bool isObject = kind == "object" || s.TryGetProperty("properties", out _);
        if (isObject && !s.TryGetProperty("anyOf", out _))
        {
            if (!s.TryGetProperty("additionalProperties", out var ap) || ap.ValueKind != JsonValueKind.False)
                return $"In context={Context(path)}, 'additionalProperties' is required to be supplied and to be false.";
            var keys = s.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object
                ? props.EnumerateObject().Select(p => p.Name).ToList() : new List<string>();
            var required = s.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array
                ? req.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : null;
            if (required is null || keys.Any(k => !required.Contains(k)))
            {
                string missing = required is null ? string.Join(", ", keys.Select(k => $"'{k}'")) : string.Join(", ", keys.Where(k => !required.Contains(k)).Select(k => $"'{k}'"));
                return $"In context={Context(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing {(missing.Length == 0 ? "'required'" : missing)}.";
            }
            if (required.FirstOrDefault(k => !keys.Contains(k)) is { } extra)
                return $"In context={Context(path)}, 'required' includes '{extra}', which is not in 'properties'.";
            properties += keys.Count;
            if (properties > MaxProperties) return $"The schema has more than {MaxProperties} object properties in total.";
            if (props.ValueKind == JsonValueKind.Object)
                foreach (var p in props.EnumerateObject())
                    if (OpenAINode(p.Value, With(path, "properties", p.Name), depth + 1, ref properties) is { } problem) return problem;
        }
        if (s.TryGetProperty("items", out var items))
            if (OpenAINode(items, With(path, "items"), depth + 1, ref properties) is { } problem) return problem;
        if (s.TryGetProperty("anyOf", out var anyOf) && anyOf.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var b in anyOf.EnumerateArray())
                if (OpenAINode(b, With(path, "anyOf", (i++).ToString()), depth + 1, ref properties) is { } problem) return problem;
        }
        foreach (string defs in new[] { "$defs", "definitions" })
            if (s.TryGetProperty(defs, out var d) && d.ValueKind == JsonValueKind.Object)
                foreach (var p in d.EnumerateObject())
                    if (OpenAINode(p.Value, With(path, defs, p.Name), depth, ref properties) is { } problem) return problem;
        return null;
    }

    private static List<string> With(List<string> path, params string[] more)
    {
        var list = new List<string>(path);
        list.AddRange(more);
        return list;
    }

    /// <summary>xAI (spec §11.1): a JSON object schema; <c>allOf</c> only with a single subschema; local <c>$ref</c> only.</summary>
    public static string? Xai(JsonElement s, int depth = 0)
    {
        if (s.ValueKind != JsonValueKind.Object) return depth == 0 ? "schema must be a JSON object." : null;
        if (depth > 64) return "the schema is nested too deeply.";
        if (s.TryGetProperty("allOf", out var all) && (all.ValueKind != JsonValueKind.Array || all.GetArrayLength() != 1))
            return "'allOf' is only supported with a single subschema.";
        if (s.TryGetProperty("$ref", out var r) && (r.ValueKind != JsonValueKind.String || !r.GetString()!.StartsWith('#')))
            return "'$ref' must be a local reference.";
        foreach (var p in s.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Object && p.Name is "items" or "additionalProperties" or "not")
            { if (Xai(p.Value, depth + 1) is { } e) return e; }
            else if (p.Value.ValueKind == JsonValueKind.Object && p.Name is "properties" or "$defs" or "definitions")
            { foreach (var q in p.Value.EnumerateObject()) if (Xai(q.Value, depth + 1) is { } e) return e; }
            else if (p.Value.ValueKind == JsonValueKind.Array && p.Name is "anyOf" or "oneOf" or "allOf" or "prefixItems")
            { foreach (var q in p.Value.EnumerateArray()) if (Xai(q, depth + 1) is { } e) return e; }
        }
        return null;
    }

    private static readonly HashSet<string> AnthropicFormats = new() { "date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid" };
    private static readonly string[] AnthropicUnsupported =
        { "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems", "uniqueItems", "contains", "minContains", "maxContains", "oneOf", "not", "if", "then", "else", "patternProperties", "dependentSchemas", "dependentRequired" };

    /// <summary>Anthropic's structured-output subset (spec §11.1): the problem, or null.</summary>
    public static string? Anthropic(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object) return "schema: Input should be a valid dictionary";
        if (SchemaAnswer.TypeOf(schema) != "object") return "The root schema must be of type 'object'.";
        if (AnthropicNode(schema, schema, "#", 0) is { } problem) return problem;
        int optional = 0, unions = 0;
        AnthropicCounts(schema, ref optional, ref unions);
        if (optional > AnthropicMaxOptional)
            return $"The schema has {optional} optional parameters (properties not in 'required'); at most {AnthropicMaxOptional} are allowed.";
        if (unions > AnthropicMaxUnions)
            return $"The schema has {unions} parameters with union types ('anyOf' or a list of types); at most {AnthropicMaxUnions} are allowed.";
        return null;
    }

    /// <summary>Anthropic's explicit limits over all strict schemas of a request (spec §11.1).</summary>
    public const int AnthropicMaxOptional = 24, AnthropicMaxUnions = 16;

    /// <summary>Properties not in their object's <c>required</c>, and properties typed with <c>anyOf</c> or a type list, anywhere in the schema.</summary>
    private static void AnthropicCounts(JsonElement s, ref int optional, ref int unions)
    {
        if (s.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in s.EnumerateArray()) AnthropicCounts(item, ref optional, ref unions);
            return;
        }
        if (s.ValueKind != JsonValueKind.Object) return;
        if (s.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            var required = s.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array
                ? req.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToHashSet() : new HashSet<string>();
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
            if (p.Name is "properties" or "$defs" or "definitions" && p.Value.ValueKind == JsonValueKind.Object)
                foreach (var q in p.Value.EnumerateObject()) AnthropicCounts(q.Value, ref optional, ref unions);
            else if (p.Name is "items" or "anyOf" or "allOf")
                AnthropicCounts(p.Value, ref optional, ref unions);
        }
    }

    private static string? AnthropicNode(JsonElement root, JsonElement s, string where, int depth)
    {
        if (s.ValueKind != JsonValueKind.Object) return $"Schema at '{where}' must be an object.";
        if (depth > 32) return "Schema is too complex for compilation.";
        foreach (string bad in AnthropicUnsupported)
            if (s.TryGetProperty(bad, out _)) return $"Schema at '{where}': '{bad}' is not supported in structured outputs.";
        if (s.TryGetProperty("$ref", out var r))
        {
            if (r.ValueKind != JsonValueKind.String || !r.GetString()!.StartsWith("#/", StringComparison.Ordinal))
                return r.ValueKind == JsonValueKind.String && r.GetString() == "#"
                    ? "Recursive schemas are not supported." : $"Schema at '{where}': only local '$ref' ('#/$defs/...') is supported.";
            string target = r.GetString()!;
            if (where.StartsWith(target + "/", StringComparison.Ordinal) || where == target) return "Recursive schemas are not supported.";
            if (SchemaAnswer.Resolve(root, target) is not { } resolved) return $"Schema at '{where}': '$ref' {target} cannot be resolved.";
            if (s.TryGetProperty("allOf", out _)) return $"Schema at '{where}': 'allOf' cannot be combined with '$ref'.";
            return AnthropicNode(root, resolved, target, depth + 1);
        }
        if (s.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind != JsonValueKind.False)
            return $"Schema at '{where}': 'additionalProperties' must be false.";
        if (s.TryGetProperty("minItems", out var mi) && !(mi.TryGetInt32(out int m) && m is 0 or 1))
            return $"Schema at '{where}': 'minItems' values other than 0 and 1 are not supported.";
        if (s.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String && !AnthropicFormats.Contains(f.GetString()!))
            return $"Schema at '{where}': format '{f.GetString()}' is not supported.";
        if (s.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array
            && e.EnumerateArray().Any(v => v.ValueKind is JsonValueKind.Object or JsonValueKind.Array))
            return $"Schema at '{where}': enum values must be strings, numbers, booleans or null.";
        if (s.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            foreach (var p in props.EnumerateObject())
                if (AnthropicNode(root, p.Value, where + "/properties/" + p.Name, depth + 1) is { } problem) return problem;
        if (s.TryGetProperty("items", out var items))
            if (AnthropicNode(root, items, where + "/items", depth + 1) is { } problem) return problem;
        foreach (string union in new[] { "anyOf", "allOf" })
            if (s.TryGetProperty(union, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var b in list.EnumerateArray())
                    if (AnthropicNode(root, b, $"{where}/{union}/{i++}", depth + 1) is { } problem) return problem;
            }
        return null;
    }

    /// <summary>Keys Gemini's <c>responseJsonSchema</c> takes (spec §11.1, GENAI docstring).</summary>
    public static readonly HashSet<string> GeminiJsonSchemaKeys = new()
    {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items", "prefixItems", "minItems", "maxItems",
        "minimum", "maximum", "anyOf", "oneOf", "properties", "additionalProperties", "required", "propertyOrdering",
    };

    /// <summary>Gemini <c>responseJsonSchema</c>: only the listed keys; a sub-schema with <c>$ref</c> may carry only <c>$</c>-keys.</summary>
    public static string? GeminiJsonSchema(JsonElement s, string where = "response_json_schema")
    {
        if (s.ValueKind == JsonValueKind.True || s.ValueKind == JsonValueKind.False) return null;
        if (s.ValueKind != JsonValueKind.Object) return $"{where}: a schema must be a JSON object.";
        bool hasRef = s.TryGetProperty("$ref", out _);
        foreach (var p in s.EnumerateObject())
        {
            if (!GeminiJsonSchemaKeys.Contains(p.Name)) return $"{where}: the keyword '{p.Name}' is not supported.";
            if (hasRef && !p.Name.StartsWith('$')) return $"{where}: a schema with '$ref' may only have other '$' keywords, not '{p.Name}'.";
        }
        if (s.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            foreach (var p in props.EnumerateObject())
                if (GeminiJsonSchema(p.Value, $"{where}.properties.{p.Name}") is { } problem) return problem;
        if (s.TryGetProperty("$defs", out var defs) && defs.ValueKind == JsonValueKind.Object)
            foreach (var p in defs.EnumerateObject())
                if (GeminiJsonSchema(p.Value, $"{where}.$defs.{p.Name}") is { } problem) return problem;
        if (s.TryGetProperty("items", out var items) && GeminiJsonSchema(items, where + ".items") is { } pi) return pi;
        if (s.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind == JsonValueKind.Object && GeminiJsonSchema(ap, where + ".additionalProperties") is { } pa) return pa;
        foreach (string list in new[] { "anyOf", "oneOf", "prefixItems" })
            if (s.TryGetProperty(list, out var l) && l.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var b in l.EnumerateArray())
                    if (GeminiJsonSchema(b, $"{where}.{list}[{i++}]") is { } problem) return problem;
            }
        return null;
    }
}
