using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;

namespace IrisBatch.Providers.Anthropic
{
    /// <summary>
    /// Anthropic Message Batches (spec §3): requests inline in one create call (streamed from the spool),
    /// poll, results as JSONL from the batch's results_url. Anthropic keeps no batch metadata: the name and
    /// metadata live in the journal only.
    /// </summary>
    public sealed class AnthropicProvider : IBatchProvider
    {
        public const string DefaultBaseUri = "https://api.anthropic.com";
        public const string Version = "2023-06-01";

        /// <summary>What the create call's body has around its requests (spec §3.3): the spooled lines, joined by commas.</summary>
        public const string BodyPrefix = "{\"requests\":[", BodySuffix = "]}";

        private readonly ApiClient _api;
        private readonly string _prefix;

        public AnthropicProvider(Uri baseUri, string apiKey, HttpSettings settings)
        {
            BaseUri = baseUri;
            _prefix = baseUri.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal) ? "" : "v1/";
            _api = new ApiClient(Name, baseUri, request =>
            {
                request.Headers.TryAddWithoutValidation("x-api-key", apiKey);
                request.Headers.TryAddWithoutValidation("anthropic-version", Version);
            }, AnthropicJson.ParseError, settings, new Redactor(apiKey));
        }

        public string Name => "Anthropic";
        public Uri BaseUri { get; }
        public string Location => BaseUri.AbsoluteUri.TrimEnd('/');
        public ProviderCapabilities Capabilities => ProviderCapabilities.ListsBatches | ProviderCapabilities.ListsNewestFirst | ProviderCapabilities.MatchesOnCountOnly;
        public IExecutingProvider? Executor => null;

        /// <summary>
        /// What a MessageBatch echoes (spec §3.4): its id, processing status, request counts (which always add up to the
        /// number of requests) and RFC 3339 timestamps. It keeps no metadata and no name, and the custom ids come back only in
        /// the results, once the whole batch has ended, so no marker can travel: the request count (within the time
        /// window the locator applies) is all there is to match on. Several such batches make the look-up uncertain.
        /// </summary>
        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) =>
            batch.Total == submission.RequestCount;

        public Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct) => Task.FromResult(found);

        public ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 100_000,
            MaxBytesPerBatch = 256L * 1000 * 1000,
            // the prefix and suffix, less the last line's newline that no comma replaces
            EnvelopeBytes = BodyPrefix.Length + BodySuffix.Length - 1,
            OneModelPerBatch = false,
            MaxMetadataPairs = 1000,
            MaxMetadataKeyLength = 1000,
            MaxMetadataValueLength = 100_000,
            EmbeddingBatches = false,   // no embeddings API (§11.5)
        };

        private string Batches(string rest = "") => _prefix + "messages/batches" + rest;

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request) => AnthropicRequestWriter.Write(writer, request);

        /// <summary>Anthropic keeps no files; an ended batch can be deleted (spec §3.2 DELETE /v1/messages/batches/{id}).</summary>
        public RemoteCleanup Cleanup => RemoteCleanup.Batch;

        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct) => item.Kind != RemoteKind.Batch
            ? RemoteDelete.Unsupported(this, item)
            : RemoteDelete.SendAsync(_api, Batches("/" + Uri.EscapeDataString(item.Id)), item, ct);

        public Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct) => Task.FromResult<string?>(null);

        public Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct) => Task.FromResult<string?>(null);

        public async Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            using var doc = await _api.SendJsonAsync(HttpMethod.Post, Batches(),
                () => new JsonArrayFileContent(BodyPrefix, submission.InputPath, submission.RequestCount, BodySuffix),
                $"the batch create call ({submission.RequestCount} requests)", ct, retry: false).ConfigureAwait(false);
            return Read(doc.RootElement);
        }

        public async Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Get, Batches("/" + Uri.EscapeDataString(id)), id, "the status", ct).ConfigureAwait(false);
            return Read(doc.RootElement);
        }

        public async Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var query = Batches("?limit=" + Math.Max(1, Math.Min(1000, limit)) + (after == null ? "" : "&after_id=" + Uri.EscapeDataString(after)));
            using var doc = await _api.SendJsonAsync(HttpMethod.Get, query, null, "the list of batches", ct).ConfigureAwait(false);
            var root = doc.RootElement;
            var list = new List<IrisBatchInfo>();
            foreach (var item in ListAnswers.Items(root, "data", Name, "the list of batches")) list.Add(Read(item));
            return new BatchPage
            {
                Batches = list,
                HasMore = root.Prop("has_more")?.ValueKind == JsonValueKind.True,
                Next = root.Str("last_id") ?? (list.Count > 0 ? list[list.Count - 1].Id : null),
            };
        }

        public async Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct)
        {
            using var doc = await _api.SendBatchJsonAsync(HttpMethod.Post, Batches("/" + Uri.EscapeDataString(id) + "/cancel"), id, "the cancel", ct).ConfigureAwait(false);
            return Read(doc.RootElement);
        }

        public async Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct)
        {
            var url = batch.ResultsUrl;
            if (string.IsNullOrEmpty(url))
            {
                var fresh = await GetAsync(batch.Id, ct).ConfigureAwait(false);
                url = fresh.ResultsUrl;
            }
            if (string.IsNullOrEmpty(url))
                throw new IrisBatchException(ErrorIds.NotComplete, FailureKind.InvalidOperation,
                    Messages.NoResultsUrl(batch.Id)) { Target = batch.Id };
            // The key goes with the request (spec §3.2): over plain http only to the host it was already sent to, or to this
            // machine (as for the base URI itself: a local service may name itself localhost where it was reached as 127.0.0.1).
            var target = _api.Resolve(url!);
            if (target.Scheme != "https" && !string.Equals(target.Host, BaseUri.Host, StringComparison.OrdinalIgnoreCase)
                && !(ProviderFactory.IsLoopback(target) && ProviderFactory.IsLoopback(BaseUri)))
                throw new IrisBatchException(ErrorIds.InsecureEndpoint, FailureKind.InvalidArgument,
                    Messages.PlainHttpResults(target.GetLeftPart(UriPartial.Authority), batch.Id));
            var path = Path.Combine(directory, "output.jsonl");
            await _api.DownloadToFileAsync(url!, path, progress, $"the results of batch {batch.Id}", ct).ConfigureAwait(false);
            return new[] { path };
        }

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => AnthropicJson.ParseResult(line, lineNumber);

        private IrisBatchInfo Read(JsonElement e) => AnthropicJson.ReadBatch(e, BaseUri);

    }
}
