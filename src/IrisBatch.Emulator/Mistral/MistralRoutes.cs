using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Mistral;

/// <summary>
/// Mistral's files and batch jobs (spec §12) under <c>/mistral/v1</c> (the real base is https://api.mistral.ai/v1; the
/// emulator's /v1 is OpenAI's). Jobs run on the OpenAI engine (<see cref="OpenAIBatch"/>, its timeline, validator, fake
/// model and faults) with Mistral's rules: <c>{custom_id, body}</c> lines, the model named on the job, UUID ids, UPPERCASE
/// statuses, four flat counters, <c>errors[{message, count}]</c>, <c>output_file</c>/<c>error_file</c>, page-number lists,
/// delete. Emulator limits: one input file per job, no inline <c>requests</c>, chat and embeddings endpoints only.
/// </summary>
internal static class MistralRoutes
{
    public const string Prefix = "/mistral/v1";
    public const int MaxTimeoutHours = 168, MaxMetadataKey = 32, MaxMetadataValue = 512, MaxInlineRequests = 10_000;

    /// <summary>Every endpoint Mistral's ApiEndpoint enum names; the emulator runs the first two.</summary>
    public static readonly string[] ApiEndpoints =
    {
        "/v1/chat/completions", "/v1/embeddings", "/v1/fim/completions", "/v1/moderations", "/v1/chat/moderations", "/v1/ocr",
        "/v1/classifications", "/v1/chat/classifications", "/v1/conversations", "/v1/audio/transcriptions",
    };

    private static readonly string[] Purposes = { "fine-tune", "batch", "ocr", "audio" };
    private static readonly string[] Statuses = { "QUEUED", "RUNNING", "SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLATION_REQUESTED", "CANCELLED" };

    public static readonly BatchRules Rules = new(100_000, false)
    {
        Endpoints = new[] { "/v1/chat/completions", "/v1/embeddings" },
        MaxEmbeddingInputs = null,   // §12.6 limits requests (100,000), bytes and inline requests; OpenAI's 50,000 inputs (§1.9) is not Mistral's
        BodyOnlyLines = true,
        ModelOnJob = true,
        CustomIdOptional = true,
        LineStyle = ResultLineStyle.Mistral,
        OutputPurpose = "batch",
        NewFileId = () => Guid.NewGuid().ToString("D"),
        FailureBody = MistralErrors.Failure,
        SuccessBody = MistralJson.Success,
        View = MistralJson.Job,
        Account = Accounts.Mistral,
    };

