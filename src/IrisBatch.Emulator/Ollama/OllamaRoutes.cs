using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IrisBatch.Emulator.Ollama;

/// <summary>
/// Ollama (spec §6), which has no batch API: the native <c>POST /api/chat</c> (NDJSON stream by default, one object with
/// <c>"stream": false</c>) and the OpenAI-compatible <c>POST /v1/chat/completions</c>, both without auth (an
/// Authorization header is ignored), plus the model lists. Each answer waits the configured latency; beyond the parallel
/// limit a request is refused with 503 at once. An execution is counted (<see cref="OllamaStats"/>) only when its answer
/// is written to the end. With <c>--ollama-only</c> every other route of the emulator answers Ollama's plain 404, as a
/// real Ollama server does (no <c>/v1/files</c>, no <c>/v1/batches</c>); the control routes stay.
/// </summary>
internal static class OllamaRoutes
{
    public const string BusyMessage = "server busy, please try again. maximum pending requests exceeded";
    public const string Version = "0.12.6";

    private const string Root = "/", ApiVersion = "/api/version", ApiTags = "/api/tags", ApiChat = "/api/chat",
        V1Chat = "/v1/chat/completions", V1Models = "/v1/models", V1Model = "/v1/models/{model}";

    /// <summary>The route patterns that stay reachable with <c>--ollama-only</c>.</summary>
    private static readonly HashSet<string> Patterns = new(StringComparer.Ordinal)
        { Root, ApiVersion, ApiTags, ApiChat, V1Chat, V1Models, V1Model, OllamaEmbedRoutes.ApiEmbed, OllamaEmbedRoutes.V1Embeddings };

    /// <summary>What <c>/api/tags</c> and <c>/v1/models</c> list. Any model not starting with "invalid" can be chatted with.</summary>
    private static readonly (string Name, string Family, string Parameters, long Size)[] Models =
    {
        ("llama3.2:latest", "llama", "3.2B", 2019393189),
        ("qwen2.5:7b", "qwen2", "7.6B", 4683087332),
        ("mistral:latest", "llama", "7.2B", 4113301824),
        ("gemma3:4b", "gemma3", "4.3B", 3338801804),
    };

    private static readonly DateTimeOffset ModifiedAt = new(2025, 9, 1, 12, 0, 0, TimeSpan.Zero);

    public static void Map(WebApplication app, EmulatorState state)
    {
        if (state.Options.OllamaOnly)
        {
            app.Use(async (ctx, next) =>
            {
                bool ours = ctx.GetEndpoint() is RouteEndpoint e && e.RoutePattern.RawText is { } raw && Patterns.Contains(raw);
                if (ours || ctx.Request.Path.StartsWithSegments("/_emulator"))
                {
                    await next(ctx);
                    return;
                }
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                ctx.Response.ContentType = "text/plain";
                await ctx.Response.WriteAsync("404 page not found", ctx.RequestAborted);
            });
        }

        Pipeline.Map(app, state, "GET", Root, _ => Task.FromResult(Results.Text("Ollama is running", "text/plain; charset=utf-8")), null);
        Pipeline.Map(app, state, "HEAD", Root, _ => Task.FromResult(Results.Text("", "text/plain; charset=utf-8")), null);
        Pipeline.Map(app, state, "GET", ApiVersion, _ => Task.FromResult(Json.Result(new JsonObject { ["version"] = Version })), null);
        Pipeline.Map(app, state, "GET", ApiTags, _ => Task.FromResult(Tags()), null);
        Pipeline.Map(app, state, "GET", V1Models, _ => Task.FromResult(ListModels()), null);
        Pipeline.Map(app, state, "GET", V1Model, ctx => Task.FromResult(GetModel(ctx)), null);
        Pipeline.Map(app, state, "POST", ApiChat, ctx => ChatAsync(ctx, state), null);
        Pipeline.Map(app, state, "POST", V1Chat, ctx => CompletionsAsync(ctx, state), null);
        OllamaEmbedRoutes.Map(app, state);
    }

    // ---- native /api/chat -------------------------------------------------------------------------------------------

    internal static IResult NativeError(int status, string message) =>
        Json.Result(new JsonObject { ["error"] = message }, status);

