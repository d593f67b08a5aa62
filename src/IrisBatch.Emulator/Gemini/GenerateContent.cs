using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.Gemini;

/// <summary>
/// A <c>GenerateContentRequest</c> as the fake model reads it, and the <c>GenerateContentResponse</c> it answers.
/// <c>contents[]</c> entries with role <c>user</c> (or no role) are user messages, <c>model</c> ones are the assistant's;
/// <c>systemInstruction</c> is the system message. The answer is "Echo: " + the text parts of the last user content.
/// </summary>
internal static class GenerateContent
{
    /// <summary>The fields of GenerateContentRequest (proto names).</summary>
    private static readonly string[] RequestFields =
    {
        "model", "contents", "tools", "tool_config", "safety_settings", "system_instruction", "generation_config", "cached_content",
    };

    private static readonly string[] ContentFields = { "role", "parts" };

    /// <summary>Checks a request and reduces it to messages. Returns an error message naming the field, or null.</summary>
    /// <param name="path">Where the request sits, in proto names, for error messages.</param>
    public static string? Read(JsonElement request, string path, out List<FakeMessage> messages)
    {
        messages = new List<FakeMessage>();
        var fields = ProtoJson.Fields(request, path, RequestFields, out string? error);
        if (fields is null) return error;
        if (!fields.TryGetValue("contents", out var contents) || contents.ValueKind == JsonValueKind.Null)
            return $"* GenerateContentRequest.contents: contents is not specified ({path})";
        if (contents.ValueKind != JsonValueKind.Array)
            return ProtoJson.TypeError(ProtoJson.Join(path, "contents"), "TYPE_MESSAGE", contents);
        if (contents.GetArrayLength() == 0)
            return $"* GenerateContentRequest.contents: contents is not specified ({path})";
        foreach (string optionalObject in new[] { "generation_config", "tool_config" })
            if (fields.TryGetValue(optionalObject, out var o) && o.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                return ProtoJson.TypeError(ProtoJson.Join(path, optionalObject), "TYPE_MESSAGE", o);
        if (fields.TryGetValue("generation_config", out var gc) && gc.ValueKind == JsonValueKind.Object
            && GeminiRequests.Structure(gc, ProtoJson.Join(path, "generation_config")) is { } structure)
            return structure;

        if (fields.TryGetValue("system_instruction", out var system) && system.ValueKind != JsonValueKind.Null)
        {
            string? problem = ReadContent(system, ProtoJson.Join(path, "system_instruction"), isSystem: true, out _, out string text);
            if (problem is not null) return problem;
            messages.Add(new FakeMessage("system", text));
        }
        int i = 0;
        foreach (var content in contents.EnumerateArray())
        {
            string? problem = ReadContent(content, $"{ProtoJson.Join(path, "contents")}[{i++}]", isSystem: false, out string role, out string text);
            if (problem is not null) return problem;
            messages.Add(new FakeMessage(role, text));
        }
        return null;
    }

    private static string? ReadContent(JsonElement content, string path, bool isSystem, out string role, out string text)
    {
        role = "user";
        text = "";
        var fields = ProtoJson.Fields(content, path, ContentFields, out string? error);
        if (fields is null) return error;
        string? r = ProtoJson.OptionalString(fields, "role", path, ref error);
        if (error is not null) return error;
        if (!isSystem)
        {
            if (r is "model") role = "assistant";
            else if (r is not (null or "" or "user")) return "Please use a valid role: user, model.";
        }
        if (!fields.TryGetValue("parts", out var parts) || parts.ValueKind == JsonValueKind.Null || (parts.ValueKind == JsonValueKind.Array && parts.GetArrayLength() == 0))
            return $"* {(isSystem ? "GenerateContentRequest.system_instruction" : "GenerateContentRequest.contents")}.parts: contents.parts must not be empty. ({path})";
        if (parts.ValueKind != JsonValueKind.Array) return ProtoJson.TypeError(ProtoJson.Join(path, "parts"), "TYPE_MESSAGE", parts);
        var sb = new StringBuilder();
        int i = 0;
        foreach (var part in parts.EnumerateArray())
        {
            string partPath = $"{path}.parts[{i++}]";
            if (part.ValueKind != JsonValueKind.Object) return ProtoJson.TypeError(partPath, "TYPE_MESSAGE", part);
            if (GeminiRequests.PartStructure(part, partPath) is { } partProblem) return partProblem;
            if (!part.TryGetProperty("text", out var t) || t.ValueKind == JsonValueKind.Null) continue;
            if (t.ValueKind != JsonValueKind.String) return ProtoJson.TypeError(partPath + ".text", "TYPE_STRING", t);
            sb.Append(t.GetString());
        }
        text = sb.ToString();
        return null;
    }

    /// <summary>
    /// The success body: one candidate with its finish reason (STOP; MAX_TOKENS when cut; SAFETY with no content for a
    /// refusal), and usage counted as the fake model counts words; thoughts in <c>thoughtsTokenCount</c>, apart from
    /// <c>candidatesTokenCount</c> (spec §11.6).
    /// </summary>
    /// <param name="modelVersion">The model without its <c>models/</c> prefix.</param>
    public static JsonObject Response(FakeAnswer a, string modelVersion)
    {
        var candidate = new JsonObject();
        if (a.Finish != FakeFinish.Refusal)
            candidate["content"] = new JsonObject
            {
                ["parts"] = new JsonArray(new JsonObject { ["text"] = a.Content }),
                ["role"] = "model",
            };
        candidate["finishReason"] = a.Finish switch { FakeFinish.Length => "MAX_TOKENS", FakeFinish.Refusal => "SAFETY", _ => "STOP" };
        if (a.Finish == FakeFinish.Refusal)
            candidate["safetyRatings"] = new JsonArray(new JsonObject { ["category"] = "HARM_CATEGORY_DANGEROUS_CONTENT", ["probability"] = "HIGH", ["blocked"] = true });
        candidate["index"] = 0;
        var usage = new JsonObject
        {
            ["promptTokenCount"] = a.PromptTokens,
            ["candidatesTokenCount"] = a.VisibleTokens,
            ["totalTokenCount"] = a.TotalTokens,
        };
        if (a.ReasoningTokens > 0) usage["thoughtsTokenCount"] = a.ReasoningTokens;
        // "[cached]": the part of the prompt read from the context cache, included in promptTokenCount (spec §11.6).
        if (a.CachedTokens > 0) usage["cachedContentTokenCount"] = a.CachedTokens;
        return new JsonObject
        {
            ["candidates"] = new JsonArray(candidate),
            ["usageMetadata"] = usage,
            ["modelVersion"] = modelVersion,
            ["responseId"] = GeminiIds.New(22),
        };
    }

    /// <summary>The per-request failure: a google.rpc.Status (gRPC INVALID_ARGUMENT for [fail], INTERNAL for [fail500]).</summary>
    public static JsonObject Error(FakeOutcome outcome) => outcome == FakeOutcome.Fail500
        ? GeminiErrors.Status(GeminiErrors.InternalCode, $"The emulator failed this request because its prompt contains {FakeModel.Fail500Marker}.")
        : GeminiErrors.Status(GeminiErrors.InvalidArgumentCode, $"The emulator failed this request because its prompt contains {FakeModel.FailMarker}.");

    /// <summary>The per-request failure of an answer: the rule it broke (INVALID_ARGUMENT), else the marker's.</summary>
    public static JsonObject Error(FakeAnswer a) => a.Rejection is { } r
        ? GeminiErrors.Status(GeminiErrors.InvalidArgumentCode, r.Message)
        : Error(a.Outcome);

    /// <summary>Reads and answers one request (structure already checked): what batches store and write.</summary>
    public static FakeAnswer Answer(JsonElement request, List<FakeMessage> messages, string modelVersion) =>
        FakeModel.Answer(GeminiRequests.Read(request, messages, modelVersion));
}

/// <summary>Google-style resource ids: lowercase letters and digits.</summary>
internal static class GeminiIds
{
    public static string New(int length) =>
        System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", length);
}
