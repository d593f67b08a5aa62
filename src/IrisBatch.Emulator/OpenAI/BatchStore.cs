using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>All OpenAI batches of one emulator instance.</summary>
/// <param name="newId">A new batch id (default OpenAI's batch_ and 32 hex digits).</param>
internal sealed class BatchStore(EmulatorState state, Func<string>? newId = null) : IBatchControl
{
    private readonly ConcurrentDictionary<string, OpenAIBatch> _batches = new();
    private long _seq;

    public int Count => _batches.Count;

    public OpenAIBatch Create(CreateBatchRequest request)
    {
        var batch = new OpenAIBatch(newId?.Invoke() ?? Ids.Hex("batch_", 32), Interlocked.Increment(ref _seq), request, state.Now, state.Timing);
        _batches[batch.Id] = batch;
        batch.StartValidation(state.Time, state.Stats);
        return batch;
    }

    public bool TryGet(string id, out OpenAIBatch batch) => _batches.TryGetValue(id, out batch!);

    public IReadOnlyList<OpenAIBatch> NewestFirst() => _batches.Values.OrderByDescending(b => b.Seq).ToList();

    /// <summary>Forgets a batch (Mistral's job delete).</summary>
    public bool Remove(string id)
    {
        if (!_batches.TryRemove(id, out var b)) return false;
        b.Dispose();
        return true;
    }

    public void Clear()
    {
        foreach (var id in _batches.Keys.ToList())
            if (_batches.TryRemove(id, out var b)) b.Dispose();
    }

    public ControlResult? TryExpire(string batchId)
    {
        if (!TryGet(batchId, out var batch)) return null;
        var (accepted, phase, json) = batch.Expire(state.Now, state.Files);
        if (accepted) return new ControlResult(StatusCodes.Status200OK, json);
        return new ControlResult(StatusCodes.Status400BadRequest, OpenAIErrors.Envelope(
            $"Cannot expire a batch with status {BatchJson.Status(phase)}; only in_progress and finalizing batches can expire.",
            "invalid_request_error", null, null));
    }
}
