using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Ollama;

/// <summary>
/// Ollama's embedding routes (spec §11.5: synchronous, no batch API): native <c>POST /api/embed</c>
/// <c>{"model","input": string | string[],"dimensions"?,"truncate"?}</c> → <c>{"model","embeddings":[[…]],…,"prompt_eval_count"}</c>,
/// and the OpenAI-compatible <c>POST /v1/embeddings</c> → OpenAI's list. Vectors are <see cref="EmbeddingVectors.Vector"/>
/// (unit length) of the model's size (<see cref="EmbeddingVectors.DefaultDimensions"/>) or of <c>dimensions</c>. They run
/// through the same slots, latency and execution counters as the chat routes.
/// </summary>
internal static class OllamaEmbedRoutes
{
    public const string ApiEmbed = "/api/embed", V1Embeddings = "/v1/embeddings";

    public static void Map(WebApplication app, EmulatorState state)
    {
        Pipeline.Map(app, state, "POST", ApiEmbed, ctx => EmbedAsync(ctx, state, v1: false), null);
        Pipeline.Map(app, state, "POST", V1Embeddings, ctx => EmbedAsync(ctx, state, v1: true), null);
    }

    private static IResult Error(bool v1, int status, string message) =>
        v1 ? OllamaRoutes.V1Error(status, message) : OllamaRoutes.NativeError(status, message);

    private static async Task<IResult> EmbedAsync(HttpContext ctx, EmulatorState state, bool v1)
    {
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException e) { return Error(v1, 400, "invalid JSON: " + e.Message); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Error(v1, 400, "json: cannot unmarshal into Go value of type api.EmbedRequest");
            if (!root.TryGetProperty("model", out var m) || m.ValueKind != JsonValueKind.String || m.GetString() is not { Length: > 0 } model)
                return Error(v1, 400, "model is required");
            if (model.StartsWith(InputValidator.InvalidModelPrefix, StringComparison.Ordinal))
                return Error(v1, 404, $"model \"{model}\" not found, try pulling it first");
            var inputs = new List<string>();
            if (root.TryGetProperty("input", out var input))
            {
                if (input.ValueKind == JsonValueKind.String) inputs.Add(input.GetString()!);
                else if (input.ValueKind == JsonValueKind.Array && input.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String))
                    inputs.AddRange(input.EnumerateArray().Select(i => i.GetString()!));
                else return Error(v1, 400, $"invalid input type");
            }
            if (inputs.Count == 0 || (v1 && inputs.Any(i => i.Length == 0))) return Error(v1, 400, "invalid input");
            int full = EmbeddingVectors.DefaultDimensions(model), dims = full;
            if (root.TryGetProperty("dimensions", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                if (!d.TryGetInt32(out dims) || dims < 1 || dims > full) return Error(v1, 400, $"invalid dimensions: must be between 1 and {full}");
            }
            bool base64 = v1 && root.TryGetProperty("encoding_format", out var ef) && ef.ValueKind == JsonValueKind.String && ef.GetString() == "base64";

            var answer = FakeModel.Answer(new[] { new FakeMessage("user", string.Join("\n", inputs)) });
            string hash = OllamaStats.PromptHash(model, inputs.Select(i => new FakeMessage("embed", i)).ToList());
            return await OllamaRoutes.RunAsync(ctx, state, model, hash, v1, ct =>
            {
                state.Stats.Features.Count("ollama", RequestFeatures.Of(answer, v1 ? V1Embeddings : ApiEmbed, inputs.Count));
                if (answer.Outcome != FakeOutcome.Ok)
                {
                    int status = answer.Outcome == FakeOutcome.Fail500 ? 500 : 400;
                    string message = OllamaRoutes.FailureMessage(answer.Outcome);
                    return Task.FromResult(OllamaRoutes.JsonAnswer(ctx, status, v1
                        ? OllamaRoutes.V1ErrorBody(message, status == 500 ? "api_error" : "invalid_request_error")
                        : new JsonObject { ["error"] = message }));
                }
                var vectors = inputs.Select(i => EmbeddingVectors.Vector(i, dims)).ToList();
                JsonObject body;
                if (v1)
                {
                    var data = new JsonArray();
                    for (int i = 0; i < vectors.Count; i++)
                        data.Add(new JsonObject
                        {
                            ["object"] = "embedding",
                            ["embedding"] = base64 ? JsonValue.Create(EmbeddingVectors.ToBase64(vectors[i])) : Floats(vectors[i]),
                            ["index"] = i,
                        });
                    body = new JsonObject
                    {
                        ["object"] = "list",
                        ["data"] = data,
                        ["model"] = model,
                        ["usage"] = new JsonObject { ["prompt_tokens"] = answer.PromptTokens, ["total_tokens"] = answer.PromptTokens },
                    };
                }
                else
                {
                    long ns = Math.Max(1, state.Ollama.LatencyMs) * 1_000_000L;
                    body = new JsonObject
                    {
                        ["model"] = model,
                        ["embeddings"] = new JsonArray(vectors.Select(v => (JsonNode)Floats(v)).ToArray()),
                        ["total_duration"] = ns + 250_000,
                        ["load_duration"] = 250_000,
                        ["prompt_eval_count"] = answer.PromptTokens,
                    };
                }
                return Task.FromResult(OllamaRoutes.JsonAnswer(ctx, 200, body));
            });
        }
    }

    private static JsonArray Floats(float[] v) => new(v.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
}
