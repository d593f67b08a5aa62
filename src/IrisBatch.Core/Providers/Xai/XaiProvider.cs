using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Jsonl;
using IrisBatch.Providers.Gemini;

namespace IrisBatch.Providers.Xai
{
    /// <summary>
    /// xAI batches (spec §5): create an empty batch, add the requests in chunks under the per-call size limit,
    /// poll until num_pending is 0 (there is no status string), read the paginated results, cancel with :cancel.
    /// </summary>
    public sealed class XaiProvider : IBatchProvider
    {
        public const string DefaultBaseUri = "https://api.x.ai/v1";
        /// <summary>xAI takes at most 25 MB per add-requests call; chunks stay below this.</summary>
        public const int ChunkBytes = 20 * 1000 * 1000;

        private readonly ApiClient _api;

        public XaiProvider(Uri baseUri, string apiKey, HttpSettings settings)
        {
            BaseUri = baseUri;
            _api = new ApiClient(Name, baseUri, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey),
                XaiJson.ParseError, settings, new Redactor(apiKey));
        }

        public string Name => "Xai";
        public Uri BaseUri { get; }
        public ApiClient Api => _api;

        public ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 100_000,
            MaxBytesPerBatch = 2L * 1000 * 1000 * 1000,
            OneModelPerBatch = false,
            MaxMetadataPairs = 1000,
            MaxMetadataKeyLength = 1000,
            MaxMetadataValueLength = 100_000,
        };

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request) => XaiRequestWriter.Write(writer, request);

        /// <summary>xAI's batch API (spec §5) has no delete: nothing to remove there.</summary>
        public RemoteCleanup Cleanup => RemoteCleanup.None;

        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct) => RemoteDelete.Unsupported(this, item);

        public Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct) => Task.FromResult<string?>(null);

        public Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct) => Task.FromResult<string?>(null);

        public async Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            var existing = await FindCreatedAsync(submission, DateTimeOffset.MinValue, ct).ConfigureAwait(false);
            IrisBatchInfo batch;
            if (existing != null && existing.Total == 0) batch = existing; // an empty container from an interrupted run: fill it
            else
            {
                var name = GeminiNames.Compose(submission.Name, submission.IdempotencyKey);
                var body = Encoding.UTF8.GetBytes("{\"name\":" + JsonSerializer.Serialize(name) + "}");
                using var doc = await _api.SendJsonAsync(HttpMethod.Post, "batches", () => Json(body), "the batch create call", ct, retry: false).ConfigureAwait(false);
                batch = XaiJson.ReadBatch(doc.RootElement, BaseUri);
            }
            await AddRequestsAsync(batch.Id, submission, ct).ConfigureAwait(false);
            return await GetAsync(batch.Id, ct).ConfigureAwait(false);
        }

        /// <summary>Adds the spooled requests in chunks of at most <see cref="ChunkBytes"/>.</summary>
        private async Task AddRequestsAsync(string id, BatchSubmission submission, CancellationToken ct)
        {
            var chunk = new MemoryStream();
            int count = 0, sent = 0;
            async Task FlushAsync()
            {
                if (count == 0) return;
                chunk.WriteByte((byte)']');
                chunk.WriteByte((byte)'}');
                var bytes = chunk.ToArray();
                var first = sent + 1;
                using (await _api.SendJsonAsync(HttpMethod.Post, "batches/" + Uri.EscapeDataString(id) + "/requests", () => Json(bytes),
                    $"adding requests {first} to {sent + count} to batch {id}", ct).ConfigureAwait(false)) { }
                sent += count;
                count = 0;
                chunk.SetLength(0);
            }
            var prefix = Encoding.UTF8.GetBytes("{\"batch_requests\":[");
            foreach (var line in JsonlReader.ReadLines(submission.InputPath))
            {
                var bytes = Encoding.UTF8.GetBytes(line.Text);
                if (count > 0 && chunk.Length + bytes.Length + 2 > ChunkBytes) await FlushAsync().ConfigureAwait(false);
                if (count == 0) chunk.Write(prefix, 0, prefix.Length);
                else chunk.WriteByte((byte)',');
                chunk.Write(bytes, 0, bytes.Length);
                count++;
            }
            await FlushAsync().ConfigureAwait(false);
        }

        public async Task<IrisBatchInfo?> FindCreatedAsync(BatchSubmission submission, DateTimeOffset notBefore, CancellationToken ct)
        {
            var page = await ListAsync(null, 100, ct).ConfigureAwait(false);
            // Only a container that holds every request counts as created; an empty one is refilled by CreateAsync.
            foreach (var b in page.Batches)
                if (b.IdempotencyKey == submission.IdempotencyKey && (b.Total >= submission.RequestCount || notBefore == DateTimeOffset.MinValue)) return b;
            return null;
        }

        public async Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Get, "batches/" + Uri.EscapeDataString(id), id, "the status", ct).ConfigureAwait(false);
            return XaiJson.ReadBatch(doc.RootElement, BaseUri);
        }

        public async Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var query = "batches?limit=" + Math.Max(1, Math.Min(100, limit)) + (after == null ? "" : "&pagination_token=" + Uri.EscapeDataString(after));
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, query, null, "the list of batches", ct).ConfigureAwait(false);
            var list = new List<IrisBatchInfo>();
            var data = doc.RootElement.Prop("batches");
            if (data != null && data.Value.ValueKind == JsonValueKind.Array)
                foreach (var item in data.Value.EnumerateArray()) list.Add(XaiJson.ReadBatch(item, BaseUri));
            var next = doc.RootElement.Str("pagination_token");
            return new BatchPage { Batches = list, HasMore = !string.IsNullOrEmpty(next), Next = string.IsNullOrEmpty(next) ? null : next };
        }

        public async Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Post, "batches/" + Uri.EscapeDataString(id) + ":cancel", id, "the cancel", ct).ConfigureAwait(false);
            if (doc.RootElement.Str("batch_id") != null) return XaiJson.ReadBatch(doc.RootElement, BaseUri);
            return await GetAsync(id, ct).ConfigureAwait(false);
        }

        /// <summary>Reads every page of results into one JSONL file (one result object a line).</summary>
        public async Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct)
        {
            var path = Path.Combine(directory, "output.jsonl");
            var temp = path + ".part";
            long bytes = 0;
            using (var writer = new JsonlWriter(temp))
            {
                string? token = null;
                do
                {
                    var query = "batches/" + Uri.EscapeDataString(batch.Id) + "/results?limit=1000" + (token == null ? "" : "&pagination_token=" + Uri.EscapeDataString(token));
                    using var doc = await _api.SendJsonAsync(HttpMethod.Get, query, null, $"the results of batch {batch.Id}", ct).ConfigureAwait(false);
                    var results = doc.RootElement.Prop("results");
                    if (results != null && results.Value.ValueKind == JsonValueKind.Array)
                        foreach (var item in results.Value.EnumerateArray()) bytes += writer.WriteLine(w => item.WriteTo(w));
                    progress?.Invoke(bytes);
                    token = doc.RootElement.Str("pagination_token");
                    if (string.IsNullOrEmpty(token)) token = null;
                } while (token != null);
            }
            Journal.AtomicFile.Replace(temp, path);
            return new[] { path };
        }

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => XaiJson.ParseResult(line, lineNumber);

        private static HttpContent Json(byte[] body) => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    }
}
