using System.Text.Json.Nodes;

namespace IrisBatch.Emulator;

/// <summary>The answer of a control action: status code and the provider's JSON (batch object or error envelope).</summary>
internal sealed record ControlResult(int StatusCode, JsonNode Body);

/// <summary>Implemented by each provider's batch store so control routes can act on any provider's batch id.</summary>
internal interface IBatchControl
{
    /// <summary>Expires the batch now. Null when this store does not know the id.</summary>
    ControlResult? TryExpire(string batchId);
}
