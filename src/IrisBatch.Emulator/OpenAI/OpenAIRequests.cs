using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>
/// Reads one OpenAI (or Azure) batch request body the way the real service does when the request runs (spec §11): the
/// reasoning-model rules (§11.4), structured output (§11.1), images (§11.2), the Responses body (§11.3). A broken rule is
/// a <see cref="FakeRejection"/>: the line fails on its own with a 400 and the service's error text, the batch runs on.
/// </summary>
internal static class OpenAIRequests
{
    public const string Chat = "/v1/chat/completions", Responses = "/v1/responses", Embeddings = "/v1/embeddings";

    private static readonly Regex SchemaName = new("^[a-zA-Z0-9_-]+$", RegexOptions.CultureInvariant);
    private static readonly string[] ChatDetails = { "auto", "low", "high" };
    private static readonly string[] ResponsesDetails = { "low", "high", "auto", "original" };
    public const string UnsupportedImage = "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].";

    /// <summary>Who speaks this wire format and how its rules differ: model data, image types and sizes, schema dialect.</summary>
    /// <param name="MaxImagesPerRequest">Images one request may carry, with <paramref name="MaxImageBytesPerRequest"/> bytes in all; null: no limit.</param>
    internal sealed record Dialect(Func<string, OpenAIModelTraits> Traits, string[] ImageTypes, long MaxImageBytes, bool OpenAIStrictSchemas,
        int? MaxImagesPerRequest, long? MaxImageBytesPerRequest)
    {
        /// <summary>OpenAI (§11.2): png, jpeg, webp, non-animated gif; 20 MB an image, 500 images and 50 MB of them a request.</summary>
        public static readonly Dialect OpenAI = new(ModelTraits.ForOpenAI, new[] { "image/png", "image/jpeg", "image/gif", "image/webp" }, Images.OpenAIMaxBytes, true,
            Images.OpenAIMaxImages, Images.OpenAIMaxRequestBytes);

        /// <summary>
        /// xAI (§11.1, §11.2): jpg/png only, 20 MiB an image, "no image-count limit"; its own schema rules (additionalProperties
        /// defaults to false, optional fields allowed).
        /// </summary>
        public static readonly Dialect Xai = new(ModelTraits.ForXai, new[] { "image/png", "image/jpeg" }, Images.XaiMaxBytes, false, null, null);

        /// <summary>Groq (§13: OpenAI's wire): OpenAI's image and schema rules, with Groq's own models (<see cref="ModelTraits.ForGroq"/>).</summary>
        public static readonly Dialect Groq = new(ModelTraits.ForGroq, new[] { "image/png", "image/jpeg", "image/gif", "image/webp" }, Images.OpenAIMaxBytes, true,
            Images.OpenAIMaxImages, Images.OpenAIMaxRequestBytes);
    }

    /// <summary>The request as the fake model reads it (with its rejection, if it breaks a rule).</summary>
    public static FakeRequest Read(string canonicalEndpoint, JsonElement body, Dialect? dialect = null) => canonicalEndpoint switch
    {
        Chat => ReadChat(body, dialect ?? Dialect.OpenAI),
        Responses => ReadResponses(body, dialect ?? Dialect.OpenAI),
        Embeddings => EmbeddingRequests.Read(body),
        _ => new FakeRequest(RequestText.Messages(canonicalEndpoint, body)),
    };

    public static FakeAnswer Answer(string canonicalEndpoint, JsonElement body, Dialect? dialect = null, bool contentFilter = false)
    {
        var request = Read(canonicalEndpoint, body, dialect);
        request.ContentFilter = contentFilter;
        return FakeModel.Answer(request);
    }

    private static FakeRejection Reject(string message, string? param, string? code) => new(message, param, code);

    // ---------------------------------------------------------------- chat completions

