using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Gemini;

/// <summary>
/// Everything the Gemini surface holds for one emulator instance: its batches, its files and upload sessions, and which
/// state prefix it answers with (<c>BATCH_STATE_</c> as the wire enum, or <c>JOB_STATE_</c> as the SDK rewrites it, §4).
/// </summary>
internal sealed class GeminiService : IBatchControl
{
    public const string BatchPrefix = "BATCH_STATE_", JobPrefix = "JOB_STATE_";

    private readonly EmulatorState _state;
    private readonly ConcurrentDictionary<string, GeminiBatch> _batches = new();
    private long _seq;
    private int _jobStates;

    public GeminiService(EmulatorState state)
    {
        _state = state;
        Files = new GeminiFileStore(state);
        JobStates = state.Options.GeminiJobStates;
    }

    public GeminiFileStore Files { get; }

    /// <summary>Answer states as <c>JOB_STATE_*</c> instead of <c>BATCH_STATE_*</c> (read at answer time).</summary>
    public bool JobStates
    {
        get => Volatile.Read(ref _jobStates) != 0;
        set => Volatile.Write(ref _jobStates, value ? 1 : 0);
    }

    public string StatePrefix => JobStates ? JobPrefix : BatchPrefix;

    public int Count => _batches.Count;

    public GeminiBatch CreateInline(string model, string displayName, long? priority, List<InlineItem> items, bool embed = false)
    {
        var batch = GeminiBatch.Inline(NewId(), Interlocked.Increment(ref _seq), model, displayName, priority, items, _state.Now, _state.Timing, embed);
        _batches[batch.Id] = batch;
        return batch;
    }

    public GeminiBatch CreateFromFile(string model, string displayName, long? priority, GeminiFile input, bool embed = false)
    {
        var batch = GeminiBatch.FromFile(NewId(), Interlocked.Increment(ref _seq), model, displayName, priority, input,
            _state.Now, _state.Timing, _state.Time, _state.Stats, embed);
        _batches[batch.Id] = batch;
        return batch;
    }

    private string NewId()
    {
        while (true)
        {
            string id = GeminiIds.New(20);
            if (!_batches.ContainsKey(id)) return id;
        }
    }

    /// <summary>Accepts <c>abc</c> or <c>batches/abc</c>.</summary>
    public bool TryGet(string idOrName, out GeminiBatch batch) =>
        _batches.TryGetValue(idOrName.StartsWith("batches/", StringComparison.Ordinal) ? idOrName[8..] : idOrName, out batch!);

    public IReadOnlyList<GeminiBatch> NewestFirst() => _batches.Values.OrderByDescending(b => b.Seq).ToList();

    public System.Text.Json.Nodes.JsonObject Observe(GeminiBatch batch) => batch.Observe(_state.Now, StatePrefix, Files);

    public bool Delete(string id)
    {
        if (!_batches.TryRemove(id, out var batch)) return false;
        batch.Dispose();
        return true;
    }

    /// <summary>Forgets batches, files and upload sessions, and restores the start-up state prefix.</summary>
    public void Reset()
    {
        Clear();
        JobStates = _state.Options.GeminiJobStates;
    }

    public void Clear()
    {
        foreach (string id in _batches.Keys.ToList()) Delete(id);
        Files.Clear();
    }

    public ControlResult? TryExpire(string batchId)
    {
        if (!TryGet(batchId, out var batch)) return null;
        var (accepted, phase, op) = batch.Expire(_state.Now, StatePrefix, Files);
        if (accepted) return new ControlResult(StatusCodes.Status200OK, op);
        return new ControlResult(StatusCodes.Status400BadRequest, GeminiErrors.Envelope(400, "FAILED_PRECONDITION",
            $"Cannot expire {batch.Name} in state {StatePrefix}{GeminiBatch.State(phase)}; only running batches can expire."));
    }
}
