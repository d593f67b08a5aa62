using System;
using System.Collections.Concurrent;
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
using IrisBatch.Providers.Mistral;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Together
{
    /// <summary>
    /// Together batches (spec §14): upload the JSONL (<c>{custom_id, body}</c> lines) with purpose batch-api (to
    /// /v1/files/upload, or by the SDKs' redirect flow where that route is absent), create on /v1/batches (201 <c>{job, warning}</c>; the warning is passed on), poll (UPPERCASE statuses, a
    /// progress percentage instead of counts), list (a bare array, no paging), cancel, read the output and error files.
    /// Together keeps no metadata: a lost create is found again by its input file, which only this submission uploaded.
    /// </summary>
    public sealed class TogetherProvider : IBatchProvider
    {
        public const string DefaultBaseUri = "https://api.together.xyz/v1";
        public const string Purpose = "batch-api";

        /// <summary>Line counts of files (they never change), so a poll costs one call once the counts are known.</summary>
        private static readonly ConcurrentDictionary<string, long> LineCounts = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);

        /// <summary>Locations whose POST /files/upload answered 404: they take the SDKs' redirect flow.</summary>
        private static readonly ConcurrentDictionary<string, bool> NoUploadRoute = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        private readonly ApiClient _api;

        public TogetherProvider(Uri baseUri, string apiKey, HttpSettings settings)
        {
            BaseUri = baseUri;
            _api = new ApiClient(Name, baseUri, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey),
                OpenAIJson.ParseError, settings, new Redactor(apiKey));
        }

        public string Name => "Together";
        public Uri BaseUri { get; }
        public ApiClient Api => _api;
        public string Location => BaseUri.AbsoluteUri.TrimEnd('/');
        public ProviderCapabilities Capabilities => ProviderCapabilities.ListsBatches | ProviderCapabilities.ListsNewestFirst;
        public IExecutingProvider? Executor => null;

        /// <summary>
        /// Together keeps no metadata (spec §14.3): the job must have been made from this submission's input file, which
        /// only this submission uploaded. Without the file id, its model and request count (0 while unknown) must match.
        /// </summary>
        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) =>
            inputFileId != null
                ? batch.InputFileId == inputFileId
                : batch.Model == submission.Model && (batch.Total == 0 || batch.Total == submission.RequestCount);

        public Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct) => Task.FromResult(found);

        /// <summary>50,000 requests and 100 MB a batch; one model a batch (sent as model_id); no metadata; the window is 24 h only.</summary>
        public ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 50_000,
            MaxBytesPerBatch = 100L * 1000 * 1000,
            OneModelPerBatch = true,
            MaxMetadataPairs = 0,
            MaxMetadataKeyLength = 0,
            MaxMetadataValueLength = 0,
            MinCompletionWindow = TimeSpan.FromHours(24),
            MaxCompletionWindow = TimeSpan.FromHours(24),
        };

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request) => MistralRequestWriter.Write(writer, request, modelInBody: true, Name);

        /// <summary>
        /// The OpenAPI's multipart POST /files/upload first; where that route is absent (404, which acted on nothing) the
        /// SDKs' flow (spec §14.2): POST /files with the form fields, a 302 to a presigned URL with X-Together-File-Id, a
        /// PUT of the bytes there without Together's headers, then POST /files/{id}/preprocess. No step is retried blindly:
        /// a lost answer is found again by the file's name (FindUploadAsync), as for every upload.
        /// </summary>
        public async Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct)
        {
            var name = OpenAIProvider.UploadFileName(submission.IdempotencyKey);
            long? lines = null;
            string? id = null;
            if (!NoUploadRoute.ContainsKey(Location))
            {
                try
                {
                    id = await FileUpload.SendAsync(_api, Name, "files/upload",
                        () => ResultFiles.Multipart(submission.InputPath, name, progress, ("purpose", Purpose), ("file_name", name), ("file_type", "jsonl")),
                        submission, ct, file => lines = file.Long("LineCount")).ConfigureAwait(false);
                }
                catch (ApiException ex) when (ex.HttpStatus == 404)
                {
                    NoUploadRoute[Location] = true; // remembered for this process: the next upload goes straight to the SDKs' flow
                    _api.Settings.Log?.Invoke(Messages.TogetherUploadFallback(Location));
                }
            }
            if (id == null) (id, lines) = await RedirectUploadAsync(submission, name, progress, ct).ConfigureAwait(false);
            if (lines.HasValue) LineCounts[Location + "/" + id] = lines.Value;
            return id;
        }

        /// <summary>The SDKs' three steps (spec §14.2, filemanager.py): the form, the presigned PUT, the preprocess.</summary>
        private async Task<(string Id, long? Lines)> RedirectUploadAsync(BatchSubmission submission, string name, Action<long>? progress, CancellationToken ct)
        {
            var what = $"the upload of {submission.RequestCount} requests";
            var (location, fileId, status) = await _api.SendForRedirectAsync(HttpMethod.Post, "files",
                () => new FormUrlEncodedContent(new[]
                {
                    new KeyValuePair<string, string>("purpose", Purpose),
                    new KeyValuePair<string, string>("file_name", name),
                    new KeyValuePair<string, string>("file_type", "jsonl"),
                }),
                what, ct, retry: false,
                r => (r.Headers.Location, r.Headers.TryGetValues("X-Together-File-Id", out var v) ? v.FirstOrDefault() : null, (int)r.StatusCode)).ConfigureAwait(false);
            if (location == null || string.IsNullOrEmpty(fileId) || status < 300 || status >= 400)
                throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData, Messages.TogetherUploadNoRedirect(Name, status));
            var target = location.IsAbsoluteUri ? location : new Uri(_api.Resolve("files"), location);
            await _api.PutPresignedAsync(target, () =>
            {
                var stream = new FileStream(submission.InputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                var body = new StreamContent(progress == null ? (Stream)stream : new ProgressStream(stream, progress), 1 << 16);
                body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return body;
            }, what, ct, retry: false).ConfigureAwait(false);
            using var doc = await _api.SendJsonAsync(HttpMethod.Post, "files/" + Uri.EscapeDataString(fileId!) + "/preprocess", null,
                $"the preprocessing of file {fileId}", ct).ConfigureAwait(false);
            return (doc.RootElement.Str("id") ?? fileId!, doc.RootElement.Long("LineCount"));
        }

        public async Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct)
        {
            var name = OpenAIProvider.UploadFileName(idempotencyKey);
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, "files", null, "the list of uploaded files", ct).ConfigureAwait(false);
            foreach (var f in ListAnswers.Items(doc.RootElement, "data", Name, "the list of uploaded files", bareArray: true))
                if (f.Str("filename") == name && f.Str("purpose") == Purpose) return f.Str("id");
            return null;
        }

        /// <summary>The files of a GET /files answer: {"data": [...]} (spec §14.2), or a bare array.</summary>
        private static IEnumerable<JsonElement> Files(JsonDocument doc)
        {
            var data = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.Prop("data");
            return data != null && data.Value.ValueKind == JsonValueKind.Array ? (IEnumerable<JsonElement>)data.Value.EnumerateArray() : Enumerable.Empty<JsonElement>();
        }

        public async Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            var body = CreateBody(submission, fileId);
            using var doc = await _api.SendJsonAsync(HttpMethod.Post, "batches", () => ResultFiles.Json(body), "the batch create call", ct, retry: false).ConfigureAwait(false);
            var root = doc.RootElement;
            var warning = root.Str("warning");
            if (!string.IsNullOrWhiteSpace(warning)) _api.Settings.Warn?.Invoke(Messages.TogetherWarning(warning!));
            var job = root.Prop("job") ?? root;
            try
            {
                return await WithCountsAsync(job, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                // The batch exists now: a failed read of its input file's line count (a 429 past its retries, say) must not
                // pass for a failed create call, which the submitter would send again (a second batch, paid twice) or
                // journal as refused. The counts come with the next status read.
                var b = TogetherJson.ReadBatch(job, Location);
                TogetherJson.ApplyCounts(b, null, TogetherJson.Progress(job), null, null);
                return b;
            }
        }

        private static byte[] CreateBody(BatchSubmission submission, string? fileId)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options))
            {
                w.WriteStartObject();
                w.WriteString("input_file_id", fileId);
                w.WriteString("endpoint", OpenAIProvider.ChatEndpoint);
                w.WriteString("completion_window", CompletionWindows.Format(submission.CompletionWindow ?? CompletionWindows.Default));
                w.WriteString("model_id", submission.Model);
                w.WriteEndObject();
            }
            return ms.ToArray();
        }

        public async Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Get, "batches/" + Uri.EscapeDataString(id), id, "the status", ct).ConfigureAwait(false);
            return await WithCountsAsync(doc.RootElement, ct).ConfigureAwait(false);
        }

        private async Task<List<JsonElement>> ListJobsAsync(CancellationToken ct)
        {
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, "batches", null, "the list of batches", ct).ConfigureAwait(false);
            var jobs = new List<JsonElement>();
            foreach (var item in ListAnswers.Items(doc.RootElement, "data", Name, "the list of batches", bareArray: true)) jobs.Add(item.Clone());
            return jobs;
        }

        /// <summary>
        /// Every job at once (Together's list is a bare array without paging), newest first; <paramref name="after"/> skips
        /// past that id. A listed job has no counts either (spec §14.4): they come from its files' LineCount as for one
        /// job, and the files this process has not seen yet are read in one call (GET /files lists them all with their
        /// LineCount) rather than one call per file, and never by downloading them.
        /// </summary>
        public async Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var jobs = (await ListJobsAsync(ct).ConfigureAwait(false)).Select(j => (Job: j, Batch: TogetherJson.ReadBatch(j, Location))).ToList();
            await LearnLineCountsAsync(jobs.Select(j => j.Batch), ct).ConfigureAwait(false);
            foreach (var (job, batch) in jobs) ApplyKnownCounts(job, batch);
            var all = jobs.Select(x => x.Batch).OrderByDescending(b => b.CreatedAt ?? DateTimeOffset.MinValue).ToList();
            if (after != null)
            {
                int i = all.FindIndex(b => b.Id == after);
                all = i < 0 ? new List<IrisBatchInfo>() : all.Skip(i + 1).ToList();
            }
            int take = Math.Max(1, limit);
            var page = all.Take(take).ToList();
            bool more = all.Count > page.Count;
            return new BatchPage { Batches = page, HasMore = more, Next = more ? page[page.Count - 1].Id : null };
        }

        public async Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Post, "batches/" + Uri.EscapeDataString(id) + "/cancel", id, "the cancel", ct).ConfigureAwait(false);
            return await WithCountsAsync(doc.RootElement, ct).ConfigureAwait(false);
        }

        /// <summary>The job with counts from its progress and its files' line counts (asked once per file, then remembered).</summary>
        private async Task<IrisBatchInfo> WithCountsAsync(JsonElement job, CancellationToken ct)
        {
            var b = TogetherJson.ReadBatch(job, Location);
            long? total = await LineCountAsync(b.InputFileId, ct).ConfigureAwait(false);
            long? output = null, errors = null;
            if (b.IsComplete)
            {
                output = await LineCountAsync(b.OutputFileId, ct).ConfigureAwait(false);
                errors = await LineCountAsync(b.ErrorFileId, ct).ConfigureAwait(false);
            }
            TogetherJson.ApplyCounts(b, total, TogetherJson.Progress(job), output, errors);
            return b;
        }

        /// <summary>Fills the line-count cache from one GET /files when a listed job names a file whose count is not known yet.</summary>
        private async Task LearnLineCountsAsync(IEnumerable<IrisBatchInfo> batches, CancellationToken ct)
        {
            bool Unknown(string? id) => !string.IsNullOrEmpty(id) && !LineCounts.ContainsKey(Location + "/" + id);
            bool missing = batches.Any(b => Unknown(b.InputFileId) || b.IsComplete && (Unknown(b.OutputFileId) || Unknown(b.ErrorFileId)));
            if (!missing) return;
            JsonDocument doc;
            try
            {
                doc = await _api.SendJsonAsync(HttpMethod.Get, "files", null, "the list of uploaded files", ct).ConfigureAwait(false);
            }
            catch (ApiException)
            {
                return; // the jobs are listed all the same, with the counts their progress gives
            }
            using var _ = doc;
            foreach (var f in Files(doc))
            {
                var id = f.Str("id");
                var lines = f.Long("LineCount");
                if (!string.IsNullOrEmpty(id) && lines.HasValue) LineCounts[Location + "/" + id] = lines.Value;
            }
        }

        /// <summary>A job's counts from its files' line counts where this process knows them, else from its progress.</summary>
        private IrisBatchInfo ApplyKnownCounts(JsonElement job, IrisBatchInfo b)
        {
            long? Known(string? id) => id != null && LineCounts.TryGetValue(Location + "/" + id, out var n) ? n : (long?)null;
            TogetherJson.ApplyCounts(b, Known(b.InputFileId), TogetherJson.Progress(job),
                b.IsComplete ? Known(b.OutputFileId) : null, b.IsComplete ? Known(b.ErrorFileId) : null);
            return b;
        }

        /// <summary>The LineCount of a file (FileResponse, spec §14.2), or null when Together does not say.</summary>
        private async Task<long?> LineCountAsync(string? fileId, CancellationToken ct)
        {
            if (string.IsNullOrEmpty(fileId)) return null;
            var key = Location + "/" + fileId;
            if (LineCounts.TryGetValue(key, out var n)) return n;
            JsonDocument doc;
            try
            {
                doc = await _api.SendJsonAsync(HttpMethod.Get, "files/" + Uri.EscapeDataString(fileId), null, $"the details of file {fileId}", ct).ConfigureAwait(false);
            }
            catch (ApiException ex) when (ex.ErrorId == ErrorIds.NotFound)
            {
                return null; // deleted since: the counts stay what the progress says
            }
            using var _ = doc;
            var lines = doc.RootElement.Long("LineCount");
            if (lines.HasValue) LineCounts[key] = lines.Value;
            return lines;
        }

        public Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct) =>
            ResultFiles.DownloadAsync(_api, batch.OutputFileId, batch.ErrorFileId, directory, progress, ct);

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => OpenAIResultParser.Parse(line, lineNumber);

        /// <summary>Files only (DELETE /v1/files/{id}, spec §14.2): Together has no batch delete.</summary>
        public RemoteCleanup Cleanup => RemoteCleanup.Files;

        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct) => item.Kind == RemoteKind.Batch
            ? RemoteDelete.Unsupported(this, item)
            : RemoteDelete.SendAsync(_api, "files/" + Uri.EscapeDataString(item.Id), item, ct);
    }
}
