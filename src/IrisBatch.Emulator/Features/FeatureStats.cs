using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;

namespace IrisBatch.Emulator;

/// <summary>What one request carried, as counted in <see cref="FeatureStats"/>.</summary>
public readonly record struct RequestFeatures(
    string Endpoint, int ImageParts, int ImageUrlParts, bool Schema, bool Reasoning, int ReasoningTokens, bool Rejected, int EmbeddingInputs)
{
    public static RequestFeatures Of(FakeAnswer a, string endpoint, int embeddingInputs = 0) => new(
        endpoint,
        a.Request?.ImageParts ?? 0,
        a.Request?.ImageUrlParts ?? 0,
        a.Request?.Schema is not null,
        a.Rejection is null && a.Request?.ReasoningEffort is { } e && e != "none",
        a.ReasoningTokens,
        a.Rejection is not null,
        a.Rejection is null && a.Outcome == FakeOutcome.Ok ? embeddingInputs : 0);
}

/// <summary>Counters of one provider (or of all, <see cref="FeatureStats.Total"/>).</summary>
public sealed class FeatureCounters
{
    internal long _requests, _imageRequests, _imageParts, _imageUrlParts, _schemaRequests, _reasoningRequests, _reasoningTokens,
        _rejected, _responsesRequests, _embeddingRequests, _embeddingInputs;

    /// <summary>Requests that reached the fake model (in a batch that validated, or a synchronous Ollama call).</summary>
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Requests with at least one image part.</summary>
    public long ImageRequests => Interlocked.Read(ref _imageRequests);
    public long ImageParts => Interlocked.Read(ref _imageParts);
    /// <summary>Image parts given by http(s) URL (the rest were base64 data).</summary>
    public long ImageUrlParts => Interlocked.Read(ref _imageUrlParts);
    public long SchemaRequests => Interlocked.Read(ref _schemaRequests);
    public long ReasoningRequests => Interlocked.Read(ref _reasoningRequests);
    public long ReasoningTokens => Interlocked.Read(ref _reasoningTokens);
    /// <summary>Requests answered with a 400 because they broke a rule of the service (spec §11), not "[fail]".</summary>
    public long Rejected => Interlocked.Read(ref _rejected);
    public long ResponsesRequests => Interlocked.Read(ref _responsesRequests);
    public long EmbeddingRequests => Interlocked.Read(ref _embeddingRequests);
    public long EmbeddingInputs => Interlocked.Read(ref _embeddingInputs);

    internal void Add(in RequestFeatures f)
    {
        Interlocked.Increment(ref _requests);
        if (f.ImageParts > 0) Interlocked.Increment(ref _imageRequests);
        Interlocked.Add(ref _imageParts, f.ImageParts);
        Interlocked.Add(ref _imageUrlParts, f.ImageUrlParts);
        if (f.Schema) Interlocked.Increment(ref _schemaRequests);
        if (f.Reasoning) Interlocked.Increment(ref _reasoningRequests);
        Interlocked.Add(ref _reasoningTokens, f.ReasoningTokens);
        if (f.Rejected) Interlocked.Increment(ref _rejected);
        if (f.Endpoint.EndsWith("/responses", System.StringComparison.Ordinal)) Interlocked.Increment(ref _responsesRequests);
        if (f.EmbeddingInputs > 0)
        {
            Interlocked.Increment(ref _embeddingRequests);
            Interlocked.Add(ref _embeddingInputs, f.EmbeddingInputs);
        }
    }

    internal JsonObject ToJson() => new()
    {
        ["requests"] = Requests,
        ["image_requests"] = ImageRequests,
        ["image_parts"] = ImageParts,
        ["image_url_parts"] = ImageUrlParts,
        ["schema_requests"] = SchemaRequests,
        ["reasoning_requests"] = ReasoningRequests,
        ["reasoning_tokens"] = ReasoningTokens,
        ["rejected_requests"] = Rejected,
        ["responses_requests"] = ResponsesRequests,
        ["embedding_requests"] = EmbeddingRequests,
        ["embedding_inputs"] = EmbeddingInputs,
    };
}

/// <summary>
/// What arrived at the fake model, per provider ("openai", "azure", "anthropic", "gemini", "xai", "ollama") and in total:
/// requests, images, schemas, reasoning, rule rejections, Responses and embedding requests. Each request is counted once,
/// when its batch is validated (OpenAI, Azure, file-mode Gemini), created (Anthropic, inline Gemini), added (xAI) or
/// answered (Ollama). In the stats JSON as <c>"features": {"total": {…}, "openai": {…}, …}</c>.
/// </summary>
public sealed class FeatureStats
{
    private readonly ConcurrentDictionary<string, FeatureCounters> _byProvider = new();

    public FeatureCounters Total { get; private set; } = new();

    public FeatureCounters For(string provider) => _byProvider.GetOrAdd(provider, _ => new FeatureCounters());

    internal void Count(string provider, in RequestFeatures f)
    {
        Total.Add(f);
        For(provider).Add(f);
    }

    internal void Reset()
    {
        _byProvider.Clear();
        Total = new FeatureCounters();
    }

    internal JsonObject ToJson()
    {
        var json = new JsonObject { ["total"] = Total.ToJson() };
        foreach (var (name, c) in new SortedDictionary<string, FeatureCounters>(_byProvider)) json[name] = c.ToJson();
        return json;
    }
}
