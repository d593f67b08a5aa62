using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Groq's batches (spec §13): a completion window from 24h to 7d (§13.3) sets expires_at to creation plus the window it
/// was given, not OpenAI's fixed 24 hours, so a client shows a 7-day batch expiring in 7 days.
/// </summary>
public sealed class GroqBatchTests
{
    [Theory]
    [InlineData("24h", 24)]
    [InlineData("36h", 36)]
    [InlineData("7d", 168)]
    public async Task A_batch_expires_when_its_window_ends(string window, int hours)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 100, InProgressMs = 900, TimeProvider = new ManualClock() });
        using var api = new EmulatorApi(host);
        string fileId = await UploadOneLineAsync(api);
        var create = new StringContent(JsonSerializer.Serialize(new { input_file_id = fileId, endpoint = "/v1/chat/completions", completion_window = window }), Encoding.UTF8, "application/json");
        JsonElement created, fetched;
        using (var r = await api.Http.PostAsync("/groq/openai/v1/batches", create))
            created = await EmulatorApi.JsonAsync(r);
        using (var r = await api.Http.GetAsync("/groq/openai/v1/batches/" + created.GetProperty("id").GetString()))
            fetched = await EmulatorApi.JsonAsync(r);
        foreach (var b in new[] { created, fetched })
        {
            Assert.Equal(window, b.GetProperty("completion_window").GetString());
            Assert.Equal(b.GetProperty("created_at").GetInt64() + hours * 3600L, b.GetProperty("expires_at").GetInt64());
        }
    }

    /// <summary>Groq's batch list takes no limit or after (spec §13.5): such parameters are ignored, not refused as OpenAI's are.</summary>
    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=500")]
    [InlineData("?limit=abc")]
    [InlineData("?after=batch_x&limit=1")]
    public async Task The_batch_list_ignores_OpenAI_paging_parameters(string query)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 100, InProgressMs = 900, TimeProvider = new ManualClock() });
        using var api = new EmulatorApi(host);
        string fileId = await UploadOneLineAsync(api);
        for (int i = 0; i < 2; i++)
            using (var r = await api.Http.PostAsync("/groq/openai/v1/batches", new StringContent(JsonSerializer.Serialize(new { input_file_id = fileId, endpoint = "/v1/chat/completions", completion_window = "24h" }), Encoding.UTF8, "application/json")))
                Assert.True(r.IsSuccessStatusCode);
        using var list = await api.Http.GetAsync("/groq/openai/v1/batches" + query);
        Assert.Equal(System.Net.HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(2, (await EmulatorApi.JsonAsync(list)).GetProperty("data").GetArrayLength());
    }

    /// <summary>Uploads a one-request batch input file to Groq's Files API; returns its id.</summary>
    private static async Task<string> UploadOneLineAsync(EmulatorApi api)
    {
        var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" } };
        var line = JsonSerializer.Serialize(new { custom_id = "a", method = "POST", url = "/v1/chat/completions", body = new { model = "m", messages = new[] { new { role = "user", content = "Hi" } } } });
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(line + "\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "in.jsonl");
        using var r = await api.Http.PostAsync("/groq/openai/v1/files", form);
        return (await EmulatorApi.JsonAsync(r)).GetProperty("id").GetString()!;
    }
}
