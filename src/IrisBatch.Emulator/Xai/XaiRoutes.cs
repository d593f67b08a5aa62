using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IrisBatch.Emulator.Xai;

/// <summary>
/// xAI's native batch API (spec §5) under a prefix of its own (default <c>/xai/v1</c>, option <c>--xai-prefix</c>), because
/// its <c>POST /v1/batches</c> takes <c>{"name"}</c> where OpenAI's, on the same server, takes <c>input_file_id</c>.
/// Create, add requests (≤ 25 MB per call), get, list, list requests, paginated results, cancel. Every route goes through
/// <see cref="Pipeline"/>, so stats and faults apply.
/// </summary>
internal static class XaiRoutes
{
    public const string DefaultPrefix = "/xai/v1";
    public const long MaxAddBytes = 25L * 1000 * 1000;   // "25 MB per add call" (§6), the smaller, decimal reading
    public const int DefaultLimit = 100, MaxLimit = 1000;

    public static void Map(WebApplication app, EmulatorState state)
    {
        string prefix = state.Options.XaiPrefix;
        Func<HttpContext, IResult?> auth = ctx => XaiErrors.Authenticate(ctx, state.Options.ApiKey);
        string batches = prefix + "/batches", one = batches + "/{batch_id}";
        Pipeline.Map(app, state, "POST", batches, ctx => CreateAsync(ctx, state), auth);
        Pipeline.Map(app, state, "GET", batches, ctx => Task.FromResult(List(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", one, ctx => Task.FromResult(Get(ctx, state)), auth);
        Pipeline.Map(app, state, "POST", one + ":cancel", ctx => Task.FromResult(Cancel(ctx, state)), auth);
        Pipeline.Map(app, state, "POST", one + "/requests", ctx => AddAsync(ctx, state), auth);
        Pipeline.Map(app, state, "GET", one + "/requests", ctx => Task.FromResult(ListRequests(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", one + "/results", ctx => Task.FromResult(Results(ctx, state)), auth);

        string fallback = prefix + "/{**path}";
        Func<HttpContext, Task<IResult>> unknown = c => Task.FromResult(XaiErrors.NotFound($"No route for {c.Request.Method} {c.Request.Path}."));
        app.MapFallback(fallback, ctx => Pipeline.RunAsync(ctx, state, ctx.Request.Method + " " + fallback, unknown, authenticate: null));
    }

    private static string BatchId(HttpContext ctx) => (string)ctx.Request.RouteValues["batch_id"]!;

    private static IResult NoSuchBatch(HttpContext ctx) => XaiErrors.NotFound($"Batch '{BatchId(ctx)}' not found.");

    private static async Task<(JsonDocument? Doc, IResult? Error)> ReadJsonAsync(HttpContext ctx, long maxBytes)
    {
        IResult TooLarge() => XaiErrors.Result(StatusCodes.Status413PayloadTooLarge, XaiErrors.InvalidArgument,
            $"The request body exceeds the limit of {maxBytes} bytes ({maxBytes / (1000 * 1000)} MB) per call.");
        if (ctx.Request.ContentLength > maxBytes) return (null, TooLarge());
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = maxBytes;
        try
        {
            var doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return (doc, null);
            doc.Dispose();
            return (null, XaiErrors.BadRequest("The request body must be a JSON object."));
        }
        catch (JsonException e)
        {
            return (null, XaiErrors.BadRequest("Failed to deserialize the JSON body into the target type: " + e.Message));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
    }

    private static async Task<IResult> CreateAsync(HttpContext ctx, EmulatorState state)
    {
        var (doc, error) = await ReadJsonAsync(ctx, MaxAddBytes);
        if (doc is null) return error!;
        using (doc)
        {
            var root = doc.RootElement;
            foreach (var p in root.EnumerateObject())
            {
                if (p.Name == "input_file_id")
                    return XaiErrors.BadRequest("This emulator serves xAI's native batches only: create with {\"name\"} and add requests; input_file_id is not supported.");
                if (p.Name != "name") return XaiErrors.BadRequest($"Unknown field '{p.Name}': a batch is created with {{\"name\"}}.");
            }
            if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } n)
                return XaiErrors.BadRequest("Field 'name' is required and must be a non-empty string.");
            var batch = state.Xai.Create(n);
            state.Stats.CountBatchCreated();
            return Json.Result(batch.Observe(state.Now));
        }
    }

    private static async Task<IResult> AddAsync(HttpContext ctx, EmulatorState state)
    {
        if (!state.Xai.TryGet(BatchId(ctx), out var batch)) return NoSuchBatch(ctx);
        var (doc, error) = await ReadJsonAsync(ctx, MaxAddBytes);
        if (doc is null) return error!;
        using (doc)
        {
            var root = doc.RootElement;
            foreach (var p in root.EnumerateObject())
                if (p.Name != "batch_requests") return XaiErrors.BadRequest($"Unknown field '{p.Name}': send {{\"batch_requests\": [...]}}.");
            if (!root.TryGetProperty("batch_requests", out var array) || array.ValueKind != JsonValueKind.Array)
                return XaiErrors.BadRequest("Field 'batch_requests' is required and must be an array.");
            if (array.GetArrayLength() == 0) return XaiErrors.BadRequest("Field 'batch_requests' must not be empty.");

            var requests = new List<XaiBatch.NewRequest>(array.GetArrayLength());
            var ids = new HashSet<string>(StringComparer.Ordinal);
            int i = 0;
            foreach (var entry in array.EnumerateArray())
            {
                var (request, problem) = ReadRequest(entry, i++);
                if (problem is not null) return XaiErrors.BadRequest(problem);
                if (!ids.Add(request!.Id)) return XaiErrors.BadRequest($"batch_request_id '{request.Id}' appears more than once in this call.");
                requests.Add(request);
            }
            string? refused = batch.Add(requests, state.Now, state.Timing);
            if (refused is null)
                foreach (var r in requests) state.Stats.Features.Count("xai", RequestFeatures.Of(r.Answer, r.Kind == XaiKind.Responses ? "/v1/responses" : "/v1/chat/completions"));
            if (refused is not null) return XaiErrors.BadRequest(refused);
            return Json.Result(new JsonObject());
        }
    }

    private static (XaiBatch.NewRequest? Request, string? Problem) ReadRequest(JsonElement entry, int index)
    {
        string at = $"batch_requests[{index}]";
        if (entry.ValueKind != JsonValueKind.Object) return (null, $"{at} must be an object.");
        foreach (var p in entry.EnumerateObject())
            if (p.Name is not ("batch_request_id" or "batch_request")) return (null, $"{at}: unknown field '{p.Name}'.");
        if (!entry.TryGetProperty("batch_request_id", out var idElement) || idElement.ValueKind != JsonValueKind.String || idElement.GetString() is not { Length: > 0 } id)
            return (null, $"{at}.batch_request_id is required and must be a non-empty string.");
        if (!entry.TryGetProperty("batch_request", out var request) || request.ValueKind != JsonValueKind.Object)
            return (null, $"{at}.batch_request is required and must be an object.");
        var kinds = request.EnumerateObject().ToList();
        if (kinds.Count != 1 || kinds[0].Name is not ("chat_get_completion" or "responses"))
            return (null, $"{at}.batch_request must hold exactly one of 'chat_get_completion' or 'responses'.");
        var kind = kinds[0].Name == "responses" ? XaiKind.Responses : XaiKind.ChatGetCompletion;
        var body = kinds[0].Value;
        string path = $"{at}.batch_request.{kinds[0].Name}";
        if (body.ValueKind != JsonValueKind.Object) return (null, $"{path} must be an object.");
        if (!body.TryGetProperty("model", out var m) || m.ValueKind != JsonValueKind.String || m.GetString() is not { Length: > 0 } model)
            return (null, $"{path}.model is required and must be a non-empty string.");
        if (body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            return (null, $"{path}.stream: streaming is not supported in batch requests.");
        if (kind == XaiKind.ChatGetCompletion)
        {
            if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
                return (null, $"{path}.messages is required and must be a non-empty array.");
            int j = 0;
            foreach (var message in messages.EnumerateArray())
            {
                if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                    return (null, $"{path}.messages[{j}] must be an object with a 'role' string.");
                j++;
            }
        }
        else if (!body.TryGetProperty("input", out var input) || input.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            return (null, $"{path}.input is required (a string or an array of messages).");

        var answer = OpenAI.OpenAIRequests.Answer(kind == XaiKind.Responses ? "/v1/responses" : "/v1/chat/completions", body, OpenAI.OpenAIRequests.Dialect.Xai);
        return (new XaiBatch.NewRequest(id, kind, model, answer), null);
    }

    private static IResult Get(HttpContext ctx, EmulatorState state) =>
        state.Xai.TryGet(BatchId(ctx), out var b) ? Json.Result(b.Observe(state.Now)) : NoSuchBatch(ctx);

    private static IResult Cancel(HttpContext ctx, EmulatorState state)
    {
        if (!state.Xai.TryGet(BatchId(ctx), out var b)) return NoSuchBatch(ctx);
        // Cancelling again returns the batch unchanged, so a retried cancel never fails.
        if (b.Cancel(state.Now)) state.Stats.CountCancel();
        return Json.Result(b.Observe(state.Now));
    }

    private static IResult List(HttpContext ctx, EmulatorState state)
    {
        if (Paging(ctx, out int limit, out string? token) is { } bad) return bad;
        long after = long.MaxValue;
        if (token is not null && !TryDecode(token, "b", out after, out _)) return XaiErrors.BadRequest("Invalid pagination_token.");
        var all = state.Xai.NewestFirst().Where(b => b.Seq < after).ToList();
        var page = all.Take(limit).ToList();
        var now = state.Now;
        return Json.Result(new JsonObject
        {
            ["batches"] = new JsonArray(page.Select(b => (JsonNode)b.Observe(now)).ToArray()),
            ["pagination_token"] = all.Count > page.Count ? Encode("b", page[^1].Seq, 0) : null,
        });
    }

    private static IResult ListRequests(HttpContext ctx, EmulatorState state)
    {
        if (!state.Xai.TryGet(BatchId(ctx), out var b)) return NoSuchBatch(ctx);
        if (Paging(ctx, out int limit, out string? token) is { } bad) return bad;
        long from = 0;
        if (token is not null && !TryDecode(token, "q", out from, out _)) return XaiErrors.BadRequest("Invalid pagination_token.");
        var all = b.Requests(state.Now);
        var page = all.Skip((int)Math.Min(from, int.MaxValue)).Take(limit).ToList();
        var items = new JsonArray();
        foreach (var (r, s, finishedAt) in page)
        {
            items.Add(new JsonObject
            {
                ["batch_request_id"] = r.Id,
                ["endpoint"] = r.Endpoint,
                ["model"] = r.Model,
                ["state"] = s switch
                {
                    XaiRequestState.Succeeded => "succeeded",
                    XaiRequestState.Failed => "failed",
                    XaiRequestState.Cancelled => "cancelled",
                    _ => "pending",
                },
                ["create_time"] = XaiBatch.Time(r.CreatedAt),
                ["finish_time"] = XaiBatch.Time(finishedAt),
            });
        }
        long next = from + page.Count;
        return Json.Result(new JsonObject
        {
            ["batch_request_metadata"] = items,
            ["pagination_token"] = next < all.Count ? Encode("q", next, 0) : null,
        });
    }

    private static IResult Results(HttpContext ctx, EmulatorState state)
    {
        if (!state.Xai.TryGet(BatchId(ctx), out var b)) return NoSuchBatch(ctx);
        if (Paging(ctx, out int limit, out string? token) is { } bad) return bad;
        long afterTicks = long.MinValue, afterIndex = -1;
        if (token is not null && !TryDecode(token, "r", out afterTicks, out afterIndex)) return XaiErrors.BadRequest("Invalid pagination_token.");
        var all = b.Finished(state.Now)
            .Where(d => d.FinishedAt.UtcTicks > afterTicks || (d.FinishedAt.UtcTicks == afterTicks && d.Request.FinishSeq > afterIndex))
            .ToList();
        var page = all.Take(limit).ToList();
        var results = new JsonArray();
        foreach (var (r, finishedAt) in page) results.Add(Result(r, finishedAt));
        state.Stats.CountDownload();
        return Json.Result(new JsonObject
        {
            ["results"] = results,
            ["pagination_token"] = all.Count > page.Count ? Encode("r", page[^1].FinishedAt.UtcTicks, page[^1].Request.FinishSeq) : null,
        });
    }

    private static JsonObject Result(XaiRequest r, DateTimeOffset finishedAt)
    {
        if (r.Answer.Outcome != FakeOutcome.Ok)
        {
            string marker = r.Answer.Outcome == FakeOutcome.Fail500 ? FakeModel.Fail500Marker : FakeModel.FailMarker;
            return new JsonObject
            {
                ["batch_request_id"] = r.Id,
                ["error_message"] = r.Answer.Rejection?.Message ?? $"The emulator failed this request because its prompt contains {marker}.",
            };
        }
        long created = finishedAt.ToUnixTimeSeconds();
        var response = r.Kind == XaiKind.Responses
            ? new JsonObject { ["responses"] = ResponsesBody(r, created) }
            : new JsonObject { ["chat_get_completion"] = ChatCompletion(r, created) };
        return new JsonObject
        {
            ["batch_request_id"] = r.Id,
            ["batch_result"] = new JsonObject { ["response"] = response },
        };
    }

    private static JsonObject ChatCompletion(XaiRequest r, long created) => new()
    {
        ["id"] = Guid.NewGuid().ToString("D"),
        ["object"] = "chat.completion",
        ["created"] = created,
        ["model"] = r.Model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = r.Answer.Finish == FakeFinish.Refusal ? null : r.Answer.Content,
                ["refusal"] = r.Answer.Refusal,
            },
            ["finish_reason"] = r.Answer.Finish == FakeFinish.Length ? "length" : "stop",
        }),
        // xAI reports reasoning tokens apart from completion_tokens (spec §11.6), and counts them in the total.
        ["usage"] = new JsonObject
        {
            ["prompt_tokens"] = r.Answer.PromptTokens,
            // "[cached]": the part of the prompt read from the cache, included in prompt_tokens (spec §11.6).
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = r.Answer.CachedTokens },
            ["completion_tokens"] = r.Answer.VisibleTokens,
            ["total_tokens"] = r.Answer.TotalTokens,
            ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = r.Answer.ReasoningTokens },
            ["cost_in_usd_ticks"] = CostTicks(r.Answer),
        },
        ["system_fingerprint"] = "fp_emulator",
    };

    private static JsonObject ResponsesBody(XaiRequest r, long created) => new()
    {
        ["id"] = Guid.NewGuid().ToString("D"),
        ["object"] = "response",
        ["created_at"] = created,
        ["model"] = r.Model,
        ["status"] = r.Answer.Finish == FakeFinish.Length ? "incomplete" : "completed",
        ["incomplete_details"] = r.Answer.Finish == FakeFinish.Length ? new JsonObject { ["reason"] = "max_output_tokens" } : null,
        ["output"] = new JsonArray(new JsonObject
        {
            ["type"] = "message",
            ["id"] = "msg_" + Guid.NewGuid().ToString("N"),
            ["role"] = "assistant",
            ["status"] = r.Answer.Finish == FakeFinish.Length ? "incomplete" : "completed",
            ["content"] = new JsonArray(r.Answer.Finish == FakeFinish.Refusal
                ? new JsonObject { ["type"] = "refusal", ["refusal"] = r.Answer.Refusal }
                : new JsonObject { ["type"] = "output_text", ["text"] = r.Answer.Content, ["annotations"] = new JsonArray() }),
        }),
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = r.Answer.PromptTokens,
            ["output_tokens"] = r.Answer.CompletionTokens,
            ["total_tokens"] = r.Answer.TotalTokens,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = r.Answer.ReasoningTokens },
            ["cost_in_usd_ticks"] = CostTicks(r.Answer),
        },
    };

