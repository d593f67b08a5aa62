using System;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Anthropic;

/// <summary>
/// Anthropic's error envelope (spec §3.1) and authentication (§10): the key may come as <c>x-api-key</c> or as
/// <c>Authorization: Bearer</c>, and <c>anthropic-version</c> must be a <c>YYYY-MM-DD</c> date.
/// </summary>
internal static partial class AnthropicErrors
{
    /// <summary><c>{"type":"error","error":{"type","message"},"request_id"}</c>, the shape of both answers and errored results.</summary>
    public static JsonObject Envelope(string type, string message, string? requestId) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        ["request_id"] = requestId,
    };

    /// <summary>An error answer whose <c>request_id</c> repeats the answer's <c>request-id</c> header.</summary>
    public static IResult Result(HttpContext ctx, int status, string type, string message) =>
        Json.Result(Envelope(type, message, ctx.Response.Headers[AnthropicRoutes.RequestIdHeader].ToString()), status);

    public static IResult InvalidRequest(HttpContext ctx, string message) =>
        Result(ctx, StatusCodes.Status400BadRequest, "invalid_request_error", message);

    public static IResult NotFound(HttpContext ctx, string message) =>
        Result(ctx, StatusCodes.Status404NotFound, "not_found_error", message);

    public static IResult? Authenticate(HttpContext ctx, string apiKey)
    {
        string? key = ctx.Request.Headers["x-api-key"];
        if (string.IsNullOrEmpty(key))
        {
            string? header = ctx.Request.Headers.Authorization;
            const string Bearer = "Bearer ";
            if (header is not null && header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)) key = header[Bearer.Length..].Trim();
        }
        if (string.IsNullOrEmpty(key))
            return Result(ctx, StatusCodes.Status401Unauthorized, "authentication_error", "x-api-key header is required");
        if (!string.Equals(key, apiKey, StringComparison.Ordinal))
            return Result(ctx, StatusCodes.Status401Unauthorized, "authentication_error", "invalid x-api-key");

        string? version = ctx.Request.Headers["anthropic-version"];
        if (string.IsNullOrEmpty(version))
            return InvalidRequest(ctx, "anthropic-version: header is required");
        if (!VersionPattern().IsMatch(version))
            return InvalidRequest(ctx, $"anthropic-version: invalid version '{version}'; expected a date such as 2023-06-01");
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}\z")]
    private static partial Regex VersionPattern();
}
