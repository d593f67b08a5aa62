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
            : base(baseUri, apiKey, settings, "AzureOpenAI")
        {
            var path = baseUri.AbsolutePath.TrimEnd('/');
            _v1 = path.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase);
            _apiVersion = string.IsNullOrWhiteSpace(apiVersion) ? DefaultApiVersion : apiVersion!.Trim();
            Prefix = _v1 || path.EndsWith("/openai", StringComparison.OrdinalIgnoreCase) ? "" : "openai/";
        }

        private string Prefix { get; }

        public override string Endpoint => _v1 ? ChatEndpoint : "/chat/completions";

        public override ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 100_000,
            MaxBytesPerBatch = 200L * 1000 * 1000,
            OneModelPerBatch = true,
            MaxMetadataPairs = 16,
            MaxMetadataKeyLength = 64,
            MaxMetadataValueLength = 512,
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
