using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IrisBatch.Emulator.Gemini;

/// <summary>
/// Gemini batch mode (spec §4) at the server root, beside the other surfaces: create (inline or file input), get, list,
/// cancel and delete batches, plus the Files API (<see cref="GeminiFilesRoutes"/>). Every route goes through
/// <see cref="Pipeline"/>, so stats and faults apply. Request bodies are read as proto JSON: snake_case or camelCase
/// names, unknown names rejected.
/// </summary>
internal static class GeminiRoutes
{
    /// <summary>The inline limit: the whole create request (Google quotes it in bytes).</summary>
    public const long MaxInlineBytes = 20L * 1024 * 1024;
    public const int DefaultPageSize = 50, MaxPageSize = 1000;

    private static readonly string[] BodyFields = { "batch" };
    private static readonly string[] BatchFields =
    {
        "model", "name", "display_name", "input_config", "output", "create_time", "end_time", "update_time", "batch_stats", "state", "priority",
    };
    private static readonly string[] InputConfigFields = { "file_name", "requests" };
    private static readonly string[] InlinedRequestsFields = { "requests" };
    private static readonly string[] InlinedRequestFields = { "request", "metadata" };

    public static void Map(WebApplication app, EmulatorState state)
    {
        Func<HttpContext, IResult?> auth = ctx => GeminiErrors.Authenticate(ctx, state.Options.ApiKey);
        const string Batches = "/v1beta/batches", One = Batches + "/{batch_id}";
        Pipeline.Map(app, state, "POST", "/v1beta/models/{model}:batchGenerateContent", ctx => CreateAsync(ctx, state), auth);
        Pipeline.Map(app, state, "POST", "/v1beta/models/{model}:asyncBatchEmbedContent", ctx => CreateAsync(ctx, state, embed: true), auth);
        Pipeline.Map(app, state, "GET", Batches, ctx => Task.FromResult(List(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", One, ctx => Task.FromResult(Get(ctx, state)), auth);
        Pipeline.Map(app, state, "POST", One + ":cancel", ctx => Task.FromResult(Cancel(ctx, state)), auth);
        Pipeline.Map(app, state, "DELETE", One, ctx => Task.FromResult(Delete(ctx, state)), auth);
        GeminiFilesRoutes.Map(app, state, auth);

        // An unknown path or method is answered in Google's envelope.
        foreach (string prefix in new[] { "/v1beta", "/upload/v1beta", "/download/v1beta" })
        {
            string fallback = prefix + "/{**path}";
            Func<HttpContext, Task<IResult>> unknown = c => Task.FromResult(GeminiErrors.NotFound($"Method not found: {c.Request.Method} {c.Request.Path}."));
            app.MapFallback(fallback, ctx => Pipeline.RunAsync(ctx, state, ctx.Request.Method + " " + fallback, unknown, authenticate: null));
        }
    }

    private static string BatchId(HttpContext ctx) => (string)ctx.Request.RouteValues["batch_id"]!;

    private static IResult NoSuchBatch(HttpContext ctx) => GeminiErrors.NotFound($"Batch batches/{BatchId(ctx)} not found.");

    private static IResult TooLarge() => GeminiErrors.InvalidArgument($"Request payload size exceeds the limit: {MaxInlineBytes} bytes.");

    private static async Task<IResult> CreateAsync(HttpContext ctx, EmulatorState state, bool embed = false)
    {
        string model = (string)ctx.Request.RouteValues["model"]!;
        if (ctx.Request.ContentLength > MaxInlineBytes) return TooLarge();
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxInlineBytes;
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted);
        }
        catch (JsonException)
        {
            return GeminiErrors.InvalidArgument("Invalid JSON payload received. The request body is not valid JSON.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }
        using (doc)
        {
            if (model.Length == 0) return GeminiErrors.InvalidArgument("The model name in the URL must not be empty.");
            if (model.StartsWith(OpenAI.InputValidator.InvalidModelPrefix, StringComparison.Ordinal))
                return GeminiErrors.NotFound($"models/{model} is not found for API version v1beta, or is not supported for batchGenerateContent. Call ListModels to see the list of available models and their supported methods.");

            if (GeminiEmbeddings.IsEmbeddingModel(model) != embed)
                return GeminiErrors.NotFound($"models/{model} is not found for API version v1beta, or is not supported for {(embed ? "asyncBatchEmbedContent" : "batchGenerateContent")}. Call ListModels to see the list of available models and their supported methods.");
            var body = ProtoJson.Fields(doc.RootElement, "", BodyFields, out string? error);
            if (body is null) return GeminiErrors.InvalidArgument(error!);
            if (!body.TryGetValue("batch", out var batchElement) || batchElement.ValueKind == JsonValueKind.Null)
                return GeminiErrors.InvalidArgument("* BatchGenerateContentRequest.batch: batch is required.");
            var batch = ProtoJson.Fields(batchElement, "batch", BatchFields, out error);
            if (batch is null) return GeminiErrors.InvalidArgument(error!);

            string? displayName = ProtoJson.OptionalString(batch, "display_name", "batch", ref error);
            string? batchModel = ProtoJson.OptionalString(batch, "model", "batch", ref error);
            long? priority = ProtoJson.OptionalInt64(batch, "priority", "batch", ref error);
            if (error is not null) return GeminiErrors.InvalidArgument(error);
            if (string.IsNullOrEmpty(displayName))
                return GeminiErrors.InvalidArgument("* GenerateContentBatch.display_name: display_name is required.");
            if (batchModel is { Length: > 0 } && batchModel != "models/" + model && batchModel != model)
                return GeminiErrors.InvalidArgument($"batch.model '{batchModel}' does not match the model in the URL, 'models/{model}'.");

            if (!batch.TryGetValue("input_config", out var inputElement) || inputElement.ValueKind == JsonValueKind.Null)
                return GeminiErrors.InvalidArgument("* GenerateContentBatch.input_config: input_config is required.");
            var input = ProtoJson.Fields(inputElement, "batch.input_config", InputConfigFields, out error);
            if (input is null) return GeminiErrors.InvalidArgument(error!);
            bool hasFile = input.TryGetValue("file_name", out var fileElement) && fileElement.ValueKind != JsonValueKind.Null;
            bool hasRequests = input.TryGetValue("requests", out var requestsElement) && requestsElement.ValueKind != JsonValueKind.Null;
            if (hasFile == hasRequests)
                return GeminiErrors.InvalidArgument("batch.input_config must set exactly one of file_name and requests.");

            string fullModel = "models/" + model;
            GeminiBatch created;
            if (hasFile)
            {
                if (fileElement.ValueKind != JsonValueKind.String)
                    return GeminiErrors.InvalidArgument(ProtoJson.TypeError("batch.input_config.file_name", "TYPE_STRING", fileElement));
                string fileName = fileElement.GetString()!;
                if (!fileName.StartsWith("files/", StringComparison.Ordinal))
                    return GeminiErrors.InvalidArgument($"batch.input_config.file_name must look like 'files/{{id}}', got '{fileName}'.");
                if (!state.Gemini.Files.TryGet(fileName, out var file))
                    return GeminiErrors.NotFound($"File {fileName} not found.");
                created = state.Gemini.CreateFromFile(fullModel, displayName, priority, file, embed);
            }
            else
            {
                var (items, problem) = embed ? GeminiEmbeddings.ReadInline(requestsElement, model) : ReadInline(requestsElement, model);
                if (problem is not null) return GeminiErrors.InvalidArgument(problem);
                foreach (var item in items!)
                    state.Stats.Features.Count("gemini", embed ? GeminiEmbeddings.Features(item.Answer) : RequestFeatures.Of(item.Answer, "batchGenerateContent"));
                created = state.Gemini.CreateInline(fullModel, displayName, priority, items!, embed);
            }
            state.Stats.CountBatchCreated();
            return Json.Result(state.Gemini.Observe(created));
        }
    }

    private static (List<InlineItem>? Items, string? Problem) ReadInline(JsonElement requestsElement, string model)
    {
        const string Path = "batch.input_config.requests";
        var inlined = ProtoJson.Fields(requestsElement, Path, InlinedRequestsFields, out string? error);
        if (inlined is null) return (null, error);
        if (!inlined.TryGetValue("requests", out var array) || array.ValueKind == JsonValueKind.Null
            || (array.ValueKind == JsonValueKind.Array && array.GetArrayLength() == 0))
            return (null, $"* {Path}.requests: at least one request is required.");
        if (array.ValueKind != JsonValueKind.Array) return (null, ProtoJson.TypeError(Path + ".requests", "TYPE_MESSAGE", array));

        var items = new List<InlineItem>(array.GetArrayLength());
        int i = 0;
        foreach (var entry in array.EnumerateArray())
        {
            string path = $"{Path}.requests[{i++}]";
            var fields = ProtoJson.Fields(entry, path, InlinedRequestFields, out error);
            if (fields is null) return (null, error);
            if (!fields.TryGetValue("request", out var request) || request.ValueKind == JsonValueKind.Null)
                return (null, $"* {path}.request: request is required.");
            string? problem = GenerateContent.Read(request, path + ".request", out var messages);
            if (problem is not null) return (null, problem);
            JsonNode? metadata = null;
            if (fields.TryGetValue("metadata", out var m) && m.ValueKind != JsonValueKind.Null)
            {
                if (m.ValueKind != JsonValueKind.Object) return (null, ProtoJson.TypeError(path + ".metadata", "TYPE_MESSAGE", m));
                metadata = JsonNode.Parse(m.GetRawText());
            }
            items.Add(new InlineItem(metadata, GenerateContent.Answer(request, messages, model)));
        }
        return (items, null);
    }

    private static IResult Get(HttpContext ctx, EmulatorState state) =>
        state.Gemini.TryGet(BatchId(ctx), out var b) ? Json.Result(state.Gemini.Observe(b)) : NoSuchBatch(ctx);

    private static IResult Cancel(HttpContext ctx, EmulatorState state)
    {
        if (!state.Gemini.TryGet(BatchId(ctx), out var b)) return NoSuchBatch(ctx);
        var (accepted, phase) = b.Cancel(state.Now);
        if (accepted) state.Stats.CountCancel();
        // Cancelling again (while cancelling, or once cancelled) is harmless, so a retried cancel never fails.
        if (accepted || phase is BatchPhase.Cancelling or BatchPhase.Cancelled) return Json.Result(new JsonObject());
        return GeminiErrors.FailedPrecondition(
            $"{b.Name} is in state {state.Gemini.StatePrefix}{GeminiBatch.State(phase)} and can no longer be cancelled.");
    }

    private static IResult Delete(HttpContext ctx, EmulatorState state)
    {
        if (!state.Gemini.TryGet(BatchId(ctx), out var b) || !state.Gemini.Delete(b.Id)) return NoSuchBatch(ctx);
        state.Stats.CountBatchDeleted();
        return Json.Result(new JsonObject());
    }

    private static IResult List(HttpContext ctx, EmulatorState state)
    {
        if (ProtoJson.PageParams(ctx.Request.Query, DefaultPageSize, MaxPageSize, out int size, out long? after) is { } problem)
            return GeminiErrors.InvalidArgument(problem);
        var all = state.Gemini.NewestFirst().Where(b => after is null || b.Seq < after).ToList();
        var page = all.Take(size).ToList();
        // proto3 JSON: an empty list and an absent next page are left out.
        var answer = new JsonObject();
        if (page.Count > 0) answer["operations"] = new JsonArray(page.Select(b => (JsonNode)state.Gemini.Observe(b)).ToArray());
        if (all.Count > page.Count) answer["nextPageToken"] = ProtoJson.PageToken(page[^1].Seq);
        return Json.Result(answer);
    }
}
