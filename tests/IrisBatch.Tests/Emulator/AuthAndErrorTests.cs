using System.Linq;
using System.Net;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

public sealed class AuthAndErrorTests
{
    private static Task<EmulatorHost> StartAsync() =>
        EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });

    [Theory]
    [InlineData("sk-wrong-secret-123")]
    [InlineData(null)]
    public async Task Wrong_or_missing_key_is_401_invalid_api_key_without_echoing_the_key(string? key)
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host, key);
        foreach (string path in new[] { "/v1/batches", "/v1/files", "/v1/batches/batch_x" })
        {
            using var r = await api.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.StartsWith("req_", r.Headers.GetValues("x-request-id").Single());
            string text = await r.Content.ReadAsStringAsync();
            if (key is not null) Assert.DoesNotContain(key, text);
            var error = EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r));
            Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        }
        Assert.Equal(0, host.State.Stats.Uploads);
    }

    [Fact]
    public async Task Unknown_batch_and_file_ids_are_404_envelopes_with_all_four_keys()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        foreach (var (method, path) in new[]
        {
            ("GET", "/v1/batches/batch_missing"), ("POST", "/v1/batches/batch_missing/cancel"),
            ("GET", "/v1/files/file-missing"), ("GET", "/v1/files/file-missing/content"), ("DELETE", "/v1/files/file-missing"),
            ("GET", "/v1/not-a-route"),
        })
        {
            using var r = await api.Http.SendAsync(new System.Net.Http.HttpRequestMessage(new System.Net.Http.HttpMethod(method), path));
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.True(r.Headers.Contains("x-request-id"));
            EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r));
        }
    }

    [Fact]
    public async Task Every_answer_carries_a_request_id()
    {
        await using var host = await StartAsync();
        using var api = new EmulatorApi(host);
        using var list = await api.Http.GetAsync("/v1/batches");
        using var stats = await api.Http.GetAsync("/_emulator/stats");
        Assert.Matches("^req_[0-9a-f]{32}$", list.Headers.GetValues("x-request-id").Single());
        Assert.Matches("^req_[0-9a-f]{32}$", stats.Headers.GetValues("x-request-id").Single());
    }
}
