using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Providers.Ollama;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// A durable local batch whose only server cannot be reached (connection refused) does not fail its requests: nothing
/// reached a server. The run warns once, naming the server, and keeps waiting until its lifetime ends; the requests stay
/// pending (no line in the executed file) for a later wait.
/// </summary>
public sealed class OllamaUnreachableTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-ollama-down-" + Guid.NewGuid().ToString("N"));

    public OllamaUnreachableTests()
    {
        Directory.CreateDirectory(_dir);
        var lines = Enumerable.Range(1, 5).Select(i =>
            "{\"custom_id\":\"request-" + i + "\",\"body\":" + JsonSerializer.Serialize(new { model = "llama3.2", messages = new[] { new { role = "user", content = "Q" + i } }, stream = false }) + "}\n");
        File.WriteAllText(Path.Combine(_dir, "input.jsonl"), string.Concat(lines));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A 127.0.0.1 port nothing listens on: one the OS gave out and that was closed again.</summary>
    private static Uri ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    [Fact]
    public async Task With_no_server_reachable_the_requests_stay_pending_and_one_warning_names_the_server()
    {
        var server = ClosedPort();
        var warnings = new ConcurrentQueue<string>();
        using var lifetime = new CancellationTokenSource(TimeSpan.FromSeconds(60));   // a hang fails the test rather than holding CI
        var settings = new HttpSettings
        {
            MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(5), AttemptTimeout = TimeSpan.FromSeconds(20),
            Warn = w => warnings.Enqueue(w),
        };
        var executor = new OllamaExecutor(_dir, new[] { server }, openAICompatible: false, settings, throttle: 2);
        var run = executor.RunAsync(lifetime.Token);

        // The old behaviour ended the run within about 3 s, every request failed after 6 tries and no warning; this one
        // warns and keeps waiting until told to stop (the Pester test of the same name shows a wait timing out later).
        while (warnings.IsEmpty && !run.IsCompleted) await Task.Delay(20);
        Assert.False(run.IsCompleted, "the run ended instead of waiting for a server");
        lifetime.Cancel();
        await run;

        var executed = OllamaExecutor.ExecutedPath(_dir);
        Assert.True(!File.Exists(executed) || File.ReadAllText(executed).Length == 0, "a request was marked as done: " + (File.Exists(executed) ? File.ReadAllText(executed) : ""));
        var warning = Assert.Single(warnings);
        Assert.Contains(server.AbsoluteUri, warning);
        Assert.Contains("pending", warning);
    }

    [Fact]
    public void Only_a_failure_to_connect_counts_as_not_reached()
    {
        Assert.True(OllamaExecutor.NotReached(new System.Net.Http.HttpRequestException("x", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.False(OllamaExecutor.NotReached(new System.Net.Http.HttpRequestException("x", new SocketException((int)SocketError.ConnectionReset))));
        Assert.False(OllamaExecutor.NotReached(new TimeoutException("x")));
    }
}
