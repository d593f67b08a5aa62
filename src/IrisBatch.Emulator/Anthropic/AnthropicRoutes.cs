using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IrisBatch.Emulator.Anthropic;

/// <summary>
/// Anthropic Message Batches (spec §3) on the same server as the OpenAI surface: create, retrieve, list (newest first,
/// before_id / after_id cursors), cancel, results (JSONL at the batch's results_url) and delete. Every route goes through
/// <see cref="Pipeline"/>, so stats and faults apply as they do to OpenAI's.
/// </summary>
internal static class AnthropicRoutes
{
    public const string RequestIdHeader = "request-id";
    public const int DefaultListLimit = 20, MaxListLimit = 1000;

    public static void Map(WebApplication app, EmulatorState state)
    {
        // Anthropic calls its request id header "request-id"; it carries the same id as x-request-id.
        app.Use((ctx, next) =>
        {
            if (ctx.Request.Path.StartsWithSegments("/v1/messages")) ctx.Response.Headers[RequestIdHeader] = ctx.Response.Headers["x-request-id"];
            return next(ctx);
        });

        Func<HttpContext, IResult?> auth = ctx => AnthropicErrors.Authenticate(ctx, state.Options.ApiKey);
        const string Batches = "/v1/messages/batches", One = Batches + "/{message_batch_id}";
        Pipeline.Map(app, state, "POST", Batches, ctx => CreateAsync(ctx, state), auth);
        Pipeline.Map(app, state, "GET", Batches, ctx => Task.FromResult(List(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", One, ctx => Task.FromResult(Get(ctx, state)), auth);
        Pipeline.Map(app, state, "POST", One + "/cancel", ctx => Task.FromResult(Cancel(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", One + "/results", ctx => Task.FromResult(Results(ctx, state)), auth);
        Pipeline.Map(app, state, "DELETE", One, ctx => Task.FromResult(Delete(ctx, state)), auth);

        // An unknown path or method under /v1/messages is answered in Anthropic's envelope, not OpenAI's.
        Func<HttpContext, Task<IResult>> unknown = c => Task.FromResult(AnthropicErrors.NotFound(c, $"Not found: {c.Request.Method} {c.Request.Path}"));
        app.MapFallback("/v1/messages/{**path}", ctx => Pipeline.RunAsync(ctx, state, ctx.Request.Method + " /v1/messages/{**path}", unknown, authenticate: null));
    }

    private static string BatchId(HttpContext ctx) => (string)ctx.Request.RouteValues["message_batch_id"]!;

    private static IResult NoSuchBatch(HttpContext ctx) => AnthropicErrors.NotFound(ctx, $"No message batch found with id '{BatchId(ctx)}'.");

    private static IResult TooLarge(HttpContext ctx) => AnthropicErrors.Result(ctx, StatusCodes.Status413PayloadTooLarge, "request_too_large",
        $"Request exceeds the maximum size of {CreateMessageBatchRequest.MaxBodyBytes / (1000 * 1000)} MB for a message batch.");

    private static async Task<IResult> CreateAsync(HttpContext ctx, EmulatorState state)
    {
        if (ctx.Request.ContentLength > CreateMessageBatchRequest.MaxBodyBytes) return TooLarge(ctx);
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = CreateMessageBatchRequest.MaxBodyBytes;
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted);
        }
        catch (JsonException)
        {
            return AnthropicErrors.InvalidRequest(ctx, "The request body is not valid JSON.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(ctx);
        }
        using (doc)
        {
            if (CreateMessageBatchRequest.TryParse(doc.RootElement, out var requests) is { } problem)
                return AnthropicErrors.InvalidRequest(ctx, problem);
            var batch = state.AnthropicBatches.Create(requests, $"{ctx.Request.Scheme}://{ctx.Request.Host}",
                AnthropicRequests.HasStructuredOutputsBeta(ctx.Request.Headers["anthropic-beta"]));
            state.Stats.CountBatchCreated();
            return Json.Result(batch.Observe(state.Now));
        }
    }

    private static IResult Get(HttpContext ctx, EmulatorState state) =>
        state.AnthropicBatches.TryGet(BatchId(ctx), out var b) ? Json.Result(b.Observe(state.Now)) : NoSuchBatch(ctx);

    private static IResult Cancel(HttpContext ctx, EmulatorState state)
    {
        if (!state.AnthropicBatches.TryGet(BatchId(ctx), out var b)) return NoSuchBatch(ctx);
        var (accepted, phase, json) = b.Cancel(state.Now);
        if (accepted) state.Stats.CountCancel();
        // Canceling again while canceling is harmless (a retried cancel must not fail); an ended batch cannot be canceled.
        if (accepted || phase == BatchPhase.Cancelling) return Json.Result(json);
        return AnthropicErrors.InvalidRequest(ctx, $"Message batch {b.Id} has already ended and cannot be canceled.");
    }

    private static IResult Results(HttpContext ctx, EmulatorState state)
    {
        if (!state.AnthropicBatches.TryGet(BatchId(ctx), out var b)) return NoSuchBatch(ctx);
        var stream = b.OpenResults(state.Now);
        if (stream is null)
            return AnthropicErrors.InvalidRequest(ctx,
                $"Message batch {b.Id} is still {MessageBatch.ProcessingStatus(b.Phase(state.Now))}; its results are available once processing_status is 'ended'.");
        state.Stats.CountDownload();
        return Microsoft.AspNetCore.Http.Results.File(stream, "application/x-jsonl");
    }

    private static IResult Delete(HttpContext ctx, EmulatorState state)
    {
        if (!state.AnthropicBatches.TryGet(BatchId(ctx), out var b)) return NoSuchBatch(ctx);
        var phase = b.Phase(state.Now);
        if (!MessageBatch.IsEnded(phase))
            return AnthropicErrors.InvalidRequest(ctx,
                $"Message batch {b.Id} cannot be deleted while its processing_status is {MessageBatch.ProcessingStatus(phase)}; cancel it and wait until it has ended.");
        if (!state.AnthropicBatches.Delete(b.Id)) return NoSuchBatch(ctx);
        state.Stats.CountBatchDeleted();
        return Json.Result(new JsonObject { ["id"] = b.Id, ["type"] = "message_batch_deleted" });
    }

    private static IResult List(HttpContext ctx, EmulatorState state)
    {
        var q = ctx.Request.Query;
        int limit = DefaultListLimit;
        if (q.TryGetValue("limit", out var l))
        {
            if (!int.TryParse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
                return AnthropicErrors.InvalidRequest(ctx, "limit: Input should be a valid integer");
            if (limit < 1) return AnthropicErrors.InvalidRequest(ctx, "limit: Input should be greater than or equal to 1");
            if (limit > MaxListLimit) return AnthropicErrors.InvalidRequest(ctx, $"limit: Input should be less than or equal to {MaxListLimit}");
        }
        string? after = q.TryGetValue("after_id", out var a) && a.ToString() is { Length: > 0 } av ? av : null;
        string? before = q.TryGetValue("before_id", out var bf) && bf.ToString() is { Length: > 0 } bv ? bv : null;
        if (after is not null && before is not null)
            return AnthropicErrors.InvalidRequest(ctx, "before_id and after_id cannot both be set");

        // Newest first. after_id: the page right after that batch (older ones); before_id: the page right before it (newer ones).
        var all = state.AnthropicBatches.NewestFirst().ToList();
        List<MessageBatch> candidates = all, page;
        if (after is not null)
        {
            int i = all.FindIndex(b => b.Id == after);
            candidates = i < 0 ? new() : all.Skip(i + 1).ToList();
            page = candidates.Take(limit).ToList();
        }
        else if (before is not null)
        {
            int i = all.FindIndex(b => b.Id == before);
            candidates = i < 0 ? new() : all.Take(i).ToList();
            page = candidates.Skip(Math.Max(0, candidates.Count - limit)).ToList();
        }
        else
        {
            page = all.Take(limit).ToList();
        }
        var now = state.Now;
        return Json.Result(new JsonObject
        {
            ["data"] = new JsonArray(page.Select(b => (JsonNode)b.Observe(now)).ToArray()),
            ["has_more"] = candidates.Count > page.Count,
            ["first_id"] = page.FirstOrDefault()?.Id,
            ["last_id"] = page.LastOrDefault()?.Id,
        });
    }
}
