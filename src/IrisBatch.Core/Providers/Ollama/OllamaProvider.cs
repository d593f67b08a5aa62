using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Jsonl;

namespace IrisBatch.Providers.Ollama
{
    /// <summary>
    /// Batches on servers that have no batch API (spec §6): Ollama's /api/chat, or /v1/chat/completions of any
    /// OpenAI-compatible chat server when the base URI ends in /v1. Submitting only journals the batch; the
    /// requests run in whichever IrisBatch process waits on it (<see cref="IExecutingProvider"/>), each answer
    /// journaled as it arrives, so status, counts and results all come from the journal.
    /// </summary>
    public sealed class OllamaProvider : IBatchProvider, IExecutingProvider
    {
        public const string DefaultBaseUri = "http://localhost:11434";

        private readonly Uri[] _servers;
        private readonly bool _openAICompatible;
        private readonly HttpSettings _settings;
        private readonly JournalStore _journal;
        private readonly List<(CancellationTokenSource Stop, Task Run)> _running = new List<(CancellationTokenSource, Task)>();
        private TerminationSignal? _signal;   // while this provider has runs: one for all of them

        private readonly string _apiKey;

        /// <param name="apiKey">Sent as a bearer token where given (-ApiKey): OpenAI-compatible servers such as vLLM or
        /// llama.cpp started with --api-key ask for one; Ollama ignores it.</param>
        public OllamaProvider(IReadOnlyList<Uri> servers, HttpSettings settings, JournalStore? journal = null, string apiKey = "")
        {
            _apiKey = apiKey ?? "";
            if (servers.Count == 0) throw new ArgumentException("At least one server is needed.", nameof(servers));
            _servers = servers.ToArray();
            _openAICompatible = IsOpenAICompatible(_servers[0]);
            _settings = settings;
            _journal = journal ?? JournalStore.OpenDefault();
            BaseUri = _servers[0];
        }

        /// <summary>True for an OpenAI-compatible chat server's address (its path ends in /v1), false for Ollama's native API.</summary>
        public static bool IsOpenAICompatible(Uri server) => server.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.OrdinalIgnoreCase);

        public string Name => "Ollama";
        public Uri BaseUri { get; }
        /// <summary>Every server, as the journal records them: comma-separated.</summary>
        public string Location => string.Join(",", _servers.Select(s => s.AbsoluteUri.TrimEnd('/')));
        public int ThrottleLimit { get; set; } = 4;

