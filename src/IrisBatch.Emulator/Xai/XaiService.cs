using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace IrisBatch.Emulator.Xai;

/// <summary>All xAI batches of one emulator instance.</summary>
internal sealed class XaiService(EmulatorState state)
{
    private readonly ConcurrentDictionary<string, XaiBatch> _batches = new();
    private long _seq;

    public int Count => _batches.Count;

    public XaiBatch Create(string name)
    {
        var batch = new XaiBatch("batch_" + Guid.NewGuid().ToString("D"), Interlocked.Increment(ref _seq), name, ApiKeyId(), state.Now);
        _batches[batch.Id] = batch;
        return batch;
    }

    /// <summary>A stable id for the emulator's key that does not reveal it.</summary>
    private string ApiKeyId()
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes("xai-key-id:" + state.Options.ApiKey));
        return new Guid(hash.AsSpan(0, 16)).ToString("D");
    }

    public bool TryGet(string id, out XaiBatch batch) => _batches.TryGetValue(id, out batch!);

    public IReadOnlyList<XaiBatch> NewestFirst() => _batches.Values.OrderByDescending(b => b.Seq).ToList();

    public void Clear() => _batches.Clear();
}
