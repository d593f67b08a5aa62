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

namespace IrisBatch.Providers.OpenAI
{
    /// <summary>
    /// OpenAI's Files + Batches protocol (spec §1): upload the JSONL with purpose=batch, create the batch,
    /// poll it, download both the output and the error file. Also serves OpenAI-compatible hosts (spec §7).
    /// </summary>
    public class OpenAIProvider : IBatchProvider, IUtf8ResultLines
    {
        public const string DefaultBaseUri = "https://api.openai.com/v1";
        public const string ChatEndpoint = "/v1/chat/completions";

        private readonly ApiClient _api;
        private readonly OpenAIHost _host;

        public OpenAIProvider(Uri baseUri, string apiKey, HttpSettings settings, string name = "OpenAI")
            : this(baseUri, apiKey, settings, OpenAIHost.OpenAI, name)
        {
        }

        /// <summary>An OpenAI-compatible host (Groq): the same protocol with the host's differences as data.</summary>
        public OpenAIProvider(Uri baseUri, string apiKey, HttpSettings settings, OpenAIHost host, string? name = null)
        {
            _host = host;
            Name = name ?? host.Name;
            BaseUri = baseUri;
            _api = new ApiClient(Name, baseUri, request => Authorize(request, apiKey), OpenAIJson.ParseError, settings, new Redactor(apiKey));
        }

        public string Name { get; }
        public Uri BaseUri { get; }
        public virtual string Endpoint => ChatEndpoint;
        /// <summary>The line url (and batch endpoint) of Responses requests (spec §11.3).</summary>
        public virtual string ResponsesEndpoint => OpenAIRequestWriter.ResponsesEndpoint;

        public virtual ProviderLimits Limits => _host.Limits;

        /// <summary>Where the batches live, as journaled (Azure adds its api-version).</summary>
        public virtual string Location => BaseUri.AbsoluteUri.TrimEnd('/');

        public ProviderCapabilities Capabilities => ProviderCapabilities.ListsBatches
            | (_host.ListsNewestFirst ? ProviderCapabilities.ListsNewestFirst : ProviderCapabilities.None);

        public IExecutingProvider? Executor => null;

        /// <summary>
        /// The batch carries this submission's idempotency key in its metadata (spec §1.4), was made from its input file,
        /// and holds as many requests (0 while validating). The model is not compared: the batch may name a dated snapshot
        /// (or an Azure deployment) rather than the name we sent. A batch with no key at all is this submission's only when
        /// it was made from this submission's own upload: the key is left out when the user's -Metadata fills all 16 pairs.
        /// </summary>
        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) =>
            (batch.IdempotencyKey == submission.IdempotencyKey
                ? inputFileId == null || batch.InputFileId == null || batch.InputFileId == inputFileId
                : string.IsNullOrEmpty(batch.IdempotencyKey) && inputFileId != null && batch.InputFileId == inputFileId)
            && (batch.Total == 0 || batch.Total == submission.RequestCount);

