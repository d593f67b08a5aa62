using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Jsonl;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Mistral
{
    /// <summary>
    /// Mistral batch jobs (spec §12): upload the JSONL (<c>{custom_id, body}</c> lines) to /v1/files with purpose=batch,
    /// create a job on /v1/batch/jobs with the model, the metadata and timeout_hours, poll it (UPPERCASE statuses, four
    /// flat counters), list it by page number, cancel it, and read its output_file and error_file. Embedding requests go
    /// to jobs of their own on /v1/embeddings (§12.3).
    /// </summary>
    public sealed class MistralProvider : IBatchProvider
    {
        public const string DefaultBaseUri = "https://api.mistral.ai/v1";
        public const int ListPageSize = 100;
        /// <summary>How many pages of jobs or files a look-up reads at most (10,000 of each).</summary>
        public const int MaxLookupPages = 100;

        private readonly ApiClient _api;

        public MistralProvider(Uri baseUri, string apiKey, HttpSettings settings)
        {
            BaseUri = baseUri;
            _api = new ApiClient(Name, baseUri, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey),
                MistralJson.ParseError, settings, new Redactor(apiKey));
        }

        public string Name => "Mistral";
        public Uri BaseUri { get; }
        public ApiClient Api => _api;
        public string Location => BaseUri.AbsoluteUri.TrimEnd('/');
        public ProviderCapabilities Capabilities => ProviderCapabilities.ListsBatches | ProviderCapabilities.ListsNewestFirst;
        public IExecutingProvider? Executor => null;

        /// <summary>
        /// The job carries this submission's idempotency key in its metadata (spec §12.3), was made from its input file and
        /// holds as many requests (0 while queued).
        /// </summary>
        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) =>
            batch.IdempotencyKey == submission.IdempotencyKey
            && (inputFileId == null || batch.InputFileId == null || batch.InputFileId == inputFileId)
            && (batch.Total == 0 || batch.Total == submission.RequestCount);

        public Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct) => Task.FromResult(found);

        /// <summary>
        /// 100,000 requests a job (the known-limitations page; the batch page's 1 million conflicts with it), 512 MB a file,
        /// one model a job, metadata keys of 1-32 and values of 1-512 characters with no limit on their number (spec §12.3:
        /// an empty value is a 422 at create, after the upload, so it is refused before), timeout_hours 1 to 168.
        /// </summary>
        public ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 100_000,
            MaxBytesPerBatch = 512L * 1000 * 1000,
            OneModelPerBatch = true,
            MaxMetadataPairs = int.MaxValue,
            MaxMetadataKeyLength = 32,
            MinMetadataValueLength = 1,
            MaxMetadataValueLength = 512,
            MinCompletionWindow = TimeSpan.FromHours(1),
            MaxCompletionWindow = TimeSpan.FromHours(168),
            EmbeddingBatches = true,   // /v1/embeddings is one of the job's endpoints (§12.3); §12.6 gives no embedding-inputs limit
        };

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request)
        {
            if (request.IsEmbedding) Embeddings.EmbeddingRequests.WriteMistral(writer, request, Name);
            else MistralRequestWriter.Write(writer, request, modelInBody: false, Name);
        }

        public async Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct)
        {
            var name = OpenAIProvider.UploadFileName(submission.IdempotencyKey);
            return await FileUpload.SendAsync(_api, Name, "files",
                () => ResultFiles.Multipart(submission.InputPath, name, progress, ("purpose", "batch")), submission, ct).ConfigureAwait(false);
        }

        public async Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct)
        {
            var name = OpenAIProvider.UploadFileName(idempotencyKey);
            for (int page = 0; page < MaxLookupPages; page++)
            {
                using var doc = await _api.SendJsonAsync(HttpMethod.Get,
                    $"files?page={page}&page_size={ListPageSize}&purpose=batch&search={Uri.EscapeDataString(name)}", null, "the list of uploaded files", ct).ConfigureAwait(false);
                int count = 0;
                foreach (var f in ListAnswers.Items(doc.RootElement, "data", Name, "the list of uploaded files"))
                {
                    count++;
                    if (f.Str("filename") == name && f.Prop("deleted")?.ValueKind != JsonValueKind.True) return f.Str("id");
                }
                if (!MorePages(doc.RootElement, page, count)) return null;
            }
            return null;
        }

        public async Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            var body = CreateBody(submission, fileId, Limits.MaxMetadataValueLength);
            using var doc = await _api.SendJsonAsync(HttpMethod.Post, "batch/jobs", () => ResultFiles.Json(body), "the batch create call", ct, retry: false).ConfigureAwait(false);
            return MistralJson.ReadBatch(doc.RootElement, Location);
        }

        private static byte[] CreateBody(BatchSubmission submission, string? fileId, int maxValueLength)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options))
            {
                w.WriteStartObject();
                w.WritePropertyName("input_files");
                w.WriteStartArray();
                w.WriteStringValue(fileId);
                w.WriteEndArray();
                w.WriteString("endpoint", submission.Embeddings ? Embeddings.EmbeddingRequests.OpenAIEndpoint : OpenAIProvider.ChatEndpoint);
                w.WriteString("model", submission.Model);
                w.WritePropertyName("metadata");
                w.WriteStartObject();
                foreach (var kv in ReservedMetadata.Compose(submission, maxValueLength: maxValueLength)) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
                w.WriteNumber("timeout_hours", (int)(submission.CompletionWindow ?? CompletionWindows.Default).TotalHours);
                w.WriteEndObject();
            }
            return ms.ToArray();
        }

        /// <summary>Job ids are UUIDs (spec §12.4): anything else cannot name a job, so it is not found (Mistral answers it with a 422).</summary>
        private void CheckId(string id)
        {
            if (!Guid.TryParse(id, out _))
                throw new IrisBatchException(ErrorIds.NotFound, FailureKind.NotFound,
                    Messages.MistralIdNotUuid(id, BaseUri.GetLeftPart(UriPartial.Authority))) { Target = id };
        }

        public async Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct)
        {
            CheckId(id);
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Get, "batch/jobs/" + Uri.EscapeDataString(id), id, "the status", ct).ConfigureAwait(false);
            return MistralJson.ReadBatch(doc.RootElement, Location);
        }

        /// <summary>
        /// One page of jobs, newest first. Mistral pages by number from 0 (spec §12.5), so a page number means something
        /// only with its page size: the cursor is "page:size", and every page after the first keeps the first one's size
        /// whatever the caller's limit then (a page of 100 then a page of 50 would be jobs 50-99 again). The caller stops
        /// reading where it has enough.
        /// </summary>
        public async Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var (page, size) = ReadCursor(after, limit);
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, $"batch/jobs?page={page}&page_size={size}&order_by=-created", null, "the list of batches", ct).ConfigureAwait(false);
            var list = new List<IrisBatchInfo>();
            foreach (var item in ListAnswers.Items(doc.RootElement, "data", Name, "the list of batches")) list.Add(MistralJson.ReadBatch(item, Location));
            bool more = MorePages(doc.RootElement, page, list.Count, size);
            return new BatchPage { Batches = list, HasMore = more, Next = more ? Cursor(page + 1, size) : null };
        }

        internal static string Cursor(int page, int size) =>
            page.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + size.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The page and page size a cursor names; without one, page 0 of min(100, limit).</summary>
        internal static (int Page, int Size) ReadCursor(string? after, int limit)
        {
            var parts = (after ?? "").Split(':');
            if (parts.Length == 2 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var page)
                && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
                && size >= 1 && size <= ListPageSize)
                return (page, size);
            return (0, Math.Max(1, Math.Min(ListPageSize, limit)));
        }

        /// <summary>Page-number paging (spec §12.5): more while (page + 1) × page_size is below total; without a total, while pages are full.</summary>
        private static bool MorePages(JsonElement root, int page, int count, int size = ListPageSize)
        {
            var total = root.Long("total");
            if (total.HasValue) return (long)(page + 1) * size < total.Value && count > 0;
            return count >= size;
        }

        public async Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct)
        {
            CheckId(id);
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Post, "batch/jobs/" + Uri.EscapeDataString(id) + "/cancel", id, "the cancel", ct).ConfigureAwait(false);
            return MistralJson.ReadBatch(doc.RootElement, Location);
        }

        public Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct) =>
            ResultFiles.DownloadAsync(_api, batch.OutputFileId, batch.ErrorFileId, directory, progress, ct);

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => MistralJson.ParseResult(line, lineNumber);

        /// <summary>Files (DELETE /v1/files/{id}) and the ended job itself (DELETE /v1/batch/jobs/{id}), spec §12.2, §12.5.</summary>
        public RemoteCleanup Cleanup => RemoteCleanup.Files | RemoteCleanup.Batch;

        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct) => RemoteDelete.SendAsync(_api,
            (item.Kind == RemoteKind.Batch ? "batch/jobs/" : "files/") + Uri.EscapeDataString(item.Id), item, ct);
    }
}
