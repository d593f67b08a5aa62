using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>
/// Maps the OpenAI Files and Batches surface under /v1 (spec §1), and the same surface under each <c>--openai-prefix</c>
/// (OpenAI-compatible hosts such as Groq's /openai/v1, spec §7).
/// </summary>
internal static class OpenAIRoutes
{
    public const string DefaultPrefix = "/v1";

    public static void Map(WebApplication app, EmulatorState state)
    {
        Func<HttpContext, IResult?> auth = ctx => OpenAIErrors.Authenticate(ctx, state.Options.ApiKey);
        foreach (string prefix in state.Options.OpenAIPrefixes.Prepend(DefaultPrefix).Distinct(StringComparer.Ordinal))
            MapSurface(app, state, new OpenAISurface(prefix, auth, BatchRules.OpenAI));
    }

    public static void MapSurface(WebApplication app, EmulatorState state, OpenAISurface surface)
    {
        FilesRoutes.Map(app, state, surface);
        BatchesRoutes.Map(app, state, surface);

        // Like the real service: an unknown path or method under the prefix is a 404 envelope, not an empty 404.
        string fallback = surface.Prefix + "/{**path}";
        Func<HttpContext, IResult> unknown = surface.UnknownUrl ?? (c => OpenAIErrors.NotFound($"Invalid URL ({c.Request.Method} {c.Request.Path})"));
        Func<HttpContext, Task<IResult>> handler = c => Task.FromResult(unknown(c));
        app.MapFallback(fallback, ctx => Pipeline.RunAsync(ctx, state, ctx.Request.Method + " " + fallback, handler, authenticate: null));
    }
}
