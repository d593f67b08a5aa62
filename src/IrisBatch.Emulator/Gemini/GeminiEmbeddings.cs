using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.Gemini;

/// <summary>What one embedding request asks for: its text and the vector's size (the model's full size, and the size asked).</summary>
internal sealed record EmbedItem(string Text, int FullDimensions, int Dimensions)
{
    /// <summary>Gemini truncates without re-normalising (<see cref="EmbeddingVectors.Truncated"/>).</summary>
    public float[] Vector() => EmbeddingVectors.Truncated(Text, FullDimensions, Dimensions);
}

/// <summary>
/// Gemini embedding batches (spec §11.5, <c>models/{model}:asyncBatchEmbedContent</c>): the EmbedContentRequest of each
/// inline request or file line, and the responses (<c>{"embedding":{"values":[…]},"tokenCount":"N"}</c>).
/// Only embedding models serve it; embedding models do not serve <c>batchGenerateContent</c>.
/// </summary>
internal static class GeminiEmbeddings
{
    public const string BatchType = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatch";
    public const string OutputType = "type.googleapis.com/google.ai.generativelanguage.v1main.EmbedContentBatchOutput";

    private static readonly string[] RequestFields = { "model", "content", "task_type", "title", "output_dimensionality" };
    private static readonly string[] TaskTypes =
    {
        "TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING",
        "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY",
    };

    public static bool IsEmbeddingModel(string model) => model.Contains("embedding", StringComparison.Ordinal);

    /// <summary>The proto structure (create time): null, or the parser's error.</summary>
    public static string? Structure(JsonElement request, string path)
    {
        var fields = ProtoJson.Fields(request, path, RequestFields, out string? error);
        if (fields is null) return error;
        if (!fields.TryGetValue("content", out var content) || content.ValueKind == JsonValueKind.Null)
            return $"* EmbedContentRequest.content: content is not specified ({path})";
        var c = ProtoJson.Fields(content, path + ".content", new[] { "role", "parts" }, out error);
        if (c is null) return error;
        if (!c.TryGetValue("parts", out var parts) || parts.ValueKind != JsonValueKind.Array || parts.GetArrayLength() == 0)
            return $"* EmbedContentRequest.content.parts: contents.parts must not be empty. ({path}.content)";
        int i = 0;
        foreach (var part in parts.EnumerateArray())
            if (GeminiRequests.PartStructure(part, $"{path}.content.parts[{i++}]") is { } problem) return problem;
        if (fields.TryGetValue("task_type", out var tt) && tt.ValueKind != JsonValueKind.Null
            && (tt.ValueKind != JsonValueKind.String || Array.IndexOf(TaskTypes, tt.GetString()) < 0))
            return $"Invalid value at '{path}.task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), {tt.GetRawText()}";
        if (fields.TryGetValue("output_dimensionality", out var od) && od.ValueKind != JsonValueKind.Null && !od.TryGetInt32(out _))
            return ProtoJson.TypeError(path + ".output_dimensionality", "TYPE_INT32", od);
        return null;
    }

    /// <summary>Reads one (structurally valid) request: the fake model's answer (markers, rules) and the vector it asks for.</summary>
    /// <param name="model">Without <c>models/</c>.</param>
    public static (FakeAnswer Answer, EmbedItem Item) Answer(JsonElement request, string model)
    {
        var fields = ProtoJson.Fields(request, "", RequestFields, out _) ?? new Dictionary<string, JsonElement>();
        string text = "";
        if (fields.TryGetValue("content", out var content) && content.ValueKind == JsonValueKind.Object)
        {
            var c = ProtoJson.Fields(content, "", new[] { "role", "parts" }, out _);
            if (c is not null && c.TryGetValue("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
                text = string.Concat(parts.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : ""));
        }
        int full = EmbeddingVectors.DefaultDimensions(model), dims = full;
        string? problem = null;
        if (fields.TryGetValue("output_dimensionality", out var od) && od.TryGetInt32(out int n))
        {
            const int min = 1;
            if (n < min || n > full) problem = $"* EmbedContentRequest.output_dimensionality: output_dimensionality must be between {min} and {full} for models/{model}, got {n}.";
            else dims = n;
        }
        if (fields.TryGetValue("title", out var title) && title.ValueKind == JsonValueKind.String
            && !(fields.TryGetValue("task_type", out var tt) && tt.ValueKind == JsonValueKind.String && tt.GetString() == "RETRIEVAL_DOCUMENT"))
            problem ??= "* EmbedContentRequest.title: title is only supported with task_type RETRIEVAL_DOCUMENT.";
        if (text.Length == 0) problem ??= "* EmbedContentRequest.content: the content has no text to embed.";
        var answer = FakeModel.Answer(new FakeRequest(new[] { new FakeMessage("user", text) })
        {
            Rejection = problem is null ? null : new FakeRejection(problem, null, null),
        });
        return (answer, new EmbedItem(text, full, dims));
    }

    /// <summary>
    /// Writes one SingleEmbedContentResponse, the vector computed now and written as numbers straight to the writer:
    /// a node per float (as a JsonArray would hold) costs ~50 bytes each, and a batch of them gigabytes.
    /// </summary>
    public static void WriteResponse(Utf8JsonWriter w, FakeAnswer a, EmbedItem item)
    {
        w.WriteStartObject();
        w.WritePropertyName("embedding");
        w.WriteStartObject();
        w.WritePropertyName("values");
        w.WriteStartArray();
        foreach (float x in item.Vector()) w.WriteNumberValue(x);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteString("tokenCount", ProtoJson.Int64(a.PromptTokens));
        w.WriteEndObject();
    }

    public static RequestFeatures Features(FakeAnswer a) => RequestFeatures.Of(a, "asyncBatchEmbedContent", a.Rejection is null ? 1 : 0);

    private static readonly string[] InlinedRequestsFields = { "requests" };
    private static readonly string[] InlinedRequestFields = { "request", "metadata" };

    /// <summary>The inline <c>requests.requests[]</c> of an embedding batch.</summary>
    public static (List<InlineItem>? Items, string? Problem) ReadInline(JsonElement requestsElement, string model)
    {
        const string Path = "batch.input_config.requests";
        var inlined = ProtoJson.Fields(requestsElement, Path, InlinedRequestsFields, out string? error);
        if (inlined is null) return (null, error);
        if (!inlined.TryGetValue("requests", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
            return (null, $"* {Path}.requests: at least one request is required.");
        var items = new List<InlineItem>(array.GetArrayLength());
        int i = 0;
        foreach (var entry in array.EnumerateArray())
        {
            string path = $"{Path}.requests[{i++}]";
            var fields = ProtoJson.Fields(entry, path, InlinedRequestFields, out error);
            if (fields is null) return (null, error);
            if (!fields.TryGetValue("request", out var request) || request.ValueKind == JsonValueKind.Null)
                return (null, $"* {path}.request: request is required.");
            if (Structure(request, path + ".request") is { } problem) return (null, problem);
            JsonNode? metadata = fields.TryGetValue("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? JsonNode.Parse(m.GetRawText()) : null;
            var (answer, item) = Answer(request, model);
            items.Add(new InlineItem(metadata, answer, item));
        }
        return (items, null);
    }
}