    private static async Task<IResult> ChatAsync(HttpContext ctx, EmulatorState state)
    {
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException e) { return NativeError(400, "invalid JSON: " + e.Message); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return NativeError(400, "json: cannot unmarshal into Go value of type api.ChatRequest");
            if (!root.TryGetProperty("model", out var m) || m.ValueKind != JsonValueKind.String || m.GetString() is not { Length: > 0 } model)
                return NativeError(400, "model is required");
            if (model.StartsWith(InputValidator.InvalidModelPrefix, StringComparison.Ordinal))
                return NativeError(404, $"model \"{model}\" not found, try pulling it first");
            bool stream = true;
            if (root.TryGetProperty("stream", out var s) && s.ValueKind != JsonValueKind.Null)
            {
                if (s.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    return NativeError(400, "json: cannot unmarshal into Go struct field ChatRequest.stream of type bool");
                stream = s.GetBoolean();
            }
            var messages = new List<FakeMessage>();
            if (root.TryGetProperty("messages", out var ms) && ms.ValueKind != JsonValueKind.Null)
            {
                if (ms.ValueKind != JsonValueKind.Array)
                    return NativeError(400, "json: cannot unmarshal into Go struct field ChatRequest.messages of type []api.Message");
                foreach (var msg in ms.EnumerateArray())
                {
                    if (msg.ValueKind != JsonValueKind.Object)
                        return NativeError(400, "json: cannot unmarshal into Go struct field ChatRequest.messages of type api.Message");
                    string role = msg.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
                    string content = "";
                    if (msg.TryGetProperty("content", out var c) && c.ValueKind != JsonValueKind.Null)
                    {
                        if (c.ValueKind != JsonValueKind.String)
                            return NativeError(400, "json: cannot unmarshal into Go struct field Message.messages.content of type string");
                        content = c.GetString()!;
                    }
                    messages.Add(new FakeMessage(role, content));
                }
            }

            var answer = FakeModel.Answer(OllamaRequests.Native(root, messages));
            if (answer.Rejection is { } rejection) return NativeError(400, rejection.Message);
            string hash = OllamaStats.PromptHash(model, messages);
            return await RunAsync(ctx, state, model, hash, v1: false, async ct =>
            {
                state.Stats.Features.Count("ollama", RequestFeatures.Of(answer, "/api/chat"));
                if (answer.Outcome != FakeOutcome.Ok)
                    return JsonAnswer(ctx, answer.Outcome == FakeOutcome.Fail500 ? 500 : 400, new JsonObject { ["error"] = FailureMessage(answer.Outcome) });
                string created = Time(state.Now);
                int latency = state.Ollama.LatencyMs;
                if (!stream)
                {
                    var body = NativeChunk(model, created, Text(answer), done: true);
                    if (answer.ReasoningTokens > 0) body["message"]!["thinking"] = Thinking;
                    AddDone(body, answer, latency);
                    return JsonAnswer(ctx, 200, body);
                }
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "application/x-ndjson";
                foreach (string piece in Pieces(Text(answer)))
                    await WriteLineAsync(ctx, NativeChunk(model, created, piece, done: false), "", ct);
                var last = NativeChunk(model, created, "", done: true);
                AddDone(last, answer, latency);
                return Line(last, "");
            });
        }
    }

    private static JsonObject NativeChunk(string model, string created, string content, bool done) => new()
    {
        ["model"] = model,
        ["created_at"] = created,
        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
        ["done"] = done,
    };

    private static void AddDone(JsonObject o, FakeAnswer a, int latencyMs)
    {
        long ns = Math.Max(1, latencyMs) * 1_000_000L;
        o.Remove("done");
        o["done_reason"] = a.Finish == FakeFinish.Length ? "length" : "stop";
        o["done"] = true;
        o["total_duration"] = ns + 250_000;
        o["load_duration"] = 250_000;
        o["prompt_eval_count"] = a.PromptTokens;
        o["prompt_eval_duration"] = ns / 4;
        o["eval_count"] = a.CompletionTokens;
        o["eval_duration"] = ns - ns / 4;
    }

    // ---- OpenAI-compatible /v1/chat/completions ---------------------------------------------------------------------

