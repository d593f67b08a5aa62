using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace IrisBatch.Emulator.Gemini;

/// <summary>
/// Spec §11 on a GenerateContentRequest. <see cref="Structure"/> is what Google's proto-JSON parser refuses when the batch
/// is created (unknown fields of <c>generationConfig</c>, <c>thinkingConfig</c> and the proto <c>responseSchema</c>, a bad
/// <c>type</c> enum, image bytes that are not base64): the whole create call fails, as on the real service.
/// <see cref="Read"/> is what the model refuses when the request runs (a per-request <c>INVALID_ARGUMENT</c> error):
/// JSON mode and schema rules, thinking rules per model, image media types.
/// </summary>
internal static class GeminiRequests
{
    private static readonly string[] GenerationConfigFields =
    {
        "stop_sequences", "response_mime_type", "response_schema", "response_json_schema", "candidate_count", "max_output_tokens",
        "temperature", "top_p", "top_k", "seed", "presence_penalty", "frequency_penalty", "response_logprobs", "logprobs",
        "enable_enhanced_civic_answers", "response_modalities", "speech_config", "thinking_config", "media_resolution", "image_config",
    };

    private static readonly string[] ThinkingFields = { "thinking_budget", "thinking_level", "include_thoughts" };

    private static readonly string[] SchemaFields =
    {
        "type", "format", "title", "description", "nullable", "enum", "max_items", "min_items", "properties", "required",
        "min_properties", "max_properties", "min_length", "max_length", "pattern", "example", "any_of", "property_ordering",
        "default", "items", "minimum", "maximum",
    };

    private static readonly string[] SchemaTypes = { "TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL" };
    private static readonly string[] PartFields =
    {
        "text", "inline_data", "file_data", "thought", "thought_signature", "function_call", "function_response",
        "executable_code", "code_execution_result", "video_metadata", "media_resolution",
    };
    private static readonly string[] BlobFields = { "mime_type", "data" };
    private static readonly string[] FileDataFields = { "mime_type", "file_uri" };
    private static readonly string[] MimeTypes = { "text/plain", "application/json", "application/xml", "application/yaml", "text/x.enum" };
    private static readonly string[] ImageTypes = { "image/png", "image/jpeg", "image/webp", "image/heic", "image/heif" };
    private static readonly string[] Levels = { "MINIMAL", "LOW", "MEDIUM", "HIGH" };
    public const string FilesApiPrefix = "https://generativelanguage.googleapis.com/v1beta/files/";

    // ------------------------------------------------------------------ structure (create time)

    /// <summary>The proto structure of <c>generation_config</c>; null when it parses.</summary>
    public static string? Structure(JsonElement config, string path)
    {
        var fields = ProtoJson.Fields(config, path, GenerationConfigFields, out string? error);
        if (fields is null) return error;
        if (fields.TryGetValue("thinking_config", out var tc) && tc.ValueKind != JsonValueKind.Null)
        {
            var t = ProtoJson.Fields(tc, ProtoJson.Join(path, "thinking_config"), ThinkingFields, out error);
            if (t is null) return error;
            if (t.TryGetValue("thinking_level", out var level) && level.ValueKind != JsonValueKind.Null
                && (level.ValueKind != JsonValueKind.String || !Levels.Contains(level.GetString()!.ToUpperInvariant()) && level.GetString() != "THINKING_LEVEL_UNSPECIFIED"))
                return $"Invalid value at '{ProtoJson.Join(path, "thinking_config.thinking_level")}' (type.googleapis.com/google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel), {level.GetRawText()}";
            string? e = null;
            ProtoJson.OptionalInt64(t, "thinking_budget", ProtoJson.Join(path, "thinking_config"), ref e);
            if (e is not null) return e;
        }
        if (fields.TryGetValue("response_schema", out var rs) && rs.ValueKind != JsonValueKind.Null)
            return SchemaStructure(rs, ProtoJson.Join(path, "response_schema"), 0);
        return null;
    }

