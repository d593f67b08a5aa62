using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Azure
{
    /// <summary>
    /// Azure OpenAI batch (spec §2): OpenAI's Files+Batches protocol at the resource level, the key in the
    /// api-key header, and either the dated surface (/openai/...?api-version=) or the v1 surface (/openai/v1/...).
    /// The model of every line is the Global Batch deployment name.
    /// </summary>
    public sealed class AzureOpenAIProvider : OpenAIProvider
    {
        public const string DefaultApiVersion = "2024-10-21";

        /// <summary>The longest pause between two looks at an uploaded file that is still being processed.</summary>
        public static readonly TimeSpan MaxFilePollDelay = TimeSpan.FromSeconds(10);

        private readonly bool _v1;
        private readonly string _apiVersion;
        private readonly HttpSettings _settings;

        /// <param name="apiVersion">-ApiVersion: wins over all else.</param>
        /// <param name="defaultApiVersion">
        /// $env:AZURE_OPENAI_API_VERSION: a default only, so an api-version in the base URI (as the journal keeps a
        /// batch's) wins over it; a batch made with one version is not read or resubmitted with a later session's.
        /// </param>
        public AzureOpenAIProvider(Uri baseUri, string apiKey, HttpSettings settings, string? apiVersion, string? defaultApiVersion = null)
            : base(WithoutQuery(baseUri), apiKey, settings, "AzureOpenAI")
        {
            _settings = settings;
            FileProcessingBudget = settings.OverallTimeout;
            var path = baseUri.AbsolutePath.TrimEnd('/');
            _v1 = path.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase);
            // An api-version given with the base URI (as the journal keeps it) counts like -ApiVersion.
            var fromUri = VersionIn(baseUri);
            _apiVersion = !string.IsNullOrWhiteSpace(apiVersion) ? apiVersion!.Trim()
                : fromUri ?? (!string.IsNullOrWhiteSpace(defaultApiVersion) ? defaultApiVersion!.Trim() : DefaultApiVersion);
            Prefix = _v1 || path.EndsWith("/openai", StringComparison.OrdinalIgnoreCase) ? "" : "openai/";
        }

        /// <summary>The base URI with the api-version when it is not the default, so later commands use the same one.</summary>
        public override string Location => BaseUri.AbsoluteUri.TrimEnd('/') + (_v1 || _apiVersion == DefaultApiVersion ? "" : "?api-version=" + Uri.EscapeDataString(_apiVersion));

        private static Uri WithoutQuery(Uri uri) => string.IsNullOrEmpty(uri.Query) ? uri : new Uri(uri.GetLeftPart(UriPartial.Path));

        private static string? VersionIn(Uri uri)
        {
            foreach (var pair in uri.Query.TrimStart('?').Split('&'))
            {
                var kv = pair.Split(new[] { '=' }, 2);
                if (kv.Length == 2 && kv[0] == "api-version" && kv[1].Length > 0) return Uri.UnescapeDataString(kv[1]);
            }
            return null;
        }

        private string Prefix { get; }

        /// <summary>How long an uploaded file may stay pending before the submission stops (default the overall time budget).</summary>
        public TimeSpan FileProcessingBudget { get; set; }

        public override string Endpoint => _v1 ? ChatEndpoint : "/chat/completions";
        public override string ResponsesEndpoint => _v1 ? OpenAIRequestWriter.ResponsesEndpoint : "/responses";

        public override ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 100_000,
            MaxBytesPerBatch = 200L * 1000 * 1000,
            OneModelPerBatch = true,
            MaxMetadataPairs = 16,
            MaxMetadataKeyLength = 64,
            MaxMetadataValueLength = 512,
            EmbeddingBatches = false,   // "Can I use the batch API for embeddings models? This is currently not supported." (§11.5)
            MinCompletionWindow = TimeSpan.FromHours(24),
            MaxCompletionWindow = TimeSpan.FromHours(24),
        };

        protected override void Authorize(HttpRequestMessage request, string apiKey)
        {
            request.Headers.TryAddWithoutValidation("api-key", apiKey);
        }

        /// <summary>
        /// Azure answers an upload with the file still being processed (status pending, also uploaded or running: Azure's
        /// FileState) and its docs wait until it is processed before creating the batch (spec §2): the file is looked at,
        /// with a growing pause, until it is processed, for at most the overall time budget. A file in error (or deleted) stops
        /// the submission with what Azure says, before any create is sent; so does one still not processed by then (a rerun
        /// continues with the same file).
        /// </summary>
        protected override async Task BeforeCreateAsync(string? fileId, CancellationToken ct)
        {
            if (string.IsNullOrEmpty(fileId)) return;
            var started = DateTimeOffset.UtcNow;
            var delay = _settings.BaseDelay < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : _settings.BaseDelay;
            while (true)
            {
                string? status, details;
                using (var doc = await Api.SendJsonAsync(HttpMethod.Get, Route("files/" + Uri.EscapeDataString(fileId)), null,
                    $"the status of file {fileId}", ct).ConfigureAwait(false))
                {
                    status = doc.RootElement.Str("status");
                    details = doc.RootElement.Str("status_details");   // a string, or any other value as its JSON text
                }
                switch ((status ?? "").Trim().ToLowerInvariant())
                {
                    case "uploaded":
                    case "pending":
                    case "running":
                        break;
                    case "error":
                    case "deleting":
                    case "deleted":
                        throw new IrisBatchException(ErrorIds.BadRequest, FailureKind.InvalidArgument,
                            Messages.FileNotProcessed(Name, fileId!, status!, details)) { Target = fileId };
                    default:
                        return;   // processed, or a host that keeps no status
                }
                if (DateTimeOffset.UtcNow - started + delay > FileProcessingBudget)
                    throw new IrisBatchException(ErrorIds.ProviderError, FailureKind.ResourceUnavailable,
                        Messages.FileStillProcessing(Name, fileId!, status!, FileProcessingBudget)) { Target = fileId };
                _settings.Log?.Invoke(Messages.FileProcessingWait(Name, fileId!, status!, delay));
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxFilePollDelay.Ticks));
            }
        }

        protected override string Route(string path)
        {
            if (_v1) return path;
            return Prefix + path + (path.IndexOf('?') >= 0 ? "&" : "?") + "api-version=" + Uri.EscapeDataString(_apiVersion);
        }
    }
}
