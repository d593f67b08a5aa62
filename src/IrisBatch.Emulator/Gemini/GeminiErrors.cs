using System;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Gemini;

/// <summary>
/// Google's error envelope <c>{"error":{"code","message","status"}}</c> (spec §4, §9.9), the <c>google.rpc.Status</c>
/// objects that per-request results and failed operations carry (<c>{"code": gRPC code, "message"}</c>), and API-key
/// authentication: <c>x-goog-api-key</c>, or the <c>key</c> query parameter many REST clients use. A wrong key is a 400
/// <c>API_KEY_INVALID</c> (§10); a missing one is a 403 <c>PERMISSION_DENIED</c>, as the real service answers.
/// </summary>
internal static class GeminiErrors
{
    /// <summary>gRPC codes used in google.rpc.Status bodies.</summary>
    public const int InvalidArgumentCode = 3, InternalCode = 13;

    public static JsonObject Envelope(int httpStatus, string status, string message, JsonArray? details = null)
    {
        var error = new JsonObject { ["code"] = httpStatus, ["message"] = message, ["status"] = status };
        if (details is not null) error["details"] = details;
        return new JsonObject { ["error"] = error };
    }

    public static IResult Result(int httpStatus, string status, string message, JsonArray? details = null) =>
        Json.Result(Envelope(httpStatus, status, message, details), httpStatus);

    public static IResult InvalidArgument(string message) => Result(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", message);

    public static IResult FailedPrecondition(string message) => Result(StatusCodes.Status400BadRequest, "FAILED_PRECONDITION", message);

    public static IResult NotFound(string message) => Result(StatusCodes.Status404NotFound, "NOT_FOUND", message);

    /// <summary>A google.rpc.Status, as in a failed operation's <c>error</c> or a per-request result's <c>error</c>.</summary>
    public static JsonObject Status(int grpcCode, string message) => new() { ["code"] = grpcCode, ["message"] = message };

    public static IResult? Authenticate(HttpContext ctx, string apiKey)
    {
        string? key = ctx.Request.Headers["x-goog-api-key"];
        if (string.IsNullOrEmpty(key)) key = ctx.Request.Query["key"];
        if (string.IsNullOrEmpty(key))
        {
            return Result(StatusCodes.Status403Forbidden, "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
        }
        if (!string.Equals(key.Trim(), apiKey, StringComparison.Ordinal))
        {
            const string Message = "API key not valid. Please pass a valid API key.";
            var details = new JsonArray(
                new JsonObject
                {
                    ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                    ["reason"] = "API_KEY_INVALID",
                    ["domain"] = "googleapis.com",
                    ["metadata"] = new JsonObject { ["service"] = "generativelanguage.googleapis.com" },
                },
                new JsonObject
                {
                    ["@type"] = "type.googleapis.com/google.rpc.LocalizedMessage",
                    ["locale"] = "en-US",
                    ["message"] = Message,
                });
            return Result(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", Message, details);
        }
        return null;
    }
}
