using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Providers.Ollama;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// Issue 6: "The requests are executed by whichever IrisBatch process waits on or collects the batch". A process that
/// finds the batch's lock held (another waiter runs it, or a status look holds the lock for an instant) must take the
/// batch over once the lock is free, not only watch: else a second waiter whose first waiter is killed, or a waiter
/// whose lock attempt met a status look, waits until its timeout with nothing running.
/// </summary>
public sealed class OllamaTakeOverTests : IDisposable
{
    private const int Count = 5;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-ollama-take-" + Guid.NewGuid().ToString("N"));

    public OllamaTakeOverTests()
    {
        Directory.CreateDirectory(_dir);
        var input = new StringBuilder();
        for (int i = 1; i <= Count; i++)
        {
            var body = JsonSerializer.Serialize(new { model = "llama3.2", messages = new[] { new { role = "user", content = "Question " + i } }, stream = false });
            input.Append("{\"custom_id\":\"request-" + i + "\",\"body\":" + body + "}\n");
        }
        File.WriteAllText(Path.Combine(_dir, "input.jsonl"), input.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_run_that_finds_the_batch_locked_runs_it_once_the_lock_is_let_go()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { OllamaLatencyMs = 0 });
        var settings = new HttpSettings { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(20) };
        var executor = new OllamaExecutor(_dir, new[] { host.BaseUri }, openAICompatible: false, settings, throttle: 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));   // a hang fails the test rather than holding CI

        // Another process runs the batch: it holds the lock, as OllamaExecutor does.
        var other = new FileStream(Path.Combine(_dir, "executor.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        Task run;
        try
        {
            run = executor.RunAsync(cts.Token);
            Assert.False(run.IsCompleted, "the run gave up on the batch while another process held it");
            Assert.Equal(0, host.State.Stats.Ollama.Requests);
        }
        finally
        {
            other.Dispose();   // that process ends (or is killed) before finishing the batch
        }

        await run;

        Assert.False(cts.IsCancellationRequested, "the run did not finish the batch");
        var lines = File.ReadAllLines(OllamaExecutor.ExecutedPath(_dir)).Where(l => l.Length > 0).ToList();
        Assert.Equal(Count, lines.Count);
        Assert.All(lines, l => Assert.True(JsonDocument.Parse(l).RootElement.GetProperty("ok").GetBoolean(), l));
        Assert.Equal(Count, host.State.Stats.Ollama.Requests);
    }

    [Fact]
    public async Task The_lock_file_outlives_the_run_so_every_process_locks_the_same_file()
    {
        // A lock file deleted on close let a process that had opened it just before lock a file no longer there, while
        // the next process made a new one: two runs of one batch. The file stays; the lock is what is let go.
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { OllamaLatencyMs = 0 });
        var executor = new OllamaExecutor(_dir, new[] { host.BaseUri }, openAICompatible: false, new HttpSettings(), throttle: 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await executor.RunAsync(cts.Token);
        Assert.Equal(Count, host.State.Stats.Ollama.Requests);
        var path = Path.Combine(_dir, "executor.lock");
        Assert.True(File.Exists(path), "the lock file was deleted when the run let go of it");
        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }   // and nobody holds it
    }

    [Fact]
    public async Task A_run_that_finds_the_batch_locked_ends_when_its_wait_ends()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { OllamaLatencyMs = 0 });
        var executor = new OllamaExecutor(_dir, new[] { host.BaseUri }, openAICompatible: false, new HttpSettings(), throttle: 2);
        using var other = new FileStream(Path.Combine(_dir, "executor.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        using var wait = new CancellationTokenSource();
        var run = executor.RunAsync(wait.Token);
        wait.Cancel();
        var ended = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(run, ended);
        Assert.Equal(0, host.State.Stats.Ollama.Requests);
    }
}
