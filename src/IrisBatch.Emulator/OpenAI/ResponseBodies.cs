using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>The "response.body" of result lines: what each endpoint would have answered for the fake model's answer.</summary>
internal static class ResponseBodies
{
    /// <summary>Tokens billed for a successful request: (input, output).</summary>
    public static (int Input, int Output) Usage(string endpoint, FakeAnswer a) =>
        endpoint is "/v1/embeddings" or "/v1/moderations" ? (a.PromptTokens, 0) : (a.PromptTokens, a.CompletionTokens);

    public static JsonObject Success(string endpoint, string model, FakeAnswer a, JsonElement body, long created) => endpoint switch
    {
        "/v1/responses" => Response(model, a, created),
        "/v1/completions" => TextCompletion(model, a, created),
        "/v1/embeddings" => Embeddings(model, a, RequestText.InputCount(body)),
        "/v1/moderations" => Moderation(model),
        _ => ChatCompletion(model, a, created),
    };

    public static JsonObject Failure(FakeOutcome outcome) => outcome == FakeOutcome.Fail500
        ? OpenAIErrors.Envelope($"The emulator failed this request because its prompt contains {FakeModel.Fail500Marker}.", "server_error", null, null)
        : OpenAIErrors.Envelope($"The emulator failed this request because its prompt contains {FakeModel.FailMarker}.", "invalid_request_error", "messages", "emulated_failure");

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
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = a.Content },
            ["logprobs"] = null,
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject
        {
            ["prompt_tokens"] = a.PromptTokens,
            ["completion_tokens"] = a.CompletionTokens,
            ["total_tokens"] = a.TotalTokens,
        },
        ["system_fingerprint"] = "fp_emulator",
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

    private static JsonObject Response(string model, FakeAnswer a, long created) => new()
    {
        ["id"] = Ids.Hex("resp_", 48),
        ["object"] = "response",
        ["created_at"] = created,
        ["status"] = "completed",
        ["error"] = null,
        ["incomplete_details"] = null,
        ["model"] = model,
        ["output"] = new JsonArray(new JsonObject
        {
            ["type"] = "message",
            ["id"] = Ids.Hex("msg_", 48),
            ["status"] = "completed",
            ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject
            {
                ["type"] = "output_text",
                ["text"] = a.Content,
                ["annotations"] = new JsonArray(),
            }),
        }),
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = a.PromptTokens,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["output_tokens"] = a.CompletionTokens,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
            ["total_tokens"] = a.TotalTokens,
        },
    };

    private static JsonObject Embeddings(string model, FakeAnswer a, int inputs)
    {
        var data = new JsonArray();
        for (int i = 0; i < inputs; i++)
        {
            var vector = new JsonArray();
            for (int d = 0; d < 8; d++) vector.Add(((a.PromptTokens + i * 7 + d * 13) % 100) / 100.0);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = vector });
        }
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = a.PromptTokens, ["total_tokens"] = a.PromptTokens },
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
