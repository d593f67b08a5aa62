using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Together;

/// <summary>
/// Together's files and batches (spec §14) under <c>/together/v1</c> (the real base is https://api.together.xyz/v1; the
/// emulator's /v1 is OpenAI's). Uploads: the SDKs' flow (POST /files with form fields → 302 to a presigned PUT, with
/// X-Together-File-Id; then optionally POST /files/{id}/preprocess), the OpenAPI's multipart POST /files/upload, and a
/// multipart POST /files. Purpose batch-api for inputs, batch-generated for results; FileResponse with capitalised keys.
/// Batches run on the OpenAI engine with Together's rules: <c>{custom_id ≤ 64, body}</c> lines, create answers 201
/// <c>{job, warning}</c>, UPPERCASE statuses (CANCELING while a cancel completes), RFC 3339 times, a progress percentage
/// and no counts, a bare-array list, <c>{"error": "…"}</c> bodies on batch routes. A model_id starting with "nodiscount"
/// gets the create warning (the emulator's way to make Together warn).
/// </summary>
internal static class TogetherRoutes
{
    public const string Prefix = "/together/v1", UploadPrefix = "/together/_upload";
    public const string InputPurpose = "batch-api", OutputPurpose = "batch-generated", NoDiscountPrefix = "nodiscount";

    private static readonly string[] Purposes = { "fine-tune", "eval", "eval-sample", "eval-output", "eval-summary", "batch-generated", "batch-api", "calibration" };
    private static readonly string[] CreateEndpoints = { "/v1/chat/completions", "/v1/audio/transcriptions", "/v1/audio/translations", "/v1/completions" };

    /// <summary>Presigned upload slots of the 302 flow: token → (file id, name, purpose).</summary>
    private static readonly ConcurrentDictionary<string, (string Id, string Name, string Purpose, EmulatorState State)> Pending = new();

    /// <summary>The largest batch input file (§14 "≤ 100 MB per input file").</summary>
    public const long MaxInputBytes = 100L * 1000 * 1000;

    public static readonly BatchRules Rules = new(50_000, false)
    {
        Endpoints = new[] { "/v1/chat/completions", "/v1/completions" },
        OutputExpiry = false,
        BodyOnlyLines = true,
        OneModelPerFile = false,
        MaxCustomIdLength = 64,
        LineStyle = ResultLineStyle.Together,
        OutputPurpose = OutputPurpose,
        NewFileId = NewFileId,
        View = TogetherJson.Job,
        Account = Accounts.Together,
    };

    private static string NewFileId() => "file-" + Guid.NewGuid().ToString("D");

