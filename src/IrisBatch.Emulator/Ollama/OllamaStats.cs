using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;

namespace IrisBatch.Emulator.Ollama;

/// <summary>
/// What the Ollama routes executed, so tests can prove every request ran exactly once: answers (counted as their last
/// bytes go out, and taken back if those cannot be sent), 503 rejections, and answers per prompt (model + messages, hashed) and per model. A prompt answered a second
/// time counts in <see cref="Duplicates"/>.
/// </summary>
public sealed class OllamaStats
{
    private long _requests, _rejected, _duplicates;
    private readonly ConcurrentDictionary<string, long> _byPrompt = new();
    private readonly ConcurrentDictionary<string, long> _byModel = new();

    /// <summary>Answers written to the end (errors from the fake model's [fail] markers included).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests refused with 503 because the parallel limit was reached.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Answers for a prompt that had been answered before.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>The most answers any one prompt got (1 when every prompt ran exactly once).</summary>
    public long MaxPerPrompt => _byPrompt.Values.DefaultIfEmpty(0).Max();

    /// <summary>Answers per prompt hash (16 hex digits of SHA-256 over the model and the messages).</summary>
    public IReadOnlyDictionary<string, long> ByPrompt => new SortedDictionary<string, long>(_byPrompt);

    public IReadOnlyDictionary<string, long> ByModel => new SortedDictionary<string, long>(_byModel);

    /// <summary>The key <see cref="ByPrompt"/> uses for a request.</summary>
    public static string PromptHash(string model, IReadOnlyList<FakeMessage> messages)
    {
        var sb = new StringBuilder(model).Append('\n');
        foreach (var m in messages) sb.Append(m.Role).Append('\0').Append(m.Text).Append('\n');
        return System.Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    /// <summary>Counts an answer; returns whether it was a duplicate, for <see cref="Uncount"/>.</summary>
    internal bool CountAnswered(string model, string promptHash)
    {
        Interlocked.Increment(ref _requests);
        _byModel.AddOrUpdate(model, 1, (_, n) => n + 1);
        bool duplicate = _byPrompt.AddOrUpdate(promptHash, 1, (_, n) => n + 1) > 1;
        if (duplicate) Interlocked.Increment(ref _duplicates);
        return duplicate;
    }

    /// <summary>Takes back an answer counted just before its last bytes turned out not to reach the client.</summary>
    internal void Uncount(string model, string promptHash, bool duplicate)
    {
        Interlocked.Decrement(ref _requests);
        _byModel.AddOrUpdate(model, 0, (_, n) => n - 1);
        _byPrompt.AddOrUpdate(promptHash, 0, (_, n) => n - 1);
        _byModel.TryRemove(new KeyValuePair<string, long>(model, 0));
        _byPrompt.TryRemove(new KeyValuePair<string, long>(promptHash, 0));
        if (duplicate) Interlocked.Decrement(ref _duplicates);
    }

    internal void CountRejected() => Interlocked.Increment(ref _rejected);

    internal void Reset()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _rejected, 0);
        Interlocked.Exchange(ref _duplicates, 0);
        _byPrompt.Clear();
        _byModel.Clear();
    }

    /// <summary>Adds the <c>ollama_*</c> fields to <c>GET /_emulator/stats</c>.</summary>
    internal void AddTo(JsonObject stats)
    {
        stats["ollama_requests"] = Requests;
        stats["ollama_rejected"] = Rejected;
        stats["ollama_duplicates"] = Duplicates;
        stats["ollama_max_per_prompt"] = MaxPerPrompt;
        var byPrompt = new JsonObject();
        foreach (var (hash, n) in ByPrompt) byPrompt[hash] = n;
        stats["ollama_by_prompt"] = byPrompt;
        var byModel = new JsonObject();
        foreach (var (model, n) in ByModel) byModel[model] = n;
        stats["ollama_by_model"] = byModel;
    }
}
