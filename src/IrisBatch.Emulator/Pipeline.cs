using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IrisBatch.Emulator;

/// <summary>
/// How every provider route is mapped: count the call, give <see cref="Faults"/> its chance,
/// authenticate the provider's way, then run the handler.
/// </summary>
internal static class Pipeline
{
    public static void Map(
        IEndpointRouteBuilder app,
        EmulatorState state,
        string method,
        string pattern,
        Func<HttpContext, Task<IResult>> handler,
        Func<HttpContext, IResult?>? authenticate)
    {
        string route = method + " " + pattern;
        app.MapMethods(pattern, new[] { method }, ctx => RunAsync(ctx, state, route, handler, authenticate));
    }

    public static async Task RunAsync(
        HttpContext ctx,
        EmulatorState state,
        string route,
        Func<HttpContext, Task<IResult>> handler,
        Func<HttpContext, IResult?>? authenticate)
    {
        state.Stats.CountRoute(route);
        await state.Faults.InvokeAsync(ctx, route, async () =>
        {
            IResult result = authenticate?.Invoke(ctx) ?? await handler(ctx);
            await result.ExecuteAsync(ctx);
        });
    }
}