    private static string? SchemaStructure(JsonElement s, string path, int depth)
    {
        var fields = ProtoJson.Fields(s, path, SchemaFields, out string? error);
        if (fields is null) return error;
        if (depth > 64) return $"Invalid value at '{path}': the schema is nested too deeply.";
        if (fields.TryGetValue("type", out var type) && type.ValueKind != JsonValueKind.Null
            && (type.ValueKind != JsonValueKind.String || Array.IndexOf(SchemaTypes, type.GetString()!.ToUpperInvariant()) < 0))
            return $"Invalid value at '{path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), {type.GetRawText()}";
        if (fields.TryGetValue("properties", out var props) && props.ValueKind != JsonValueKind.Null)
        {
            if (props.ValueKind != JsonValueKind.Object) return ProtoJson.TypeError(path + ".properties", "TYPE_MESSAGE", props);
            foreach (var p in props.EnumerateObject())
                if (SchemaStructure(p.Value, $"{path}.properties[{p.Name}].value", depth + 1) is { } problem) return problem;
        }
        if (fields.TryGetValue("items", out var items) && items.ValueKind != JsonValueKind.Null
            && SchemaStructure(items, path + ".items", depth + 1) is { } pi) return pi;
        if (fields.TryGetValue("any_of", out var anyOf) && anyOf.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var b in anyOf.EnumerateArray())
                if (SchemaStructure(b, $"{path}.any_of[{i++}]", depth + 1) is { } problem) return problem;
        }
        return null;
    }

    /// <summary>The proto structure of one part: its fields, and base64 bytes in <c>inline_data.data</c>.</summary>
    public static string? PartStructure(JsonElement part, string path)
    {
        var fields = ProtoJson.Fields(part, path, PartFields, out string? error);
        if (fields is null) return error;
        if (fields.TryGetValue("inline_data", out var blob) && blob.ValueKind != JsonValueKind.Null)
        {
            var b = ProtoJson.Fields(blob, path + ".inline_data", BlobFields, out error);
            if (b is null) return error;
            if (b.TryGetValue("data", out var data) && data.ValueKind != JsonValueKind.Null
                && (data.ValueKind != JsonValueKind.String || Images.Decode(data.GetString()!) is null && data.GetString()!.Length > 0 && !IsUrlSafeBase64(data.GetString()!)))
                return $"Invalid value at '{path}.inline_data.data' (TYPE_BYTES), Base64 decoding failed for {Short(data.GetRawText())}";
        }
        if (fields.TryGetValue("file_data", out var fd) && fd.ValueKind != JsonValueKind.Null
            && ProtoJson.Fields(fd, path + ".file_data", FileDataFields, out error) is null) return error;
        return null;
    }

    private static bool IsUrlSafeBase64(string s) => Images.Decode(s.Replace('-', '+').Replace('_', '/')) is not null;

    private static string Short(string raw) => raw.Length > 40 ? raw[..40] + "...\"" : raw;

    // ------------------------------------------------------------------ semantics (run time)

    /// <summary>The request as the fake model reads it; <see cref="FakeRequest.Rejection"/> set when the model refuses it.</summary>
    /// <param name="model">The model without <c>models/</c>.</param>
    public static FakeRequest Read(JsonElement request, List<FakeMessage> messages, string model)
    {
        var fields = ProtoJson.Fields(request, "", AllRequestFields, out _) ?? new Dictionary<string, JsonElement>();
        string? problem = null;
        JsonElement? schema = null;
        bool jsonMode = false;
        int? max = null;
        string? effort = DefaultThinking(model) ? "medium" : null;
        int? budget = null;
        int images = 0, urlImages = 0;
        if (fields.TryGetValue("generation_config", out var gc) && gc.ValueKind == JsonValueKind.Object)
        {
            var g = ProtoJson.Fields(gc, "generation_config", GenerationConfigFields, out _) ?? new();
            problem = Output(g, ref schema, ref jsonMode);
            if (g.TryGetValue("max_output_tokens", out var mo) && mo.TryGetInt32(out int m))
            {
                if (m < 1) problem ??= $"* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.";
                max = m;
            }
            if (g.TryGetValue("thinking_config", out var tc) && tc.ValueKind == JsonValueKind.Object)
                problem ??= Thinking(tc, model, ref effort, ref budget);
        }
        if (fields.TryGetValue("contents", out var contents) && contents.ValueKind == JsonValueKind.Array)
            problem ??= ImageParts(contents, ref images, ref urlImages);
        return new FakeRequest(messages)
        {
            Schema = schema,
            JsonMode = jsonMode,
            ReasoningEffort = effort,
            ReasoningBudget = budget,
            MaxOutputTokens = max,
            Rejection = problem is null ? null : new FakeRejection(problem, null, null),
            ImageParts = images,
            ImageUrlParts = urlImages,
        };
    }

    private static readonly string[] AllRequestFields =
        { "model", "contents", "tools", "tool_config", "safety_settings", "system_instruction", "generation_config", "cached_content" };

    /// <summary>Gemini 2.5 and 3 think unless told not to.</summary>
    public static bool DefaultThinking(string model) =>
        model.StartsWith("gemini-2.5", StringComparison.Ordinal) || model.StartsWith("gemini-3", StringComparison.Ordinal);

    private static string? Output(Dictionary<string, JsonElement> g, ref JsonElement? schema, ref bool jsonMode)
    {
        string? mime = g.TryGetValue("response_mime_type", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() : null;
        if (mime is not null && Array.IndexOf(MimeTypes, mime) < 0)
            return "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.";
        bool hasSchema = g.TryGetValue("response_schema", out var rs) && rs.ValueKind != JsonValueKind.Null;
        bool hasJsonSchema = g.TryGetValue("response_json_schema", out var rjs) && rjs.ValueKind != JsonValueKind.Null;
        if (hasSchema && hasJsonSchema)
            return "* GenerateContentRequest.generation_config.response_schema: response_schema must be omitted when response_json_schema is set.";
        if ((hasSchema || hasJsonSchema) && mime is not ("application/json" or "text/x.enum"))
            return $"* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be application/json or text/x.enum when {(hasSchema ? "response_schema" : "response_json_schema")} is set.";
        if (hasJsonSchema)
        {
            if (JsonSchemaRules.GeminiJsonSchema(rjs, "* GenerateContentRequest.generation_config.response_json_schema") is { } problem) return problem;
            schema = rjs.Clone();
        }
        else if (hasSchema) schema = rs.Clone();
        else if (mime == "application/json") jsonMode = true;
        return null;
    }

    private static string? Thinking(JsonElement tc, string model, ref string? effort, ref int? budget)
    {
        var t = ProtoJson.Fields(tc, "", ThinkingFields, out _) ?? new();
        bool hasBudget = t.TryGetValue("thinking_budget", out var b) && b.ValueKind != JsonValueKind.Null;
        bool hasLevel = t.TryGetValue("thinking_level", out var l) && l.ValueKind == JsonValueKind.String;
        bool thinks = DefaultThinking(model);
        if ((hasBudget || hasLevel) && !thinks)
            return $"* GenerateContentRequest.generation_config.thinking_config: Thinking is not supported for models/{model}.";
        if (hasBudget && hasLevel)
            return "* GenerateContentRequest.generation_config.thinking_config: thinking_budget and thinking_level cannot both be set.";
        if (hasLevel)
        {
            if (!model.StartsWith("gemini-3", StringComparison.Ordinal))
                return $"* GenerateContentRequest.generation_config.thinking_config.thinking_level: Thinking level is not supported for models/{model}; use thinking_budget.";
            string level = l.GetString()!.ToLowerInvariant();
            effort = level is "minimal" or "low" or "medium" or "high" ? level : "medium";
            return null;
        }
        if (!hasBudget) return null;
        long n = b.ValueKind == JsonValueKind.Number && b.TryGetInt64(out long x) ? x
            : long.TryParse(b.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out x) ? x : 0;
        if (n == -1) return null;   // dynamic
        var (min, maxBudget, canDisable, floor) = model switch
        {
            _ when model.StartsWith("gemini-2.5-pro", StringComparison.Ordinal) => (128L, 32768L, false, 128L),
            _ when model.StartsWith("gemini-2.5-flash-lite", StringComparison.Ordinal) => (512L, 24576L, true, 512L),
            _ when model.StartsWith("gemini-2.5", StringComparison.Ordinal) => (0L, 24576L, true, 0L),
            _ => (0L, 32768L, true, 0L),
        };
        if (n == 0)
        {
            if (!canDisable) return "Budget 0 is invalid. This model only works in thinking mode.";
            effort = null;
            return null;
        }
        if (n < floor || n < min || n > maxBudget)
            return $"* GenerateContentRequest.generation_config.thinking_config.thinking_budget: The thinking budget {n} is invalid. Please choose a value between {min} and {maxBudget}.";
        budget = (int)n;
        return null;
    }

    private static string? ImageParts(JsonElement contents, ref int images, ref int urlImages)
    {
        foreach (var content in contents.EnumerateArray())
        {
            if (content.ValueKind != JsonValueKind.Object) continue;
            var c = ProtoJson.Fields(content, "", new[] { "role", "parts" }, out _);
            if (c is null || !c.TryGetValue("parts", out var parts) || parts.ValueKind != JsonValueKind.Array) continue;
            foreach (var part in parts.EnumerateArray())
            {
                var p = ProtoJson.Fields(part, "", PartFields, out _);
                if (p is null) continue;
                if (p.TryGetValue("inline_data", out var blob) && blob.ValueKind == JsonValueKind.Object)
                {
                    var bl = ProtoJson.Fields(blob, "", BlobFields, out _) ?? new();
                    string mime = bl.TryGetValue("mime_type", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
                    if (!mime.StartsWith("image/", StringComparison.Ordinal)) continue;
                    images++;
                    if (Array.IndexOf(ImageTypes, mime) < 0) return $"Unsupported MIME type: {mime}";
                    string data = bl.TryGetValue("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
                    byte[] bytes = Images.Decode(data) ?? Images.Decode(data.Replace('-', '+').Replace('_', '/')) ?? Array.Empty<byte>();
                    string? actual = Images.Sniff(bytes);
                    if (actual is null || actual != mime)
                        return "Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting";
                }
                else if (p.TryGetValue("file_data", out var fd) && fd.ValueKind == JsonValueKind.Object)
                {
                    var f = ProtoJson.Fields(fd, "", FileDataFields, out _) ?? new();
                    string mime = f.TryGetValue("mime_type", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
                    string uri = f.TryGetValue("file_uri", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : "";
                    if (!mime.StartsWith("image/", StringComparison.Ordinal) && !uri.StartsWith("http", StringComparison.Ordinal)) continue;
                    images++;
                    urlImages++;
                    if (!uri.StartsWith(FilesApiPrefix, StringComparison.Ordinal) || uri.Length == FilesApiPrefix.Length)
                        return $"Invalid or unsupported file uri: {uri}";
                    if (mime.Length > 0 && Array.IndexOf(ImageTypes, mime) < 0) return $"Unsupported MIME type: {mime}";
                }
            }
        }
        return null;
    }
}
