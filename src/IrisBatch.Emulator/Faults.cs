using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IrisBatch.Emulator;

/// <summary>
/// The fault-injection hook. Every provider route runs through <see cref="InvokeAsync"/> (see <see cref="Pipeline"/>),
/// before authentication and before the handler acts, so this one file can later add per-route faults:
/// answer 429 with Retry-After or a 5xx instead of calling <c>next</c>; reset the connection before acting
/// (<c>context.Abort()</c> without calling <c>next</c>) or after acting (call <c>next</c> into a buffered body, then abort);
/// delay; or truncate by swapping <c>context.Response.Body</c>. Rules would be set through
/// <see cref="MapControlRoutes"/> (under /_emulator) and cleared by <see cref="Reset"/>.
/// Today it injects nothing.
/// </summary>
public sealed class Faults
{
    /// <param name="route">"METHOD /pattern", the same key <see cref="Stats.Routes"/> uses.</param>
    /// <param name="next">Authenticates, runs the handler and writes its answer.</param>
    internal Task InvokeAsync(HttpContext context, string route, Func<Task> next) => next();

    internal void Reset()
    {
    }

    /// <summary>Maps the control routes that configure faults; called with the /_emulator group.</summary>
    internal static void MapControlRoutes(IEndpointRouteBuilder control, EmulatorState state)
    {
    }
}
