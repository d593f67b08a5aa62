using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using IrisBatch.Http;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Providers.Azure;
using IrisBatch.Providers.Gemini;
using IrisBatch.Providers.Mistral;
using IrisBatch.Providers.Ollama;
using IrisBatch.Providers.Xai;
using IrisBatch.Providers.Mock;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Providers.Together;

namespace IrisBatch.Providers
{
    /// <summary>Where a provider lives and which credential opens it: resolved once, from parameters or the environment.</summary>
    public sealed class ProviderInfo
    {
        public ProviderInfo(string name, string defaultBaseUri, string baseUriVariable, string apiKeyVariable)
        {
            Name = name;
            DefaultBaseUri = defaultBaseUri;
            BaseUriVariable = baseUriVariable;
            ApiKeyVariable = apiKeyVariable;
        }

        public string Name { get; }
        public string DefaultBaseUri { get; }
        public string BaseUriVariable { get; }
        public string ApiKeyVariable { get; }
        /// <summary>True where no key is needed (local servers).</summary>
        public bool KeyOptional { get; set; }
        /// <summary>
        /// The API's path on a bare host: an address with no path (or only "/") gets it added. Groq's SDK reads
        /// GROQ_BASE_URL as the host alone and puts /openai/v1 in every path (spec §13.1), and Mistral's server is the
        /// host alone with paths from /v1/ (§12.1), so both forms work for both.
        /// </summary>
        public string? PathOnBareHost { get; set; }
        /// <summary>
        /// Where an address may be written as Ollama's OLLAMA_HOST is (host, host:port, no scheme: "0.0.0.0:11434"): the
        /// port it then has by default. Such an address is http.
        /// </summary>
        public int? SchemelessPort { get; set; }
    }

    /// <summary>Chooses and builds the provider for a name, base URI and key; the one place that knows every provider.</summary>
    public static class ProviderFactory
    {
        public const string ProviderVariable = "IRISBATCH_PROVIDER";

        private static readonly Dictionary<string, ProviderInfo> Known = new Dictionary<string, ProviderInfo>(StringComparer.OrdinalIgnoreCase)
        {
            ["OpenAI"] = new ProviderInfo("OpenAI", OpenAIProvider.DefaultBaseUri, "OPENAI_BASE_URL", "OPENAI_API_KEY"),
            ["Anthropic"] = new ProviderInfo("Anthropic", AnthropicProvider.DefaultBaseUri, "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"),
            ["AzureOpenAI"] = new ProviderInfo("AzureOpenAI", "", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY"),
            ["Gemini"] = new ProviderInfo("Gemini", GeminiProvider.DefaultBaseUri, "GEMINI_BASE_URL", "GEMINI_API_KEY"),
            ["Xai"] = new ProviderInfo("Xai", XaiProvider.DefaultBaseUri, "XAI_BASE_URL", "XAI_API_KEY"),
            ["Groq"] = new ProviderInfo("Groq", OpenAIHost.Groq.DefaultBaseUri, "GROQ_BASE_URL", "GROQ_API_KEY") { PathOnBareHost = "/openai/v1" },
            // Mistral's server is the host alone, every path starting /v1/ (spec §12.1).
            ["Mistral"] = new ProviderInfo("Mistral", MistralProvider.DefaultBaseUri, "MISTRAL_BASE_URL", "MISTRAL_API_KEY") { PathOnBareHost = "/v1" },
            ["Together"] = new ProviderInfo("Together", TogetherProvider.DefaultBaseUri, "TOGETHER_BASE_URL", "TOGETHER_API_KEY"),
            // OLLAMA_HOST is often written as Ollama's server reads it: 0.0.0.0:11434, or a host alone.
            ["Ollama"] = new ProviderInfo("Ollama", OllamaProvider.DefaultBaseUri, "OLLAMA_HOST", "") { KeyOptional = true, SchemelessPort = 11434 },
            // In-process, for users' Pester tests: no network, no key (docs/testing.md).
            [MockProvider.ProviderName] = new ProviderInfo(MockProvider.ProviderName, MockProvider.DefaultBaseUri, "IRISBATCH_MOCK_BASE_URI", "") { KeyOptional = true },
        };

        public static IReadOnlyCollection<string> Names => Known.Values.Select(p => p.Name).ToArray();

        public static ProviderInfo Describe(string? provider)
        {
            var name = string.IsNullOrWhiteSpace(provider) ? Environment.GetEnvironmentVariable(ProviderVariable) : provider;
            if (string.IsNullOrWhiteSpace(name)) name = "OpenAI";
            if (!Known.TryGetValue(name!.Trim(), out var info))
                throw new IrisBatchException(ErrorIds.UnknownProvider, FailureKind.InvalidArgument,
                    Messages.UnknownProvider(name, Names)) { Target = name };
            return info;
        }

        public static Uri ResolveBaseUri(ProviderInfo info, string? baseUri) => ResolveBaseUris(info, baseUri)[0];

        /// <summary>The base URI, or for Ollama a comma-separated list of servers.</summary>
        public static IReadOnlyList<Uri> ResolveBaseUris(ProviderInfo info, string? baseUri)
        {
            var text = !string.IsNullOrWhiteSpace(baseUri) ? baseUri : Environment.GetEnvironmentVariable(info.BaseUriVariable);
            if (!string.IsNullOrWhiteSpace(text) && text!.IndexOf(',') >= 0)
            {
                if (info.Name != "Ollama")
                    throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                        Messages.OneBaseUri(info.Name)) { Target = text };
                var servers = text.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(t => ResolveOne(info, t)).ToArray();
                // One batch's requests are written for one API: every server must speak it (/v1: OpenAI-compatible).
                var compatible = servers.Where(OllamaProvider.IsOpenAICompatible).Select(u => u.AbsoluteUri.TrimEnd('/')).ToArray();
                if (compatible.Length > 0 && compatible.Length < servers.Length)
                    throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                        Messages.MixedServers(string.Join(", ", compatible),
                            string.Join(", ", servers.Where(u => !OllamaProvider.IsOpenAICompatible(u)).Select(u => u.AbsoluteUri.TrimEnd('/'))))) { Target = text };
                return servers;
            }
            return new[] { ResolveOne(info, text) };
        }

