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
        /// <summary>xAI's limit per add-requests call, "25 MB" read the smaller way (spec §5); a single request over it is refused per row.</summary>
        public const long MaxAddCallBytes = 25L * 1000 * 1000;
        /// <summary>What an add call wraps around its requests: <c>{"batch_requests":[</c> and <c>]}</c>.</summary>
        public const long AddCallEnvelopeBytes = 21;

        private readonly ApiClient _api;

        public XaiProvider(Uri baseUri, string apiKey, HttpSettings settings)
        {
            BaseUri = baseUri;
            _api = new ApiClient(Name, baseUri, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey),
                XaiJson.ParseError, settings, new Redactor(apiKey));
        }

        public string Name => "Xai";
        public Uri BaseUri { get; }

        public ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 100_000,
            MaxBytesPerBatch = 2L * 1000 * 1000 * 1000,
            OneModelPerBatch = false,
            MaxMetadataPairs = 1000,
            MaxMetadataKeyLength = 1000,
            MaxMetadataValueLength = 100_000,
            EmbeddingBatches = false,   // a batch request is a completion, image or video request, no embed request (§11.5)
        };

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request) => XaiRequestWriter.Write(writer, request);

        /// <summary>xAI's batch API (spec §5) has no delete: nothing to remove there.</summary>
        public RemoteCleanup Cleanup => RemoteCleanup.None;

        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct) => RemoteDelete.Unsupported(this, item);

        public Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct) => Task.FromResult<string?>(null);

        public Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct) => Task.FromResult<string?>(null);

        /// <summary>Creates the empty container (never retried blindly: see BatchSubmitter), then adds every request.</summary>
        public async Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            var name = GeminiNames.Compose(submission.Name, submission.IdempotencyKey);
            var body = Encoding.UTF8.GetBytes("{\"name\":" + JsonSerializer.Serialize(name) + "}");
            IrisBatchInfo container;
            using (var doc = await _api.SendJsonAsync(HttpMethod.Post, "batches", () => Json(body), "the batch create call", ct, retry: false).ConfigureAwait(false))
                container = CreateAnswer.Checked(XaiJson.ReadBatch(doc.RootElement, BaseUri), Name);
            long added = 0;
            try
            {
                await AddRequestsAsync(container.Id, submission, 0, n => added = n, ct).ConfigureAwait(false);
                // Read inside: a refused read (a 429 past its retries) must not send the caller to create a second batch.
                return await GetAsync(container.Id, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ApiClient.IsDefinitive(ex) && (ApiClient.MayRetry(ex) || ex is IrisBatchException ib && ib.HttpStatus is int s && s >= 400 && s < 500))
            {
                // The container exists now, with the requests added so far: the caller must not create another one after
                // this refusal (a 429 on an add call, say), which would run those requests twice. It is reported as a
                // failure that may have acted, so the caller looks the container up by its name and adds the rest to it.
                // A refusal for good (a 400) is not retried, but it too says nothing of the container: never "create refused".
                var refused = ex as IrisBatchException;
                throw new ApiException(refused?.ErrorId ?? ErrorIds.ConnectionFailed, refused?.Kind ?? FailureKind.ConnectionError,
                    Messages.XaiAddIncomplete(container.Id, added, submission.RequestCount, ex.Message), ex)
                {
                    Retryable = ApiClient.MayRetry(ex), MayHaveActed = true, RetryAfter = (ex as ApiException)?.RetryAfter, Target = container.Id,
                    ProviderCode = refused?.ProviderCode, RequestId = refused?.RequestId,
                };
            }
        }

        public string Location => BaseUri.AbsoluteUri.TrimEnd('/');
        public ProviderCapabilities Capabilities => ProviderCapabilities.ListsBatches;
        public IExecutingProvider? Executor => null;

        /// <summary>
        /// The batch's name carries this submission's idempotency key; it holds no more requests than the submission
        /// (a container partly filled by an interrupted run is a candidate: <see cref="FinishCreateAsync"/> completes it).
        /// </summary>
        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) =>
            batch.IdempotencyKey == submission.IdempotencyKey && batch.Total <= submission.RequestCount;

        /// <summary>
        /// Completes a container: the batch's own request count says how many requests arrived (they are added in input
        /// order, one call at a time), so only the rest are added.
        /// </summary>
        public async Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct)
        {
            if (found.Total < submission.RequestCount)
                await AddRequestsAsync(found.Id, submission, found.Total, _ => { }, ct).ConfigureAwait(false);
            return await GetAsync(found.Id, ct).ConfigureAwait(false);
        }

        /// <summary>
        /// Adds the spooled requests after the first <paramref name="arrived"/> in chunks of at most <see cref="ChunkBytes"/>.
        /// An add call is never repeated blindly: a definitive refusal (a 4xx such as 429) is retried after its delay; after
        /// an ambiguous failure (reset, timeout, 5xx) the batch's request count says what arrived, and adding resumes there.
        /// </summary>
        private async Task AddRequestsAsync(string id, BatchSubmission submission, long arrived, Action<long> progress, CancellationToken ct)
        {
            var settings = _api.Settings;
            int failures = 0;
            while (arrived < submission.RequestCount)
            {
                long sent = arrived;
                try
                {
                    await AddFromAsync(id, submission, sent, n => progress(arrived = n), ct).ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (ApiClient.MayRetry(ex) && failures < settings.MaxRetries && !ct.IsCancellationRequested)
                {
                    bool definitive = ApiClient.IsDefinitive(ex);
                    var delay = ApiClient.DelayBefore(settings, failures, ex);
                    failures++;
                    settings.Log?.Invoke(definitive ? Messages.RetryDefinitive(failures, settings.MaxRetries, "add-requests call", delay, ex.Message)
                                                    : Messages.RetryAfterLookUp(failures, settings.MaxRetries, "add-requests call", delay, ex.Message));
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                    if (!definitive)
                    {
                        var batch = await GetAsync(id, ct).ConfigureAwait(false);
                        progress(arrived = batch.Total);
                    }
                }
            }
        }

        /// <summary>Sends the requests after the first <paramref name="skip"/>, a chunk a call; reports the count after each call.</summary>
        private async Task AddFromAsync(string id, BatchSubmission submission, long skip, Action<long> arrived, CancellationToken ct)
        {
            var chunk = new MemoryStream();
            int count = 0;
            long sent = skip;
            async Task FlushAsync()
            {
                if (count == 0) return;
                chunk.WriteByte((byte)']');
                chunk.WriteByte((byte)'}');
                var bytes = chunk.ToArray();
                var first = sent + 1;
                using (await _api.SendJsonAsync(HttpMethod.Post, "batches/" + Uri.EscapeDataString(id) + "/requests", () => Json(bytes),
                    $"adding requests {first} to {sent + count} to batch {id}", ct, retry: false).ConfigureAwait(false)) { }
                sent += count;
                arrived(sent);
                count = 0;
                chunk.SetLength(0);
            }
            var prefix = Encoding.UTF8.GetBytes("{\"batch_requests\":[");
            long index = 0;
            foreach (var line in JsonlReader.ReadLines(submission.InputPath))
            {
                if (index++ < skip) continue;
                var bytes = Encoding.UTF8.GetBytes(line.Text);
                if (count > 0 && chunk.Length + bytes.Length + 2 > ChunkBytes) await FlushAsync().ConfigureAwait(false);
                if (count == 0) chunk.Write(prefix, 0, prefix.Length);
                else chunk.WriteByte((byte)',');
                chunk.Write(bytes, 0, bytes.Length);
                count++;
            }
            await FlushAsync().ConfigureAwait(false);
        }

        public async Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Get, "batches/" + Uri.EscapeDataString(id), id, "the status", ct).ConfigureAwait(false);
            return XaiJson.ReadBatch(doc.RootElement, BaseUri);
        }

        public async Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var query = "batches?limit=" + Math.Max(1, Math.Min(100, limit)) + (after == null ? "" : "&pagination_token=" + Uri.EscapeDataString(after));
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, query, null, "the list of batches", ct, emptyIsObject: false).ConfigureAwait(false);
            var list = new List<IrisBatchInfo>();
            var data = ListAnswers.RequireObject(doc.RootElement, Name, "the list of batches", "batches").Prop("batches");
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
            AtomicFile.Replace(temp, path);
            return new[] { path };
        }

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => XaiJson.ParseResult(line, lineNumber);

        private static HttpContent Json(byte[] body) => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    }
}
