using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.Ollama;

/// <summary>
/// The Ollama settings of <c>GET/POST /_emulator/config</c>: <c>ollama_latency_ms</c> (≥ 0) and <c>ollama_max_parallel</c>
/// (≥ 1). They apply to requests that arrive afterwards.
/// </summary>
internal static class OllamaConfig
{
    public const string LatencyKey = "ollama_latency_ms", MaxParallelKey = "ollama_max_parallel";

    public static bool Owns(string key) => key is LatencyKey or MaxParallelKey;

    public static (string Message, string Param)? Check(JsonElement body)
    {
        if (body.TryGetProperty(LatencyKey, out var l) && (!l.TryGetInt32(out int latency) || latency < 0))
            return ($"'{LatencyKey}' must be a non-negative integer.", LatencyKey);
        if (body.TryGetProperty(MaxParallelKey, out var p) && (!p.TryGetInt32(out int max) || max < 1))
            return ($"'{MaxParallelKey}' must be an integer of at least 1.", MaxParallelKey);
        return null;
    }

    public static void Apply(JsonElement body, EmulatorState state)
    {
        if (body.TryGetProperty(LatencyKey, out var l)) state.Ollama.LatencyMs = l.GetInt32();
        if (body.TryGetProperty(MaxParallelKey, out var p)) state.Ollama.MaxParallel = p.GetInt32();
    }

    public static void Describe(JsonObject config, EmulatorState state)
    {
        config[LatencyKey] = state.Ollama.LatencyMs;
        config[MaxParallelKey] = state.Ollama.MaxParallel;
    }
}
