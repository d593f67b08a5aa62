using System;
using System.Management.Automation;
using System.Security;
using IrisBatch.Conversion;
using IrisBatch.Http;

namespace IrisBatch.Commands
{
    /// <summary>
    /// Base of the cmdlets that talk to a provider: where (-Provider, -BaseUri), with which key (-ApiKey), and how
    /// hard to try (Invoke-RestMethod's names: -TimeoutSec per attempt, -MaximumRetryCount, -RetryIntervalSec,
    /// plus -OperationTimeoutSec for the whole call with its retries).
    /// </summary>
    public abstract class NetworkCmdlet : IrisBatchCmdlet
    {
        /// <summary>The provider; default $env:IRISBATCH_PROVIDER, else OpenAI (commands on existing batches use the batch's own).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(Completers.ProviderCompleter))]
        public string? Provider { get; set; }

        /// <summary>Where the provider is; for Ollama, several servers may be given.</summary>
        [Parameter]
        public string[]? BaseUri { get; set; }

        /// <summary>-BaseUri as one text (servers joined by commas), or null.</summary>
        protected string? BaseUriText => BaseUri == null || BaseUri.Length == 0 ? null : string.Join(",", BaseUri);

        /// <summary>The API key (a SecureString; a plain string is converted at once). Default: the provider's environment variable.</summary>
        [Parameter]
        [SecureStringTransformation]
        public SecureString? ApiKey { get; set; }

        /// <summary>Azure OpenAI's api-version for the dated surface (default a GA version, or $env:AZURE_OPENAI_API_VERSION).</summary>
        [Parameter]
        public string? ApiVersion { get; set; }

        /// <summary>Allow sending the key over plain http to a host that is not this machine.</summary>
        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        /// <summary>Seconds one HTTP attempt may take before it is abandoned and retried.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <summary>Retries of a failed HTTP call (429, 5xx, network failures). 0 disables them.</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public int MaximumRetryCount { get; set; } = -1;

        /// <summary>Seconds before the first retry; later ones back off exponentially with jitter, or follow Retry-After.</summary>
        [Parameter]
        [ValidateRange(0.0, 3600.0)]
        public double RetryIntervalSec { get; set; } = -1;

        /// <summary>Seconds one call may take in all, retries included.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int OperationTimeoutSec { get; set; }

        /// <summary>Builds the provider for a name and base URI with this command's key and HTTP settings.</summary>
        protected Providers.IBatchProvider CreateProvider(string? provider, string? baseUri, string? apiKey = null) =>
            Providers.ProviderFactory.Create(provider, baseUri, apiKey ?? Unprotect(ApiKey), NewHttpSettings(), AllowUnencryptedAuthentication, ApiVersion);

        protected override HttpSettings NewHttpSettings()
        {
            var settings = base.NewHttpSettings();
            if (TimeoutSec > 0) settings.AttemptTimeout = TimeSpan.FromSeconds(TimeoutSec);
            if (MaximumRetryCount >= 0) settings.MaxRetries = MaximumRetryCount;
            if (RetryIntervalSec >= 0) settings.BaseDelay = TimeSpan.FromSeconds(RetryIntervalSec);
            if (OperationTimeoutSec > 0) settings.OverallTimeout = TimeSpan.FromSeconds(OperationTimeoutSec);
            return settings;
        }
    }
}
