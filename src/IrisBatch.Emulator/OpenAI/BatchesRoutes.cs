using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>OpenAI Batches API (spec §1.4): create, retrieve, list (newest first, cursor paging), cancel.</summary>
internal static class BatchesRoutes
{
    public const int DefaultListLimit = 20, MaxListLimit = 100;

    public static void Map(IEndpointRouteBuilder app, EmulatorState state, OpenAISurface surface)
    {
        string batches = surface.Prefix + "/batches", one = batches + "/{batch_id}";
        var auth = surface.Authenticate;
        Pipeline.Map(app, state, "POST", batches, ctx => CreateAsync(ctx, state, surface), auth);
        Pipeline.Map(app, state, "GET", batches, ctx => Task.FromResult(List(ctx, state, surface)), auth);
        Pipeline.Map(app, state, "GET", one, ctx => Task.FromResult(Get(ctx, state, surface)), auth);
        Pipeline.Map(app, state, "POST", one + "/cancel", ctx => Task.FromResult(Cancel(ctx, state, surface)), auth);
    }

    private static string BatchId(HttpContext ctx) => (string)ctx.Request.RouteValues["batch_id"]!;

    private static IResult NoSuchBatch(string id) => OpenAIErrors.NotFound($"No batch found with id '{id}'.");

    private static async Task<IResult> CreateAsync(HttpContext ctx, EmulatorState state, OpenAISurface surface)
    {
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted);
        }
        catch (JsonException)
        {
            return OpenAIErrors.BadRequest("We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.");
        }
        using (doc)
        {
            if (CreateBatchRequest.TryParse(doc.RootElement, state.Files, surface.Rules, state.Now, out var request) is { } error) return error;
            var batch = surface.Store(state).Create(request!);
            state.Stats.CountBatchCreated();
            return Json.Result(surface.Shape(batch.Observe(state.Now, state.Files)));
        }
    }

    private static IResult Get(HttpContext ctx, EmulatorState state, OpenAISurface surface) =>
        surface.Store(state).TryGet(BatchId(ctx), out var b) ? Json.Result(surface.Shape(b.Observe(state.Now, state.Files))) : NoSuchBatch(BatchId(ctx));

    private static IResult Cancel(HttpContext ctx, EmulatorState state, OpenAISurface surface)
    {
        if (!surface.Store(state).TryGet(BatchId(ctx), out var b)) return NoSuchBatch(BatchId(ctx));
        var (accepted, phase, json) = b.Cancel(state.Now, state.Files);
        if (accepted)
        {
            state.Stats.CountCancel();
            return Json.Result(surface.Shape(json));
        }
        // Cancelling again while cancelling is harmless (a retried cancel must not fail); terminal batches cannot be cancelled.
        if (phase == BatchPhase.Cancelling) return Json.Result(surface.Shape(json));
        return OpenAIErrors.BadRequest($"Cannot cancel a batch with status {BatchJson.Status(phase)}.");
    }

    /// <summary>
    /// Groq's list (spec §13.5): no limit or after; <c>{object, data}</c>, with <c>paging.next_cursor</c> while more remain
    /// (its guide) and <c>?cursor=</c> for the next page; <c>?id=a&amp;id=b</c> (at most 200) looks batches up by id.
    /// Newest first, or oldest first with <see cref="EmulatorOptions.GroqListOldestFirst"/>: neither source gives an order.
    /// </summary>
    private static IResult CursorList(HttpContext ctx, EmulatorState state, OpenAISurface surface)
    {
        var q = ctx.Request.Query;
        var all = surface.Store(state).NewestFirst();
        if (state.Options.GroqListOldestFirst) all = all.Reverse().ToList();   // the spec gives no order
        var now = state.Now;
        if (q.TryGetValue("id", out var ids) && ids.Count > 0)
        {
            if (ids.Count > 200) return OpenAIErrors.BadRequest($"At most 200 ids may be looked up at once; got {ids.Count}.", "id", "invalid_value");
            var wanted = ids.ToHashSet(StringComparer.Ordinal);
            return Json.Result(new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(all.Where(b => wanted.Contains(b.Id)).Select(b => (JsonNode)surface.Shape(b.Observe(now, state.Files))).ToArray()),
            });
        }
        int start = 0;
        if (q.TryGetValue("cursor", out var cursor) && cursor.ToString() is { Length: > 0 } c)
        {
            if (!c.StartsWith("cursor_", StringComparison.Ordinal) || !int.TryParse(c["cursor_".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out start))
                return OpenAIErrors.BadRequest($"Invalid cursor '{c}'.", "cursor", "invalid_value");
        }
        var page = all.Skip(start).Take(OpenAISurface.CursorPageSize).ToList();
        var list = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(page.Select(b => (JsonNode)surface.Shape(b.Observe(now, state.Files))).ToArray()),
        };
        if (start + page.Count < all.Count)
            list["paging"] = new JsonObject { ["next_cursor"] = "cursor_" + (start + page.Count).ToString(CultureInfo.InvariantCulture) };
        return Json.Result(list);
    }

    private static IResult List(HttpContext ctx, EmulatorState state, OpenAISurface surface)
    {
        // Groq's list takes no limit or after (§13.5): they are not read there, so not refused either.
        if (surface.CursorList) return CursorList(ctx, state, surface);
        var q = ctx.Request.Query;
        int limit = DefaultListLimit;
        if (q.TryGetValue("limit", out var l))
        {
            if (!int.TryParse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
                return OpenAIErrors.InvalidType("limit", "an integer");
            if (limit < 1)
                return OpenAIErrors.BadRequest($"Invalid 'limit': integer below minimum value. Expected a value >= 1, but got {limit} instead.", "limit", "integer_below_min_value");
            if (limit > MaxListLimit)
                return OpenAIErrors.BadRequest($"Invalid 'limit': integer above maximum value. Expected a value <= {MaxListLimit}, but got {limit} instead.", "limit", "integer_above_max_value");
        }

        var all = surface.Store(state).NewestFirst();
        if (q.TryGetValue("after", out var afterValue) && afterValue.ToString() is { Length: > 0 } after)
        {
            int i = all.ToList().FindIndex(b => b.Id == after);
            all = i < 0 ? Array.Empty<OpenAIBatch>() : all.Skip(i + 1).ToList();
        }
        var page = all.Take(limit).ToList();
        var now = state.Now;
        return Json.Result(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(page.Select(b => (JsonNode)surface.Shape(b.Observe(now, state.Files))).ToArray()),
            ["first_id"] = page.FirstOrDefault()?.Id,
            ["last_id"] = page.LastOrDefault()?.Id,
            ["has_more"] = all.Count > page.Count,
        });
    }
}