    internal static JsonObject V1ErrorBody(string message, string type) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = null },
    };

    internal static IResult V1Error(int status, string message, string type = "invalid_request_error") => Json.Result(V1ErrorBody(message, type), status);

    private static async Task<IResult> CompletionsAsync(HttpContext ctx, EmulatorState state)
    {
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException e) { return V1Error(400, "invalid JSON: " + e.Message); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return V1Error(400, "the request body must be a JSON object");
            if (!root.TryGetProperty("model", out var m) || m.ValueKind != JsonValueKind.String || m.GetString() is not { Length: > 0 } model)
                return V1Error(400, "model is required");
            if (!root.TryGetProperty("messages", out var ms) || ms.ValueKind != JsonValueKind.Array)
                return V1Error(400, "messages is required");
            if (ms.GetArrayLength() == 0) return V1Error(400, "[] is too short - 'messages'");
            if (model.StartsWith(InputValidator.InvalidModelPrefix, StringComparison.Ordinal))
                return V1Error(404, $"model \"{model}\" not found, try pulling it first", "not_found_error");
            bool stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;

            var messages = RequestText.Messages("/v1/chat/completions", root);
            var answer = FakeModel.Answer(OllamaRequests.V1(root, messages));
            if (answer.Rejection is { } rejection) return V1Error(400, rejection.Message);
            string hash = OllamaStats.PromptHash(model, messages);
            return await RunAsync(ctx, state, model, hash, v1: true, async ct =>
            {
                state.Stats.Features.Count("ollama", RequestFeatures.Of(answer, "/v1/chat/completions"));
                if (answer.Outcome != FakeOutcome.Ok)
                {
                    bool is500 = answer.Outcome == FakeOutcome.Fail500;
                    return JsonAnswer(ctx, is500 ? 500 : 400, V1ErrorBody(FailureMessage(answer.Outcome), is500 ? "api_error" : "invalid_request_error"));
                }
                long created = state.Now.ToUnixTimeSeconds();
                string id = "chatcmpl-" + Random.Shared.Next(1, 1000).ToString(CultureInfo.InvariantCulture);
                if (!stream)
                {
                    return JsonAnswer(ctx, 200, new JsonObject
                    {
                        ["id"] = id,
                        ["object"] = "chat.completion",
                        ["created"] = created,
                        ["model"] = model,
                        ["system_fingerprint"] = "fp_ollama",
                        ["choices"] = new JsonArray(new JsonObject
                        {
                            ["index"] = 0,
                            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Text(answer) },
                            ["finish_reason"] = answer.Finish == FakeFinish.Length ? "length" : "stop",
                        }),
                        ["usage"] = new JsonObject
                        {
                            ["prompt_tokens"] = answer.PromptTokens,
                            ["completion_tokens"] = answer.CompletionTokens,
                            ["total_tokens"] = answer.TotalTokens,
                        },
                    });
                }
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "text/event-stream";
                JsonObject Chunk(string? content, string? finish) => new()
                {
                    ["id"] = id,
                    ["object"] = "chat.completion.chunk",
                    ["created"] = created,
                    ["model"] = model,
                    ["system_fingerprint"] = "fp_ollama",
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = content ?? "" },
                        ["finish_reason"] = finish,
                    }),
                };
                foreach (string piece in Pieces(Text(answer))) await WriteLineAsync(ctx, Chunk(piece, null), "data: ", ct);
                return [.. Line(Chunk("", answer.Finish == FakeFinish.Length ? "length" : "stop"), "data: "), .. "data: [DONE]\n\n"u8];
            });
        }
    }

    // ---- the shared execution path ----------------------------------------------------------------------------------

    /// <summary>
    /// Takes a parallel slot (503 without one), waits the latency and writes the answer. <paramref name="write"/> sets the
    /// status and headers, writes all but the answer's last bytes and returns those. The execution is counted just before
    /// they are sent, so whoever holds a complete answer sees it counted, and taken back if they cannot be sent: a client
    /// that hangs up before the end of its answer leaves no count.
    /// </summary>
    internal static async Task<IResult> RunAsync(HttpContext ctx, EmulatorState state, string model, string promptHash, bool v1,
        Func<CancellationToken, Task<byte[]>> write)
    {
        var server = state.Ollama;
        if (!server.TryEnter())
        {
            state.Stats.Ollama.CountRejected();
            return v1 ? V1Error(503, BusyMessage, "api_error") : NativeError(503, BusyMessage);
        }
        CancellationToken ct = ctx.RequestAborted;
        try
        {
            int latency = server.LatencyMs;
            if (latency > 0) await Task.Delay(latency, ct);
            byte[] last = await write(ct);
            ct.ThrowIfCancellationRequested();
            // Kestrel learns that a client went away from its own read loop, which can lag behind a short latency on a
            // busy machine; the socket knows at once. An answer for a client that is gone was never delivered.
            if (ClientIsGone(ctx))
            {
                ctx.Abort();
                return Written.Instance;
            }
            bool duplicate = state.Stats.Ollama.CountAnswered(model, promptHash);
            try
            {
                await ctx.Response.Body.WriteAsync(last, ct);
                await ctx.Response.Body.FlushAsync(ct);
            }
            catch
            {
                state.Stats.Ollama.Uncount(model, promptHash, duplicate);
                throw;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away: nothing was executed as far as it can tell, and nothing is counted.
        }
        finally
        {
            server.Exit();
        }
        return Written.Instance;
    }

    /// <summary>
    /// Whether the client's side of the connection is closed (its process ended, or it hung up): the socket reads as
    /// ready with nothing to read. A live HTTP/1.1 client sends nothing while it waits for its answer.
    /// </summary>
    private static bool ClientIsGone(HttpContext ctx)
    {
        var socket = ctx.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket == null) return false;
        try { return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0; }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { return true; }
    }

    /// <summary>What the model says: the answer, or the refusal in plain text (Ollama has no refusal field).</summary>
    private static string Text(FakeAnswer a) => a.Finish == FakeFinish.Refusal ? a.Refusal! : a.Content;

    private const string Thinking = "Thinking it through before answering.";

    internal static string FailureMessage(FakeOutcome outcome) =>
        $"The emulator failed this request because its prompt contains {(outcome == FakeOutcome.Fail500 ? FakeModel.Fail500Marker : FakeModel.FailMarker)}.";

    /// <summary>Sets the status and headers of a JSON answer and returns its body, for <see cref="RunAsync"/> to send.</summary>
    internal static byte[] JsonAnswer(HttpContext ctx, int status, JsonObject body)
    {
        byte[] bytes = Json.Utf8(body);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.ContentLength = bytes.Length;
        return bytes;
    }

    /// <summary>One NDJSON line (prefix "") or one server-sent event (prefix "data: ").</summary>
    private static byte[] Line(JsonObject o, string prefix) =>
        Encoding.UTF8.GetBytes(prefix + o.ToJsonString(Json.Options) + (prefix.Length == 0 ? "\n" : "\n\n"));

    /// <summary>Writes one line and flushes it, so the client sees the stream as it goes.</summary>
    private static async Task WriteLineAsync(HttpContext ctx, JsonObject o, string prefix, CancellationToken ct)
    {
        await ctx.Response.Body.WriteAsync(Line(o, prefix), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    /// <summary>The answer in streamable pieces: each word with the whitespace after it.</summary>
    internal static List<string> Pieces(string content)
    {
        var pieces = new List<string>();
        int start = 0;
        for (int i = 1; i <= content.Length; i++)
        {
            bool boundary = i == content.Length || (char.IsWhiteSpace(content[i - 1]) && !char.IsWhiteSpace(content[i]));
            if (!boundary) continue;
            pieces.Add(content[start..i]);
            start = i;
        }
        return pieces;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The answer was written by the handler itself.</summary>
    private sealed class Written : IResult
    {
        public static readonly Written Instance = new();
        public Task ExecuteAsync(HttpContext httpContext) => Task.CompletedTask;
    }

    // ---- model lists ------------------------------------------------------------------------------------------------

    private static IResult Tags() => Json.Result(new JsonObject
    {
        ["models"] = new JsonArray(Models.Select(m => (JsonNode)new JsonObject
        {
            ["name"] = m.Name,
            ["model"] = m.Name,
            ["modified_at"] = Time(ModifiedAt),
            ["size"] = m.Size,
            ["digest"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(m.Name))),
            ["details"] = new JsonObject
            {
                ["parent_model"] = "",
                ["format"] = "gguf",
                ["family"] = m.Family,
                ["families"] = new JsonArray(m.Family),
                ["parameter_size"] = m.Parameters,
                ["quantization_level"] = "Q4_K_M",
            },
        }).ToArray()),
    });

    private static JsonObject ModelObject(string name) => new()
    {
        ["id"] = name,
        ["object"] = "model",
        ["created"] = ModifiedAt.ToUnixTimeSeconds(),
        ["owned_by"] = "library",
    };

    private static IResult ListModels() => Json.Result(new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray(Models.Select(m => (JsonNode)ModelObject(m.Name)).ToArray()),
    });

    private static IResult GetModel(HttpContext ctx)
    {
        string name = (string)ctx.Request.RouteValues["model"]!;
        return Models.Any(m => m.Name == name || m.Name == name + ":latest")
            ? Json.Result(ModelObject(name))
            : V1Error(404, $"model \"{name}\" not found", "not_found_error");
    }
}
