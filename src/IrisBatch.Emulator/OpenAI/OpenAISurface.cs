using System;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>
/// One mount of the OpenAI Files+Batches protocol: its path prefix, how it authenticates, the rules batches are created
/// under, how its batch objects are shaped, and how it answers an unknown URL. OpenAI's own surface is /v1;
/// <c>--openai-prefix</c> adds OpenAI-compatible hosts, and Azure adds its two (Azure/AzureRoutes.cs).
/// All surfaces share one store of files and batches.
/// </summary>
internal sealed record OpenAISurface(
    string Prefix,
    Func<HttpContext, IResult?> Authenticate,
    BatchRules Rules,
    Func<JsonObject, JsonObject>? ShapeBatch = null,
    Func<HttpContext, IResult>? UnknownUrl = null)
{
    public JsonObject Shape(JsonObject batch) => ShapeBatch is null ? batch : ShapeBatch(batch);
}

/// <summary>What a surface accepts when a batch is created.</summary>
/// <param name="MaxRequests">Requests per input file (OpenAI 50,000; Azure 100,000).</param>
/// <param name="UnversionedPaths">Whether the batch endpoint and the lines' url may omit the /v1 (Azure: "/chat/completions").</param>
/// <param name="Embeddings">Whether /v1/embeddings batches are served (Azure: "currently not supported", spec §11.5).</param>
internal sealed record BatchRules(int MaxRequests, bool UnversionedPaths, bool Embeddings = true)
{
    public static readonly BatchRules OpenAI = new(50_000, false);
    public static readonly BatchRules Azure = new(100_000, true, Embeddings: false);

    /// <summary>The /v1 form of an endpoint or url under these rules; the fake model and response bodies go by it.</summary>
    public string Canonical(string path) =>
        UnversionedPaths && path.StartsWith('/') && !path.StartsWith("/v1/", StringComparison.Ordinal) ? "/v1" + path : path;
}
