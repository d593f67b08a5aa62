using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Jsonl;

namespace IrisBatch.Providers.Gemini
{
    /// <summary>
    /// Gemini batch mode (spec §4): inline requests (requests.requests) while the batch is under 20 MB and, for
    /// embeddings, its answers small (<see cref="GeminiInputMode"/>), else a JSONL file through the resumable Files upload; the batch is a long-running operation batches/{id};
    /// results inline in the operation or in a responses file, joined on the key.
    /// </summary>
    public sealed class GeminiProvider : IBatchProvider
    {
        public const string DefaultBaseUri = "https://generativelanguage.googleapis.com";
        public const long InlineLimit = GeminiInputMode.InlineLimit;

        private readonly ApiClient _api;

        public GeminiProvider(Uri baseUri, string apiKey, HttpSettings settings)
        {
            var text = baseUri.AbsoluteUri.TrimEnd('/');
            if (text.EndsWith("/v1beta", StringComparison.OrdinalIgnoreCase)) text = text.Substring(0, text.Length - "/v1beta".Length);
            BaseUri = new Uri(text);
            _api = new ApiClient(Name, BaseUri, r => r.Headers.TryAddWithoutValidation("x-goog-api-key", apiKey),
                GeminiJson.ParseError, settings, new Redactor(apiKey));
        }

        public string Name => "Gemini";
        public Uri BaseUri { get; }
        public string Location => BaseUri.AbsoluteUri.TrimEnd('/');
        public ProviderCapabilities Capabilities => ProviderCapabilities.ListsBatches;
        public IExecutingProvider? Executor => null;

        /// <summary>
        /// The batch's display name carries this submission's idempotency key (<see cref="GeminiNames"/>); the model in
        /// its metadata is the one the create call named; file mode echoes the input file; the request count matches
        /// once Gemini has counted the requests.
        /// </summary>
        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) =>
            batch.IdempotencyKey == submission.IdempotencyKey
            && (batch.Model == null || StripModels(batch.Model) == StripModels(submission.Model))
            && (inputFileId == null || batch.InputFileId == null || batch.InputFileId == inputFileId)
            && (batch.Total == 0 || batch.Total == submission.RequestCount);

        private static string StripModels(string model) => model.StartsWith("models/", StringComparison.Ordinal) ? model.Substring(7) : model;

