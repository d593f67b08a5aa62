using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using Xunit;

namespace IrisBatch.Tests.Core;

/// <summary>
/// Issue 3, "Retry 408, 409, 429, 5xx and network failures with exponential backoff and jitter; honour retry-after-ms,
/// Retry-After (seconds or HTTP date) and x-should-retry; never retry a 429 whose code is insufficient_quota". Against a
/// stand-in server that answers a script of responses and records when each call arrived.
/// </summary>
public sealed class RetryContractTests : IAsyncDisposable
{
    private readonly HttpListener _listener = new HttpListener();
    private readonly ConcurrentQueue<Action<HttpListenerResponse>> _script = new ConcurrentQueue<Action<HttpListenerResponse>>();
    private readonly List<DateTimeOffset> _arrivals = new List<DateTimeOffset>();
    private readonly Task _serving;
    private readonly List<string> _log = new List<string>();
    private readonly Uri _base;

    public RetryContractTests()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; probe.Stop(); }
        _base = new Uri($"http://127.0.0.1:{port}/v1/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch (Exception) { return; }
            lock (_arrivals) _arrivals.Add(DateTimeOffset.UtcNow);
            var r = ctx.Response;
            if (_script.TryDequeue(out var answer)) answer(r);
            else Json(r, 200, "{\"ok\":true}");
            try { r.Close(); } catch (Exception) { }
        }
    }

    private static void Json(HttpListenerResponse r, int status, string body, params (string, string)[] headers)
    {
        r.StatusCode = status;
        foreach (var (k, v) in headers) r.Headers[k] = v;
        var bytes = Encoding.UTF8.GetBytes(body);
        r.ContentType = "application/json";
        r.ContentLength64 = bytes.Length;
        r.OutputStream.Write(bytes, 0, bytes.Length);
    }

    private void Then(int status, string body = "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\",\"code\":null}}", params (string, string)[] headers) =>
        _script.Enqueue(r => Json(r, status, body, headers));

    private ApiClient Client(int retries = 3, double baseDelayMs = 10, double maxDelaySec = 60)
    {
        var settings = new HttpSettings
        {
            MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(baseDelayMs), MaxDelay = TimeSpan.FromSeconds(maxDelaySec),
            AttemptTimeout = TimeSpan.FromSeconds(20), Log = l => { lock (_log) _log.Add(l); },
        };
        return new ApiClient("OpenAI", _base, req => req.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-canary-0123456789"),
            IrisBatch.Providers.OpenAI.OpenAIJson.ParseError, settings, new Redactor("sk-canary-0123456789"));
    }

    private Task<System.Text.Json.JsonDocument> Get(ApiClient c) => c.SendJsonAsync(HttpMethod.Get, "batches/b1", null, "the status", CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _serving; } catch (Exception) { }
    }

    [Theory]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_retryable_status_is_retried_until_it_succeeds(int status)
    {
        Then(status);
        Then(status);
        using var doc = await Get(Client());
        Assert.Equal(3, _arrivals.Count);
        Assert.Equal(2, _log.Count(l => l.Contains(status.ToString())));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task A_refusal_is_not_retried(int status)
    {
        Then(status);
        await Assert.ThrowsAsync<ApiException>(() => Get(Client()));
        Assert.Single(_arrivals);
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_is_waited_for()
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        Then(429, headers: ("Retry-After", at.ToString("R")));
        using var doc = await Get(Client());
        Assert.Equal(2, _arrivals.Count);
        // the HTTP date has whole seconds: the retry comes no sooner than that second began
        Assert.True(_arrivals[1] >= at.AddSeconds(-1), $"retried at {_arrivals[1]:O}, Retry-After said {at:R}");
    }

    [Fact]
    public async Task Retry_After_in_seconds_is_waited_for_and_reported_on_the_verbose_stream()
    {
        Then(503, headers: ("Retry-After", "1"));
        using var doc = await Get(Client());
        Assert.Equal(2, _arrivals.Count);
        Assert.True(_arrivals[1] - _arrivals[0] >= TimeSpan.FromMilliseconds(950), $"{(_arrivals[1] - _arrivals[0]).TotalMilliseconds} ms");
        Assert.Contains(_log, l => l.Contains("503") && l.Contains("1"));
    }

    [Fact]
    public async Task Retry_After_ms_wins_over_Retry_After()
    {
        Then(429, headers: new[] { ("retry-after-ms", "50"), ("Retry-After", "30") });
        var sw = Stopwatch.StartNew();
        using var doc = await Get(Client());
        Assert.Equal(2, _arrivals.Count);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task X_should_retry_false_stops_a_503_and_true_retries_a_400()
    {
        Then(503, headers: ("x-should-retry", "false"));
        await Assert.ThrowsAsync<ApiException>(() => Get(Client()));
        Assert.Single(_arrivals);
        Then(400, headers: ("x-should-retry", "true"));
        using var doc = await Get(Client());
        Assert.Equal(3, _arrivals.Count);
    }

    [Fact]
    public async Task A_429_insufficient_quota_is_QuotaExceeded_and_never_retried_even_when_told_to()
    {
        Then(429, "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}",
            ("x-should-retry", "true"), ("Retry-After", "0"), ("x-request-id", "req_quota"));
        var ex = await Assert.ThrowsAsync<ApiException>(() => Get(Client()));
        Assert.Equal(ErrorIds.QuotaExceeded, ex.ErrorId);
        Assert.Equal("req_quota", ex.RequestId);
        Assert.Contains("req_quota", ex.Message);
        Assert.Single(_arrivals);
    }

    [Fact]
    public async Task Backoff_grows_and_is_capped()
    {
        var settings = new HttpSettings { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(4) };
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var d = ApiClient.DelayBefore(settings, attempt, null);
            Assert.True(d <= settings.MaxDelay, $"attempt {attempt}: {d}");
            if (attempt == 0) Assert.InRange(d.TotalSeconds, 0.5, 1.5);
        }
        Assert.Equal(settings.MaxDelay, ApiClient.DelayBefore(settings, 9, null));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_URL_handed_back_on_another_host_over_plain_http_never_gets_the_key()
    {
        // A provider's answer names where to go next (Gemini's X-Goog-Upload-URL, Anthropic's results_url). The base URI
        // passed the InsecureEndpoint check; a plain-http URL on another host must not get the key.
        var client = Client();
        var ex = await Assert.ThrowsAsync<IrisBatchException>(() =>
            client.SendJsonAsync(HttpMethod.Post, "http://uploads.example.invalid/upload?id=1", null, "the upload", CancellationToken.None));
        Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
        Assert.Contains("http://uploads.example.invalid", ex.Message);
        // The base's own host, by relative or absolute URL, is fine (it was checked once already).
        using (await client.SendJsonAsync(HttpMethod.Get, new Uri(_base, "batches/b1").AbsoluteUri, null, "the status", CancellationToken.None)) { }
        Assert.Single(_arrivals);
    }

    [Fact]
    public async Task AllowUnencryptedAuthentication_lets_the_key_go_to_the_other_host()
    {
        var settings = new HttpSettings { MaxRetries = 0, AllowUnencryptedAuthentication = true, AttemptTimeout = TimeSpan.FromSeconds(20) };
        var client = new ApiClient("OpenAI", _base, _ => { }, IrisBatch.Providers.OpenAI.OpenAIJson.ParseError, settings, new Redactor("sk-canary-0123456789"));
        var ex = await Assert.ThrowsAsync<IrisBatchException>(() =>
            client.SendJsonAsync(HttpMethod.Get, "http://uploads.example.invalid/upload", null, "the upload", CancellationToken.None));
        Assert.Equal(ErrorIds.ConnectionFailed, ex.ErrorId);
    }

    [Fact]
    public async Task The_key_is_in_no_error_or_log_line_even_when_the_server_echoes_it()
    {
        Then(500, "{\"error\":{\"message\":\"bad key sk-canary-0123456789 given\",\"type\":\"server_error\"}}");
        Then(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-canary-0123456789.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
        var ex = await Assert.ThrowsAsync<ApiException>(() => Get(Client()));
        Assert.Equal(ErrorIds.Unauthorized, ex.ErrorId);
        Assert.DoesNotContain("canary", ex.ToString());
        Assert.DoesNotContain(_log, l => l.Contains("canary"));
    }
}
