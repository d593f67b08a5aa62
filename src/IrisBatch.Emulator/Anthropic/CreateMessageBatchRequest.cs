using System.Collections.Generic;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IrisBatch.Emulator.Anthropic;

/// <summary>One entry of <c>requests</c>: its id and its (not yet validated) Messages params.</summary>
internal readonly record struct BatchRequestEntry(string CustomId, JsonElement Params);

/// <summary>
/// The synchronous checks of <c>POST /v1/messages/batches</c> (spec §3.3): the envelope, 1..100,000 requests, custom ids
/// that match <c>^[a-zA-Z0-9_-]{1,64}$</c> and are unique, and a <c>params</c> object on each. What is inside
/// <c>params</c> is checked later, per request (<see cref="ResultLines"/>), as the real service does.
/// Messages follow the service's "field: problem" style.
/// </summary>
internal static partial class CreateMessageBatchRequest
{
    public const int MaxRequests = 100_000;
    public const long MaxBodyBytes = 256L * 1000 * 1000;   // "256 MB" (§3), the smaller, decimal reading

    /// <summary>Returns null and sets <paramref name="requests"/> (elements of <paramref name="root"/>), or the error message.</summary>
    public static string? TryParse(JsonElement root, out List<BatchRequestEntry> requests)
    {
        requests = new List<BatchRequestEntry>();
        if (root.ValueKind != JsonValueKind.Object) return "Input should be a valid dictionary";
        foreach (var p in root.EnumerateObject())
            if (p.Name != "requests") return $"{p.Name}: Extra inputs are not permitted";
        if (!root.TryGetProperty("requests", out var list)) return "requests: Field required";
        if (list.ValueKind != JsonValueKind.Array) return "requests: Input should be a valid list";
        int count = list.GetArrayLength();
        if (count < 1) return "requests: List should have at least 1 item after validation, not 0";
        if (count > MaxRequests) return $"requests: List should have at most {MaxRequests} items after validation, not {count}";

        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        int i = 0;
        foreach (var item in list.EnumerateArray())
        {
            string at = $"requests.{i}";
            if (item.ValueKind != JsonValueKind.Object) return $"{at}: Input should be a valid dictionary";
            foreach (var p in item.EnumerateObject())
                if (p.Name is not ("custom_id" or "params")) return $"{at}.{p.Name}: Extra inputs are not permitted";
            if (!item.TryGetProperty("custom_id", out var cid)) return $"{at}.custom_id: Field required";
            if (cid.ValueKind != JsonValueKind.String) return $"{at}.custom_id: Input should be a valid string";
            string customId = cid.GetString()!;
            if (!CustomIdPattern().IsMatch(customId)) return $"{at}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'";
            if (!seen.Add(customId)) return $"{at}.custom_id: Duplicate custom_id '{customId}'; custom_id must be unique within a batch";
            if (!item.TryGetProperty("params", out var ps)) return $"{at}.params: Field required";
            if (ps.ValueKind != JsonValueKind.Object) return $"{at}.params: Input should be a valid dictionary";
            requests.Add(new BatchRequestEntry(customId, ps));
            i++;
        }
        return null;
    }

    [GeneratedRegex(@"^[a-zA-Z0-9_-]{1,64}\z")]
    private static partial Regex CustomIdPattern();
}
