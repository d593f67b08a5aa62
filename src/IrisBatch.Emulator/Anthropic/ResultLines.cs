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
    public static (JsonObject Line, bool Succeeded) Run(string customId, JsonElement ps)
    {
        if (CheckParams(ps) is { } problem) return (Errored(customId, "invalid_request_error", problem), false);

        var answer = FakeModel.Answer(Messages(ps));
        return answer.Outcome switch
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
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = answer.Content }),
                    ["stop_reason"] = "end_turn",
                    ["stop_sequence"] = null,
                    ["usage"] = new JsonObject { ["input_tokens"] = answer.PromptTokens, ["output_tokens"] = answer.CompletionTokens },
                },
            }), true),
        };
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
        return null;
    }

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
