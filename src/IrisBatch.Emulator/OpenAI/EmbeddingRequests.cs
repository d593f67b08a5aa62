using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>
/// An OpenAI <c>/v1/embeddings</c> body (spec §11.5, <c>CreateEmbeddingRequest</c>, <c>additionalProperties: false</c>): its
/// rules, its inputs, and the list it answers (vectors from <see cref="EmbeddingVectors"/>).
/// </summary>
internal static class EmbeddingRequests
{
    public const int MaxInputsPerRequest = 2048, MaxTokensPerInput = 8192, MaxTokensPerRequest = 300_000;
    public const int MaxInputsPerBatch = 50_000;

    private static readonly HashSet<string> Fields = new() { "input", "model", "encoding_format", "dimensions", "user" };

    /// <summary>The inputs as texts (token arrays as their joined values); empty when the input is malformed.</summary>
    public static List<string> Inputs(JsonElement body)
    {
        var list = new List<string>();
        if (!body.TryGetProperty("input", out var input)) return list;
        if (input.ValueKind == JsonValueKind.String) { list.Add(input.GetString()!); return list; }
        if (input.ValueKind != JsonValueKind.Array) return list;
        bool tokens = input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Number;
        if (tokens) { list.Add(Tokens(input)); return list; }
        foreach (var item in input.EnumerateArray())
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.ValueKind == JsonValueKind.Array ? Tokens(item) : "");
        return list;
    }

    private static string Tokens(JsonElement array) =>
        EmbeddingVectors.TokensText(array.EnumerateArray().Select(t => t.TryGetInt64(out long v) ? v : 0).ToArray());

    private static int TokenCount(JsonElement item) => item.ValueKind == JsonValueKind.Array ? item.GetArrayLength() : FakeModel.CountWords(item.GetString() ?? "");

    public static FakeRequest Read(JsonElement body)
    {
        var inputs = Inputs(body);
        var messages = new List<FakeMessage> { new("user", string.Join("\n", inputs)) };
        return new FakeRequest(messages) { Rejection = Check(body) };
    }

    private static FakeRejection? Check(JsonElement body)
    {
        foreach (var p in body.EnumerateObject())
            if (!Fields.Contains(p.Name)) return new($"Unrecognized request argument supplied: {p.Name}", null, null);
        string model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        if (IsChatModel(model)) return new("You are not allowed to generate embeddings from this model", null, null);
        if (!body.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
            return new("Missing required parameter: 'input'.", "input", "missing_required_parameter");
        const string Invalid = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";
        List<JsonElement> items;
        if (input.ValueKind == JsonValueKind.String) items = new() { input };
        else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Number) items = new() { input };
        else if (input.ValueKind == JsonValueKind.Array) items = input.EnumerateArray().ToList();
        else return new(Invalid, null, null);
        if (items.Count == 0 || items.Count > MaxInputsPerRequest) return new(Invalid, null, null);
        long total = 0;
        foreach (var item in items)
        {
            bool ok = item.ValueKind == JsonValueKind.String ? item.GetString()!.Length > 0
                : item.ValueKind == JsonValueKind.Array && item.GetArrayLength() > 0 && item.EnumerateArray().All(t => t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out long v) && v >= 0);
            if (!ok) return new(Invalid, null, null);
            int tokens = TokenCount(item);
            if (tokens > MaxTokensPerInput)
                return new($"This model's maximum context length is {MaxTokensPerInput} tokens, however you requested {tokens} tokens ({tokens} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.", null, null);
            total += tokens;
        }
        if (total > MaxTokensPerRequest) return new($"Requested {total} tokens, max {MaxTokensPerRequest} tokens per request", "input", "max_tokens_per_request");
        if (body.TryGetProperty("encoding_format", out var ef) && ef.ValueKind != JsonValueKind.Null
            && (ef.ValueKind != JsonValueKind.String || ef.GetString() is not ("float" or "base64")))
            return new($"Invalid value: '{(ef.ValueKind == JsonValueKind.String ? ef.GetString() : ef.GetRawText())}'. Supported values are: 'float' and 'base64'.", "encoding_format", "invalid_value");
        if (body.TryGetProperty("dimensions", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (!model.StartsWith("text-embedding-3", StringComparison.Ordinal)) return new("This model does not support specifying dimensions.", null, null);
            if (!d.TryGetInt32(out int n)) return new($"Invalid type for 'dimensions': expected an integer, but got {d.ValueKind.ToString().ToLowerInvariant()} instead.", "dimensions", "invalid_type");
            if (n < 1) return new($"Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got {n} instead.", "dimensions", "integer_below_min_value");
            int max = EmbeddingVectors.DefaultDimensions(model);
            if (n > max) return new($"Invalid value for 'dimensions' = {n}. Must be less than or equal to {max}.", "dimensions", "invalid_value");
        }
        return null;
    }

    private static bool IsChatModel(string model) =>
        model.StartsWith("gpt-", StringComparison.Ordinal) || model.StartsWith("o1", StringComparison.Ordinal) || model.StartsWith("o3", StringComparison.Ordinal)
        || model.StartsWith("o4", StringComparison.Ordinal) || model.StartsWith("chatgpt", StringComparison.Ordinal) || model.StartsWith("codex", StringComparison.Ordinal);

    /// <summary>The success body: <c>{"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}</c>.</summary>
    public static JsonObject Response(string model, JsonElement body, int promptTokens)
    {
        var inputs = Inputs(body);
        int dims = body.TryGetProperty("dimensions", out var d) && d.TryGetInt32(out int n) ? n : EmbeddingVectors.DefaultDimensions(model);
        bool base64 = body.TryGetProperty("encoding_format", out var ef) && ef.ValueKind == JsonValueKind.String && ef.GetString() == "base64";
        var data = new JsonArray();
        for (int i = 0; i < inputs.Count; i++)
        {
            var v = EmbeddingVectors.Vector(inputs[i], dims);
            JsonNode embedding = base64 ? JsonValue.Create(EmbeddingVectors.ToBase64(v)) : new JsonArray(v.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["total_tokens"] = promptTokens },
        };
    }
}
