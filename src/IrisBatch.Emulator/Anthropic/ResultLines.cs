using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using IrisBatch.Emulator.OpenAI;

namespace IrisBatch.Emulator.Anthropic;

/// <summary>
/// The lines of a results file (spec §3.5): <c>{"custom_id", "result"}</c> with a result of type succeeded (a Message),
/// errored (a full error envelope, so the type sits at <c>result.error.error.type</c>), canceled or expired.
/// </summary>
internal static class ResultLines
{
    /// <summary>What a request comes to once it has run: its params are checked, then the fake model answers.</summary>
    public static (JsonObject Line, bool Succeeded) Run(string customId, JsonElement ps) => Run(customId, ps, out _);

    /// <param name="answer">The fake model's answer, null when the basic params checks failed.</param>
    /// <param name="structuredOutputsBeta">The batch was created with the structured-outputs beta header (legacy <c>output_format</c>).</param>
    public static (JsonObject Line, bool Succeeded) Run(string customId, JsonElement ps, out FakeAnswer? answer, bool structuredOutputsBeta = false)
    {
        answer = null;
        if (CheckParams(ps) is { } problem) return (Errored(customId, "invalid_request_error", problem), false);

        var a = FakeModel.Answer(AnthropicRequests.Read(ps, Messages(ps), structuredOutputsBeta));
        answer = a;
        if (a.Rejection is { } rejection) return (Errored(customId, "invalid_request_error", rejection.Message), false);
        return a.Outcome switch
        {
            FakeOutcome.Fail400 => (Errored(customId, "invalid_request_error",
                $"The emulator failed this request because its prompt contains {FakeModel.FailMarker}."), false),
            FakeOutcome.Fail500 => (Errored(customId, "api_error",
                $"The emulator failed this request because its prompt contains {FakeModel.Fail500Marker}."), false),
            _ => (Line(customId, new JsonObject
            {
                ["type"] = "succeeded",
                ["message"] = new JsonObject
                {
                    ["id"] = Ids.Alphanumeric("msg_01", 22),
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = ps.GetProperty("model").GetString(),
                    ["content"] = Content(a, ps),
                    ["stop_reason"] = a.Finish switch { FakeFinish.Length => "max_tokens", FakeFinish.Refusal => "refusal", _ => "end_turn" },
                    ["stop_sequence"] = null,
                    ["usage"] = Usage(a),
                },
            }), true),
        };
    }

    /// <summary>Thinking block first (when thinking), then the text block (the refusal text for a refusal; none when a cut left no text).</summary>
    private static JsonArray Content(FakeAnswer a, JsonElement ps)
    {
        var content = new JsonArray();
        if (a.ReasoningTokens > 0)
        {
            bool omitted = ps.TryGetProperty("thinking", out var t) && t.TryGetProperty("display", out var d) && d.ValueKind == JsonValueKind.String && d.GetString() == "omitted";
            content.Add(new JsonObject
            {
                ["type"] = "thinking",
                ["thinking"] = omitted ? "" : "Thinking it through before answering.",
                ["signature"] = Ids.Alphanumeric("sig_", 40),
            });
        }
        string text = a.Finish == FakeFinish.Refusal ? a.Refusal! : a.Content;
        if (text.Length > 0) content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        return content;
    }

    /// <summary>
    /// Usage (spec §11.6): thinking tokens are inside output_tokens; output_tokens_details.thinking_tokens gives their share.
    /// input_tokens leaves out the prompt's tokens written to the cache (cache_creation_input_tokens, split by TTL in
    /// cache_creation) and read from it (cache_read_input_tokens), reported when there are any.
    /// </summary>
    private static JsonObject Usage(FakeAnswer a)
    {
        int written = a.CacheWriteTokens, read = Math.Min(a.CachedTokens, a.PromptTokens - a.CacheWriteTokens);
        var usage = new JsonObject { ["input_tokens"] = a.PromptTokens - written - read, ["output_tokens"] = a.CompletionTokens };
        if (written > 0)
        {
            usage["cache_creation_input_tokens"] = written;
            usage["cache_creation"] = new JsonObject
            {
                ["ephemeral_5m_input_tokens"] = a.CacheWrite1h ? 0 : written,
                ["ephemeral_1h_input_tokens"] = a.CacheWrite1h ? written : 0,
            };
        }
        if (read > 0) usage["cache_read_input_tokens"] = read;
        if (a.ReasoningTokens > 0) usage["output_tokens_details"] = new JsonObject { ["thinking_tokens"] = a.ReasoningTokens };
        return usage;
    }

    public static JsonObject Canceled(string customId) => Line(customId, new JsonObject { ["type"] = "canceled" });

    public static JsonObject Expired(string customId) => Line(customId, new JsonObject { ["type"] = "expired" });

    private static JsonObject Errored(string customId, string type, string message) => Line(customId, new JsonObject
    {
        ["type"] = "errored",
        ["error"] = AnthropicErrors.Envelope(type, message, requestId: null),
    });

    private static JsonObject Line(string customId, JsonObject result) => new() { ["custom_id"] = customId, ["result"] = result };

    /// <summary>The checks the service makes when a request runs, not when the batch is created (spec §3.3).</summary>
    private static string? CheckParams(JsonElement ps)
    {
        if (!ps.TryGetProperty("model", out var model)) return "model: Field required";
        if (model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 }) return "model: Input should be a valid string";
        if (!ps.TryGetProperty("max_tokens", out var maxTokens)) return "max_tokens: Field required";
        if (!maxTokens.TryGetInt64(out long max)) return "max_tokens: Input should be a valid integer";
        if (max < 1) return "max_tokens: Input should be greater than or equal to 1";
        if (!ps.TryGetProperty("messages", out var messages)) return "messages: Field required";
        if (messages.ValueKind != JsonValueKind.Array) return "messages: Input should be a valid list";
        if (messages.GetArrayLength() == 0) return "messages: at least one message is required";
        if (ps.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            return "stream: streaming is not supported in Message Batches";
        // params are the Messages API's (spec §3.3, §11.5), which refuses a field it does not know (an OpenAI
        // reasoning_effort or response_format, say). output_format is checked with the beta header that makes it known.
        foreach (var p in ps.EnumerateObject())
            if (p.Name != "output_format" && !KnownParams.Contains(p.Name)) return $"{p.Name}: Extra inputs are not permitted";
        return null;
    }

    /// <summary>
    /// The Messages API's request fields (ASDK <c>MessageCreateParamsNonStreaming</c>), and the beta ones the emulator lets
    /// through without their header (<c>mcp_servers</c>, <c>context_management</c>).
    /// </summary>
    private static readonly HashSet<string> KnownParams = new(StringComparer.Ordinal)
    {
        "model", "max_tokens", "messages", "cache_control", "container", "inference_geo", "metadata", "output_config",
        "service_tier", "stop_sequences", "stream", "system", "temperature", "thinking", "tool_choice", "tools", "top_k", "top_p",
        "mcp_servers", "context_management",
    };

    /// <summary>The top-level <c>system</c> (a string or text blocks), then each message's text.</summary>
    private static List<FakeMessage> Messages(JsonElement ps)
    {
        var list = new List<FakeMessage>();
        if (ps.TryGetProperty("system", out var system)) list.Add(new FakeMessage("system", RequestText.ContentText(system)));
        foreach (var m in ps.GetProperty("messages").EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String) continue;
            string text = m.TryGetProperty("content", out var c) ? RequestText.ContentText(c) : "";
            list.Add(new FakeMessage(role.GetString()!, text));
        }
        return list;
    }
}