    private static FakeRequest ReadChat(JsonElement body, Dialect dialect)
    {
        var messages = RequestText.Messages(Chat, body);
        string model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        var traits = dialect.Traits(model);
        FakeRejection? rejection = null;
        string? effort = null;
        if (Present(body, "reasoning_effort", out var re))
            rejection = Effort(re, traits, "reasoning_effort", out effort);
        if (traits.ReportsReasoning) effort ??= traits.DefaultEffort;
        rejection ??= ReasoningParams(body, traits, effort, chat: true);
        int? max = null;
        rejection ??= MaxTokens(body, "max_completion_tokens", 1, ref max);
        if (!traits.Reasoning) rejection ??= MaxTokens(body, "max_tokens", 1, ref max);
        JsonElement? schema = null;
        bool jsonMode = false;
        rejection ??= ChatResponseFormat(body, traits, dialect, messages, ref schema, ref jsonMode);
        var images = new ImageTally();
        rejection ??= ChatImages(body, traits, dialect, images);
        return new FakeRequest(messages)
        {
            Schema = schema,
            JsonMode = jsonMode,
            ReasoningEffort = effort,
            MaxOutputTokens = max,
            Rejection = rejection,
            ImageParts = images.Parts,
            ImageUrlParts = images.UrlParts,
        };
    }