        public Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct) => Task.FromResult(found);

        /// <summary>The file name an upload carries, so a lost upload answer can be found again by its key.</summary>
        public static string UploadFileName(string idempotencyKey) => "irisbatch-" + idempotencyKey + ".jsonl";

        /// <summary>Adds the credential; Azure's dated surface overrides this with its api-key header.</summary>
        protected virtual void Authorize(HttpRequestMessage request, string apiKey)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        /// <summary>The client this provider's calls go through (its key and headers already set).</summary>
        protected ApiClient Api => _api;

        /// <summary>
        /// Runs before the create call, on every path that creates (first run or resumed): Azure waits here until the uploaded
        /// file is processed (spec §2). Nothing has been sent yet when it throws, so no batch can have been made.
        /// </summary>
        protected virtual Task BeforeCreateAsync(string? fileId, CancellationToken ct) => Task.CompletedTask;

        /// <summary>The path of a route relative to the base URI (Azure adds its api-version query).</summary>
        protected virtual string Route(string path) => path;

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request)
        {
            if (request.IsEmbedding) Embeddings.EmbeddingRequests.WriteOpenAI(writer, request);
            else
            {
                if (!_host.Responses) Requests.RequestFeatures.CheckEndpoint(request, Name, false);
                if (_host.EffortsListed) Requests.RequestFeatures.CheckEffortListed(request, Name, BodyFields.For(request.BodyJson));
                OpenAIRequestWriter.Write(writer, request, Endpoint, Name, ResponsesEndpoint);
            }
        }

        /// <summary>
        /// The batch's endpoint: the url of its lines (one per batch: the spooler keeps chat and Responses requests
        /// apart), read from the first line of the spooled input; the chat endpoint when it has none.
        /// </summary>
        private string EndpointOf(BatchSubmission submission)
        {
            try
            {
                if (!File.Exists(submission.InputPath)) return Endpoint;
                using var reader = new StreamReader(submission.InputPath, Encoding.UTF8);
                var first = reader.ReadLine();
                if (string.IsNullOrEmpty(first)) return Endpoint;
                using var doc = JsonDocument.Parse(first);
                var url = doc.RootElement.Str("url");
                return url == ResponsesEndpoint ? url : Endpoint;
            }
            catch (Exception ex) when (ex is IOException || ex is JsonException)
            {
                return Endpoint;
            }
        }

        public async Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct) =>
            await FileUpload.SendAsync(_api, Name, Route("files"),
                () => BuildUpload(submission.InputPath, UploadFileName(submission.IdempotencyKey), progress), submission, ct).ConfigureAwait(false);

        private static HttpContent BuildUpload(string path, string fileName, Action<long>? progress)
        {
            var boundary = "irisbatch-" + Guid.NewGuid().ToString("N");
            var content = new MultipartFormDataContent(boundary);
            var purpose = new StringContent("batch", Encoding.UTF8);
            purpose.Headers.ContentType = null;
            purpose.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"purpose\"" };
            content.Add(purpose);
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var file = new StreamContent(progress == null ? (Stream)stream : new ProgressStream(stream, progress), 1 << 16);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"" + fileName + "\"" };
            content.Add(file);
            return content;
        }

        public async Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            await BeforeCreateAsync(fileId, ct).ConfigureAwait(false);
            var body = CreateBody(submission, fileId);
            using var doc = await _api.SendJsonAsync(HttpMethod.Post, Route("batches"),
                () => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                "the batch create call", ct, retry: false).ConfigureAwait(false);
            return Read(doc.RootElement);
        }

        private byte[] CreateBody(BatchSubmission submission, string? fileId)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options))
            {
                w.WriteStartObject();
                w.WriteString("input_file_id", fileId);
                w.WriteString("endpoint", submission.Embeddings ? Embeddings.EmbeddingRequests.OpenAIEndpoint : EndpointOf(submission));
                w.WriteString("completion_window", CompletionWindows.Format(submission.CompletionWindow ?? CompletionWindows.Default));
                w.WritePropertyName("metadata");
                w.WriteStartObject();
                foreach (var kv in ReservedMetadata.Compose(submission, Limits.MaxMetadataPairs, Limits.MaxMetadataValueLength)) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            return ms.ToArray();
        }

        /// <summary>Files asked for per page of the files list (spec §1.3: limit 1..10,000).</summary>
        public int FileListPageSize { get; set; } = 1000;

        /// <summary>At most this many pages of files are read looking for a lost upload; beyond that it is uploaded again (storage, not a bill).</summary>
        public const int MaxFilePages = 1000;

        /// <summary>
        /// Finds an upload whose answer was lost by the name it carries. Hosts that page their files list (OpenAI and Azure:
        /// <c>limit</c>, <c>after</c>, <c>has_more</c>, newest first) are read page after page, not only the first; Groq's list
        /// takes no parameters and answers every file at once.
        /// </summary>
        public async Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct)
        {
            var name = UploadFileName(idempotencyKey);
            bool paged = _host.Paging == OpenAIListPaging.AfterCursor;
            string? after = null;
            for (int page = 0; page < MaxFilePages; page++)
            {
                var route = _host.FileListRoute;
                if (paged)
                {
                    route += (route.IndexOf('?') >= 0 ? "&" : "?") + "limit=" + Math.Max(1, Math.Min(10000, FileListPageSize));
                    if (after != null) route += "&after=" + Uri.EscapeDataString(after);
                }
                using var doc = await _api.SendJsonAsync(HttpMethod.Get, Route(route), null, "the list of uploaded files", ct).ConfigureAwait(false);
                var root = doc.RootElement;
                string? last = null;
                foreach (var f in ListAnswers.Items(root, "data", Name, "the list of uploaded files"))
                {
                    if (f.Str("filename") == name) return f.Str("id");
                    last = f.Str("id") ?? last;
                }
                if (!paged || root.Prop("has_more")?.ValueKind != JsonValueKind.True) return null;
                var next = root.Str("last_id") ?? last;
                if (string.IsNullOrEmpty(next) || next == after) return null;
                after = next;
            }
            return null;
        }

        public async Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Get, Route("batches/" + Uri.EscapeDataString(id)), id, "the status", ct).ConfigureAwait(false);
            return Read(doc.RootElement);
        }

        public async Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var query = _host.Paging == OpenAIListPaging.NextCursor
                ? "batches" + (after == null ? "" : "?cursor=" + Uri.EscapeDataString(after))
                : "batches?limit=" + Math.Max(1, Math.Min(100, limit)) + (after == null ? "" : "&after=" + Uri.EscapeDataString(after));
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, Route(query), null, "the list of batches", ct).ConfigureAwait(false);
            var root = doc.RootElement;
            var list = new List<IrisBatchInfo>();
            foreach (var item in ListAnswers.Items(root, "data", Name, "the list of batches")) list.Add(Read(item));
            if (_host.Paging == OpenAIListPaging.NextCursor)
            {
                // Groq: paging.next_cursor while there is more (the guide); no paging at all in the spec and SDK.
                var cursor = root.Prop("paging")?.Str("next_cursor");
                return new BatchPage { Batches = list, HasMore = !string.IsNullOrEmpty(cursor), Next = string.IsNullOrEmpty(cursor) ? null : cursor };
            }
            var hasMore = root.Prop("has_more")?.ValueKind == JsonValueKind.True;
            return new BatchPage { Batches = list, HasMore = hasMore, Next = root.Str("last_id") ?? (list.Count > 0 ? list[list.Count - 1].Id : null) };
        }

        public async Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Post, Route("batches/" + Uri.EscapeDataString(id) + "/cancel"), id, "the cancel", ct).ConfigureAwait(false);
            return Read(doc.RootElement);
        }

        public async Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct)
        {
            var written = new List<string>();
            long done = 0;
            foreach (var (fileId, name) in new[] { (batch.OutputFileId, "output.jsonl"), (batch.ErrorFileId, "errors.jsonl") })
            {
                if (string.IsNullOrEmpty(fileId)) continue;
                var target = Path.Combine(directory, name);
                long before = done;
                done += await _api.DownloadToFileAsync(Route("files/" + Uri.EscapeDataString(fileId) + "/content"), target,
                    progress == null ? null : (Action<long>)(n => progress(before + n)), $"the download of file {fileId}", ct).ConfigureAwait(false);
                written.Add(target);
            }
            return written;
        }

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => OpenAIResultParser.Parse(line, lineNumber);

        /// <summary>Input, output and error files (spec §1.3 DELETE /v1/files/{id}); a batch cannot be deleted.</summary>
        public virtual RemoteCleanup Cleanup => RemoteCleanup.Files;

        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct) => item.Kind == RemoteKind.Batch
            ? RemoteDelete.Unsupported(this, item)
            : RemoteDelete.SendAsync(_api, Route("files/" + Uri.EscapeDataString(item.Id)), item, ct);

        public IrisBatchResult? TryParseResultLine(byte[] bytes, int start, int length) => OpenAIResultParser.TryParseFast(bytes, start, length);

        protected IrisBatchInfo Read(JsonElement e)
        {
            var batch = OpenAIJson.ReadBatch(e, Name, BaseUri);
            batch.BaseUri = Location;
            return batch;
        }

    }
}
