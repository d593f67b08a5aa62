using System;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Xai;

/// <summary>
/// xAI's error body <c>{"code": "…", "error": "…"}</c> (the code is a gRPC status description) and bearer
/// authentication. A wrong key is a 400 "Incorrect API key provided" (§10); unlike the real service, the emulator does not
/// repeat any part of the key.
/// </summary>
internal static class XaiErrors
{
    public const string InvalidArgument = "Client specified an invalid argument";
    public const string NotFoundCode = "Some requested entity was not found";

    public static JsonObject Envelope(string code, string error) => new() { ["code"] = code, ["error"] = error };

    public static IResult Result(int status, string code, string error) => Json.Result(Envelope(code, error), status);

    public static IResult BadRequest(string error) => Result(StatusCodes.Status400BadRequest, InvalidArgument, error);

    public static IResult NotFound(string error) => Result(StatusCodes.Status404NotFound, NotFoundCode, error);

    public static IResult? Authenticate(HttpContext ctx, string apiKey)
    {
        string? header = ctx.Request.Headers.Authorization;
        const string Bearer = "Bearer ";
        string key = header is not null && header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? header[Bearer.Length..].Trim() : "";
        if (key.Length == 0)
            return BadRequest("No API key provided. Send it as 'Authorization: Bearer <key>'. You can obtain an API key from https://console.x.ai.");
        if (!string.Equals(key, apiKey, StringComparison.Ordinal))
            return BadRequest("Incorrect API key provided: ***. You can obtain an API key from https://console.x.ai.");
        return null;
    }
}
