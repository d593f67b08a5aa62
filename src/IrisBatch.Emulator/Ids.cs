using System;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator;

/// <summary>Random identifiers shaped like the providers' own.</summary>
internal static class Ids
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public static string Alphanumeric(string prefix, int length) => prefix + RandomNumberGenerator.GetString(Alnum, length);

    public static string Hex(string prefix, int length) => prefix + RandomNumberGenerator.GetHexString(length, lowercase: true);

    public static string RequestId() => Hex("req_", 32);

    /// <summary>
    /// Each service's own request id header, so a client that only reads OpenAI's x-request-id shows no id here either:
    /// Mistral's mistral-correlation-id and x-kong-request-id (spec §12.1), Together's CF-RAY, the only id its SDK records
    /// (§14.1; like "8f3a2b1c4d5e6f70-SJC"); x-request-id everywhere else (OpenAI, Azure, Groq §13.1, xAI; Anthropic adds
    /// request-id).
    /// </summary>
    public static void SetRequestIdHeaders(PathString path, IHeaderDictionary headers)
    {
        if (path.StartsWithSegments(Mistral.MistralRoutes.Prefix, StringComparison.Ordinal))
        {
            headers["mistral-correlation-id"] = Guid.NewGuid().ToString("D");
            headers["x-kong-request-id"] = Hex("", 32);
        }
        else if (path.StartsWithSegments(Together.TogetherRoutes.Prefix, StringComparison.Ordinal))
            headers["CF-RAY"] = Hex("", 16) + "-" + RandomNumberGenerator.GetString(Upper, 3);
        else headers["x-request-id"] = RequestId();
    }
}
