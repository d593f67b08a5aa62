using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>The "response.body" of result lines: what each endpoint would have answered for the fake model's answer.</summary>
internal static class ResponseBodies
{
    /// <summary>Tokens billed for a successful request: (input, output).</summary>
    public static (int Input, int Output) Usage(string endpoint, FakeAnswer a) =>
        endpoint is "/v1/embeddings" or "/v1/moderations" ? (a.PromptTokens, 0) : (a.PromptTokens, a.CompletionTokens);

    /// <summary>Cached input tokens a successful request's usage reports: only the chat and Responses bodies have a count (§11.6).</summary>
    public static int Cached(string endpoint, FakeAnswer a) =>
        endpoint is OpenAIRequests.Chat or OpenAIRequests.Responses ? a.CachedTokens : 0;

    public static JsonObject Success(string endpoint, string model, FakeAnswer a, JsonElement body, long created) => endpoint switch
    {
        "/v1/responses" => Response(model, a, body, created),
        "/v1/completions" => TextCompletion(model, a, created),
        "/v1/embeddings" => EmbeddingRequests.Response(model, body, a.PromptTokens),
        "/v1/moderations" => Moderation(model),
        _ => ChatCompletion(model, a, created),
    };

    public static JsonObject Failure(FakeOutcome outcome) => outcome == FakeOutcome.Fail500
        ? OpenAIErrors.Envelope($"The emulator failed this request because its prompt contains {FakeModel.Fail500Marker}.", "server_error", null, null)
        : OpenAIErrors.Envelope($"The emulator failed this request because its prompt contains {FakeModel.FailMarker}.", "invalid_request_error", "messages", "emulated_failure");

    /// <summary>The error body of a failed request: the rule it broke (spec §11), or the [fail] / [fail500] marker's.</summary>
    public static JsonObject Failure(FakeAnswer a) => a.Rejection is { } r
        ? OpenAIErrors.Envelope(r.Message, r.Type, r.Param, r.Code)
        : Failure(a.Outcome);

    public static int StatusCode(FakeOutcome outcome) => outcome switch
    {
        FakeOutcome.Fail400 => 400,
        FakeOutcome.Fail500 => 500,
        _ => 200,
    };

