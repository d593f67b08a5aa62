using System;
using System.Net.Http;
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

        private readonly bool _v1;
        private readonly string _apiVersion;

        public AzureOpenAIProvider(Uri baseUri, string apiKey, HttpSettings settings, string? apiVersion)
            : base(WithoutQuery(baseUri), apiKey, settings, "AzureOpenAI")
        {
            var path = baseUri.AbsolutePath.TrimEnd('/');
            _v1 = path.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase);
            // An api-version given with the base URI (as the journal keeps it) counts like -ApiVersion.
            var fromUri = VersionIn(baseUri);
            _apiVersion = !string.IsNullOrWhiteSpace(apiVersion) ? apiVersion!.Trim() : fromUri ?? DefaultApiVersion;
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

        protected override string Route(string path)
        {
            if (_v1) return path;
            return Prefix + path + (path.IndexOf('?') >= 0 ? "&" : "?") + "api-version=" + Uri.EscapeDataString(_apiVersion);
        }
    }
}