    public static void Map(WebApplication app, EmulatorState state)
    {
        string key = state.Options.ApiKey;
        Func<HttpContext, IResult?> auth = ctx => Authenticate(ctx, key);
        string files = Prefix + "/files", file = files + "/{file_id}", batches = Prefix + "/batches", batch = batches + "/{batch_id}";
        Pipeline.Map(app, state, "POST", files, ctx => UploadAsync(ctx, state), auth);
        if (state.Options.TogetherUploadRoute)
            Pipeline.Map(app, state, "POST", files + "/upload", ctx => MultipartUploadAsync(ctx, state, requireNameAndType: true), auth);
        Pipeline.Map(app, state, "PUT", UploadPrefix + "/{token}", ctx => PutAsync(ctx, state), authenticate: null);
        Pipeline.Map(app, state, "POST", file + "/preprocess", ctx => Task.FromResult(GetFile(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", files, ctx => Task.FromResult(ListFiles(state)), auth);
        Pipeline.Map(app, state, "GET", file, ctx => Task.FromResult(GetFile(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", file + "/content", ctx => Task.FromResult(Content(ctx, state)), auth);
        Pipeline.Map(app, state, "DELETE", file, ctx => Task.FromResult(DeleteFile(ctx, state)), auth);
        Pipeline.Map(app, state, "POST", batches, ctx => CreateAsync(ctx, state), auth);
        Pipeline.Map(app, state, "GET", batches, ctx => Task.FromResult(List(state)), auth);
        Pipeline.Map(app, state, "GET", batch, ctx => Task.FromResult(Get(ctx, state)), auth);
        Pipeline.Map(app, state, "POST", batch + "/cancel", ctx => Task.FromResult(Cancel(ctx, state)), auth);
        string fallback = Prefix + "/{**path}";
        Func<HttpContext, Task<IResult>> unknown = c => Task.FromResult(TogetherJson.Error(StatusCodes.Status404NotFound, $"Invalid URL ({c.Request.Method} {c.Request.Path})"));
        app.MapFallback(fallback, ctx => Pipeline.RunAsync(ctx, state, ctx.Request.Method + " " + fallback, unknown, authenticate: null));
    }

    private static IResult? Authenticate(HttpContext ctx, string apiKey)
    {
        string? header = ctx.Request.Headers.Authorization;
        const string Bearer = "Bearer ";
        if (header is not null && header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            && string.Equals(header[Bearer.Length..].Trim(), apiKey, StringComparison.Ordinal))
            return null;
        return TogetherJson.Error(StatusCodes.Status401Unauthorized, "Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.",
            code: "invalid_api_key");
    }

    private static string Route(HttpContext ctx, string name) => (string)ctx.Request.RouteValues[name]!;

    // ---- files (spec §14.2) ----

    /// <summary>POST /files: form fields start the SDKs' presigned flow (302); a multipart body uploads directly.</summary>
    private static async Task<IResult> UploadAsync(HttpContext ctx, EmulatorState state)
    {
        if (ctx.Request.HasFormContentType && ctx.Request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
            return await MultipartUploadAsync(ctx, state, requireNameAndType: false);
        string? Field(IFormCollection? form, string name) =>
            form is not null && form.TryGetValue(name, out var v) && v.Count > 0 ? v.ToString() : ctx.Request.Query.TryGetValue(name, out var q) ? q.ToString() : null;
        IFormCollection? form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync(ctx.RequestAborted) : null;
        string? purpose = Field(form, "purpose"), name = Field(form, "file_name"), type = Field(form, "file_type");
        if (purpose is null || name is null)
            return TogetherJson.Error(StatusCodes.Status400BadRequest, "purpose and file_name are required.", param: purpose is null ? "purpose" : "file_name");
        if (Array.IndexOf(Purposes, purpose) < 0)
            return TogetherJson.Error(StatusCodes.Status400BadRequest, $"Invalid purpose '{purpose}'.", param: "purpose");
        if (type is not (null or "jsonl" or "csv" or "parquet"))
            return TogetherJson.Error(StatusCodes.Status400BadRequest, $"Invalid file_type '{type}'.", param: "file_type");
        string token = Guid.NewGuid().ToString("N"), id = NewFileId();
        Pending[token] = (id, Path.GetFileName(name), purpose, state);
        ctx.Response.Headers.Location = $"{ctx.Request.Scheme}://{ctx.Request.Host}{UploadPrefix}/{token}";
        ctx.Response.Headers["X-Together-File-Id"] = id;
        return Results.StatusCode(StatusCodes.Status302Found);
    }

    /// <summary>
    /// The presigned PUT of the 302 flow: the URL is the credential, and the bytes become the file. Like S3 with a
    /// presigned URL, a request that also carries an Authorization header is refused (400 InvalidArgument, "only one
    /// auth mechanism allowed"); the SDKs send none (spec §14.2), and Together's key must not reach the storage host.
    /// </summary>
    private static async Task<IResult> PutAsync(HttpContext ctx, EmulatorState state)
    {
        if (ctx.Request.Headers.ContainsKey("Authorization"))
            return Results.Text("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                + "Signature query string parameter or the Authorization header should be specified</Message><ArgumentName>Authorization</ArgumentName></Error>",
                "application/xml", statusCode: StatusCodes.Status400BadRequest);
        if (!Pending.TryRemove(Route(ctx, "token"), out var slot) || !ReferenceEquals(slot.State, state))
            return Results.Text("<Error><Code>AuthenticationFailed</Code></Error>", "application/xml", statusCode: StatusCodes.Status403Forbidden);
        string temp = state.Files.NewTempPath();
        long bytes = await FilesRoutes.SaveAsync(ctx.Request.Body, temp, ctx.RequestAborted);
        if (bytes < 0)
        {
            FileStore.TryDeleteFile(temp);
            return Results.Text("<Error><Code>RequestBodyTooLarge</Code></Error>", "application/xml", statusCode: StatusCodes.Status413RequestEntityTooLarge);
        }
        state.Files.Register(temp, "", slot.Name, slot.Purpose, state.Now, null, slot.Id, account: Accounts.Together);
        state.Stats.CountUpload();
        return Results.Ok();
    }

    private static async Task<IResult> MultipartUploadAsync(HttpContext ctx, EmulatorState state, bool requireNameAndType)
    {
        using var form = await MultipartForm.ReadAsync(ctx, state.Files);
        if (form.Problem is { } problem) return TogetherJson.Error(StatusCodes.Status400BadRequest, problem, param: "file");
        if (!form.HasFile) return TogetherJson.Error(StatusCodes.Status400BadRequest, "file is required.", param: "file");
        if (!form.Fields.TryGetValue("purpose", out var purpose)) return TogetherJson.Error(StatusCodes.Status400BadRequest, "purpose is required.", param: "purpose");
        if (Array.IndexOf(Purposes, purpose) < 0) return TogetherJson.Error(StatusCodes.Status400BadRequest, $"Invalid purpose '{purpose}'.", param: "purpose");
        form.Fields.TryGetValue("file_name", out var name);
        if (requireNameAndType && string.IsNullOrEmpty(name)) return TogetherJson.Error(StatusCodes.Status400BadRequest, "file_name is required.", param: "file_name");
        if (form.Fields.TryGetValue("file_type", out var type) && type is not ("jsonl" or "csv" or "parquet"))
            return TogetherJson.Error(StatusCodes.Status400BadRequest, $"Invalid file_type '{type}'.", param: "file_type");
        var stored = state.Files.Register(form.TakeFile(), "", string.IsNullOrEmpty(name) ? form.FileName ?? "file.jsonl" : name, purpose, state.Now, null, NewFileId(), account: Accounts.Together);
        state.Stats.CountUpload();
        return Json.Result(TogetherJson.File(stored));
    }

    private static IResult ListFiles(EmulatorState state) => Json.Result(new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray(state.Files.List().Where(f => f.Account == Accounts.Together).Select(f => (JsonNode)TogetherJson.File(f)).ToArray()),
    });

    private static IResult NoSuchFile(string id) => TogetherJson.Error(StatusCodes.Status404NotFound, $"File {id} not found.", param: "id");

    /// <summary>A file of Together's account with that id: another service's files are unknown here (<see cref="StoredFile.Account"/>).</summary>
    private static bool TryGet(EmulatorState state, string id, out StoredFile file) =>
        state.Files.TryGet(id, out file) && file.Account == Accounts.Together;

    private static IResult GetFile(HttpContext ctx, EmulatorState state)
    {
        string id = Route(ctx, "file_id");
        return TryGet(state, id, out var f) ? Json.Result(TogetherJson.File(f)) : NoSuchFile(id);
    }

    private static IResult Content(HttpContext ctx, EmulatorState state)
    {
        string id = Route(ctx, "file_id");
        if (!TryGet(state, id, out var f)) return NoSuchFile(id);
        FileStream stream;
        try { stream = f.OpenRead(); }
        catch (FileNotFoundException) { return NoSuchFile(id); }
        state.Stats.CountDownload();
        return Results.File(stream, "application/octet-stream");
    }

    private static IResult DeleteFile(HttpContext ctx, EmulatorState state)
    {
        string id = Route(ctx, "file_id");
        if (!TryGet(state, id, out _) || !state.Files.Delete(id)) return NoSuchFile(id);
        state.Stats.CountFileDeleted();
        return Json.Result(new JsonObject { ["id"] = id, ["object"] = "file", ["deleted"] = true });
    }

    // ---- batches (spec §14.3-§14.5) ----

    private static async Task<IResult> CreateAsync(HttpContext ctx, EmulatorState state)
    {
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException) { return TogetherJson.BatchError(StatusCodes.Status400BadRequest, "Invalid JSON body."); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return TogetherJson.BatchError(StatusCodes.Status400BadRequest, "The body must be a JSON object.");
            string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            foreach (var name in new[] { "input_file_id", "endpoint", "completion_window", "model_id" })
                if (root.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    return TogetherJson.BatchError(StatusCodes.Status400BadRequest, $"{name} must be a string.");
            string? inputFileId = Str("input_file_id"), endpoint = Str("endpoint"), window = Str("completion_window"), model = Str("model_id");
            if (string.IsNullOrEmpty(inputFileId)) return TogetherJson.BatchError(StatusCodes.Status400BadRequest, "input_file_id is required.");
            if (string.IsNullOrEmpty(endpoint)) return TogetherJson.BatchError(StatusCodes.Status400BadRequest, "endpoint is required.");
            if (Array.IndexOf(CreateEndpoints, endpoint) < 0)
                return TogetherJson.BatchError(StatusCodes.Status400BadRequest, $"Invalid endpoint '{endpoint}'. Supported: {string.Join(", ", CreateEndpoints)}.");
            if (Array.IndexOf(Rules.Endpoints!, endpoint) < 0)
                return TogetherJson.BatchError(StatusCodes.Status400BadRequest, $"The emulator does not run {endpoint} batches.");
            if (window is not null && window != "24h")
                return TogetherJson.BatchError(StatusCodes.Status400BadRequest, $"completion_window '{window}' is not supported: it defaults to 24h and cannot be changed.");
            int? priority = null;
            if (root.TryGetProperty("priority", out var pr) && pr.ValueKind != JsonValueKind.Null)
            {
                // An int (§14.3): a string, boolean or object is refused like a fraction (TryGetInt32 throws on non-numbers).
                if (pr.ValueKind != JsonValueKind.Number || !pr.TryGetInt32(out int p))
                    return TogetherJson.BatchError(StatusCodes.Status400BadRequest, "priority must be an integer.");
                priority = p;
            }
            if (!TryGet(state, inputFileId, out var input)) return TogetherJson.BatchError(StatusCodes.Status400BadRequest, $"File {inputFileId} not found.");
            if (input.Purpose != InputPurpose)
                return TogetherJson.BatchError(StatusCodes.Status400BadRequest, $"File {inputFileId} has purpose '{input.Purpose}'; a batch needs a file uploaded with purpose '{InputPurpose}'.");
            // §14: at most 100 MB per input file (read as 100,000,000 bytes). The service's own answer is not documented:
            // the batch error shape, at create.
            if (input.Bytes > MaxInputBytes)
                return TogetherJson.BatchError(StatusCodes.Status400BadRequest, $"File {inputFileId} is {input.Bytes} bytes; a batch input file may be at most {MaxInputBytes / (1000 * 1000)} MB.");

            var request = new CreateBatchRequest
            {
                InputFile = input,
                Endpoint = endpoint,
                Rules = Rules,
                CompletionWindow = "24h",
                JobModel = model,
                Priority = priority,
            };
            var batch = state.TogetherBatches.Create(request);
            state.Stats.CountBatchCreated();
            var answer = new JsonObject { ["job"] = batch.Observe(state.Now, state.Files) };
            if (model is not null && model.StartsWith(NoDiscountPrefix, StringComparison.Ordinal))
                answer["warning"] = $"Model {model} is not eligible for the batch discount; this batch is billed at the full price.";
            return Json.Result(answer, StatusCodes.Status201Created);
        }
    }

    private static IResult List(EmulatorState state)
    {
        var now = state.Now;
        return Json.Result(new JsonArray(state.TogetherBatches.NewestFirst().Select(b => (JsonNode)b.Observe(now, state.Files)).ToArray()));
    }

    private static IResult NoSuchBatch(string id) => TogetherJson.BatchError(StatusCodes.Status404NotFound, $"Batch job {id} not found.");

    private static IResult Get(HttpContext ctx, EmulatorState state)
    {
        string id = Route(ctx, "batch_id");
        return state.TogetherBatches.TryGet(id, out var b) ? Json.Result(b.Observe(state.Now, state.Files)) : NoSuchBatch(id);
    }

    private static IResult Cancel(HttpContext ctx, EmulatorState state)
    {
        string id = Route(ctx, "batch_id");
        if (!state.TogetherBatches.TryGet(id, out var b)) return NoSuchBatch(id);
        var (accepted, phase, json) = b.Cancel(state.Now, state.Files);
        if (accepted)
        {
            state.Stats.CountCancel();
            return Json.Result(json);
        }
        if (phase == BatchPhase.Cancelling) return Json.Result(json);
        return TogetherJson.BatchError(StatusCodes.Status400BadRequest, $"Cannot cancel a batch with status {TogetherJson.Status(phase)}; only VALIDATING and IN_PROGRESS batches can be cancelled.");
    }
}