    private static bool Present(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static FakeRejection? Effort(JsonElement value, OpenAIModelTraits traits, string param, out string? effort)
    {
        effort = null;
        if (value.ValueKind != JsonValueKind.String || Array.IndexOf(ModelTraits.EffortEnum, value.GetString()) < 0)
            return Reject($"Invalid value: '{Raw(value)}'. Supported values are: {ModelTraits.QuoteList(ModelTraits.EffortEnum)}.", param, "invalid_value");
        if (traits.Efforts.Length == 0)
            return Reject($"Unsupported parameter: '{param}' is not supported with this model.", param, "unsupported_parameter");
        string v = value.GetString()!;
        if (Array.IndexOf(traits.Efforts, v) < 0)
            return Reject($"Unsupported value: '{param}' does not support '{v}' with this model. Supported values are: {ModelTraits.QuoteList(traits.Efforts)}.", param, "unsupported_value");
        effort = v;
        return null;
    }

    private static string Raw(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();

    /// <summary>§11.4: what a reasoning model refuses (max_tokens on chat; non-default sampling unless GPT-5.1+ at effort none).</summary>
    private static FakeRejection? ReasoningParams(JsonElement body, OpenAIModelTraits traits, string? effort, bool chat)
    {
        if (!traits.Reasoning) return null;
        if (chat && Present(body, "max_tokens", out _))
            return Reject("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter");
        bool sampling = traits.SamplingWithEffortNone && effort == "none";
        if (!sampling)
        {
            if (Present(body, "temperature", out var t) && !(t.ValueKind == JsonValueKind.Number && t.GetDouble() == 1))
                return Reject($"Unsupported value: 'temperature' does not support {t.GetRawText()} with this model. Only the default (1) value is supported.", "temperature", "unsupported_value");
            if (Present(body, "top_p", out var p) && !(p.ValueKind == JsonValueKind.Number && p.GetDouble() == 1))
                return Reject("Unsupported parameter: 'top_p' is not supported with this model.", "top_p", "unsupported_parameter");
            if (chat && Present(body, "logprobs", out var lp) && lp.ValueKind == JsonValueKind.True)
                return Reject("Unsupported parameter: 'logprobs' is not supported with this model.", "logprobs", "unsupported_parameter");
            if (Present(body, "top_logprobs", out _))
                return Reject("Unsupported parameter: 'top_logprobs' is not supported with this model.", "top_logprobs", "unsupported_parameter");
        }
        if (chat)
        {
            foreach (string penalty in new[] { "presence_penalty", "frequency_penalty" })
                if (Present(body, penalty, out var v) && !(v.ValueKind == JsonValueKind.Number && v.GetDouble() == 0))
                    return Reject($"Unsupported parameter: '{penalty}' is not supported with this model.", penalty, "unsupported_parameter");
            if (Present(body, "logit_bias", out var lb) && !(lb.ValueKind == JsonValueKind.Object && !lb.EnumerateObject().Any()))
                return Reject("Unsupported parameter: 'logit_bias' is not supported with this model.", "logit_bias", "unsupported_parameter");
        }
        return null;
    }

    private static FakeRejection? MaxTokens(JsonElement body, string name, int minimum, ref int? max)
    {
        if (!Present(body, name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n))
            return Reject($"Invalid type for '{name}': expected an integer, but got {Kind(v)} instead.", name, "invalid_type");
        if (n < minimum)
            return Reject($"Invalid '{name}': integer below minimum value. Expected a value >= {minimum}, but got {n} instead.", name, "integer_below_min_value");
        max = max is { } m ? Math.Min(m, n) : n;
        return null;
    }

    private static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a decimal",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static bool MentionsJson(IReadOnlyList<FakeMessage> messages) =>
        messages.Any(x => x.Text.Contains("json", StringComparison.OrdinalIgnoreCase));

    private static FakeRejection? ChatResponseFormat(JsonElement body, OpenAIModelTraits traits, Dialect dialect, IReadOnlyList<FakeMessage> messages, ref JsonElement? schema, ref bool jsonMode)
    {
        if (!Present(body, "response_format", out var rf)) return null;
        var problem = FormatType(rf, "response_format", traits, messages, ref jsonMode, out bool jsonSchema,
            "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages");
        if (problem != null || !jsonSchema) return problem;
        if (!rf.TryGetProperty("json_schema", out var js) || js.ValueKind == JsonValueKind.Null)
            return Reject("Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema", "missing_required_parameter");
        if (js.ValueKind != JsonValueKind.Object)
            return Reject($"Invalid type for 'response_format.json_schema': expected an object, but got {Kind(js)} instead.", "response_format.json_schema", "invalid_type");
        return JsonSchemaFormat(js, "response_format.json_schema", "response_format", dialect, ref schema, ref jsonMode);
    }

    /// <summary>
    /// What chat's <c>response_format</c> and Responses' <c>text.format</c> share (at <paramref name="at"/>): an object whose
    /// string <c>type</c> is <c>text</c>, <c>json_object</c> (the messages must mention JSON; each endpoint words that refusal
    /// its own way) or <c>json_schema</c> on a model that has it; <paramref name="jsonSchema"/> says the caller reads the schema next.
    /// </summary>
    private static FakeRejection? FormatType(JsonElement format, string at, OpenAIModelTraits traits, IReadOnlyList<FakeMessage> messages,
        ref bool jsonMode, out bool jsonSchema, string noJsonMessage, string noJsonParam)
    {
        jsonSchema = false;
        if (format.ValueKind != JsonValueKind.Object)
            return Reject($"Invalid type for '{at}': expected an object, but got {Kind(format)} instead.", at, "invalid_type");
        if (!format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            return Reject($"Missing required parameter: '{at}.type'.", at + ".type", "missing_required_parameter");
        switch (type.GetString())
        {
            case "text":
                return null;
            case "json_object":
                if (!MentionsJson(messages)) return Reject(noJsonMessage, noJsonParam, null);
                jsonMode = true;
                return null;
            case "json_schema":
                if (!traits.JsonSchema)
                    return Reject($"Invalid parameter: '{at}' of type 'json_schema' is not supported with this model.", at, null);
                jsonSchema = true;
                return null;
            default:
                return Reject($"Invalid value: '{type.GetString()}'. Supported values are: 'text', 'json_object', and 'json_schema'.", at + ".type", "invalid_value");
        }
    }

    /// <summary>The json_schema object (chat's <c>response_format.json_schema</c>, or Responses' flat <c>text.format</c>).</summary>
    private static FakeRejection? JsonSchemaFormat(JsonElement js, string at, string errorParam, Dialect dialect, ref JsonElement? schema, ref bool jsonMode)
    {
        if (!js.TryGetProperty("name", out var name) || name.ValueKind == JsonValueKind.Null)
            return Reject($"Missing required parameter: '{at}.name'.", at + ".name", "missing_required_parameter");
        if (name.ValueKind != JsonValueKind.String)
            return Reject($"Invalid type for '{at}.name': expected a string, but got {Kind(name)} instead.", at + ".name", "invalid_type");
        string n = name.GetString()!;
        if (n.Length > 64)
            return Reject($"Invalid '{at}.name': string too long. Expected a string with maximum length 64, but got a string with length {n.Length} instead.", at + ".name", "string_above_max_length");
        if (!SchemaName.IsMatch(n))
            return Reject($"Invalid '{at}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", at + ".name", "invalid_value");
        bool strict = js.TryGetProperty("strict", out var st) && st.ValueKind == JsonValueKind.True;
        if (js.TryGetProperty("strict", out st) && st.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
            return Reject($"Invalid type for '{at}.strict': expected a boolean, but got {Kind(st)} instead.", at + ".strict", "invalid_type");
        bool hasSchema = js.TryGetProperty("schema", out var s) && s.ValueKind != JsonValueKind.Null;
        if (hasSchema && s.ValueKind != JsonValueKind.Object)
            return Reject($"Invalid type for '{at}.schema': expected an object, but got {Kind(s)} instead.", at + ".schema", "invalid_type");
        if (hasSchema && !dialect.OpenAIStrictSchemas && JsonSchemaRules.Xai(s) is { } xaiProblem)
            return Reject($"Invalid schema for response_format '{n}': {xaiProblem}", errorParam, "invalid_json_schema");
        if (strict && dialect.OpenAIStrictSchemas)
        {
            if (!hasSchema) return Reject($"Invalid schema for response_format '{n}': schema must be a JSON Schema of 'type: \"object\"', got 'None'.", errorParam, "invalid_json_schema");
            if (JsonSchemaRules.OpenAIStrict(s) is { } problem)
                return Reject($"Invalid schema for response_format '{n}': {problem}", errorParam, "invalid_json_schema");
        }
        if (hasSchema) schema = s.Clone();
        else jsonMode = true;
        return null;
    }

    private sealed class ImageTally
    {
        public int Parts, UrlParts;
        public long Bytes;
    }

    private static FakeRejection? ChatImages(JsonElement body, OpenAIModelTraits traits, Dialect dialect, ImageTally tally)
    {
        if (!body.TryGetProperty("messages", out var ms) || ms.ValueKind != JsonValueKind.Array) return null;
        int i = 0;
        foreach (var message in ms.EnumerateArray())
        {
            int index = i++;
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array) continue;
            string role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
            int j = 0;
            foreach (var part in content.EnumerateArray())
            {
                string at = $"messages[{index}].content[{j++}]";
                if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var pt) || pt.GetString() != "image_url") continue;
                if (role != "user")
                    return Reject($"Image URLs are only allowed for messages with role 'user', but this message with role '{role}' contains an image URL.", $"messages[{index}]", "invalid_value");
                if (!traits.Vision)
                    return Reject("Invalid content type. image_url is only supported by certain models.", at + ".type", "invalid_value");
                if (!part.TryGetProperty("image_url", out var iu) || iu.ValueKind != JsonValueKind.Object)
                    return Reject($"Missing required parameter: '{at}.image_url'.", at + ".image_url", "missing_required_parameter");
                if (!iu.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
                    return Reject($"Missing required parameter: '{at}.image_url.url'.", at + ".image_url.url", "missing_required_parameter");
                if (iu.TryGetProperty("detail", out var d) && d.ValueKind != JsonValueKind.Null && Array.IndexOf(ChatDetails, d.ValueKind == JsonValueKind.String ? d.GetString() : null) < 0)
                    return Reject($"Invalid value: '{Raw(d)}'. Supported values are: {ModelTraits.QuoteList(ChatDetails)}.", at + ".image_url.detail", "invalid_value");
                if (ImageUrl(url.GetString()!, at + ".image_url.url", dialect, tally) is { } problem) return problem;
            }
        }
        return null;
    }

    /// <summary>One image given by URL or data URL (chat and Responses alike).</summary>
    private static FakeRejection? ImageUrl(string url, string at, Dialect dialect, ImageTally tally)
    {
        tally.Parts++;
        if (tally.Parts > dialect.MaxImagesPerRequest)
            return Reject($"Too many images in request. Max is {dialect.MaxImagesPerRequest}.", at, "invalid_value");
        if (url.StartsWith("data:", StringComparison.Ordinal))
        {
            if (!Images.TryParseDataUrl(url, out string declared, out string payload) || Images.Decode(payload) is not { } bytes)
                return Reject($"Invalid '{at}'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got an invalid value.", at, "invalid_value");
            if (declared == "image/jpg") declared = "image/jpeg";
            string? actual = Images.Sniff(bytes);
            if (Array.IndexOf(dialect.ImageTypes, declared) < 0 || actual is null || Array.IndexOf(dialect.ImageTypes, actual) < 0 || Images.IsAnimatedGif(bytes))
                return Reject(dialect == Dialect.OpenAI ? UnsupportedImage : $"Unsupported image format: only {string.Join(", ", dialect.ImageTypes)} are supported.", at, "invalid_image_format");
            if (actual != declared)
                return Reject($"Invalid image data: the data URL declares '{declared}' but the image is '{actual}'.", at, "invalid_image_format");
            if (bytes.Length > dialect.MaxImageBytes)
                return Reject($"Image too large: {bytes.Length} bytes is over the limit of {dialect.MaxImageBytes} bytes per image.", at, "image_too_large");
            tally.Bytes += bytes.Length;
            if (tally.Bytes > dialect.MaxImageBytesPerRequest)
                return Reject($"Images too large: the images of this request add up to more than {dialect.MaxImageBytesPerRequest} bytes (50 MB).", at, "image_too_large");
            return null;
        }
        tally.UrlParts++;
        if (!Images.IsHttpOrHttps(url))
            return Reject($"Invalid '{at}'. Expected a valid URL, but got a value with an invalid format.", at, "invalid_value");
        if (Images.Unreachable(url))
            return Reject($"Timeout while downloading {url}.", at, "invalid_image_url");
        return null;
    }

    // ---------------------------------------------------------------- responses

    private static FakeRequest ReadResponses(JsonElement body, Dialect dialect)
    {
        var messages = RequestText.Messages(Responses, body);
        string model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        var traits = dialect.Traits(model);
        FakeRejection? rejection = null;
        foreach (var (field, message) in MovedOrUnknown)
            if (body.TryGetProperty(field, out _)) { rejection = Reject(message, field, message.StartsWith("Unknown", StringComparison.Ordinal) ? "unknown_parameter" : "unsupported_parameter"); break; }
        if (!body.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
            rejection ??= Reject("Missing required parameter: 'input'.", "input", "missing_required_parameter");
        string? effort = null;
        if (Present(body, "reasoning", out var reasoning))
        {
            if (reasoning.ValueKind != JsonValueKind.Object)
                rejection ??= Reject($"Invalid type for 'reasoning': expected an object, but got {Kind(reasoning)} instead.", "reasoning", "invalid_type");
            else
            {
                if (Present(reasoning, "effort", out var e)) rejection ??= Effort(e, traits, "reasoning.effort", out effort);
                if (Present(reasoning, "summary", out var summary) && Array.IndexOf(new[] { "auto", "concise", "detailed" }, summary.ValueKind == JsonValueKind.String ? summary.GetString() : null) < 0)
                    rejection ??= Reject($"Invalid value: '{Raw(summary)}'. Supported values are: 'auto', 'concise', and 'detailed'.", "reasoning.summary", "invalid_value");
            }
        }
        if (traits.ReportsReasoning) effort ??= traits.DefaultEffort;
        rejection ??= ReasoningParams(body, traits, effort, chat: false);
        int? max = null;
        rejection ??= MaxTokens(body, "max_output_tokens", 16, ref max);
        JsonElement? schema = null;
        bool jsonMode = false;
        rejection ??= TextFormat(body, traits, dialect, messages, ref schema, ref jsonMode);
        var images = new ImageTally();
        rejection ??= ResponsesImages(input, traits, dialect, images);
        return new FakeRequest(messages)
        {
            Schema = schema,
            JsonMode = jsonMode,
            ReasoningEffort = effort,
            MaxOutputTokens = max,
            Rejection = rejection,
            ImageParts = images.Parts,
            ImageUrlParts = images.UrlParts,
        };
    }

    private static readonly (string Field, string Message)[] MovedOrUnknown =
    {
        ("response_format", "Unsupported parameter: 'response_format'. In the Responses API, this parameter has moved to 'text.format'. Try again with the new parameter. See the API documentation for more information: https://platform.openai.com/docs/api-reference/responses/create."),
        ("reasoning_effort", "Unsupported parameter: 'reasoning_effort'. In the Responses API, this parameter has moved to 'reasoning.effort'. Try again with the new parameter. See the API documentation for more information: https://platform.openai.com/docs/api-reference/responses/create."),
        ("max_tokens", "Unknown parameter: 'max_tokens'."),
        ("max_completion_tokens", "Unknown parameter: 'max_completion_tokens'."),
        ("messages", "Unknown parameter: 'messages'."),
    };

    private static FakeRejection? TextFormat(JsonElement body, OpenAIModelTraits traits, Dialect dialect, IReadOnlyList<FakeMessage> messages, ref JsonElement? schema, ref bool jsonMode)
    {
        if (!Present(body, "text", out var text)) return null;
        if (text.ValueKind != JsonValueKind.Object)
            return Reject($"Invalid type for 'text': expected an object, but got {Kind(text)} instead.", "text", "invalid_type");
        if (!Present(text, "format", out var format)) return null;
        var problem = FormatType(format, "text.format", traits, messages, ref jsonMode, out bool jsonSchema,
            "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'.", "input");
        if (problem != null || !jsonSchema) return problem;
        if (format.TryGetProperty("json_schema", out _))
            return Reject("Unknown parameter: 'text.format.json_schema'.", "text.format.json_schema", "unknown_parameter");
        if (!format.TryGetProperty("schema", out var s) || s.ValueKind == JsonValueKind.Null)
        {
            if (!format.TryGetProperty("name", out _)) return Reject("Missing required parameter: 'text.format.name'.", "text.format.name", "missing_required_parameter");
            return Reject("Missing required parameter: 'text.format.schema'.", "text.format.schema", "missing_required_parameter");
        }
        return JsonSchemaFormat(format, "text.format", "text.format.schema", dialect, ref schema, ref jsonMode);
    }

    private static FakeRejection? ResponsesImages(JsonElement input, OpenAIModelTraits traits, Dialect dialect, ImageTally tally)
    {
        if (input.ValueKind != JsonValueKind.Array) return null;
        int i = 0;
        foreach (var item in input.EnumerateArray())
        {
            int index = i++;
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array) continue;
            string role = item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
            int j = 0;
            foreach (var part in content.EnumerateArray())
            {
                string at = $"input[{index}].content[{j++}]";
                if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var pt) || pt.GetString() != "input_image") continue;
                if (role != "user")
                    return Reject($"Invalid value: 'input_image'. Image inputs are only allowed in messages with role 'user', but this message has role '{role}'.", at + ".type", "invalid_value");
                if (!traits.Vision)
                    return Reject("Invalid content type. input_image is only supported by certain models.", at + ".type", "invalid_value");
                if (!part.TryGetProperty("detail", out var d) || d.ValueKind == JsonValueKind.Null)
                    return Reject($"Missing required parameter: '{at}.detail'.", at + ".detail", "missing_required_parameter");
                if (Array.IndexOf(ResponsesDetails, d.ValueKind == JsonValueKind.String ? d.GetString() : null) < 0)
                    return Reject($"Invalid value: '{Raw(d)}'. Supported values are: {ModelTraits.QuoteList(ResponsesDetails)}.", at + ".detail", "invalid_value");
                bool hasUrl = part.TryGetProperty("image_url", out var url) && url.ValueKind != JsonValueKind.Null;
                bool hasFile = part.TryGetProperty("file_id", out var file) && file.ValueKind != JsonValueKind.Null;
                if (hasUrl && url.ValueKind != JsonValueKind.String)
                    return Reject($"Invalid type for '{at}.image_url': expected a string, but got {Kind(url)} instead.", at + ".image_url", "invalid_type");
                if (!hasUrl && !hasFile)
                    return Reject($"Missing required parameter: '{at}.image_url' or '{at}.file_id'.", at + ".image_url", "missing_required_parameter");
                if (hasUrl && ImageUrl(url.GetString()!, at + ".image_url", dialect, tally) is { } problem) return problem;
                if (!hasUrl) tally.Parts++;
            }
        }
        return null;
    }
}
