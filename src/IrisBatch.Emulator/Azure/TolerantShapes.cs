using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.Azure;

/// <summary>
/// The batch object as Azure's preview API showed it (spec §2), so clients are tested against the tolerant cases:
/// every <c>*_at</c> time an ISO-8601 string (<c>2024-07-19T17:13:57.0000000+00:00</c>) instead of unix seconds,
/// the status capitalised (<c>Validating</c>, <c>In_progress</c>, <c>Finalizing</c>, <c>Completed</c>, <c>Failed</c>,
/// <c>Cancelling</c>, <c>Cancelled</c>, <c>Expired</c>), and <c>request_counts</c> with null members while validating.
/// </summary>
internal static class TolerantShapes
{
    public static JsonObject Apply(JsonObject batch)
    {
        foreach (string key in batch.Select(p => p.Key).Where(k => k.EndsWith("_at", StringComparison.Ordinal)).ToList())
            if (batch[key] is JsonValue v && v.TryGetValue(out long seconds))
                batch[key] = DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'+00:00'", CultureInfo.InvariantCulture);

        string status = batch["status"]!.GetValue<string>();
        batch["status"] = char.ToUpperInvariant(status[0]) + status[1..];
        if (status == "validating")
            batch["request_counts"] = new JsonObject { ["total"] = null, ["completed"] = null, ["failed"] = null };
        return batch;
    }
}
