using System;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Mistral;

/// <summary>
/// Mistral's three error shapes (spec §12.1): the application error <c>{"object": "error", "message", "type", "param",
/// "code"}</c>, FastAPI's validation error <c>{"detail": [{"type", "loc", "msg", "input"}]}</c> (422), and the gateway's
/// <c>{"message": "Unauthorized", "request_id"}</c> (401).
/// </summary>
internal static class MistralErrors
{
    public static JsonObject Body(string message, string type = "invalid_request_error", string? param = null, string? code = null) => new()
    {
        ["object"] = "error",
        ["message"] = message,
        ["type"] = type,
        ["param"] = param,
        ["code"] = code,
    };

    public static IResult Error(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null) =>
        Json.Result(Body(message, type, param, code), status);

    public static IResult BadRequest(string message, string? param = null, string? code = null) => Error(StatusCodes.Status400BadRequest, message, param: param, code: code);

    public static IResult NotFound(string message, string? param = null) => Error(StatusCodes.Status404NotFound, message, param: param, code: "not_found");

    /// <summary>A 422 naming where in the request (e.g. ["body", "timeout_hours"]) the value is wrong.</summary>
    public static IResult Validation(string type, string msg, JsonNode? input, params string[] loc)
    {
        var where = new JsonArray();
        foreach (var l in loc) where.Add(l);
        return Json.Result(new JsonObject
        {
            ["detail"] = new JsonArray(new JsonObject { ["type"] = type, ["loc"] = where, ["msg"] = msg, ["input"] = input }),
        }, StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>Bearer keys; anything else is the gateway's 401 (it never repeats the key).</summary>
    public static IResult? Authenticate(HttpContext ctx, string apiKey)
    {
        string? header = ctx.Request.Headers.Authorization;
        const string Bearer = "Bearer ";
        if (header is not null && header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            && string.Equals(header[Bearer.Length..].Trim(), apiKey, StringComparison.Ordinal))
            return null;
        return Json.Result(new JsonObject { ["message"] = "Unauthorized", ["request_id"] = Ids.Hex("", 32) }, StatusCodes.Status401Unauthorized);
    }

    /// <summary>A failed request's body in a result line: Mistral's error object (message at the top, not under "error").</summary>
    public static JsonObject Failure(FakeAnswer a) => a.Rejection is { } r
        ? Body(r.Message, r.Type, r.Param, r.Code)
        : a.Outcome == FakeOutcome.Fail500
        ? Body($"The emulator failed this request because its prompt contains {FakeModel.Fail500Marker}.", "server_error")
        : Body($"The emulator failed this request because its prompt contains {FakeModel.FailMarker}.", "invalid_request_error", "messages", "emulated_failure");
}
