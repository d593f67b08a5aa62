using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>OpenAI Files API (spec §1.3): multipart upload streamed to disk, metadata, raw content, delete, list.</summary>
internal static class FilesRoutes
{
    // The spec gives these in MB (§1.3): taken as the smaller, decimal value (512,000,000 and 200,000,000 bytes), so
    // that a client under them is under either reading.
    public const long MaxFileBytes = 512L * 1000 * 1000;
    public const long MaxBatchFileBytes = 200L * 1000 * 1000;
    public static readonly TimeSpan DefaultBatchExpiry = TimeSpan.FromDays(30);

    public static void Map(IEndpointRouteBuilder app, EmulatorState state, OpenAISurface surface)
    {
        string files = surface.Prefix + "/files", one = files + "/{file_id}";
        var auth = surface.Authenticate;
        var rules = surface.Files;
        Pipeline.Map(app, state, "POST", files, ctx => UploadAsync(ctx, state, rules), auth);
        Pipeline.Map(app, state, "GET", files, ctx => Task.FromResult(List(ctx, state, rules)), auth);
        Pipeline.Map(app, state, "GET", one, ctx => Task.FromResult(Get(ctx, state, rules)), auth);
        Pipeline.Map(app, state, "GET", one + "/content", ctx => Task.FromResult(Content(ctx, state, rules)), auth);
        Pipeline.Map(app, state, "DELETE", one, ctx => Task.FromResult(Delete(ctx, state, rules)), auth);
    }

    public static JsonObject ToJson(StoredFile f, FileRules rules, DateTimeOffset now)
    {
        var json = ToJson(f);
        if (f.IsPending(now)) json["status"] = "pending";
        if (!rules.StatusFields)
        {
            json.Remove("status");
            json.Remove("status_details");
            json.Remove("expires_at");
        }
        return json;
    }

    public static JsonObject ToJson(StoredFile f) => new()
    {
        ["id"] = f.Id,
        ["object"] = "file",
        ["bytes"] = f.Bytes,
        ["created_at"] = f.CreatedAt.ToUnixTimeSeconds(),
        ["expires_at"] = f.ExpiresAt?.ToUnixTimeSeconds(),
        ["filename"] = f.Filename,
        ["purpose"] = f.Purpose,
        ["status"] = "processed",
        ["status_details"] = null,
    };

    private static string FileId(HttpContext ctx) => (string)ctx.Request.RouteValues["file_id"]!;

    private static IResult NoSuchFile(string id) => OpenAIErrors.NotFound($"No such File object: {id}", "id");

    /// <summary>The file of this surface's account (<see cref="FileRules.Account"/>) with that id, or false.</summary>
    private static bool TryGet(EmulatorState state, FileRules rules, string id, out StoredFile file) =>
        state.Files.TryGet(id, out file) && (rules.Account.Length == 0 || file.Account == rules.Account);

    private static IResult Get(HttpContext ctx, EmulatorState state, FileRules rules) =>
        TryGet(state, rules, FileId(ctx), out var f) ? Json.Result(ToJson(f, rules, state.Now)) : NoSuchFile(FileId(ctx));

    private static IResult Content(HttpContext ctx, EmulatorState state, FileRules rules)
    {
        if (!TryGet(state, rules, FileId(ctx), out var f)) return NoSuchFile(FileId(ctx));
        FileStream stream;
        try { stream = f.OpenRead(); }
        catch (FileNotFoundException) { return NoSuchFile(FileId(ctx)); }
        state.Stats.CountDownload();
        return Results.File(stream, "application/octet-stream");
    }

    private static IResult Delete(HttpContext ctx, EmulatorState state, FileRules rules)
    {
        string id = FileId(ctx);
        if (!TryGet(state, rules, id, out _) || !state.Files.Delete(id)) return NoSuchFile(id);
        state.Stats.CountFileDeleted();
        return Json.Result(new JsonObject { ["id"] = id, ["object"] = "file", ["deleted"] = true });
    }

    /// <summary>This surface's account's files, newest first.</summary>
    private static IEnumerable<StoredFile> Own(EmulatorState state, FileRules rules) =>
        state.Files.List().Where(f => rules.Account.Length == 0 || f.Account == rules.Account);