    public static void Map(WebApplication app, EmulatorState state)
    {
        string key = state.Options.ApiKey;
        Func<HttpContext, IResult?> auth = ctx => MistralErrors.Authenticate(ctx, key);
        string files = Prefix + "/files", file = files + "/{file_id}", jobs = Prefix + "/batch/jobs", job = jobs + "/{job_id}";
        Pipeline.Map(app, state, "POST", files, ctx => UploadAsync(ctx, state), auth);
        Pipeline.Map(app, state, "GET", files, ctx => Task.FromResult(ListFiles(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", file, ctx => Task.FromResult(GetFile(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", file + "/content", ctx => Task.FromResult(Content(ctx, state)), auth);
        Pipeline.Map(app, state, "DELETE", file, ctx => Task.FromResult(DeleteFile(ctx, state)), auth);
        Pipeline.Map(app, state, "POST", jobs, ctx => CreateAsync(ctx, state), auth);
        Pipeline.Map(app, state, "GET", jobs, ctx => Task.FromResult(ListJobs(ctx, state)), auth);
        Pipeline.Map(app, state, "GET", job, ctx => Task.FromResult(GetJob(ctx, state)), auth);
        Pipeline.Map(app, state, "POST", job + "/cancel", ctx => Task.FromResult(Cancel(ctx, state)), auth);
        Pipeline.Map(app, state, "DELETE", job, ctx => Task.FromResult(DeleteJob(ctx, state)), auth);
        string fallback = Prefix + "/{**path}";
        Func<HttpContext, Task<IResult>> unknown = c => Task.FromResult(MistralErrors.Error(StatusCodes.Status404NotFound, "Not Found", code: "not_found"));
        app.MapFallback(fallback, ctx => Pipeline.RunAsync(ctx, state, ctx.Request.Method + " " + fallback, unknown, authenticate: null));
    }

    private static string Route(HttpContext ctx, string name) => (string)ctx.Request.RouteValues[name]!;

    // ---- files (spec §12.2) ----

    private static async Task<IResult> UploadAsync(HttpContext ctx, EmulatorState state)
    {
        using var form = await MultipartForm.ReadAsync(ctx, state.Files);
        if (form.Problem is { } problem) return MistralErrors.BadRequest(problem, "file");
        if (!form.HasFile) return MistralErrors.Validation("missing", "Field required", null, "body", "file");
        string purpose = form.Fields.TryGetValue("purpose", out var p) && p.Length > 0 ? p : "fine-tune";
        if (Array.IndexOf(Purposes, purpose) < 0)
            return MistralErrors.Validation("enum", $"Input should be {string.Join(", ", Purposes.Select(x => $"'{x}'"))}", purpose, "body", "purpose");
        if (form.Fields.TryGetValue("visibility", out var v) && v is not ("workspace" or "user"))
            return MistralErrors.Validation("enum", "Input should be 'workspace' or 'user'", v, "body", "visibility");
        // expiry is int|null (§12.2; its unit is undocumented, so the emulator only checks the type and keeps no expiry).
        if (form.Fields.TryGetValue("expiry", out var ex) && ex.Length > 0 && !int.TryParse(ex, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            return MistralErrors.Validation("int_parsing", "Input should be a valid integer, unable to parse string as an integer", ex, "body", "expiry");
        var stored = state.Files.Register(form.TakeFile(), "", form.FileName ?? "file", purpose, state.Now, null, Guid.NewGuid().ToString("D"), account: Accounts.Mistral);
        state.Stats.CountUpload();
        return Json.Result(MistralJson.File(stored));
    }

    private static IResult ListFiles(HttpContext ctx, EmulatorState state)
    {
        var q = ctx.Request.Query;
        if (Paging(q, out int page, out int size) is { } bad) return bad;
        var all = state.Files.List().Where(f => f.Account == Accounts.Mistral);
        if (q.TryGetValue("purpose", out var purpose) && purpose.Count > 0) all = all.Where(f => f.Purpose == purpose.ToString());
        if (q.TryGetValue("search", out var search) && search.ToString() is { Length: > 0 } s) all = all.Where(f => f.Filename.Contains(s, StringComparison.OrdinalIgnoreCase));
        if (q.TryGetValue("sample_type", out var st) && st.Count > 0) all = all.Where(f => st.Contains(MistralJson.SampleType(f)));
        if (q.TryGetValue("source", out var src) && src.Count > 0) all = all.Where(f => src.Contains(f.IsResult ? "mistral" : "upload"));
        var list = all.ToList();
        var json = new JsonObject
        {
            ["data"] = new JsonArray(list.Skip(PageStart(page, size)).Take(size).Select(f => (JsonNode)MistralJson.File(f)).ToArray()),
            ["object"] = "list",
        };
        if (!q.TryGetValue("include_total", out var inc) || inc.ToString() != "false") json["total"] = list.Count;
        return Json.Result(json);
    }

    /// <summary>A file of Mistral's account with that id: another service's files are unknown here (<see cref="StoredFile.Account"/>).</summary>
    private static bool TryGet(EmulatorState state, string id, out StoredFile file) =>
        state.Files.TryGet(id, out file) && file.Account == Accounts.Mistral;

    private static IResult GetFile(HttpContext ctx, EmulatorState state)
    {
        string id = Route(ctx, "file_id");
        if (!TryGet(state, id, out var f)) return MistralErrors.NotFound($"File {id} not found.", "file_id");
        var json = MistralJson.File(f);
        json["deleted"] = false;
        return Json.Result(json);
    }

    private static IResult Content(HttpContext ctx, EmulatorState state)
    {
        string id = Route(ctx, "file_id");
        if (!TryGet(state, id, out var f)) return MistralErrors.NotFound($"File {id} not found.", "file_id");
        System.IO.FileStream stream;
        try { stream = f.OpenRead(); }
        catch (System.IO.FileNotFoundException) { return MistralErrors.NotFound($"File {id} not found.", "file_id"); }
        state.Stats.CountDownload();
        return Results.File(stream, "application/octet-stream");
    }

    private static IResult DeleteFile(HttpContext ctx, EmulatorState state)
    {
        string id = Route(ctx, "file_id");
        if (!TryGet(state, id, out _) || !state.Files.Delete(id)) return MistralErrors.NotFound($"File {id} not found.", "file_id");
        state.Stats.CountFileDeleted();
        return Json.Result(new JsonObject { ["id"] = id, ["object"] = "file", ["deleted"] = true });
    }

    // ---- jobs (spec §12.3-§12.5) ----

    private static async Task<IResult> CreateAsync(HttpContext ctx, EmulatorState state)
    {
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException e) { return MistralErrors.Validation("json_invalid", "JSON decode error: " + e.Message, null, "body"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return MistralErrors.Validation("model_attributes_type", "Input should be a valid dictionary or object", null, "body");
            if (!root.TryGetProperty("endpoint", out var ep) || ep.ValueKind == JsonValueKind.Null) return MistralErrors.Validation("missing", "Field required", null, "body", "endpoint");
            if (ep.ValueKind != JsonValueKind.String || Array.IndexOf(ApiEndpoints, ep.GetString()) < 0)
                return MistralErrors.Validation("enum", "Input should be " + string.Join(", ", ApiEndpoints.Select(x => $"'{x}'")), JsonNode.Parse(ep.GetRawText()), "body", "endpoint");
            string endpoint = ep.GetString()!;

            var inputFiles = new List<string>();
            bool hasFiles = root.TryGetProperty("input_files", out var fs) && fs.ValueKind != JsonValueKind.Null;
            if (hasFiles)
            {
                if (fs.ValueKind != JsonValueKind.Array) return MistralErrors.Validation("list_type", "Input should be a valid list", null, "body", "input_files");
                int i = 0;
                foreach (var f in fs.EnumerateArray())
                {
                    if (f.ValueKind != JsonValueKind.String || !Guid.TryParse(f.GetString(), out _))
                        return MistralErrors.Validation("uuid_parsing", "Input should be a valid UUID", JsonNode.Parse(f.GetRawText()), "body", "input_files", i.ToString(CultureInfo.InvariantCulture));
                    inputFiles.Add(f.GetString()!);
                    i++;
                }
            }
            bool hasRequests = root.TryGetProperty("requests", out var rs) && rs.ValueKind != JsonValueKind.Null;
            if (hasRequests && rs.ValueKind != JsonValueKind.Array) return MistralErrors.Validation("list_type", "Input should be a valid list", null, "body", "requests");
            if (hasRequests && rs.GetArrayLength() > MaxInlineRequests)
                return MistralErrors.Validation("too_long", $"List should have at most {MaxInlineRequests} items after validation, not {rs.GetArrayLength()}", null, "body", "requests");

            string? model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (root.TryGetProperty("model", out var m2) && m2.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                return MistralErrors.Validation("string_type", "Input should be a valid string", null, "body", "model");
            string? agent = root.TryGetProperty("agent_id", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (root.TryGetProperty("agent_id", out var a2) && a2.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                return MistralErrors.Validation("string_type", "Input should be a valid string", JsonNode.Parse(a2.GetRawText()), "body", "agent_id");

            int timeout = 24;
            if (root.TryGetProperty("timeout_hours", out var th) && th.ValueKind != JsonValueKind.Null)
            {
                if (th.ValueKind != JsonValueKind.Number || !th.TryGetInt32(out timeout))
                    return MistralErrors.Validation("int_type", "Input should be a valid integer", JsonNode.Parse(th.GetRawText()), "body", "timeout_hours");
                if (timeout < 1) return MistralErrors.Validation("greater_than_equal", "Input should be greater than or equal to 1", timeout, "body", "timeout_hours");
                if (timeout > MaxTimeoutHours) return MistralErrors.Validation("less_than_equal", $"Input should be less than or equal to {MaxTimeoutHours}", timeout, "body", "timeout_hours");
            }

            List<KeyValuePair<string, string>>? metadata = null;
            if (root.TryGetProperty("metadata", out var md) && md.ValueKind != JsonValueKind.Null)
            {
                if (md.ValueKind != JsonValueKind.Object) return MistralErrors.Validation("dict_type", "Input should be a valid dictionary", null, "body", "metadata");
                metadata = new();
                foreach (var p in md.EnumerateObject())
                {
                    // Pydantic's constr(min_length=1, max_length=…) on keys and values (spec §12.3); no limit on the number of pairs.
                    if (p.Name.Length < 1)
                        return MistralErrors.Validation("string_too_short", "String should have at least 1 character", p.Name, "body", "metadata", p.Name, "[key]");
                    if (p.Name.Length > MaxMetadataKey)
                        return MistralErrors.Validation("string_too_long", $"String should have at most {MaxMetadataKey} characters", p.Name, "body", "metadata", p.Name, "[key]");
                    if (p.Value.ValueKind != JsonValueKind.String) return MistralErrors.Validation("string_type", "Input should be a valid string", null, "body", "metadata", p.Name);
                    string value = p.Value.GetString()!;
                    if (value.Length < 1)
                        return MistralErrors.Validation("string_too_short", "String should have at least 1 character", value, "body", "metadata", p.Name);
                    if (value.Length > MaxMetadataValue)
                        return MistralErrors.Validation("string_too_long", $"String should have at most {MaxMetadataValue} characters", value[..40], "body", "metadata", p.Name);
                    metadata.Add(new(p.Name, value));
                }
            }

            if (hasFiles == hasRequests)
                return MistralErrors.BadRequest("Exactly one of input_files and requests must be given.", "input_files");
            if (hasRequests) return MistralErrors.BadRequest("The emulator does not take inline requests; upload them as a file and pass input_files.", "requests");
            if (inputFiles.Count != 1) return MistralErrors.BadRequest("The emulator takes exactly one input file per job.", "input_files");
            if (model is null && agent is null) return MistralErrors.BadRequest("Either model or agent_id must be given.", "model");
            if (model is null) return MistralErrors.BadRequest("The emulator does not run agents; give a model.", "agent_id");
            if (model.StartsWith(InputValidator.InvalidModelPrefix, StringComparison.Ordinal))
                return MistralErrors.Error(StatusCodes.Status400BadRequest, $"Invalid model: {model}", param: "model", code: "unknown_model");
            if (Array.IndexOf(Rules.Endpoints!, endpoint) < 0)
                return MistralErrors.BadRequest($"The emulator does not run {endpoint} batches; it runs {string.Join(" and ", Rules.Endpoints!)}.", "endpoint");
            if (!TryGet(state, inputFiles[0], out var input)) return MistralErrors.NotFound($"File {inputFiles[0]} not found.", "input_files");
            if (input.Purpose != "batch")
                return MistralErrors.BadRequest($"File {input.Id} has purpose '{input.Purpose}'; a batch job needs a file uploaded with purpose 'batch'.", "input_files");

            var request = new CreateBatchRequest
            {
                InputFile = input,
                Endpoint = endpoint,
                Rules = Rules,
                CompletionWindow = timeout.ToString(CultureInfo.InvariantCulture),
                Metadata = metadata,
                JobModel = model,
            };
            var batch = state.MistralBatches.Create(request);
            state.Stats.CountBatchCreated();
            return Json.Result(batch.Observe(state.Now, state.Files));
        }
    }

    private static IResult? Paging(IQueryCollection q, out int page, out int size)
    {
        page = 0;
        size = 100;
        if (q.TryGetValue("page", out var p) && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out page)))
            return MistralErrors.Validation("int_parsing", "Input should be a valid integer, unable to parse string as an integer", p.ToString(), "query", "page");
        if (q.TryGetValue("page_size", out var s) && (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1))
            return MistralErrors.Validation("int_parsing", "Input should be a valid positive integer", s.ToString(), "query", "page_size");
        return null;
    }

    private static IResult ListJobs(HttpContext ctx, EmulatorState state)
    {
        var q = ctx.Request.Query;
        if (Paging(q, out int page, out int size) is { } bad) return bad;
        string order = q.TryGetValue("order_by", out var o) ? o.ToString() : "-created";
        if (order is not ("created" or "-created"))
            return MistralErrors.Validation("enum", "Input should be 'created' or '-created'", order, "query", "order_by");
        if (q.TryGetValue("status", out var statuses))
            foreach (var st in statuses)
                if (Array.IndexOf(Statuses, st) < 0)
                    return MistralErrors.Validation("enum", "Input should be " + string.Join(", ", Statuses.Select(x => $"'{x}'")), st, "query", "status");
        DateTimeOffset? after = null;
        if (q.TryGetValue("created_after", out var ca) && ca.ToString() is { Length: > 0 } cas)
        {
            if (!DateTimeOffset.TryParse(cas, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                return MistralErrors.Validation("datetime_from_date_parsing", "Input should be a valid datetime", cas, "query", "created_after");
            after = t;
        }
        var now = state.Now;
        IEnumerable<OpenAIBatch> all = state.MistralBatches.NewestFirst();
        if (order == "created") all = all.Reverse();
        if (after is { } a) all = all.Where(b => b.Timeline.CreatedAt >= a);
        if (q.TryGetValue("model", out var model) && model.ToString() is { Length: > 0 } mm) all = all.Where(b => b.JobModel == mm);
        var views = all.Select(b => b.Observe(now, state.Files)).ToList();
        if (statuses.Count > 0) views = views.Where(v => statuses.Contains(v["status"]!.GetValue<string>())).ToList();
        return Json.Result(new JsonObject
        {
            ["data"] = new JsonArray(views.Skip(PageStart(page, size)).Take(size).Select(v => (JsonNode)v).ToArray()),
            ["object"] = "list",
            ["total"] = views.Count,
        });
    }

    private static bool TryFind(HttpContext ctx, EmulatorState state, out OpenAIBatch batch, out IResult? error)
    {
        string id = Route(ctx, "job_id");
        batch = null!;
        error = null;
        if (!Guid.TryParse(id, out _))
        {
            error = MistralErrors.Validation("uuid_parsing", "Input should be a valid UUID", id, "path", "job_id");
            return false;
        }
        if (!state.MistralBatches.TryGet(id, out batch))
        {
            error = MistralErrors.NotFound($"Batch job {id} not found.", "job_id");
            return false;
        }
        return true;
    }

    private static IResult GetJob(HttpContext ctx, EmulatorState state)
    {
        if (!TryFind(ctx, state, out var batch, out var error)) return error!;
        return Json.Result(batch.Observe(state.Now, state.Files));
    }

    private static IResult Cancel(HttpContext ctx, EmulatorState state)
    {
        if (!TryFind(ctx, state, out var batch, out var error)) return error!;
        var (accepted, phase, json) = batch.Cancel(state.Now, state.Files);
        if (accepted)
        {
            state.Stats.CountCancel();
            return Json.Result(json);
        }
        if (phase == BatchPhase.Cancelling) return Json.Result(json);
        return MistralErrors.BadRequest($"Cannot cancel a batch job with status {MistralJson.Status(phase)}.", "job_id");
    }

    private static IResult DeleteJob(HttpContext ctx, EmulatorState state)
    {
        if (!TryFind(ctx, state, out var batch, out var error)) return error!;
        var s = batch.Snapshot(state.Now, state.Files);
        if (!s.IsTerminal) return MistralErrors.BadRequest($"Cannot delete a batch job with status {MistralJson.Status(s.Phase)}; cancel it first.", "job_id");
        state.MistralBatches.Remove(batch.Id);
        state.Stats.CountBatchDeleted();
        return Json.Result(new JsonObject { ["id"] = batch.Id, ["object"] = "batch", ["deleted"] = true });
    }

    /// <summary>Where a page starts: page x page_size, held at int.MaxValue (a page that far out is empty, not the first).</summary>
    private static int PageStart(int page, int size) => (int)Math.Min(int.MaxValue, (long)page * size);
}
