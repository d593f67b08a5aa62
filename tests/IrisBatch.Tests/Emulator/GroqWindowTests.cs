using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Groq takes a completion window from 24h to 7d (spec §13.3): a batch's expires_at is its creation plus the window it
/// was given, not OpenAI's fixed 24 hours, so a client shows a 7-day batch expiring in 7 days.
/// </summary>
public sealed class GroqWindowTests
{
    [Theory]
    [InlineData("24h", 24)]
    [InlineData("36h", 36)]
    [InlineData("7d", 168)]
    public async Task A_batch_expires_when_its_window_ends(string window, int hours)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 100, InProgressMs = 900, TimeProvider = new ManualClock() });
        using var api = new EmulatorApi(host);
        var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" } };
        var line = JsonSerializer.Serialize(new { custom_id = "a", method = "POST", url = "/v1/chat/completions", body = new { model = "m", messages = new[] { new { role = "user", content = "Hi" } } } });
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(line + "\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "in.jsonl");
        string fileId;
        using (var r = await api.Http.PostAsync("/groq/openai/v1/files", form))
            fileId = (await EmulatorApi.JsonAsync(r)).GetProperty("id").GetString()!;
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
}
