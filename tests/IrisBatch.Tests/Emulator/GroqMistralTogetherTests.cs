using System;
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
/// Issue 19: the emulator refuses what Groq, Mistral and Together refuse (spec §12-§14), in each one's own error shape,
/// on a manual clock. The official SDKs check the happy paths (tests/sdk-node).
/// </summary>
public sealed class GroqMistralTogetherTests
{
    private static async Task<(EmulatorHost Host, ManualClock Clock, HttpClient Http)> StartAsync()
    {
        var clock = new ManualClock();
        var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 100, InProgressMs = 900, FinalizingMs = 100, CancellingMs = 100, TimeProvider = clock });
        var http = new HttpClient { BaseAddress = host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-key");
        return (host, clock, http);
    }

    private static MultipartFormDataContent Form(string content, string filename, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", filename);
        return form;
    }

    private static StringContent JsonBody(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonOf(HttpResponseMessage r) => await EmulatorApi.JsonAsync(r);

    private static string Line(string id, string? model, bool openAI = false, string text = "Hi")
    {
        var body = model is null ? (object)new { messages = new[] { new { role = "user", content = text } } }
            : new { model, messages = new[] { new { role = "user", content = text } } };
        return openAI ? JsonSerializer.Serialize(new { custom_id = id, method = "POST", url = "/v1/chat/completions", body })
            : JsonSerializer.Serialize(new { custom_id = id, body });
    }

    [Fact]
    public async Task Groq_takes_purpose_batch_only_without_expires_after_and_windows_from_24h_to_7d()
    {
        var (host, _, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        using (var r = await http.PostAsync("/groq/openai/v1/files", Form(Line("a", "m", true), "in.jsonl", ("purpose", "fine-tune"))))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await http.PostAsync("/groq/openai/v1/files", Form(Line("a", "m", true), "in.jsonl", ("purpose", "batch"), ("expires_after[anchor]", "created_at"), ("expires_after[seconds]", "3600"))))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        string fileId;
        using (var r = await http.PostAsync("/groq/openai/v1/files", Form(Line("a", "m", true) + "\n" + Line("b", "other-model", true), "in.jsonl", ("purpose", "batch"))))
        {
            var f = await JsonOf(r);
            fileId = f.GetProperty("id").GetString()!;
            Assert.StartsWith("file_01", fileId);
            Assert.False(f.TryGetProperty("status", out _));
        }
        foreach (var (window, ok) in new[] { ("23h", false), ("24h", true), ("36h", true), ("7d", true), ("8d", false), ("1w", false) })
            using (var r = await http.PostAsync("/groq/openai/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions", completion_window = window })))
                Assert.True(ok == r.IsSuccessStatusCode, window + ": " + await r.Content.ReadAsStringAsync());
        using (var r = await http.PostAsync("/groq/openai/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/embeddings", completion_window = "24h" })))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await http.GetAsync("/groq/openai/v1/batches"))
        {
            var list = await JsonOf(r);
            Assert.Equal(3, list.GetProperty("data").GetArrayLength());
            Assert.False(list.TryGetProperty("has_more", out _));
            foreach (var b in list.GetProperty("data").EnumerateArray()) { Assert.False(b.TryGetProperty("model", out _)); Assert.False(b.TryGetProperty("usage", out _)); }
        }
        Assert.Equal(0, host.State.OpenAIBatchCount);
    }

    [Fact]
    public async Task Mistral_validates_like_FastAPI_and_runs_the_model_of_the_job()
    {
        var (host, clock, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        string fileId;
        using (var r = await http.PostAsync("/mistral/v1/files", Form(Line("a", null) + "\n" + Line("b", "other-model"), "in.jsonl", ("purpose", "batch"))))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        Assert.True(Guid.TryParse(fileId, out _));
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m", timeout_hours = 169 })))
        {
            Assert.Equal((HttpStatusCode)422, r.StatusCode);
            Assert.Equal("timeout_hours", (await JsonOf(r)).GetProperty("detail")[0].GetProperty("loc")[1].GetString());
        }
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m", metadata = new { this_key_is_much_longer_than_thirty_two = "x" } })))
            Assert.Equal((HttpStatusCode)422, r.StatusCode);
        using (var r = await http.GetAsync("/mistral/v1/batch/jobs/not-a-uuid"))
            Assert.Equal((HttpStatusCode)422, r.StatusCode);
        using (var r = await http.GetAsync("/mistral/v1/batch/jobs/" + Guid.NewGuid()))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("error", (await JsonOf(r)).GetProperty("object").GetString());
        }
        string jobId;
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m" })))
        {
            var job = await JsonOf(r);
            Assert.Equal("QUEUED", job.GetProperty("status").GetString());
            jobId = job.GetProperty("id").GetString()!;
        }
        clock.AdvanceMs(200);
        await EmulatorApiWait(async () => (await JsonOf(await http.GetAsync("/mistral/v1/batch/jobs/" + jobId))).GetProperty("status").GetString() == "FAILED");
        var failed = await JsonOf(await http.GetAsync("/mistral/v1/batch/jobs/" + jobId));
        Assert.Contains("the job is for 'm'", failed.GetProperty("errors")[0].GetProperty("message").GetString());
        using var bad = new HttpClient { BaseAddress = host.BaseUri };
        bad.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        using (var r = await bad.GetAsync("/mistral/v1/batch/jobs"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("Unauthorized", (await JsonOf(r)).GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task Together_answers_201_with_job_refuses_other_windows_and_long_custom_ids_with_string_errors()
    {
        var (host, clock, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        string fileId;
        using (var r = await http.PostAsync("/together/v1/files/upload", Form(Line(new string('x', 65), "m"), "in.jsonl", ("purpose", "batch-api"), ("file_name", "in.jsonl"), ("file_type", "jsonl"))))
        {
            var f = await JsonOf(r);
            fileId = f.GetProperty("id").GetString()!;
            Assert.Equal(1, f.GetProperty("LineCount").GetInt32());
        }
        using (var r = await http.PostAsync("/together/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions", completion_window = "48h" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal(JsonValueKind.String, (await JsonOf(r)).GetProperty("error").ValueKind);
        }
        string id;
        using (var r = await http.PostAsync("/together/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions" })))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            var answer = await JsonOf(r);
            Assert.False(answer.TryGetProperty("warning", out _));
            id = answer.GetProperty("job").GetProperty("id").GetString()!;
        }
        clock.AdvanceMs(200);
        await EmulatorApiWait(async () => (await JsonOf(await http.GetAsync("/together/v1/batches/" + id))).GetProperty("status").GetString() == "FAILED");
        var job = await JsonOf(await http.GetAsync("/together/v1/batches/" + id));
        Assert.Contains("at most 64", job.GetProperty("error").GetString());
        using (var r = await http.GetAsync("/together/v1/batches"))
            Assert.Equal(JsonValueKind.Array, (await JsonOf(r)).ValueKind);
        using (var r = await http.GetAsync("/together/v1/batches/" + Guid.NewGuid()))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal(JsonValueKind.String, (await JsonOf(r)).GetProperty("error").ValueKind);
        }
    }

    [Fact]
    public async Task Together_refuses_a_batch_whose_input_file_is_over_100_MB_with_a_string_error()
    {
        var (host, _, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        var form = new MultipartFormDataContent { { new StringContent("batch-api"), "purpose" }, { new StringContent("big.jsonl"), "file_name" }, { new StringContent("jsonl"), "file_type" } };
        var file = new StreamContent(new IrisBatch.Tests.Support.FillerStream(100_000_001));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "big.jsonl");
        string fileId;
        using (var r = await http.PostAsync("/together/v1/files/upload", form))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        // Before: the emulator took it (its only limit was the Files API's 512 MB), and the job ran.
        using (var r = await http.PostAsync("/together/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            var error = (await JsonOf(r)).GetProperty("error");
            Assert.Equal(JsonValueKind.String, error.ValueKind);
            Assert.Contains("100 MB", error.GetString());
        }
        Assert.Equal(0, host.State.Stats.BatchesCreated);
    }

    [Fact]
    public async Task Together_refuses_a_priority_that_is_not_an_integer_with_a_string_error()
    {
        var (host, _, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        string fileId;
        using (var r = await http.PostAsync("/together/v1/files/upload", Form(Line("a", "m"), "in.jsonl", ("purpose", "batch-api"), ("file_name", "in.jsonl"), ("file_type", "jsonl"))))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        // priority is an int (§14.3). Before: a string or a boolean made JsonElement.TryGetInt32 throw, and the emulator answered 500.
        foreach (object priority in new object[] { "high", true, 1.5, new { level = 1 } })
            using (var r = await http.PostAsync("/together/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions", priority })))
            {
                Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
                var error = (await JsonOf(r)).GetProperty("error");
                Assert.Equal(JsonValueKind.String, error.ValueKind);
                Assert.Contains("priority", error.GetString());
            }
        Assert.Equal(0, host.State.Stats.BatchesCreated);
        using (var r = await http.PostAsync("/together/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions", priority = 3 })))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            Assert.Equal(3, (await JsonOf(r)).GetProperty("job").GetProperty("priority").GetInt32());
        }
    }

    [Fact]
    public async Task Mistral_refuses_agent_id_requests_and_expiry_of_the_wrong_type_with_a_422_naming_the_field()
    {
        var (host, _, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        // Upload: expiry is int|null (§12.2). Before: any value was taken.
        using (var r = await http.PostAsync("/mistral/v1/files", Form(Line("a", null), "in.jsonl", ("purpose", "batch"), ("expiry", "soon"))))
        {
            Assert.Equal((HttpStatusCode)422, r.StatusCode);
            var detail = (await JsonOf(r)).GetProperty("detail")[0];
            Assert.Equal("int_parsing", detail.GetProperty("type").GetString());
            Assert.Equal("expiry", detail.GetProperty("loc")[1].GetString());
        }
        string fileId;
        using (var r = await http.PostAsync("/mistral/v1/files", Form(Line("a", null), "in.jsonl", ("purpose", "batch"), ("expiry", "48"))))
        {
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        }
        // Create: agent_id is string|null, requests an array of BatchRequest|null (§12.3). Before: a numeric agent_id was
        // ignored and the job created; requests as an object was a 400 about inline requests.
        foreach (var (body, field, type) in new (object, string, string)[]
        {
            (new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m", agent_id = 5 }, "agent_id", "string_type"),
            (new { endpoint = "/v1/chat/completions", model = "m", requests = new { custom_id = "0" } }, "requests", "list_type"),
        })
            using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(body)))
            {
                Assert.Equal((HttpStatusCode)422, r.StatusCode);
                var detail = (await JsonOf(r)).GetProperty("detail")[0];
                Assert.Equal(type, detail.GetProperty("type").GetString());
                Assert.Equal(field, detail.GetProperty("loc")[1].GetString());
            }
        Assert.Equal(0, host.State.Stats.BatchesCreated);
    }

    [Fact]
    public async Task Injected_rate_limits_and_server_errors_use_Mistrals_and_Togethers_own_error_bodies()
    {
        var (host, _, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        async Task Fault(string route, int status)
        {
            using var r = await http.PostAsync("/_emulator/faults", JsonBody(new { route, kind = "status", status_code = status, count = 1 }));
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }
        // Mistral (§12.1): {"object": "error", "message", "type": rate_limit_error | server_error, …}. Before: OpenAI's {"error": {…}}.
        foreach (var (route, call, status, type) in new (string, Func<Task<HttpResponseMessage>>, int, string)[]
        {
            ("POST /mistral/v1/batch/jobs", () => http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { endpoint = "/v1/chat/completions" })), 429, "rate_limit_error"),
            ("GET /mistral/v1/batch/jobs/{job_id}", () => http.GetAsync("/mistral/v1/batch/jobs/" + Guid.NewGuid()), 503, "server_error"),
            ("GET /mistral/v1/files", () => http.GetAsync("/mistral/v1/files"), 500, "server_error"),
        })
        {
            await Fault(route, status);
            using var r = await call();
            Assert.Equal(status, (int)r.StatusCode);
            var body = await JsonOf(r);
            Assert.False(body.TryGetProperty("error", out _), route);
            Assert.Equal("error", body.GetProperty("object").GetString());
            Assert.Equal(type, body.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        }
        // Together (§14.1): the batch routes' BatchErrorResponse {"error": "<string>"}; the files routes keep ErrorData {"error": {…}}.
        foreach (var (route, call, status, kind) in new (string, Func<Task<HttpResponseMessage>>, int, JsonValueKind)[]
        {
            ("POST /together/v1/batches", () => http.PostAsync("/together/v1/batches", JsonBody(new { endpoint = "/v1/chat/completions" })), 429, JsonValueKind.String),
            ("GET /together/v1/batches/{batch_id}", () => http.GetAsync("/together/v1/batches/x"), 500, JsonValueKind.String),
            ("GET /together/v1/batches", () => http.GetAsync("/together/v1/batches"), 503, JsonValueKind.String),
            ("GET /together/v1/files", () => http.GetAsync("/together/v1/files"), 503, JsonValueKind.Object),
        })
        {
            await Fault(route, status);
            using var r = await call();
            Assert.Equal(status, (int)r.StatusCode);
            Assert.Equal(kind, (await JsonOf(r)).GetProperty("error").ValueKind);
        }
        Assert.Equal(0, host.State.Stats.BatchesCreated);
    }

    [Fact]
    public async Task Mistral_numbers_a_line_without_custom_id_without_clashing_with_a_given_id_and_pages_far_out_are_empty()
    {
        var (host, clock, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        // Line 2 has no custom_id, so it is known by its index, 1: the same text line 1 gives as its own id. Before, the
        // job FAILED with duplicate_custom_id.
        string lines = Line("1", null) + "\n" + JsonSerializer.Serialize(new { body = new { messages = new[] { new { role = "user", content = "Hi" } } } });
        string fileId;
        using (var r = await http.PostAsync("/mistral/v1/files", Form(lines, "in.jsonl", ("purpose", "batch"))))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        string jobId;
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m" })))
            jobId = (await JsonOf(r)).GetProperty("id").GetString()!;
        await MistralRunToEndAsync(http, clock, jobId);
        var job = await JsonOf(await http.GetAsync("/mistral/v1/batch/jobs/" + jobId));
        Assert.Equal("SUCCESS", job.GetProperty("status").GetString());
        Assert.Equal(2, job.GetProperty("succeeded_requests").GetInt32());

        // A page so far out that page x page_size overflows an int: empty, not the first page again.
        foreach (var path in new[] { "/mistral/v1/files", "/mistral/v1/batch/jobs" })
            using (var r = await http.GetAsync(path + "?page=2147483647&page_size=100"))
                Assert.Equal(0, (await JsonOf(r)).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Deletes_per_spec_Mistral_job_once_ended_files_once_and_no_batch_delete_at_Together_or_Groq()
    {
        // Issue 18 audit: §12.2/§12.5 DELETE /v1/files/{id} and /v1/batch/jobs/{id}; §13.2 and §14.2 file deletes; §14.5 "No
        // delete-batch route" at Together, none at Groq (§13.5). Each delete is counted; one already gone is a 404.
        var (host, clock, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        string fileId, jobId;
        using (var r = await http.PostAsync("/mistral/v1/files", Form(Line("a", null), "in.jsonl", ("purpose", "batch"))))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m" })))
            jobId = (await JsonOf(r)).GetProperty("id").GetString()!;
        using (var r = await http.DeleteAsync("/mistral/v1/batch/jobs/" + jobId))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("error", (await JsonOf(r)).GetProperty("object").GetString());
        }
        Assert.Equal(0, host.State.Stats.BatchesDeleted);
        await MistralRunToEndAsync(http, clock, jobId);
        using (var r = await http.DeleteAsync("/mistral/v1/batch/jobs/" + jobId))
        {
            var answer = await JsonOf(r);
            Assert.Equal((jobId, "batch", true), (answer.GetProperty("id").GetString(), answer.GetProperty("object").GetString(), answer.GetProperty("deleted").GetBoolean()));
        }
        using (var r = await http.GetAsync("/mistral/v1/batch/jobs/" + jobId)) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using (var r = await http.DeleteAsync("/mistral/v1/files/" + fileId))
        {
            var answer = await JsonOf(r);
            Assert.Equal((fileId, "file", true), (answer.GetProperty("id").GetString(), answer.GetProperty("object").GetString(), answer.GetProperty("deleted").GetBoolean()));
        }
        using (var r = await http.DeleteAsync("/mistral/v1/files/" + fileId)) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal((1L, 1L), (host.State.Stats.FilesDeleted, host.State.Stats.BatchesDeleted));

        using (var r = await http.PostAsync("/together/v1/files/upload", Form(Line("a", "m"), "in.jsonl", ("purpose", "batch-api"), ("file_name", "in.jsonl"), ("file_type", "jsonl"))))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        using (var r = await http.PostAsync("/together/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions" })))
            jobId = (await JsonOf(r)).GetProperty("job").GetProperty("id").GetString()!;
        using (var r = await http.DeleteAsync("/together/v1/batches/" + jobId)) Assert.False(r.IsSuccessStatusCode);
        using (var r = await http.DeleteAsync("/together/v1/files/" + fileId))
            Assert.True((await JsonOf(r)).GetProperty("deleted").GetBoolean());
        using (var r = await http.DeleteAsync("/together/v1/files/" + fileId)) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);

        using (var r = await http.PostAsync("/groq/openai/v1/files", Form(Line("a", "m", true), "in.jsonl", ("purpose", "batch"))))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        using (var r = await http.PostAsync("/groq/openai/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions", completion_window = "24h" })))
            jobId = (await JsonOf(r)).GetProperty("id").GetString()!;
        using (var r = await http.DeleteAsync("/groq/openai/v1/batches/" + jobId)) Assert.False(r.IsSuccessStatusCode);
        using (var r = await http.DeleteAsync("/groq/openai/v1/files/" + fileId))
        {
            var answer = await JsonOf(r);
            Assert.Equal((fileId, true), (answer.GetProperty("id").GetString(), answer.GetProperty("deleted").GetBoolean()));
        }
        using (var r = await http.DeleteAsync("/groq/openai/v1/files/" + fileId)) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal((3L, 1L), (host.State.Stats.FilesDeleted, host.State.Stats.BatchesDeleted));
    }

    [Fact]
    public async Task Mistral_embedding_jobs_have_no_50000_inputs_limit_which_is_OpenAIs()
    {
        // Spec §12.3 lists /v1/embeddings among Mistral's endpoints, and §12.6's limits are 100,000 requests a job, 512 MB a
        // file and 10,000 inline requests: no limit on embedding inputs across a job. §1.9's 50,000 is OpenAI's. Before, the
        // emulator failed this job with OpenAI's too_many_embedding_inputs. (Vectors of one number keep the 50,001 answers small.)
        await using var host = await EmulatorHost.StartAsync(FeatureBatch.Instant);   // 50,001 inputs take a while to validate
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-key");
        var sb = new StringBuilder();
        for (int line = 0, left = 50_001; left > 0; line++)
        {
            int n = Math.Min(2048, left);
            left -= n;
            sb.Append(JsonSerializer.Serialize(new { custom_id = "l" + line, body = new { model = "text-embedding-3-small", input = Enumerable.Range(0, n).Select(i => $"t{line}-{i}").ToArray(), dimensions = 1 } })).Append('\n');
        }
        string fileId;
        using (var r = await http.PostAsync("/mistral/v1/files", Form(sb.ToString(), "in.jsonl", ("purpose", "batch"))))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        string jobId;
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/embeddings", model = "text-embedding-3-small" })))
            jobId = (await JsonOf(r)).GetProperty("id").GetString()!;
        await EmulatorApiWait(async () => (await JsonOf(await http.GetAsync("/mistral/v1/batch/jobs/" + jobId))).GetProperty("status").GetString() is "SUCCESS" or "FAILED");
        var job = await JsonOf(await http.GetAsync("/mistral/v1/batch/jobs/" + jobId));
        Assert.Equal("SUCCESS", job.GetProperty("status").GetString());
        Assert.Equal(25, job.GetProperty("succeeded_requests").GetInt32());
        Assert.Equal(0, job.GetProperty("errors").GetArrayLength());
    }

    /// <summary>
    /// Moves a Mistral job to its end on the manual clock: to the end of validation first, then waits until the validator
    /// has reported (it runs on the thread pool and stamps the clock's time when it finishes), and only then through the
    /// running and finalizing phases. Advancing past all phases at once raced the validator: when it finished after the
    /// advance, the job's running phase began at that later time and never ended, as one CI run saw.
    /// </summary>
    private static async Task MistralRunToEndAsync(HttpClient http, ManualClock clock, string jobId)
    {
        clock.AdvanceMs(100);
        await EmulatorApiWait(async () => (await JsonOf(await http.GetAsync("/mistral/v1/batch/jobs/" + jobId))).GetProperty("status").GetString() is "RUNNING" or "FAILED");
        clock.AdvanceMs(1100);
        await EmulatorApiWait(async () => (await JsonOf(await http.GetAsync("/mistral/v1/batch/jobs/" + jobId))).GetProperty("status").GetString() is "SUCCESS" or "FAILED");
    }

    /// <summary>Waits for the background validation to be observed (it runs on the thread pool, not on the manual clock).</summary>
    /// <summary>
    /// Spec §12.6 (and the Mistral SDK's ChatCompletionResponse, UsageInfo, EmbeddingResponse): Mistral's result bodies are
    /// not OpenAI's. The emulator wrote OpenAI's (system_fingerprint, refusal, annotations, logprobs, usage details), so a
    /// client reading any of those passed here and found nothing at Mistral.
    /// </summary>
    [Fact]
    public async Task Mistral_result_bodies_have_Mistrals_fields_not_OpenAIs()
    {
        var (host, clock, http) = await StartAsync();
        await using var _h = host;
        using var _c = http;
        var chat = await RunMistralJobAsync(http, clock, Line("a", null), "/v1/chat/completions", "mistral-small-latest");
        Assert.Equal(new[] { "id", "object", "created", "model", "choices", "usage" }, chat.EnumerateObject().Select(p => p.Name));
        var choice = chat.GetProperty("choices")[0];
        Assert.Equal(new[] { "index", "message", "finish_reason" }, choice.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "role", "content", "tool_calls" }, choice.GetProperty("message").EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "prompt_tokens", "completion_tokens", "total_tokens" }, chat.GetProperty("usage").EnumerateObject().Select(p => p.Name));
        var embedding = await RunMistralJobAsync(http, clock, JsonSerializer.Serialize(new { custom_id = "e", body = new { input = "a lamp" } }), "/v1/embeddings", "mistral-embed");
        Assert.Equal("list", embedding.GetProperty("object").GetString());
        Assert.Matches("^[0-9a-f]{32}$", embedding.GetProperty("id").GetString());
        Assert.Equal(1024, embedding.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
        Assert.Equal(0, embedding.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    /// <summary>Uploads one line, runs a Mistral job on it to SUCCESS and returns the body of its one output line.</summary>
    private static async Task<JsonElement> RunMistralJobAsync(HttpClient http, ManualClock clock, string line, string endpoint, string model)
    {
        string fileId, jobId;
        using (var r = await http.PostAsync("/mistral/v1/files", Form(line, "in.jsonl", ("purpose", "batch"))))
            fileId = (await JsonOf(r)).GetProperty("id").GetString()!;
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint, model })))
            jobId = (await JsonOf(r)).GetProperty("id").GetString()!;
        await MistralRunToEndAsync(http, clock, jobId);
        var job = await JsonOf(await http.GetAsync("/mistral/v1/batch/jobs/" + jobId));
        Assert.Equal("SUCCESS", job.GetProperty("status").GetString());
        var text = await http.GetStringAsync("/mistral/v1/files/" + job.GetProperty("output_file").GetString() + "/content");
        using var doc = JsonDocument.Parse(text.Trim());
        return doc.RootElement.GetProperty("response").GetProperty("body").Clone();
    }

    private static async Task EmulatorApiWait(Func<Task<bool>> done)
    {
        for (int i = 0; i < 400; i++)
        {
            if (await done()) return;
            await Task.Delay(25);
        }
        Assert.Fail("the batch did not reach the expected state");
    }
}
