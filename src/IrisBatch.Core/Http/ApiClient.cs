using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace IrisBatch.Http
{
    /// <summary>
    /// The one resilient HTTP pipeline every provider uses: auth, user agent, retries with backoff and
    /// Retry-After, per-attempt timeouts, an overall budget, typed errors with the provider's request id.
    /// Knows no provider; each passes in how to authorize and how to read its error envelope.
    /// </summary>
    public sealed class ApiClient
    {
        private static readonly ConcurrentDictionary<string, HttpClient> Clients = new ConcurrentDictionary<string, HttpClient>();

        private readonly Uri _baseUri;
        private readonly Action<HttpRequestMessage> _authorize;
        private readonly Func<string, ProviderErrorInfo?> _parseError;
        private readonly HttpSettings _settings;
        private readonly Redactor _redactor;
        // Made on the first call: a command that reads what the journal has (results already downloaded) never calls.
        private readonly Lazy<HttpClient> _client;
        private readonly Lazy<ResiliencePipeline> _resilience;
        private HttpClient Http => _client.Value;
        private ResiliencePipeline Pipeline => _resilience.Value;

        public ApiClient(string providerName, Uri baseUri, Action<HttpRequestMessage> authorize,
            Func<string, ProviderErrorInfo?> parseError, HttpSettings settings, Redactor redactor)
        {
            ProviderName = providerName;
            _baseUri = baseUri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
            _authorize = authorize;
            _parseError = parseError;
            _settings = settings;
            _redactor = redactor;
            _client = new Lazy<HttpClient>(() => Clients.GetOrAdd(_baseUri.GetLeftPart(UriPartial.Authority), _ => CreateHttpClient()));
            _resilience = new Lazy<ResiliencePipeline>(BuildPipeline);
        }

        public string ProviderName { get; }
        public Uri BaseUri => _baseUri;
        public Redactor Redactor => _redactor;

        private static HttpClient CreateHttpClient()
        {
            var handler = new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate };
            return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        }

        public Uri Resolve(string pathOrUri)
        {
            if (Uri.TryCreate(pathOrUri, UriKind.Absolute, out var abs) && (abs.Scheme == "http" || abs.Scheme == "https")) return abs;
            return new Uri(_baseUri, pathOrUri.TrimStart('/'));
        }

        /// <summary>Sends a request built afresh for each attempt and decodes a JSON answer.</summary>
        /// <param name="retry">False for calls that must not be repeated blindly (a create whose answer was lost may have acted).</param>
        /// <param name="configure">Adds headers to each attempt's request.</param>
        /// <param name="inspect">Reads the successful response's headers (e.g. an upload URL).</param>
        /// <param name="emptyIsObject">
        /// Whether an empty body is read as <c>{}</c> (a delete's answer, say); false where an empty body says nothing (a
        /// list whose empty form is <c>{}</c>, Gemini's and xAI's: an empty body there is IrisBatch.InvalidResponse, not
        /// an empty list).
        /// </param>
        public Task<JsonDocument> SendJsonAsync(HttpMethod method, string path, Func<HttpContent?>? content, string what, CancellationToken ct, bool retry = true,
            Action<HttpRequestMessage>? configure = null, Action<HttpResponseMessage>? inspect = null, bool emptyIsObject = true)
        {
            return ExecuteAsync(what, retry, async attemptCt =>
            {
                using var request = NewRequest(method, path, content?.Invoke());
                configure?.Invoke(request);
                using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCt).ConfigureAwait(false);
                await ThrowIfErrorAsync(response, what).ConfigureAwait(false);
                inspect?.Invoke(response);
                var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                CheckLength(response, body.LongLength, what);
                try
                {
                    // An empty body parsed as it is fails as JSON with no tokens: where it says nothing (emptyIsObject false).
                    return body.Length == 0 && emptyIsObject ? JsonDocument.Parse("{}") : JsonDocument.Parse(body);
                }
                catch (JsonException ex)
                {
                    throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData,
                        Messages.NotJson(ProviderName, what, RequestIdOf(response)), ex)
                    { RequestId = RequestIdOf(response) };
                }
            }, ct);
        }

        /// <summary>
        /// Sends a request whose answer is a redirect, not followed (the client never follows them): Together's upload
        /// answers 302 with where to put the bytes (spec §14.2). <paramref name="read"/> gets any answer below 400; an
        /// error answer throws as every call does.
        /// </summary>
        public Task<T> SendForRedirectAsync<T>(HttpMethod method, string path, Func<HttpContent?> content, string what, CancellationToken ct, bool retry,
            Func<HttpResponseMessage, T> read)
        {
            return ExecuteAsync(what, retry, async attemptCt =>
            {
                using var request = NewRequest(method, path, content());
                using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCt).ConfigureAwait(false);
                if ((int)response.StatusCode >= 400) await ThrowIfErrorAsync(response, what).ConfigureAwait(false);
                return read(response);
            }, ct);
        }

        /// <summary>
        /// PUTs a body to a presigned URL (another host; the URL is its own credential): without the provider's
        /// Authorization header, which the storage service would refuse and must never see. Expects 200.
        /// </summary>
        public Task<bool> PutPresignedAsync(Uri url, Func<HttpContent> content, string what, CancellationToken ct, bool retry)
        {
            return ExecuteAsync(what, retry, async attemptCt =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = content() };
                request.Headers.TryAddWithoutValidation("User-Agent", _settings.UserAgent);
                var client = Clients.GetOrAdd(url.GetLeftPart(UriPartial.Authority), _ => CreateHttpClient());
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCt).ConfigureAwait(false);
                await ThrowIfErrorAsync(response, what).ConfigureAwait(false);
                return true;
            }, ct);
        }

        /// <summary>
        /// A call about one batch (its status, its cancel): "{what} of batch {id}" in messages, and a 404 becomes the
        /// error every provider reports for an unknown batch id (IrisBatch.NotFound, target the id).
        /// </summary>
        public async Task<JsonDocument> SendBatchJsonAsync(HttpMethod method, string path, string batchId, string what, CancellationToken ct)
        {
            try
            {
                return await SendJsonAsync(method, path, null, Messages.CallOfBatch(what, batchId), ct).ConfigureAwait(false);
            }
            catch (ApiException ex) when (ex.ErrorId == ErrorIds.NotFound)
            {
                throw ex.AsNotFound(ProviderName, _baseUri, batchId);
            }
        }

        /// <summary>Downloads a body to a file (written whole, then renamed); a short body is retried, never kept.</summary>
        public Task<long> DownloadToFileAsync(string pathOrUri, string targetPath, Action<long>? progress, string what, CancellationToken ct)
        {
            return ExecuteAsync(what, true, async attemptCt =>
            {
                var temp = targetPath + ".part";
                using (var request = NewRequest(HttpMethod.Get, pathOrUri, null))
                using (var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCt).ConfigureAwait(false))
                {
                    await ThrowIfErrorAsync(response, what).ConfigureAwait(false);
                    long total = 0;
                    // A failing disk (full, read-only) is not a network failure: it is not retried, and leaves no partial file.
                    // Only the writes are guarded: an IOException reading the response is the network's, and retried.
                    async Task Local(Func<Task> write)
                    {
                        try { await write().ConfigureAwait(false); }
                        catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                        {
                            try { if (File.Exists(temp)) File.Delete(temp); } catch (Exception) { }
                            throw AtomicFile.Unavailable(targetPath, ex);
                        }
                    }
                    Stream? target = null;
                    await Local(() =>
                    {
                        target = _settings.CreateDownloadFile?.Invoke(temp) ?? new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                        return Task.CompletedTask;
                    }).ConfigureAwait(false);
                    try
                    {
                        using var source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                        var buffer = new byte[1 << 16];
                        int read;
                        while ((read = await source.ReadAsync(buffer, 0, buffer.Length, attemptCt).ConfigureAwait(false)) > 0)
                        {
                            await Local(() => target!.WriteAsync(buffer, 0, read, attemptCt)).ConfigureAwait(false);
                            total += read;
                            progress?.Invoke(total);
                        }
                        await Local(() => target!.FlushAsync(attemptCt)).ConfigureAwait(false);
                    }
                    finally
                    {
                        try { target!.Dispose(); } catch (IOException) { }
                    }
                    CheckLength(response, total, what);
                    await Local(() =>
                    {
                        if (File.Exists(targetPath)) File.Delete(targetPath);
                        File.Move(temp, targetPath);
                        return Task.CompletedTask;
                    }).ConfigureAwait(false);
                    return total;
                }
            }, ct);
        }

        private HttpRequestMessage NewRequest(HttpMethod method, string path, HttpContent? content)
        {
            var uri = Resolve(path);
            // The base URI was checked when the provider was made; a URL the provider handed back (Gemini's upload URL,
            // Anthropic's results_url) on another host is checked here, before the key goes anywhere.
            if (_redactor.HasSecret && uri.Scheme != "https" && !_settings.AllowUnencryptedAuthentication && !Providers.ProviderFactory.IsLoopback(uri)
                && !string.Equals(uri.GetLeftPart(UriPartial.Authority), _baseUri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
            {
                content?.Dispose();
                throw new IrisBatchException(ErrorIds.InsecureEndpoint, FailureKind.InvalidArgument,
                    Messages.PlainHttpKey(uri.GetLeftPart(UriPartial.Authority))) { Target = uri.GetLeftPart(UriPartial.Authority) };
            }
            var request = new HttpRequestMessage(method, uri) { Content = content };
            request.Headers.TryAddWithoutValidation("User-Agent", _settings.UserAgent);
            _authorize(request);
            return request;
        }

        private void CheckLength(HttpResponseMessage response, long actual, string what)
        {
            var expected = response.Content.Headers.ContentLength;
            if (expected.HasValue && expected.Value != actual)
                throw new IOException(Messages.BodyCutShort(ProviderName, actual, expected.Value, what, RequestIdOf(response)));
        }

        private async Task ThrowIfErrorAsync(HttpResponseMessage response, string what)
        {
            if (response.IsSuccessStatusCode) return;
            string body;
            try { body = await response.Content.ReadAsStringAsync().ConfigureAwait(false); }
            catch (Exception) { body = string.Empty; }
            ProviderErrorInfo? info = null;
            try { info = _parseError(body); } catch (Exception) { /* not an envelope: keep the status alone */ }

            int status = (int)response.StatusCode;
            var (id, kind) = Classify(status, info?.Code, info?.Type);
            var message = _redactor.Redact(info?.Message ?? (body.Length > 0 && body.Length < 500 ? body : response.ReasonPhrase));
            var requestId = RequestIdOf(response);
            var retryAfter = RetryAfterOf(response);
            var retryable = IsRetryable(response, status, info?.Code);
            var text = Messages.HttpError(ProviderName, what, status, info?.Code, message, requestId);
            DateTimeOffset? retryAt = null;
            if (retryable && retryAfter.HasValue && retryAfter.Value > _settings.MaxDelay)
            {
                // Longer than IrisBatch waits between retries: not retried; the user is told when the provider expects it.
                retryable = false;
                retryAt = DateTimeOffset.UtcNow + retryAfter.Value;
                text += " " + Messages.RetryAfterTooLong(retryAfter.Value, _settings.MaxDelay, retryAt.Value);
            }
            var ex = new ApiException(id, kind, text)
            {
                HttpStatus = status,
                ProviderCode = info?.Code,
                ProviderType = info?.Type,
                RequestId = requestId,
                Retryable = retryable,
                RetryAfter = retryAfter,
                RetryAt = retryAt,
                ProviderMessage = message,
            };
            throw ex;
        }

        internal static (string, FailureKind) Classify(int status, string? code, string? type)
        {
            if (status == 401 || code == "invalid_api_key" || code == "API_KEY_INVALID" || type == "authentication_error" || code == "incorrect_api_key")
                return (ErrorIds.Unauthorized, FailureKind.Unauthorized);
            if (status == 403) return (ErrorIds.PermissionDenied, FailureKind.PermissionDenied);
            if (status == 404) return (ErrorIds.NotFound, FailureKind.NotFound);
            // 402: a spend limit or no credit (Together, spec §14.1; Anthropic's billing_error).
            if (status == 402 || code == "insufficient_quota" || type == "billing_error") return (ErrorIds.QuotaExceeded, FailureKind.QuotaExceeded);
            if (status == 429) return (ErrorIds.RateLimited, FailureKind.ResourceUnavailable);
            if (status >= 500) return (ErrorIds.ProviderError, FailureKind.ResourceUnavailable);
            if (status == 408) return (ErrorIds.Timeout, FailureKind.Timeout);
            return (ErrorIds.BadRequest, FailureKind.InvalidArgument);
        }

        private static bool IsRetryable(HttpResponseMessage response, int status, string? code)
        {
            if (code == "insufficient_quota") return false;
            if (response.Headers.TryGetValues("x-should-retry", out var values))
            {
                var v = values.FirstOrDefault();
                if (string.Equals(v, "true", StringComparison.OrdinalIgnoreCase)) return true;
                if (string.Equals(v, "false", StringComparison.OrdinalIgnoreCase)) return false;
            }
            return status == 408 || status == 409 || status == 429 || status >= 500;
        }

        internal static TimeSpan? RetryAfterOf(HttpResponseMessage response)
        {
            if (response.Headers.TryGetValues("retry-after-ms", out var ms) &&
                double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
                return TimeSpan.FromMilliseconds(millis);
            if (response.Headers.TryGetValues("Retry-After", out var ra))
            {
                var v = ra.FirstOrDefault()?.Trim();
                if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                    return TimeSpan.FromSeconds(seconds);
                if (DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                {
                    var delta = date - DateTimeOffset.UtcNow;
                    return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
                }
            }
            return null;
        }

        private static string? RequestIdOf(HttpResponseMessage response)
        {
            // Mistral: mistral-correlation-id (spec §12.1); Together: the CF-RAY header its SDK records (§14.1).
            foreach (var name in new[] { "x-request-id", "request-id", "mistral-correlation-id", "x-kong-request-id", "cf-ray" })
                if (response.Headers.TryGetValues(name, out var v)) return v.FirstOrDefault();
            return null;
        }

        private ResiliencePipeline BuildPipeline()
        {
            var builder = new ResiliencePipelineBuilder();
            if (_settings.MaxRetries > 0)
            {
                builder.AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = _settings.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = _settings.BaseDelay,
                    MaxDelay = _settings.MaxDelay,
                    ShouldHandle = args => new ValueTask<bool>(IsTransient(args.Outcome.Exception, args.Context.CancellationToken)),
                    DelayGenerator = args =>
                    {
                        // A Retry-After longer than MaxDelay made the error not retryable (see ThrowIfErrorAsync).
                        if (args.Outcome.Exception is ApiException api && api.RetryAfter.HasValue)
                            return new ValueTask<TimeSpan?>(api.RetryAfter.Value);
                        return new ValueTask<TimeSpan?>((TimeSpan?)null);
                    },
                    OnRetry = args =>
                    {
                        _settings.Log?.Invoke(_redactor.Redact(
                            Messages.RetryIn(args.AttemptNumber + 1, _settings.MaxRetries, args.RetryDelay, args.Outcome.Exception?.Message)));
                        return default;
                    },
                });
            }
            return builder.Build();
        }

        /// <summary>True when a failed call may have reached the server or may succeed if tried again.</summary>
        public static bool MayRetry(Exception ex)
        {
            switch (ex)
            {
                case ApiException api: return api.Retryable;
                case IrisBatchException ib: return ib.ErrorId == ErrorIds.ConnectionFailed || ib.ErrorId == ErrorIds.Timeout;
                default: return ex is HttpRequestException || ex is IOException;
            }
        }

        /// <summary>
        /// True when the failed call certainly did not act: the server answered with a 4xx (a 429 with Retry-After, a
        /// refusal), or the connection was refused before anything was sent. Retrying such a call cannot pay twice.
        /// A reset or timeout after sending, or a 5xx, is ambiguous: the call may have acted.
        /// </summary>
        public static bool IsDefinitive(Exception ex)
        {
            if (ex is ApiException acted && acted.MayHaveActed) return false;
            if (ex is IrisBatchException ib && ib.HttpStatus.HasValue) return ib.HttpStatus.Value < 500;
            for (var e = (Exception?)ex; e != null; e = e.InnerException)
                if (e is System.Net.Sockets.SocketException se &&
                    (se.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused || se.SocketErrorCode == System.Net.Sockets.SocketError.HostNotFound))
                    return true;
            return false;
        }

        /// <summary>The wait before attempt <paramref name="attempt"/> (0-based): Retry-After when given, else exponential with jitter.</summary>
        public TimeSpan DelayBefore(int attempt, Exception? ex) => DelayBefore(_settings, attempt, ex);

        /// <summary>The wait before attempt <paramref name="attempt"/> (0-based) under <paramref name="settings"/>.</summary>
        public static TimeSpan DelayBefore(HttpSettings settings, int attempt, Exception? ex)
        {
            if (ex is ApiException api && api.RetryAfter.HasValue) return api.RetryAfter.Value;
            double jitter;
            lock (Jitter) jitter = Jitter.NextDouble();
            var ms = settings.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt) * (0.75 + jitter * 0.5);
            return TimeSpan.FromMilliseconds(Math.Min(ms, settings.MaxDelay.TotalMilliseconds));
        }

        public HttpSettings Settings => _settings;

        private static readonly Random Jitter = new Random();

        private static bool IsTransient(Exception? ex, CancellationToken userCt)
        {
            if (ex == null || userCt.IsCancellationRequested) return false;
            switch (ex)
            {
                case ApiException api: return api.Retryable;
                case IrisBatchException _: return false;
                case HttpRequestException _: return true;
                case IOException _: return true;
                case AttemptTimeoutException _: return true;
                case OperationCanceledException _: return false;
                default: return false;
            }
        }

        /// <summary>Runs one logical call through the retry policy with per-attempt timeouts and the overall budget.</summary>
        public async Task<T> ExecuteAsync<T>(string what, bool retry, Func<CancellationToken, Task<T>> attempt, CancellationToken ct)
        {
            var pipeline = retry ? Pipeline : ResiliencePipeline.Empty;
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
            budget.CancelAfter(_settings.OverallTimeout);
            try
            {
                _settings.Log?.Invoke(Messages.Calling(ProviderName, what));
                return await pipeline.ExecuteAsync(async token =>
                {
                    using var perAttempt = CancellationTokenSource.CreateLinkedTokenSource(token);
                    perAttempt.CancelAfter(_settings.AttemptTimeout);
                    try
                    {
                        return await attempt(perAttempt.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException oce) when (perAttempt.IsCancellationRequested && !token.IsCancellationRequested)
                    {
                        throw new AttemptTimeoutException(Messages.AttemptTimeout(ProviderName, what, _settings.AttemptTimeout), oce);
                    }
                }, budget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && budget.IsCancellationRequested)
            {
                throw new IrisBatchException(ErrorIds.Timeout, FailureKind.Timeout,
                    Messages.OverallTimeout(ProviderName, what, _settings.OverallTimeout));
            }
            catch (AttemptTimeoutException ex)
            {
                throw new IrisBatchException(ErrorIds.Timeout, FailureKind.Timeout, ex.Message, ex);
            }
            catch (HttpRequestException ex)
            {
                throw new IrisBatchException(ErrorIds.ConnectionFailed, FailureKind.ConnectionError,
                    _redactor.Redact(Messages.Unreachable(ProviderName, _baseUri.GetLeftPart(UriPartial.Authority), what, ex.Message)), ex);
            }
            catch (IOException ex)
            {
                throw new IrisBatchException(ErrorIds.ConnectionFailed, FailureKind.ConnectionError,
                    _redactor.Redact(Messages.CallFailed(ProviderName, what, ex.Message)), ex);
            }
        }

        private sealed class AttemptTimeoutException : Exception
        {
            public AttemptTimeoutException(string message, Exception inner) : base(message, inner) { }
        }
    }
}
