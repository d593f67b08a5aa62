using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using IrisBatch.Emulator.Ollama;

namespace IrisBatch.Emulator;

/// <summary>
/// Counters that tests read to prove what a client did (e.g. "exactly one batch was created").
/// Action counters count successful actions; <see cref="Routes"/> counts every call per route, failed ones included.
/// </summary>
public sealed class Stats
{
    private long _uploads, _filesDeleted, _batchesDeleted, _batchesCreated, _cancels, _downloads, _faultsInjected, _callsAbandoned;
    private readonly ConcurrentDictionary<string, long> _routes = new();

    public long Uploads => Interlocked.Read(ref _uploads);
    public long FilesDeleted => Interlocked.Read(ref _filesDeleted);
    public long BatchesCreated => Interlocked.Read(ref _batchesCreated);

    /// <summary>Batches deleted (Anthropic DELETE /v1/messages/batches/{id}, Gemini DELETE /v1beta/batches/{id}, Mistral DELETE /v1/batch/jobs/{id}).</summary>
    public long BatchesDeleted => Interlocked.Read(ref _batchesDeleted);
    public long Cancels => Interlocked.Read(ref _cancels);
    public long Downloads => Interlocked.Read(ref _downloads);

    /// <summary>Faults injected by <see cref="Faults"/> (every kind, every route).</summary>
    public long FaultsInjected => Interlocked.Read(ref _faultsInjected);

    /// <summary>Executions on the Ollama routes (ollama_* in the JSON).</summary>
    public OllamaStats Ollama { get; } = new();

    /// <summary>What the requests carried (images, schemas, reasoning, rejections, embeddings), per provider ("features" in the JSON).</summary>
    public FeatureStats Features { get; } = new();

    /// <summary>Calls per route, keyed "METHOD /pattern", e.g. "GET /v1/batches/{batch_id}".</summary>
    public IReadOnlyDictionary<string, long> Routes => new SortedDictionary<string, long>(_routes);

    public long RouteCalls(string route) => _routes.TryGetValue(route, out long n) ? n : 0;

    internal void CountUpload() => Interlocked.Increment(ref _uploads);
    internal void CountFileDeleted() => Interlocked.Increment(ref _filesDeleted);
    internal void CountBatchDeleted() => Interlocked.Increment(ref _batchesDeleted);
    internal void CountBatchCreated() => Interlocked.Increment(ref _batchesCreated);
    internal void CountCancel() => Interlocked.Increment(ref _cancels);
    internal void CountDownload() => Interlocked.Increment(ref _downloads);
    internal void CountFaultInjected() => Interlocked.Increment(ref _faultsInjected);
    /// <summary>Calls whose client hung up while a slow fault held them before acting: their handler never ran.</summary>
    public long CallsAbandoned => Interlocked.Read(ref _callsAbandoned);
    internal void CountCallAbandoned() => Interlocked.Increment(ref _callsAbandoned);
    internal void CountRoute(string route)
    {
        _routes.AddOrUpdate(route, 1, (_, n) => n + 1);
        _arrivals.Enqueue(new Arrival(route, _clock.Elapsed.TotalMilliseconds));
        if (_arrivals.Count > MaxArrivals) _arrivals.TryDequeue(out _);
    }

    /// <summary>The last <see cref="MaxArrivals"/> calls are kept with their arrival time.</summary>
    public const int MaxArrivals = 10_000;

    private readonly ConcurrentQueue<Arrival> _arrivals = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>
    /// When each call to <paramref name="route"/> ("METHOD /pattern") arrived, in ms on the emulator's monotonic clock, in
    /// order (the last <see cref="MaxArrivals"/> calls of any route): so a test can check server-side that a client waited
    /// at least as long as a Retry-After told it to, without timing anything itself.
    /// </summary>
    public IReadOnlyList<double> ArrivalsMs(string route) => _arrivals.Where(a => a.Route == route).Select(a => a.AtMs).ToList();

    private readonly record struct Arrival(string Route, double AtMs);

    internal void Reset()
    {
        Interlocked.Exchange(ref _uploads, 0);
        Interlocked.Exchange(ref _filesDeleted, 0);
        Interlocked.Exchange(ref _batchesDeleted, 0);
        Interlocked.Exchange(ref _batchesCreated, 0);
        Interlocked.Exchange(ref _cancels, 0);
        Interlocked.Exchange(ref _downloads, 0);
        Interlocked.Exchange(ref _faultsInjected, 0);
        Interlocked.Exchange(ref _callsAbandoned, 0);
        _routes.Clear();
        _arrivals.Clear();
        Ollama.Reset();
        Features.Reset();
    }

    internal JsonObject ToJson()
    {
        var routes = new JsonObject();
        foreach (var (route, n) in Routes) routes[route] = n;
        var json = new JsonObject
        {
            ["uploads"] = Uploads,
            ["files_deleted"] = FilesDeleted,
            ["batches_deleted"] = BatchesDeleted,
            ["batches_created"] = BatchesCreated,
            ["cancels"] = Cancels,
            ["downloads"] = Downloads,
            ["faults_injected"] = FaultsInjected,
            ["calls_abandoned"] = CallsAbandoned,
            ["routes"] = routes,
        };
        Ollama.AddTo(json);
        json["features"] = Features.ToJson();
        return json;
    }
}
