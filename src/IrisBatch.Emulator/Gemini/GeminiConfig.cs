using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.Gemini;

/// <summary>
/// The Gemini setting of <c>GET/POST /_emulator/config</c>: <c>"gemini_state_prefix": "BATCH_STATE_" | "JOB_STATE_"</c>,
/// which prefix batch states are answered with from now on (also for batches that already exist).
/// </summary>
internal static class GeminiConfig
{
    public const string StatePrefixKey = "gemini_state_prefix";

    public static bool Owns(string key) => key == StatePrefixKey;

    /// <summary>A problem with the settings this class owns, or null.</summary>
    public static (string Message, string Param)? Check(JsonElement body)
    {
        if (!body.TryGetProperty(StatePrefixKey, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String && v.GetString() is GeminiService.BatchPrefix or GeminiService.JobPrefix) return null;
        return ($"'{StatePrefixKey}' must be \"{GeminiService.BatchPrefix}\" or \"{GeminiService.JobPrefix}\".", StatePrefixKey);
    }

    public static void Apply(JsonElement body, EmulatorState state)
    {
        if (body.TryGetProperty(StatePrefixKey, out var v)) state.Gemini.JobStates = v.GetString() == GeminiService.JobPrefix;
    }

    public static void Describe(JsonObject config, EmulatorState state) => config[StatePrefixKey] = state.Gemini.StatePrefix;
}
