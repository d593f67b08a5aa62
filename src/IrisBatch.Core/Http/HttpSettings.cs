using System;

namespace IrisBatch.Http
{
    /// <summary>How hard every HTTP call tries: retries with backoff, a per-attempt timeout and an overall budget.</summary>
    public sealed class HttpSettings
    {
        public int MaxRetries { get; set; } = 5;
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);
        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(300);
        public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromMinutes(30);
        public string UserAgent { get; set; } = "IrisBatch/" + typeof(HttpSettings).Assembly.GetName().Version;
        /// <summary>Receives one line per retry (reason and delay) and per call; already free of secrets.</summary>
        public Action<string>? Log { get; set; }
        /// <summary>
        /// -AllowUnencryptedAuthentication: the key may go over plain http to a host that is not this machine. Without it, a
        /// URL a provider hands back (an upload or results URL) on another host gets the key only over https or on loopback.
        /// </summary>
        public bool AllowUnencryptedAuthentication { get; set; }
        /// <summary>Receives what the provider warns about (Together's create warning); the cmdlets write it as a warning.</summary>
        public Action<string>? Warn { get; set; }
        /// <summary>
        /// Opens the temporary file a download is written to (by default a new <see cref="System.IO.FileStream"/>). A seam for
        /// tests that need a disk that fails on any OS (a full disk, a device error).
        /// </summary>
        public Func<string, System.IO.Stream>? CreateDownloadFile { get; set; }

        /// <summary>Settings from the environment: IRISBATCH_RETRY_BASE_DELAY_MS, IRISBATCH_MAX_RETRIES, IRISBATCH_ATTEMPT_TIMEOUT_SEC.</summary>
        public static HttpSettings FromEnvironment()
        {
            var s = new HttpSettings();
            if (int.TryParse(Environment.GetEnvironmentVariable("IRISBATCH_RETRY_BASE_DELAY_MS"), out var ms) && ms >= 0)
                s.BaseDelay = TimeSpan.FromMilliseconds(ms);
            if (int.TryParse(Environment.GetEnvironmentVariable("IRISBATCH_MAX_RETRIES"), out var n) && n >= 0)
                s.MaxRetries = n;
            if (double.TryParse(Environment.GetEnvironmentVariable("IRISBATCH_ATTEMPT_TIMEOUT_SEC"), System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out var sec) && sec > 0)
                s.AttemptTimeout = TimeSpan.FromSeconds(sec);
            return s;
        }
    }
}