    /// <summary>The emulator's flat fake rates for <c>cost_in_usd_ticks</c>: 1 USD = 10^10 ticks, so 1.50 USD per million prompt tokens and 7.50 per million output tokens (reasoning included).</summary>
    public const long PromptTicksPerToken = 15_000, OutputTicksPerToken = 75_000;

    /// <summary>What xAI says a request cost, "the actual amount billed, after all applicable discounts", in ticks (spec §11.6).</summary>
    public static long CostTicks(FakeAnswer a) => a.PromptTokens * PromptTicksPerToken + (long)a.CompletionTokens * OutputTicksPerToken;

    /// <summary><c>limit</c> (or <c>page_size</c>, which some clients send), 1..; larger values are capped.</summary>
    private static IResult? Paging(HttpContext ctx, out int limit, out string? token)
    {
        var q = ctx.Request.Query;
        limit = DefaultLimit;
        token = q.TryGetValue("pagination_token", out var t) && t.ToString() is { Length: > 0 } tv ? tv : null;
        string? raw = q.TryGetValue("limit", out var l) ? l.ToString() : q.TryGetValue("page_size", out var ps) ? ps.ToString() : null;
        if (raw is null) return null;
        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit) || limit < 1)
            return XaiErrors.BadRequest($"Invalid limit '{raw}': expected a positive integer.");
        limit = Math.Min(limit, MaxLimit);
        return null;
    }

    private static string Encode(string kind, long a, long b) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{kind}:{a}:{b}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string token, string kind, out long a, out long b)
    {
        a = b = 0;
        try
        {
            string b64 = token.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - b64.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(b64)).Split(':');
            return parts.Length == 3 && parts[0] == kind
                && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out a)
                && long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out b);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
