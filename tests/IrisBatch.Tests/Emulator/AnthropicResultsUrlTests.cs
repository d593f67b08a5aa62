using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Providers.Anthropic;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Results come from the batch's results_url (spec §3.2: "should not be assumed and may change"), sent with the key. Over
/// plain http the key goes only to the host it was already sent to, or to this machine when the base URI is this machine:
/// a local service may give its results_url as localhost where it was reached as 127.0.0.1.
/// </summary>
public sealed class AnthropicResultsUrlTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-results-url-" + Guid.NewGuid().ToString("N"));

    public AnthropicResultsUrlTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static async Task<(AnthropicProvider Provider, IrisBatchInfo Batch)> EndedBatchAsync(EmulatorHost host, int count)
    {
        using var api = new AnthropicApi(host);
        string id = await api.StartAsync(AnthropicApi.Many(count));
        var provider = new AnthropicProvider(host.BaseUri, "test-key", new HttpSettings { MaxRetries = 0 });
        var batch = await provider.GetAsync(id, CancellationToken.None);
        for (int i = 0; i < 200 && !batch.IsComplete; i++) batch = await provider.GetAsync(id, CancellationToken.None);
        Assert.True(batch.IsComplete);
        Assert.StartsWith("http://127.0.0.1:", batch.ResultsUrl, StringComparison.Ordinal);
        return (provider, batch);
    }

    [Fact]
    public async Task A_results_url_naming_this_machine_as_localhost_is_followed_with_the_key()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        var (provider, batch) = await EndedBatchAsync(host, 3);
        batch.ResultsUrl = batch.ResultsUrl!.Replace("://127.0.0.1:", "://localhost:", StringComparison.Ordinal);

        var files = await provider.DownloadResultsAsync(batch, _dir, null, CancellationToken.None);

        var lines = File.ReadAllLines(Assert.Single(files)).Where(l => l.Length > 0).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal(1, host.State.Stats.Downloads);
    }

    [Fact]
    public async Task A_results_url_on_another_host_over_plain_http_is_refused_before_any_call()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        var (provider, batch) = await EndedBatchAsync(host, 1);
        batch.ResultsUrl = "http://results.example.invalid/v1/messages/batches/" + batch.Id + "/results";

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() => provider.DownloadResultsAsync(batch, _dir, null, CancellationToken.None));

        Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
        Assert.Contains("results.example.invalid", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.State.Stats.Downloads);
    }
}
