using System;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>OpenAI's error envelope (spec §1.2: all four keys, null where none) and bearer-key authentication.</summary>
internal static class OpenAIErrors
{
    public static JsonObject Envelope(string message, string type, string? param, string? code) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = param,
            ["code"] = code,
        },
    };

    public static IResult Result(int status, string message, string? param = null, string? code = null, string type = "invalid_request_error") =>
        Json.Result(Envelope(message, type, param, code), status);

    public static IResult BadRequest(string message, string? param = null, string? code = null) =>
        Result(StatusCodes.Status400BadRequest, message, param, code);

    public static IResult NotFound(string message, string? param = null) =>
        Result(StatusCodes.Status404NotFound, message, param);

    public static IResult MissingParameter(string name) =>
        BadRequest($"Missing required parameter: '{name}'.", name, "missing_required_parameter");

    public static IResult InvalidType(string name, string expected) =>
        BadRequest($"Invalid type for '{name}': expected {expected}.", name, "invalid_type");

    /// <summary>401 for a missing or wrong key. The message never repeats the key that was sent.</summary>
    public static IResult? Authenticate(HttpContext ctx, string apiKey)
    {
        string? header = ctx.Request.Headers.Authorization;
        const string Bearer = "Bearer ";
        if (header is null || !header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length == Bearer.Length)
        {
            return Result(StatusCodes.Status401Unauthorized,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code: "invalid_api_key");
        }
        if (!string.Equals(header[Bearer.Length..].Trim(), apiKey, StringComparison.Ordinal))
        {
            return Result(StatusCodes.Status401Unauthorized,
                "Incorrect API key provided. You can find your API key in your account settings.",
                code: "invalid_api_key");
        }
        return null;
    }
}