        public ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = long.MaxValue,
            MaxBytesPerBatch = long.MaxValue,
            OneModelPerBatch = false,
            MaxMetadataPairs = 1000,
            MaxMetadataKeyLength = 1000,
            MaxMetadataValueLength = 100_000,
            EmbeddingBatches = true,   // run here, one /api/embed (or /v1/embeddings) call per request
        };

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request)
        {
            if (request.IsEmbedding) Embeddings.EmbeddingRequests.WriteLocal(writer, request, _openAICompatible);
            else OllamaWire.WriteLine(writer, request, _openAICompatible);
        }

        /// <summary>Ollama batches run here, against local servers: nothing is kept remotely.</summary>
        public RemoteCleanup Cleanup => RemoteCleanup.None;

        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct) => RemoteDelete.Unsupported(this, item);

        public Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct) => Task.FromResult<string?>(null);
        public Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct) => Task.FromResult<string?>(null);
        /// <summary>Never asked: the batch is created locally (no list, no look-up).</summary>
        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) => false;
        public Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct) => Task.FromResult(found);
        public ProviderCapabilities Capabilities => ProviderCapabilities.RunsItsOwnRequests;
        public IExecutingProvider? Executor => this;

        /// <summary>Nothing is sent: the batch is its journal entry, named after its idempotency key.</summary>
        public Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            var id = "local_" + submission.IdempotencyKey.Replace("ib-", "");
            return Task.FromResult(new IrisBatchInfo
            {
                Id = id,
                Provider = Name,
                BaseUri = Location,
                Status = BatchStatus.Pending,
                ProviderStatus = "pending",
                Total = submission.RequestCount,
                CreatedAt = DateTimeOffset.UtcNow,
                Model = submission.Model,
                Name = submission.Name,
                Endpoint = submission.Embeddings ? (_openAICompatible ? "/v1/embeddings" : "/api/embed")
                    : _openAICompatible ? "/v1/chat/completions" : "/api/chat",
            });
        }

        private JournalEntry Entry(string id) =>
            _journal.FindByBatchId(id) ?? throw new IrisBatchException(ErrorIds.NotFound, FailureKind.NotFound,
                Messages.NoLocalBatch(id, _journal.Root)) { Target = id };

        /// <summary>Status and counts from the journal: the executed lines so far, and whether a cancel was asked.</summary>
        public Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct) => Task.FromResult(Read(Entry(id)));

        private IrisBatchInfo Read(JournalEntry entry)
        {
            var dir = _journal.SubmissionDir(entry.SubmissionId);
            long ok = 0, failed = 0;
            var executed = OllamaExecutor.ExecutedPath(dir);
            // Each request counts once, by its custom id: a request with two lines (two processes that ran the batch at
            // once) must not make the batch look complete while another request has none.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (File.Exists(executed))
                foreach (var line in JsonlReader.ReadLines(executed))
                {
                    if (!line.Text.EndsWith("}", StringComparison.Ordinal)) continue;
                    var id = OllamaExecutor.CustomIdOf(line.Text);
                    if (id == null || !seen.Add(id)) continue;
                    if (line.Text.Contains("\"ok\":true")) ok++; else failed++;
                }
            bool cancelled = File.Exists(OllamaExecutor.CancelPath(dir));
            bool running = IsRunning(dir);
            var b = new IrisBatchInfo
            {
                Id = entry.BatchId ?? "",
                Provider = Name,
                BaseUri = entry.BaseUri,
                Total = entry.RequestCount,
                Succeeded = ok,
                Failed = failed,
                CreatedAt = entry.SpooledAt,
                Model = entry.Model,
                Name = entry.Name,
                Metadata = entry.Metadata,
                SetId = entry.SetId,
                IdempotencyKey = entry.IdempotencyKey,
                Endpoint = _openAICompatible ? "/v1/chat/completions" : "/api/chat",
            };
            if (ok + failed >= entry.RequestCount) b.Status = BatchStatus.Completed;
            else if (cancelled) b.Status = running ? BatchStatus.Cancelling : BatchStatus.Cancelled;
            else if (ok + failed > 0 || running) b.Status = BatchStatus.InProgress;
            else b.Status = BatchStatus.Pending;
            b.ProviderStatus = b.Status.ToString().ToLowerInvariant();
            return b;
        }

        /// <summary>True while some process holds the batch's executor lock (a lock left by a killed process does not count).</summary>
        private static bool IsRunning(string dir) => FileLock.IsHeld(Path.Combine(dir, "executor.lock"));

        public Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var all = _journal.All().Where(e => e.Provider == Name && e.BatchId != null && e.BaseUri == Location).ToList();
            int start = after == null ? 0 : all.FindIndex(e => e.BatchId == after) + 1;
            var page = all.Skip(start).Take(limit).Select(Read).ToList();
            return Task.FromResult(new BatchPage { Batches = page, HasMore = start + limit < all.Count, Next = page.Count > 0 ? page[page.Count - 1].Id : null });
        }

        /// <summary>Marks the batch cancelled; a running execution stops taking requests, the rest become Cancelled.</summary>
        public Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct)
        {
            var entry = Entry(id);
            AtomicFile.WriteAllText(OllamaExecutor.CancelPath(_journal.SubmissionDir(entry.SubmissionId)), DateTimeOffset.UtcNow.ToString("o"));
            return Task.FromResult(Read(entry));
        }

        public Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct)
        {
            var entry = Entry(batch.Id);
            var executed = OllamaExecutor.ExecutedPath(_journal.SubmissionDir(entry.SubmissionId));
            var target = Path.Combine(directory, "output.jsonl");
            if (!File.Exists(executed)) return Task.FromResult<IReadOnlyList<string>>(new string[0]);
            File.Copy(executed, target + ".part", overwrite: true);
            AtomicFile.Replace(target + ".part", target);
            return Task.FromResult<IReadOnlyList<string>>(new[] { target });
        }

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => OllamaWire.ParseResult(line, lineNumber);

        public void Execute(IrisBatchInfo batch, CancellationToken lifetime)
        {
            // An unknown id is reported by the wait's first status read (IrisBatch.NotFound), not here.
            var entry = _journal.FindByBatchId(batch.Id);
            if (entry == null) return;
            var dir = _journal.SubmissionDir(entry.SubmissionId);
            if (File.Exists(OllamaExecutor.CancelPath(dir))) return;
            var servers = entry.BaseUri.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => new Uri(s.Trim())).ToArray();
            var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
            var executor = new OllamaExecutor(dir, servers, _openAICompatible, _settings, ThrottleLimit, _apiKey);
            var run = Task.Run(async () =>
            {
                try { await executor.RunAsync(stop.Token).ConfigureAwait(false); }
                catch (Exception ex) when (!(ex is OperationCanceledException)) { _settings.Log?.Invoke(Messages.OllamaStopped(batch.Id, ex.Message)); }
            });
            lock (_running)
            {
                _running.Add((stop, run));
                // A process told to end (SIGTERM: kill, systemd, docker stop; SIGHUP) stops its runs the way Ctrl+C does:
                // answers in flight are journaled before it goes, so the next run does not execute them again.
                _signal ??= new TerminationSignal(() =>
                {
                    try { StopRunsAsync().Wait(OllamaExecutor.DrainGrace + TimeSpan.FromSeconds(1)); }
                    catch (AggregateException) { /* each run reports its own failure */ }
                });
            }
        }

        public async Task StopAsync()
        {
            await StopRunsAsync().ConfigureAwait(false);
            TerminationSignal? signal;
            lock (_running) { signal = _signal; _signal = null; }
            signal?.Dispose();
        }

        /// <summary>Stops every run at once (each gives its requests in flight the same grace), then waits for them.</summary>
        private async Task StopRunsAsync()
        {
            List<(CancellationTokenSource Stop, Task Run)> all;
            lock (_running) { all = _running.ToList(); _running.Clear(); }
            foreach (var r in all) r.Stop.Cancel();
            try { await Task.WhenAll(all.Select(r => r.Run)).ConfigureAwait(false); }
            catch (Exception) { /* each run reports its own failure */ }
            foreach (var r in all) r.Stop.Dispose();
        }
    }
}
