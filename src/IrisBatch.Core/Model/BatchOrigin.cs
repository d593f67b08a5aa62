using System;
using System.Text.RegularExpressions;

namespace IrisBatch
{
    /// <summary>
    /// Where a request was submitted before, when it comes from a result (Get-IrisBatchResult): its batch's provider,
    /// base URI, API version and id, and the name a resubmission gets (the batch's name with a -retryN suffix).
    /// Submit-IrisBatch sends such a request back there unless -Provider or -BaseUri says otherwise. Shared by all
    /// the requests of one batch.
    /// </summary>
    public sealed class BatchOrigin
    {
        public BatchOrigin(string provider, string baseUri, string batchId, string? batchName)
        {
            Provider = provider;
            BaseUri = baseUri;
            BatchId = batchId;
            ApiVersion = ApiVersionOf(baseUri);
            Name = RetryName(batchName, batchId);
        }

        public string Provider { get; }
        /// <summary>As the journal keeps it (Azure OpenAI: with ?api-version= when not the default one).</summary>
        public string BaseUri { get; }
        /// <summary>The api-version the base URI names (Azure OpenAI), or null for the provider's default.</summary>
        public string? ApiVersion { get; }
        /// <summary>The batch the request was in.</summary>
        public string BatchId { get; }
        /// <summary>The name for a resubmission: the batch's name (else its id) with -retry1, or -retryN+1 after -retryN.</summary>
        public string Name { get; }

        /// <summary>Only Submit-IrisBatch reads it: a request from one batch goes with others from the same place.</summary>
        internal string Key => Provider + "|" + BaseUri;

        private static readonly Regex RetrySuffix = new Regex(@"^(?<base>.*)-retry(?<n>\d{1,6})$", RegexOptions.CultureInvariant);

        public static string RetryName(string? name, string batchId)
        {
            var baseName = string.IsNullOrWhiteSpace(name) ? batchId.Substring(batchId.LastIndexOf('/') + 1) : name!;
            var m = RetrySuffix.Match(baseName);
            if (m.Success) return m.Groups["base"].Value + "-retry" + (int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) + 1);
            return baseName + "-retry1";
        }

        private static string? ApiVersionOf(string baseUri)
        {
            var at = baseUri.IndexOf("api-version=", StringComparison.OrdinalIgnoreCase);
            if (at < 0) return null;
            var value = baseUri.Substring(at + "api-version=".Length);
            var end = value.IndexOf('&');
            return Uri.UnescapeDataString(end < 0 ? value : value.Substring(0, end));
        }

        public override string ToString() => $"{Provider} {BaseUri} ({BatchId})";
    }
}
