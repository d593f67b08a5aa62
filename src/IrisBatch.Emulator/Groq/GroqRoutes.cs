using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Groq;

/// <summary>
/// Groq's batch service (spec §13) under <c>/groq/openai/v1</c> (its real base is https://api.groq.com/openai/v1; the
/// emulator's own /openai/v1 is Azure's): OpenAI's Files+Batches protocol on a store of its own, with Groq's differences —
/// upload purpose <c>batch</c> only and no expires_after; files up to 100 MB; file objects without status or expires_at;
/// only /v1/chat/completions; completion_window from 24h to 7d; no output_expires_after; lines may mix models; batch
/// objects without model or usage, and errors as a bare array (the guide's shape); lists without limit/after (paging.next_cursor,
/// ?cursor=, ?id=); ids like file_01… and batch_01…. A path also given as <c>--openai-prefix</c> is left to plain OpenAI.
/// </summary>
internal static class GroqRoutes
{
    public const string Prefix = "/groq/openai/v1";
    private const string Lower = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewId(string prefix) => prefix + "01" + RandomNumberGenerator.GetString(Lower, 24);

    public static readonly BatchRules Rules = new(50_000, false)
    {
        Endpoints = new[] { "/v1/chat/completions" },
        MinWindowHours = 24,
        MaxWindowHours = 7 * 24,
        OutputExpiry = false,
        OneModelPerFile = false,
        NewFileId = () => NewId("file_"),
        Account = Accounts.Groq,
        Dialect = OpenAIRequests.Dialect.Groq,
    };

    public static readonly FileRules Files = new()
    {
        Purposes = new[] { "batch" },
        UploadExpiry = false,
        MaxBatchFileBytes = 100L * 1000 * 1000,   // "100 MB" (§13), the smaller, decimal reading
        PagedList = false,
        StatusFields = false,
        NewId = () => NewId("file_"),
        Account = Accounts.Groq,
    };

    public static void Map(WebApplication app, EmulatorState state)
    {
        if (state.Options.OpenAIPrefixes.Contains(Prefix)) return;
        string key = state.Options.ApiKey;
        OpenAIRoutes.MapSurface(app, state, new OpenAISurface(Prefix, ctx => Authenticate(ctx, key), Rules, Shape)
        {
            Batches = state.GroqBatches,
            Files = Files,
            CursorList = true,
        });
    }

    /// <summary>The Batch object without model and usage (absent at Groq), and errors as the guide shows them: a bare array.</summary>
    private static JsonObject Shape(JsonObject batch)
    {
        batch.Remove("model");
        batch.Remove("usage");
        if (batch["errors"] is JsonObject { } errors && errors["data"] is JsonArray data)
        {
            errors.Remove("data");
            batch["errors"] = data;
        }
        return batch;
    }

    /// <summary>Bearer keys; a missing or wrong one is a 401 with Groq's envelope (spec §13.1).</summary>
    private static IResult? Authenticate(HttpContext ctx, string apiKey)
    {
        string? header = ctx.Request.Headers.Authorization;
        const string Bearer = "Bearer ";
        if (header is not null && header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            && string.Equals(header[Bearer.Length..].Trim(), apiKey, StringComparison.Ordinal))
            return null;
        return Json.Result(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = "Invalid API Key", ["type"] = "invalid_request_error", ["code"] = "invalid_api_key" },
        }, StatusCodes.Status401Unauthorized);
    }
}