    private static JsonObject ChatCompletion(string model, FakeAnswer a, long created) => new()
    {
        ["id"] = Ids.Alphanumeric("chatcmpl-", 29),
        ["object"] = "chat.completion",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = a.Finish == FakeFinish.Refusal ? null : a.Content,
                ["refusal"] = a.Refusal,
                ["annotations"] = new JsonArray(),
            },
            ["logprobs"] = null,
            ["finish_reason"] = a.Finish switch { FakeFinish.Length => "length", FakeFinish.ContentFilter => "content_filter", _ => "stop" },
        }),
        ["usage"] = ChatUsage(a),
        ["system_fingerprint"] = "fp_emulator",
    };

    /// <summary>CompletionUsage (spec §11.6): reasoning tokens are part of completion_tokens.</summary>
    public static JsonObject ChatUsage(FakeAnswer a) => new()
    {
        ["prompt_tokens"] = a.PromptTokens,
        ["completion_tokens"] = a.CompletionTokens,
        ["total_tokens"] = a.TotalTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = a.CachedTokens, ["audio_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject
        {
            ["reasoning_tokens"] = a.ReasoningTokens,
            ["audio_tokens"] = 0,
            ["accepted_prediction_tokens"] = 0,
            ["rejected_prediction_tokens"] = 0,
        },
    };

    private static JsonObject TextCompletion(string model, FakeAnswer a, long created) => new()
    {
        ["id"] = Ids.Alphanumeric("cmpl-", 29),
        ["object"] = "text_completion",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["text"] = a.Content,
            ["index"] = 0,
            ["logprobs"] = null,
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject
        {
            ["prompt_tokens"] = a.PromptTokens,
            ["completion_tokens"] = a.CompletionTokens,
            ["total_tokens"] = a.TotalTokens,
        },
    };

    /// <summary>A Response object (spec §11.3): a reasoning item for reasoning models, then the message (output_text or refusal part).</summary>
    private static JsonObject Response(string model, FakeAnswer a, JsonElement body, long created)
    {
        // Cut at the limit (max_output_tokens) or stopped by the content filter: both are status incomplete (spec §11.3).
        bool incomplete = a.Finish is FakeFinish.Length or FakeFinish.ContentFilter;
        var output = new JsonArray();
        if (a.Request?.ReasoningEffort is { } effort && effort != "none")
            output.Add(new JsonObject { ["id"] = Ids.Hex("rs_", 48), ["type"] = "reasoning", ["summary"] = new JsonArray() });
        JsonObject? part = a.Finish == FakeFinish.Refusal
            ? new JsonObject { ["type"] = "refusal", ["refusal"] = a.Refusal }
            : a.Content.Length > 0 ? new JsonObject { ["type"] = "output_text", ["text"] = a.Content, ["annotations"] = new JsonArray(), ["logprobs"] = new JsonArray() }
            : null;
        if (part is not null)
            output.Add(new JsonObject
            {
                ["id"] = Ids.Hex("msg_", 48),
                ["type"] = "message",
                ["status"] = incomplete ? "incomplete" : "completed",
                ["role"] = "assistant",
                ["content"] = new JsonArray(part),
            });
        JsonNode? Echo(string name) => body.TryGetProperty(name, out var v) ? JsonNode.Parse(v.GetRawText()) : null;
        var text = body.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.Object ? JsonNode.Parse(t.GetRawText())!.AsObject() : new JsonObject();
        if (!text.ContainsKey("format")) text["format"] = new JsonObject { ["type"] = "text" };
        return new JsonObject
        {
            ["id"] = Ids.Hex("resp_", 48),
            ["object"] = "response",
            ["created_at"] = created,
            ["status"] = incomplete ? "incomplete" : "completed",
            ["background"] = false,
            ["completed_at"] = incomplete ? null : created,
            ["error"] = null,
            ["incomplete_details"] = incomplete ? new JsonObject { ["reason"] = a.Finish == FakeFinish.ContentFilter ? "content_filter" : "max_output_tokens" } : null,
            ["instructions"] = Echo("instructions"),
            ["max_output_tokens"] = Echo("max_output_tokens"),
            ["model"] = model,
            ["output"] = output,
            ["parallel_tool_calls"] = true,
            ["previous_response_id"] = null,
            ["reasoning"] = new JsonObject
            {
                ["effort"] = a.Request?.ReasoningEffort,
                ["summary"] = null,
            },
            ["store"] = body.TryGetProperty("store", out var st) && st.ValueKind == JsonValueKind.False ? false : true,
            ["temperature"] = body.TryGetProperty("temperature", out var temp) && temp.ValueKind == JsonValueKind.Number ? temp.GetDouble() : 1.0,
            ["text"] = text,
            ["tool_choice"] = "auto",
            ["tools"] = new JsonArray(),
            ["top_p"] = body.TryGetProperty("top_p", out var tp) && tp.ValueKind == JsonValueKind.Number ? tp.GetDouble() : 1.0,
            ["truncation"] = "disabled",
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = a.PromptTokens,
                ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = a.CachedTokens, ["cache_write_tokens"] = 0 },
                ["output_tokens"] = a.CompletionTokens,
                ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = a.ReasoningTokens },
                ["total_tokens"] = a.TotalTokens,
            },
            ["user"] = null,
            ["metadata"] = new JsonObject(),
        };
    }

    private static JsonObject Moderation(string model) => new()
    {
        ["id"] = Ids.Alphanumeric("modr-", 29),
        ["model"] = model,
        ["results"] = new JsonArray(new JsonObject
        {
            ["flagged"] = false,
            ["categories"] = new JsonObject(),
            ["category_scores"] = new JsonObject(),
        }),
    };
}