    private static IResult List(HttpContext ctx, EmulatorState state, FileRules rules)
    {
        var q = ctx.Request.Query;
        if (!rules.PagedList)
        {
            // Groq (spec §13.2): no parameters, every file at once.
            return Json.Result(new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(Own(state, rules).Select(f => (JsonNode)ToJson(f, rules, state.Now)).ToArray()),
            });
        }
        int limit = 10000;
        if (q.TryGetValue("limit", out var l))
        {
            if (!int.TryParse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
                return OpenAIErrors.InvalidType("limit", "an integer");
            if (limit is < 1 or > 10000)
                return OpenAIErrors.BadRequest($"Invalid 'limit': expected a value between 1 and 10000, but got {limit} instead.", "limit", "invalid_value");
        }
        string order = q.TryGetValue("order", out var o) ? o.ToString() : "desc";
        if (order is not ("asc" or "desc"))
            return OpenAIErrors.BadRequest($"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", "order", "invalid_value");

        var files = Own(state, rules);
        if (q.TryGetValue("purpose", out var p)) files = files.Where(f => f.Purpose == p.ToString());
        var all = (order == "asc" ? files.Reverse() : files).ToList();
        if (q.TryGetValue("after", out var after))
        {
            int i = all.FindIndex(f => f.Id == after.ToString());
            all = i < 0 ? new() : all.Skip(i + 1).ToList();
        }
        var page = all.Take(limit).ToList();
        return Json.Result(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(page.Select(f => (JsonNode)ToJson(f, rules, state.Now)).ToArray()),
            ["first_id"] = page.FirstOrDefault()?.Id,
            ["last_id"] = page.LastOrDefault()?.Id,
            ["has_more"] = all.Count > page.Count,
        });
    }

    private static async Task<IResult> UploadAsync(HttpContext ctx, EmulatorState state, FileRules rules)
    {
        string? contentType = ctx.Request.ContentType;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return OpenAIErrors.BadRequest($"Invalid Content-Type header ({contentType}), expected multipart/form-data.");
        }

        string? purpose = null, filename = null, tempPath = null, anchor = null, seconds = null;
        long bytes = 0;
        CancellationToken ct = ctx.RequestAborted;
        try
        {
            var reader = new MultipartReader(boundary, ctx.Request.Body);
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd)
                    || !cd.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    return OpenAIErrors.BadRequest("Malformed multipart section: missing form-data Content-Disposition.");
                string name = HeaderUtilities.RemoveQuotes(cd.Name).Value ?? "";
                switch (name)
                {
                    case "file":
                        if (!cd.IsFileDisposition())
                            return OpenAIErrors.BadRequest("The 'file' field must be a file part with a filename.", "file");
                        if (tempPath is not null)
                            return OpenAIErrors.BadRequest("Only one 'file' part is allowed.", "file");
                        filename = HeaderUtilities.RemoveQuotes(cd.FileNameStar.HasValue ? cd.FileNameStar : cd.FileName).Value ?? "";
                        tempPath = state.Files.NewTempPath();
                        bytes = await SaveAsync(section.Body, tempPath, ct);
                        if (bytes < 0)
                            return OpenAIErrors.BadRequest($"File is too large: the maximum size is {MaxFileBytes / (1000 * 1000)} MB.", "file", "file_too_large");
                        break;
                    case "purpose": purpose = await ReadFieldAsync(section.Body, ct); break;
                    case "expires_after[anchor]" when rules.UploadExpiry: anchor = await ReadFieldAsync(section.Body, ct); break;
                    case "expires_after[seconds]" when rules.UploadExpiry: seconds = await ReadFieldAsync(section.Body, ct); break;
                    default: return OpenAIErrors.BadRequest($"Unknown parameter: '{name}'.", name, "unknown_parameter");
                }
            }

            if (tempPath is null || filename is null) return OpenAIErrors.MissingParameter("file");
            if (purpose is null) return OpenAIErrors.MissingParameter("purpose");
            if (Array.IndexOf(rules.Purposes, purpose) < 0)
                return OpenAIErrors.BadRequest($"Invalid value: '{purpose}'. Supported values are: {string.Join(", ", rules.Purposes.Select(p => $"'{p}'"))}.", "purpose", "invalid_value");
            if (purpose == "batch")
            {
                if (!filename.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
                    return OpenAIErrors.BadRequest("Invalid file format for Batch API. Must be .jsonl", "file", "invalid_file_format");
                if (bytes > rules.MaxBatchFileBytes)
                    return OpenAIErrors.BadRequest($"File is too large for the Batch API: the maximum size is {rules.MaxBatchFileBytes / (1000 * 1000)} MB.", "file", "file_too_large");
            }
            TimeSpan? expiresAfter = purpose == "batch" ? DefaultBatchExpiry : null;
            if (anchor is not null || seconds is not null)
            {
                if (anchor != "created_at")
                    return OpenAIErrors.BadRequest($"Invalid value: '{anchor}'. Supported values are: 'created_at'.", "expires_after[anchor]", "invalid_value");
                if (!int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out int s) || s is < 3600 or > 2592000)
                    return OpenAIErrors.BadRequest("Invalid 'expires_after[seconds]': expected an integer between 3600 and 2592000.", "expires_after[seconds]", "invalid_value");
                expiresAfter = TimeSpan.FromSeconds(s);
            }

            var file = state.Files.Register(tempPath, "file-", filename, purpose, state.Now, expiresAfter, rules.NewId?.Invoke(), account: rules.Account);
            tempPath = null;
            if (rules.ProcessingTime > TimeSpan.Zero) file.ProcessedAt = file.CreatedAt + rules.ProcessingTime;
            state.Stats.CountUpload();
            return Json.Result(ToJson(file, rules, state.Now));
        }
        catch (InvalidDataException e)
        {
            return OpenAIErrors.BadRequest("Malformed multipart body: " + e.Message);
        }
        finally
        {
            if (tempPath is not null) FileStore.TryDeleteFile(tempPath);
        }
    }

    /// <summary>Streams a part to disk; -1 when it exceeds <see cref="MaxFileBytes"/>.</summary>
    internal static async Task<long> SaveAsync(Stream source, string path, CancellationToken ct)
    {
        await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > MaxFileBytes) return -1;
            await target.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        return total;
    }

    internal static async Task<string> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        var buffer = new char[4096];
        int n = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        return new string(buffer, 0, n);
    }
}
