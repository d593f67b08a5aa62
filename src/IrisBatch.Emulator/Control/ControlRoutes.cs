using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator.Gemini;
using IrisBatch.Emulator.Ollama;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Control;

/// <summary>
/// Test-only control API under /_emulator: no auth, not counted in stats.
/// GET stats, POST reset, GET/POST config (timing for batches created afterwards), POST batches/{id}/expire.
/// </summary>
internal static class ControlRoutes
{
    private static readonly string[] TimingKeys = { "validating_ms", "in_progress_ms", "finalizing_ms", "cancelling_ms" };

    public static void Map(WebApplication app, EmulatorState state)
    {
        var control = app.MapGroup("/_emulator");
        control.MapGet("/stats", ctx =>
        {
            var json = state.Stats.ToJson();
            json["ollama_in_flight"] = state.OllamaInFlight;   // chat calls being answered now (tests wait for 0)
            return Json.Result(json).ExecuteAsync(ctx);
        });
        // GET /_emulator/arrivals?route=POST%20/api/chat: when each call to that route arrived (ms, the emulator's monotonic clock).
        control.MapGet("/arrivals", ctx =>
        {
            string route = ctx.Request.Query["route"].ToString();
            var list = new JsonArray(state.Stats.ArrivalsMs(route).Select(ms => (JsonNode)JsonValue.Create(ms)).ToArray());
            return Json.Result(new JsonObject { ["route"] = route, ["arrivals_ms"] = list }).ExecuteAsync(ctx);
        });
        control.MapPost("/reset", ctx =>
        {
            state.Reset();
            return Json.Result(new JsonObject { ["reset"] = true }).ExecuteAsync(ctx);
        });
        control.MapGet("/config", ctx => Json.Result(ConfigJson(state)).ExecuteAsync(ctx));
        control.MapPost("/config", async ctx => await (await ConfigureAsync(ctx, state)).ExecuteAsync(ctx));
        control.MapPost("/batches/{batch_id}/expire", ctx => Expire(ctx, state).ExecuteAsync(ctx));
        Faults.MapControlRoutes(control, state);
    }

    private static JsonObject TimingJson(LifecycleTiming t) => new()
    {
        ["validating_ms"] = t.ValidatingMs,
        ["in_progress_ms"] = t.InProgressMs,
        ["finalizing_ms"] = t.FinalizingMs,
        ["cancelling_ms"] = t.CancellingMs,
    };

    /// <summary>The timing, plus the provider settings that ride along (Gemini's state prefix, Ollama's latency and limit).</summary>
    private static JsonObject ConfigJson(EmulatorState state)
    {
        var json = TimingJson(state.Timing);
        GeminiConfig.Describe(json, state);
        OllamaConfig.Describe(json, state);
        return json;
    }

    private static async Task<IResult> ConfigureAsync(HttpContext ctx, EmulatorState state)
    {
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException) { return OpenAIErrors.BadRequest("The body must be a JSON object."); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return OpenAIErrors.BadRequest("The body must be a JSON object.");
            var values = new Dictionary<string, int>();
            if ((GeminiConfig.Check(doc.RootElement) ?? OllamaConfig.Check(doc.RootElement)) is { } bad)
                return OpenAIErrors.BadRequest(bad.Message, bad.Param);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (GeminiConfig.Owns(p.Name) || OllamaConfig.Owns(p.Name)) continue;
                if (System.Array.IndexOf(TimingKeys, p.Name) < 0)
                    return OpenAIErrors.BadRequest($"Unknown setting '{p.Name}'. Known: {string.Join(", ", TimingKeys)}.", p.Name);
                if (!p.Value.TryGetInt32(out int v) || v < 0)
                    return OpenAIErrors.BadRequest($"'{p.Name}' must be a non-negative integer.", p.Name);
                values[p.Name] = v;
            }
            var t = state.Timing;
            int Get(string key, int current) => values.TryGetValue(key, out int v) ? v : current;
            state.Timing = new LifecycleTiming(
                Get("validating_ms", t.ValidatingMs), Get("in_progress_ms", t.InProgressMs),
                Get("finalizing_ms", t.FinalizingMs), Get("cancelling_ms", t.CancellingMs));
            GeminiConfig.Apply(doc.RootElement, state);
            OllamaConfig.Apply(doc.RootElement, state);
            return Json.Result(ConfigJson(state));
        }
    }

    private static IResult Expire(HttpContext ctx, EmulatorState state)
    {
        string id = (string)ctx.Request.RouteValues["batch_id"]!;
        foreach (var store in state.BatchControls)
            if (store.TryExpire(id) is { } r) return Json.Result(r.Body, r.StatusCode);
        return OpenAIErrors.NotFound($"No batch found with id '{id}'.");
    }
}
