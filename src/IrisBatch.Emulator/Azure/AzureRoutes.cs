using System;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Azure;

/// <summary>
/// Azure OpenAI's batch surfaces (spec §2): OpenAI's Files+Batches behaviour on the same stores, under
/// <list type="bullet">
/// <item><c>/openai/...?api-version=</c> (dated data plane): the key in <c>api-key</c> only; a missing api-version, or one
/// older than the first that served batches (2024-07-01-preview), is a 404 as on Azure.</item>
/// <item><c>/openai/v1/...</c> (v1 surface): no api-version; the key in <c>api-key</c> or <c>Authorization: Bearer</c>.</item>
/// </list>
/// Both take 100,000 requests per file and endpoints/urls with or without /v1. With
/// <see cref="EmulatorOptions.AzureTolerantShapes"/> their batch objects take the preview API's shapes (<see cref="TolerantShapes"/>);
/// a result line's body names the model behind the deployment (<see cref="EmulatorOptions.AzureDeployments"/>);
/// with <see cref="EmulatorOptions.AzureFileProcessingMs"/> an upload stays <c>pending</c> that long, and a create naming it is refused.
/// A surface whose path is also given as an <c>--openai-prefix</c> is left to plain OpenAI.
/// </summary>
internal static partial class AzureRoutes
{
    public const string DatedPrefix = "/openai", V1Prefix = "/openai/v1";

    /// <summary>The first api-version that served the batch routes.</summary>
    private static readonly DateOnly FirstBatchVersion = new(2024, 7, 1);

    public static void Map(WebApplication app, EmulatorState state)
    {
        string key = state.Options.ApiKey;
        Func<JsonObject, JsonObject>? shape = state.Options.AzureTolerantShapes ? TolerantShapes.Apply : null;
        var deployments = state.Options.AzureDeployments;
        Func<string, string> answering = name => deployments.TryGetValue(name, out var model) ? model : name;
        // The deployed model's rules apply (a deployment of a reasoning model refuses max_tokens as the model does).
        var dialect = OpenAIRequests.Dialect.OpenAI with { Traits = name => ModelTraits.ForOpenAI(answering(name)) };
        var rules = BatchRules.Azure with { AnsweringModel = answering, Dialect = dialect };
        var files = FileRules.OpenAI with { ProcessingTime = TimeSpan.FromMilliseconds(state.Options.AzureFileProcessingMs) };
        if (!state.Options.OpenAIPrefixes.Contains(DatedPrefix))
            OpenAIRoutes.MapSurface(app, state, new OpenAISurface(DatedPrefix,
                ctx => CheckApiVersion(ctx) ?? Authenticate(ctx, key, allowBearer: false), rules, shape, _ => ResourceNotFound()) { Files = files });
        if (!state.Options.OpenAIPrefixes.Contains(V1Prefix))
            OpenAIRoutes.MapSurface(app, state, new OpenAISurface(V1Prefix,
                ctx => Authenticate(ctx, key, allowBearer: true), rules, shape, _ => ResourceNotFound()) { Files = files });
    }

    /// <summary>Azure's own short envelope, used for the answers that come from Azure's gateway rather than the batch service.</summary>
    private static IResult Error(int status, string message) =>
        Json.Result(new JsonObject { ["error"] = new JsonObject { ["code"] = status.ToString(CultureInfo.InvariantCulture), ["message"] = message } }, status);

    private static IResult ResourceNotFound() => Error(StatusCodes.Status404NotFound, "Resource not found");

    private static IResult? CheckApiVersion(HttpContext ctx)
    {
        string? version = ctx.Request.Query["api-version"];
        var m = version is null ? null : ApiVersionPattern().Match(version);
        if (m is not { Success: true }
            || !DateOnly.TryParseExact(m.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || date < FirstBatchVersion)
            return ResourceNotFound();
        return null;
    }

    /// <summary>The dated surface takes the key only as <c>api-key</c> (a bearer there is an Entra token); v1 takes either.</summary>
    private static IResult? Authenticate(HttpContext ctx, string apiKey, bool allowBearer)
    {
        string? key = ctx.Request.Headers["api-key"];
        if (string.IsNullOrEmpty(key) && allowBearer)
        {
            string? header = ctx.Request.Headers.Authorization;
            const string Bearer = "Bearer ";
            if (header is not null && header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)) key = header[Bearer.Length..].Trim();
        }
        if (string.Equals(key, apiKey, StringComparison.Ordinal)) return null;
        return Error(StatusCodes.Status401Unauthorized,
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.");
    }

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2})(-preview)?\z")]
    private static partial Regex ApiVersionPattern();
}