        public Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct) => Task.FromResult(found);

        public ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 200_000,
            MaxBytesPerBatch = 2L * 1000 * 1000 * 1000,
            OneModelPerBatch = true,
            MaxMetadataPairs = 1000,
            MaxMetadataKeyLength = 1000,
            MaxMetadataValueLength = 100_000,
            EmbeddingBatches = true,   // asyncBatchEmbedContent (§11.5)
        };

        private static string BatchName(string id) => id.StartsWith("batches/", StringComparison.Ordinal) ? id : "batches/" + id;
        private static string ModelName(string model) => model.StartsWith("models/", StringComparison.Ordinal) ? model : "models/" + model;
        public static string UploadDisplayName(string key) => "irisbatch-" + key + ".jsonl";

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request)
        {
            if (request.IsEmbedding) Embeddings.EmbeddingRequests.WriteGemini(writer, request);
            else GeminiRequestWriter.Write(writer, request);
        }

        /// <summary>Files of file mode (input JSONL, responses file) and the batch (spec §4 DELETE /v1beta/batches/{id}).</summary>
        public RemoteCleanup Cleanup => RemoteCleanup.Files | RemoteCleanup.Batch;

        /// <summary>
        /// Deletes the batch or one of its files. Gemini removes uploaded files 48 hours after their upload and answers a
        /// file it no longer has with 403 PERMISSION_DENIED ("... or it may not exist"), not 404: with the key the batch
        /// was just read with, that file is gone, which is not an error.
        /// </summary>
        public async Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct)
        {
            if (item.Kind == RemoteKind.Batch) return await RemoteDelete.SendAsync(_api, "v1beta/" + BatchName(item.Id), item, ct).ConfigureAwait(false);
            try
            {
                return await RemoteDelete.SendAsync(_api, "v1beta/" + (item.Id.StartsWith("files/", StringComparison.Ordinal) ? item.Id : "files/" + item.Id), item, ct).ConfigureAwait(false);
            }
            catch (ApiException ex) when (ex.ErrorId == ErrorIds.PermissionDenied)
            {
                return false;
            }
        }

        public async Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct)
        {
            if (!GeminiInputMode.UsesFile(submission)) return null;
            string? uploadUrl = null;
            var start = JsonBytes(w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("file");
                w.WriteStartObject();
                w.WriteString("display_name", UploadDisplayName(submission.IdempotencyKey));
                w.WriteEndObject();
                w.WriteEndObject();
            });
            var length = new FileInfo(submission.InputPath).Length;
            using (await _api.SendJsonAsync(HttpMethod.Post, "upload/v1beta/files", () => Json(start), "the start of the file upload", ct, retry: true,
                configure: r =>
                {
                    r.Headers.TryAddWithoutValidation("X-Goog-Upload-Protocol", "resumable");
                    r.Headers.TryAddWithoutValidation("X-Goog-Upload-Command", "start");
                    r.Headers.TryAddWithoutValidation("X-Goog-Upload-Header-Content-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    r.Headers.TryAddWithoutValidation("X-Goog-Upload-Header-Content-Type", "application/jsonl");
                },
                inspect: r => uploadUrl = r.Headers.TryGetValues("X-Goog-Upload-URL", out var v) ? v.FirstOrDefault() : null).ConfigureAwait(false))
            { }
            if (string.IsNullOrEmpty(uploadUrl))
                throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData, Messages.UploadNoUrl());
            using var doc = await _api.SendJsonAsync(HttpMethod.Post, uploadUrl!, () =>
                {
                    var stream = new FileStream(submission.InputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                    var content = new StreamContent(progress == null ? (Stream)stream : new ProgressStream(stream, progress), 1 << 16);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
                    return content;
                }, $"the upload of {submission.RequestCount} requests", ct, retry: false,
                configure: r =>
                {
                    r.Headers.TryAddWithoutValidation("X-Goog-Upload-Command", "upload, finalize");
                    r.Headers.TryAddWithoutValidation("X-Goog-Upload-Offset", "0");
                }).ConfigureAwait(false);
            var name = doc.RootElement.Field("file")?.FieldStr("name");
            if (string.IsNullOrEmpty(name))
                throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData, Messages.UploadNoFileName());
            return name;
        }

        /// <summary>At most this many pages of files (100 each) are read looking for a lost upload; beyond that it is uploaded again.</summary>
        public const int MaxFilePages = 1000;

        /// <summary>Finds an upload whose answer was lost by its display name, page after page (pageToken / nextPageToken).</summary>
        public async Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct)
        {
            var wanted = UploadDisplayName(idempotencyKey);
            string? token = null;
            for (int page = 0; page < MaxFilePages; page++)
            {
                var route = "v1beta/files?pageSize=100" + (token == null ? "" : "&pageToken=" + Uri.EscapeDataString(token));
                using var doc = await _api.SendJsonAsync(HttpMethod.Get, route, null, "the list of uploaded files", ct, emptyIsObject: false).ConfigureAwait(false);
                ListAnswers.RequireObject(doc.RootElement, Name, "the list of uploaded files", "files");
                var files = doc.RootElement.Field("files");
                if (files != null && files.Value.ValueKind == JsonValueKind.Array)
                    foreach (var f in files.Value.EnumerateArray())
                        if (f.FieldStr("displayName") == wanted) return f.FieldStr("name");
                var next = doc.RootElement.FieldStr("nextPageToken");
                if (string.IsNullOrEmpty(next) || next == token) return null;
                token = next;
            }
            return null;
        }

        public async Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            var body = JsonBytes(w => WriteCreateBody(w, submission, fileId));
            // Embedding batches (spec §11.5) take the same batch body at their own method.
            var path = "v1beta/" + ModelName(submission.Model) + (submission.Embeddings ? ":asyncBatchEmbedContent" : ":batchGenerateContent");
            using var doc = await _api.SendJsonAsync(HttpMethod.Post, path, () => Json(body), $"the batch create call ({submission.RequestCount} requests)", ct, retry: false).ConfigureAwait(false);
            var batch = GeminiJson.ReadOperation(doc.RootElement, BaseUri);
            if (batch.Total == 0) batch.Total = submission.RequestCount;
            return batch;
        }

        /// <summary>
        /// The create call's body (spec §4): {"batch": {"display_name", "input_config": {"file_name"}}} in file mode, else
        /// each spooled line {"key", "request"} as {"request", "metadata": {"key"}} under the double requests.requests.
        /// <see cref="GeminiInputMode.InlineBytes"/> is its size, reckoned without writing it.
        /// </summary>
        internal static void WriteCreateBody(Utf8JsonWriter w, BatchSubmission submission, string? fileId)
        {
            w.WriteStartObject();
            w.WritePropertyName("batch");
            w.WriteStartObject();
            w.WriteString("display_name", GeminiNames.Compose(submission.Name, submission.IdempotencyKey));
            w.WritePropertyName("input_config");
            w.WriteStartObject();
            if (fileId != null) w.WriteString("file_name", fileId);
            else
            {
                w.WritePropertyName("requests");
                w.WriteStartObject();
                w.WritePropertyName("requests");
                w.WriteStartArray();
                foreach (var line in JsonlReader.ReadLines(submission.InputPath))
                {
                    using var item = JsonDocument.Parse(line.Text);
                    w.WriteStartObject();
                    w.WritePropertyName("request");
                    item.RootElement.GetProperty("request").WriteTo(w);
                    w.WritePropertyName("metadata");
                    w.WriteStartObject();
                    w.WriteString("key", item.RootElement.GetProperty("key").GetString());
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        public async Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Get, "v1beta/" + BatchName(id), id, "the status", ct).ConfigureAwait(false);
            return GeminiJson.ReadOperation(doc.RootElement, BaseUri);
        }

        public async Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var query = "v1beta/batches?pageSize=" + Math.Max(1, Math.Min(100, limit)) + (after == null ? "" : "&pageToken=" + Uri.EscapeDataString(after));
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, query, null, "the list of batches", ct, emptyIsObject: false).ConfigureAwait(false);
            var root = ListAnswers.RequireObject(doc.RootElement, Name, "the list of batches", "operations");
            var list = new List<IrisBatchInfo>();
            var ops = root.Field("operations") ?? root.Field("batches");
            if (ops != null && ops.Value.ValueKind == JsonValueKind.Array)
                foreach (var op in ops.Value.EnumerateArray()) list.Add(GeminiJson.ReadOperation(op, BaseUri));
            var next = root.FieldStr("nextPageToken");
            return new BatchPage { Batches = list, HasMore = !string.IsNullOrEmpty(next), Next = string.IsNullOrEmpty(next) ? null : next };
        }

        public async Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct)
        {
            using (await _api.SendBatchJsonAsync(HttpMethod.Post, "v1beta/" + BatchName(id) + ":cancel", id, "the cancel", ct).ConfigureAwait(false)) { }
            var batch = await GetAsync(id, ct).ConfigureAwait(false);
            // Gemini has no cancelling state: until the operation says CANCELLED, report the cancel as under way.
            if (!batch.IsComplete) batch.Status = BatchStatus.Cancelling;
            return batch;
        }

        public async Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct)
        {
            var path = Path.Combine(directory, "output.jsonl");
            if (!string.IsNullOrEmpty(batch.OutputFileId))
            {
                await _api.DownloadToFileAsync("download/v1beta/" + batch.OutputFileId + ":download?alt=media", path, progress,
                    $"the results file of batch {batch.Id}", ct).ConfigureAwait(false);
                return new[] { path };
            }
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, "v1beta/" + BatchName(batch.Id), null, $"the results of batch {batch.Id}", ct).ConfigureAwait(false);
            var op = doc.RootElement;
            var output = op.Field("response") ?? op.Field("metadata")?.Field("output");
            var file = output?.FieldStr("responsesFile");
            if (!string.IsNullOrEmpty(file))
            {
                await _api.DownloadToFileAsync("download/v1beta/" + file + ":download?alt=media", path, progress, $"the results file of batch {batch.Id}", ct).ConfigureAwait(false);
                return new[] { path };
            }
            // Embedding batches answer in inlinedEmbedContentResponses (spec §11.5), with the same inner list.
            var inlined = output?.Field("inlinedResponses") ?? output?.Field("inlinedEmbedContentResponses");
            if (inlined != null && inlined.Value.ValueKind == JsonValueKind.Object) inlined = inlined.Value.Field("inlinedResponses");
            if (inlined == null || inlined.Value.ValueKind != JsonValueKind.Array) return new string[0];
            var temp = path + ".part";
            // An answer without its metadata key is the request at the same position (answers come in submission order).
            var byPosition = new Lazy<List<string?>>(() => KeysInSubmissionOrder(directory));
            int position = 0;
            using (var writer = new JsonlWriter(temp))
                foreach (var item in inlined.Value.EnumerateArray())
                {
                    int at = position++;
                    var key = item.Field("metadata")?.Str("key") ?? (at < byPosition.Value.Count ? byPosition.Value[at] : null);
                    writer.WriteLine(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("key", key);
                        var response = item.Field("response");
                        var error = item.Field("error");
                        if (response != null) { w.WritePropertyName("response"); response.Value.WriteTo(w); }
                        if (error != null) { w.WritePropertyName("error"); error.Value.WriteTo(w); }
                        w.WriteEndObject();
                    });
                }
            AtomicFile.Replace(temp, path);
            return new[] { path };
        }

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => GeminiJson.ParseResult(line, lineNumber);

        /// <summary>The keys of the spooled input beside the results folder (the journal's submission folder), in order.</summary>
        private static List<string?> KeysInSubmissionOrder(string resultsDirectory)
        {
            var keys = new List<string?>();
            var input = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(resultsDirectory).TrimEnd(Path.DirectorySeparatorChar)) ?? "", "input.jsonl");
            if (!File.Exists(input)) return keys;
            foreach (var line in JsonlReader.ReadLines(input))
            {
                using var doc = JsonDocument.Parse(line.Text);
                keys.Add(doc.RootElement.Str("key"));
            }
            return keys;
        }

        private static byte[] JsonBytes(Action<Utf8JsonWriter> write)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options)) write(w);
            return ms.ToArray();
        }

        private static HttpContent Json(byte[] body) => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    }
}
