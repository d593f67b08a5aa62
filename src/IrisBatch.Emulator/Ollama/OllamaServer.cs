using System.Threading;

namespace IrisBatch.Emulator.Ollama;

/// <summary>
/// The Ollama surface's runtime knobs (latency per answer, parallel limit; start-up values from the options, changed by
/// <c>POST /_emulator/config</c>) and the count of requests in flight that the limit is checked against.
/// </summary>
internal sealed class OllamaServer(EmulatorState state)
{
    private int _latencyMs = state.Options.OllamaLatencyMs;
    private int _maxParallel = state.Options.OllamaMaxParallel;
    private int _inFlight;

    public int LatencyMs
    {
        get => Volatile.Read(ref _latencyMs);
        set => Volatile.Write(ref _latencyMs, value);
    }

    public int MaxParallel
    {
        get => Volatile.Read(ref _maxParallel);
        set => Volatile.Write(ref _maxParallel, value);
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Takes a slot; false (nothing taken) when <see cref="MaxParallel"/> requests are already in flight.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= MaxParallel) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Restores the start-up latency and limit.</summary>
    public void Reset()
    {
        LatencyMs = state.Options.OllamaLatencyMs;
        MaxParallel = state.Options.OllamaMaxParallel;
    }
}
