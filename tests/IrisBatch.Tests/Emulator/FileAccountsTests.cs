using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// OpenAI, Groq, Mistral and Together are separate services with separate accounts (spec §1, §12, §13, §14): a file uploaded to one
/// is unknown to the others' Files APIs and cannot start a batch there, so a client that downloads or creates through
/// the wrong service's address fails here as it would for real. Azure shares OpenAI's store (the emulator's choice).
/// </summary>
public sealed class FileAccountsTests
{
    private const string OpenAIFiles = "/v1/files", GroqFiles = "/groq/openai/v1/files", MistralFiles = "/mistral/v1/files", TogetherFiles = "/together/v1/files";

    private static async Task<string> UploadAsync(HttpClient http, string route, string purpose, string content)
    {
        var form = new MultipartFormDataContent { { new StringContent(purpose), "purpose" } };
        if (route.StartsWith("/together")) form.Add(new StringContent("in.jsonl"), "file_name");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content + "\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "in.jsonl");
        using var r = await http.PostAsync(route, form);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return (await EmulatorApi.JsonAsync(r)).GetProperty("id").GetString()!;
    }

    private static async Task<string[]> ListedAsync(HttpClient http, string route)
    {
        using var r = await http.GetAsync(route);
        return (await EmulatorApi.JsonAsync(r)).GetProperty("data").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToArray();
    }

    private static StringContent Create(string fileId, string window = "24h") =>
        new(JsonSerializer.Serialize(new { input_file_id = fileId, endpoint = "/v1/chat/completions", completion_window = window }), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_file_of_one_service_is_unknown_to_the_others()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 100, InProgressMs = 900, TimeProvider = new ManualClock() });
        using var api = new EmulatorApi(host);
        var http = api.Http;
        string openAILine = JsonSerializer.Serialize(new { custom_id = "a", method = "POST", url = "/v1/chat/completions", body = new { model = "m", messages = new[] { new { role = "user", content = "Hi" } } } });
        string openAI = await UploadAsync(http, OpenAIFiles, "batch", openAILine);
        string groq = await UploadAsync(http, GroqFiles, "batch", openAILine);
        string bodyLine = JsonSerializer.Serialize(new { custom_id = "a", body = new { model = "m", messages = new[] { new { role = "user", content = "Hi" } } } });
        string together = await UploadAsync(http, TogetherFiles + "/upload", "batch-api", bodyLine);
        string mistral = await UploadAsync(http, MistralFiles, "batch", bodyLine);

        foreach (var (files, own, others) in new[]
        {
            (OpenAIFiles, openAI, new[] { groq, together, mistral }),
            (GroqFiles, groq, new[] { openAI, together, mistral }),
            (TogetherFiles, together, new[] { openAI, groq, mistral }),
            (MistralFiles, mistral, new[] { openAI, groq, together }),
            ("/openai/v1/files", openAI, new[] { groq, together, mistral }),
        })
        {
            Assert.Equal(new[] { own }, await ListedAsync(http, files));
            foreach (var other in others)
            {
                using (var r = await http.GetAsync($"{files}/{other}")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
                using (var r = await http.GetAsync($"{files}/{other}/content")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
                using (var r = await http.DeleteAsync($"{files}/{other}")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            }
        }
        using (var r = await http.PostAsync("/groq/openai/v1/batches", Create(openAI)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("file_not_found", (await EmulatorApi.JsonAsync(r)).GetProperty("error").GetProperty("code").GetString());
        }
        using (var r = await http.PostAsync("/v1/batches", Create(groq)))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await http.PostAsync("/together/v1/batches", Create(openAI)))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        foreach (var route in new[] { "/v1/batches", "/groq/openai/v1/batches", "/together/v1/batches" })
            using (var r = await http.PostAsync(route, Create(mistral)))
                Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        // Each file is still there for its own service.
        foreach (var (files, id) in new[] { (OpenAIFiles, openAI), (GroqFiles, groq), (TogetherFiles, together), (MistralFiles, mistral) })
            using (var r = await http.GetAsync($"{files}/{id}/content")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    private static async Task<JsonElement> MistralJobAsync(HttpClient http, string id, params string[] statuses)
    {
        // The validator runs on the thread pool, not on the manual clock: wait until the job shows it has reported.
        for (int i = 0; i < 400; i++)
        {
            using var r = await http.GetAsync("/mistral/v1/batch/jobs/" + id);
            var job = await EmulatorApi.JsonAsync(r);
            if (statuses.Contains(job.GetProperty("status").GetString())) return job;
            await Task.Delay(25);
        }
        throw new System.TimeoutException($"Mistral job {id} did not reach {string.Join(" or ", statuses)}");
    }

    [Fact]
    public async Task A_Mistral_job_result_file_is_Mistral_s_only()
    {
        var clock = new ManualClock();
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 100, InProgressMs = 900, FinalizingMs = 100, TimeProvider = clock });
        using var api = new EmulatorApi(host);
        var http = api.Http;
        string bodyLine = JsonSerializer.Serialize(new { custom_id = "a", body = new { messages = new[] { new { role = "user", content = "Hi" } } } });
        string input = await UploadAsync(http, MistralFiles, "batch", bodyLine);
        var create = new StringContent(JsonSerializer.Serialize(new { input_files = new[] { input }, endpoint = "/v1/chat/completions", model = "m" }), Encoding.UTF8, "application/json");
        string jobId;
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", create))
        {
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            jobId = (await EmulatorApi.JsonAsync(r)).GetProperty("id").GetString()!;
        }
        clock.AdvanceMs(100);
        await MistralJobAsync(http, jobId, "RUNNING");
        clock.AdvanceMs(1100);
        string output = (await MistralJobAsync(http, jobId, "SUCCESS")).GetProperty("output_file").GetString()!;

        Assert.Contains(output, await ListedAsync(http, MistralFiles));
        foreach (var files in new[] { OpenAIFiles, GroqFiles, TogetherFiles })
        {
            Assert.DoesNotContain(output, await ListedAsync(http, files));
            using (var r = await http.GetAsync($"{files}/{output}/content")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        // An OpenAI upload of purpose batch is not Mistral's: not listed, and its id is unknown to Mistral's routes.
        string openAI = await UploadAsync(http, OpenAIFiles, "batch", bodyLine);
        Assert.DoesNotContain(openAI, await ListedAsync(http, MistralFiles));
        using (var r = await http.GetAsync($"{MistralFiles}/{openAI}/content")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }
}