        private static Uri ResolveOne(ProviderInfo info, string? text)
        {
            if (string.IsNullOrWhiteSpace(text)) text = info.DefaultBaseUri;
            else if (info.SchemelessPort.HasValue && text!.IndexOf("://", StringComparison.Ordinal) < 0)
                text = SchemelessAddress(text.Trim(), info.SchemelessPort.Value);
            if (string.IsNullOrWhiteSpace(text))
                throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                    Messages.NoDefaultAddress(info.Name, info.BaseUriVariable));
            if (!Uri.TryCreate(text!.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                    Messages.NotHttpUri(text, info.Name)) { Target = text };
            if (info.PathOnBareHost != null && (uri.AbsolutePath.Length == 0 || uri.AbsolutePath == "/") && uri.Query.Length == 0)
                uri = new Uri(uri, info.PathOnBareHost);
            return uri;
        }

        /// <summary>"host", "host:port" or "host:port/path" (no scheme) as http, with the default port where none is given.</summary>
        private static string SchemelessAddress(string text, int port)
        {
            int slash = text.IndexOf('/');
            var authority = slash < 0 ? text : text.Substring(0, slash);
            var path = slash < 0 ? "" : text.Substring(slash);
            bool hasPort = authority.StartsWith("[", StringComparison.Ordinal)
                ? authority.IndexOf("]:", StringComparison.Ordinal) >= 0
                : authority.IndexOf(':') >= 0;
            return "http://" + authority + (hasPort || authority.Length == 0 ? "" : ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture)) + path;
        }

        /// <summary>The key from the parameter, else from the provider's environment variable; never echoed.</summary>
        public static string ResolveApiKey(ProviderInfo info, string? apiKey)
        {
            var key = !string.IsNullOrEmpty(apiKey) ? apiKey : info.ApiKeyVariable.Length == 0 ? null : Environment.GetEnvironmentVariable(info.ApiKeyVariable);
            if (info.KeyOptional && string.IsNullOrWhiteSpace(key)) return "";
            if (string.IsNullOrWhiteSpace(key))
                throw new IrisBatchException(ErrorIds.MissingApiKey, FailureKind.Unauthorized,
                    Messages.NoApiKey(info.Name, info.ApiKeyVariable));
            return key!.Trim();
        }

        /// <summary>Refuses to send a key in clear text to anything but this machine.</summary>
        public static void CheckTransport(Uri baseUri, bool allowUnencrypted)
        {
            if (baseUri.Scheme == "https" || allowUnencrypted || IsLoopback(baseUri)) return;
            throw new IrisBatchException(ErrorIds.InsecureEndpoint, FailureKind.InvalidArgument,
                Messages.PlainHttpKey(baseUri.GetLeftPart(UriPartial.Authority))) { Target = baseUri.AbsoluteUri };
        }

        /// <summary>Where a provider's batches live, as the journal and IrisBatch.BaseUri record it (several servers for Ollama).</summary>
        public static string LocationOf(IBatchProvider provider) => provider.Location;

        public static bool IsLoopback(Uri uri)
        {
            if (uri.IsLoopback) return true;
            return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
        }

        public static IBatchProvider Create(string? provider, string? baseUri, string? apiKey, HttpSettings settings, bool allowUnencrypted = false, string? apiVersion = null)
        {
            var info = Describe(provider);
            var uris = ResolveBaseUris(info, baseUri);
            var uri = uris[0];
            var key = ResolveApiKey(info, apiKey);
            if (key.Length > 0) foreach (var u in uris) CheckTransport(u, allowUnencrypted);
            settings.AllowUnencryptedAuthentication = allowUnencrypted;
            switch (info.Name)
            {
                case "OpenAI": return new OpenAIProvider(uri, key, settings);
                case "Anthropic": return new AnthropicProvider(uri, key, settings);
                case "Gemini": return new GeminiProvider(uri, key, settings);
                case "Xai": return new XaiProvider(uri, key, settings);
                case "Groq": return new OpenAIProvider(uri, key, settings, OpenAIHost.Groq);
                case "Mistral": return new MistralProvider(uri, key, settings);
                case "Together": return new TogetherProvider(uri, key, settings);
                case "Ollama": return new OllamaProvider(uris, settings, apiKey: key);
                case "AzureOpenAI":
                    return new AzureOpenAIProvider(uri, key, settings, apiVersion, Environment.GetEnvironmentVariable("AZURE_OPENAI_API_VERSION"));
                case MockProvider.ProviderName: return new MockProvider(uri, settings);
                default: throw new IrisBatchException(ErrorIds.UnknownProvider, FailureKind.InvalidArgument, Messages.NotImplemented(info.Name));
            }
        }
    }
}
