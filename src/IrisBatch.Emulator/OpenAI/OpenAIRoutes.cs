using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>Maps the OpenAI Files and Batches surface under /v1 (spec §1).</summary>
internal static class OpenAIRoutes
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        Func<HttpContext, IResult?> auth = ctx => OpenAIErrors.Authenticate(ctx, state.Options.ApiKey);
        FilesRoutes.Map(app, state, auth);
        BatchesRoutes.Map(app, state, auth);

        // Like the real service: an unknown path or method under /v1 is a 404 envelope, not an empty 404.
        app.MapFallback("/v1/{**path}", ctx => Pipeline.RunAsync(ctx, state, ctx.Request.Method + " /v1/{**path}", InvalidUrl, authenticate: null));
    }

    private static Task<IResult> InvalidUrl(HttpContext c) =>
        Task.FromResult(OpenAIErrors.NotFound($"Invalid URL ({c.Request.Method} {c.Request.Path})"));
}
