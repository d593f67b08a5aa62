using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Anthropic;

/// <summary>All Anthropic Message Batches of one emulator instance.</summary>
internal sealed class MessageBatchStore(EmulatorState state) : IBatchControl
{
    private readonly ConcurrentDictionary<string, MessageBatch> _batches = new();
    private long _seq;

    public int Count => _batches.Count;

    /// <param name="structuredOutputsBeta">The create call carried <c>anthropic-beta: structured-outputs-2025-11-13</c>.</param>
    public MessageBatch Create(IReadOnlyList<BatchRequestEntry> requests, string origin, bool structuredOutputsBeta = false)
    {
        var batch = MessageBatch.Create(Ids.Alphanumeric("msgbatch_01", 22), Interlocked.Increment(ref _seq), requests, origin,
            state.Now, state.Timing, state.Files, state.Stats, structuredOutputsBeta);
        _batches[batch.Id] = batch;
        return batch;
    }

    public bool TryGet(string id, out MessageBatch batch) => _batches.TryGetValue(id, out batch!);

    public IReadOnlyList<MessageBatch> NewestFirst() => _batches.Values.OrderByDescending(b => b.Seq).ToList();

    public bool Delete(string id)
    {
        if (!_batches.TryRemove(id, out var batch)) return false;
        batch.Dispose();
        return true;
    }

    public void Clear()
    {
        foreach (string id in _batches.Keys.ToList()) Delete(id);
    }

    public ControlResult? TryExpire(string batchId)
    {
        if (!TryGet(batchId, out var batch)) return null;
        var (accepted, phase, json) = batch.Expire(state.Now);
        if (accepted) return new ControlResult(StatusCodes.Status200OK, json);
        return new ControlResult(StatusCodes.Status400BadRequest, AnthropicErrors.Envelope("invalid_request_error",
            $"Cannot expire a message batch whose processing_status is {MessageBatch.ProcessingStatus(phase)}; only in_progress batches can expire.",
            requestId: null));
    }
}
