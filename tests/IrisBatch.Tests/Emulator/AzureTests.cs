using System;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Azure OpenAI's batch surfaces on the emulator: the dated /openai/...?api-version= routes (api-key only), the v1
/// /openai/v1/... routes (api-key or bearer), their differences from OpenAI, and the tolerant-shapes switch.
/// </summary>
public sealed class AzureTests
{
    private const string Version = "api-version=2024-10-21";

    private static Task<EmulatorHost> StartAsync(bool tolerant = false, TimeProvider? clock = null, int inProgressMs = 0) =>
        EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 0, InProgressMs = inProgressMs, FinalizingMs = 0, CancellingMs = 0,
            AzureTolerantShapes = tolerant, TimeProvider = clock ?? TimeProvider.System,
        });

    /// <summary>A client with no default credentials: each call says how it authenticates.</summary>
    private static HttpClient Http(EmulatorHost host) => new() { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

    private static HttpRequestMessage Send(HttpMethod method, string path, string? apiKey = "test-key", string? bearer = null, HttpContent? content = null)
    {
        var m = new HttpRequestMessage(method, path) { Content = content };
        if (apiKey is not null) m.Headers.Add("api-key", apiKey);
        if (bearer is not null) m.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return m;
    }

    private static MultipartFormDataContent Upload(string jsonl)
    {
        var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" } };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "input.jsonl");
        return form;
    }

    private static StringContent JsonBody(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> OkAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var r = await http.SendAsync(request))
        {
            Assert.True(r.IsSuccessStatusCode, $"{request.Method} {request.RequestUri}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            return await EmulatorApi.JsonAsync(r);
        }
    }

    /// <summary>Azure's gateway envelope: {"error":{"code":"401"|"404","message"}}.</summary>
    private static async Task AssertAzureErrorAsync(HttpResponseMessage r, int status)
    {
        Assert.Equal(status, (int)r.StatusCode);
        var error = (await EmulatorApi.JsonAsync(r)).GetProperty("error");
        Assert.Equal(status.ToString(), error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Official_openai_sdk_runs_a_batch_on_the_v1_surface()
    {
        await using var host = await StartAsync(inProgressMs: 50);
        var options = new OpenAIClientOptions { Endpoint = new Uri(host.BaseUri, "/openai/v1") };
        var credential = new ApiKeyCredential("test-key");
        var files = new OpenAIFileClient(credential, options);
        var batches = new BatchClient(credential, new BatchClientOptions { Endpoint = new Uri(host.BaseUri, "/openai/v1") });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        string jsonl = Lines.Jsonl(new[]
        {
            Lines.Chat("alpha", "Hello there", model: "my-global-batch-deployment", url: "/chat/completions"),
            Lines.Chat("beta", "please [fail] now", model: "my-global-batch-deployment", url: "/chat/completions"),
        });
        OpenAIFile input = await files.UploadFileAsync(BinaryData.FromString(jsonl), "azure.jsonl", FileUploadPurpose.Batch);
        var body = BinaryContent.Create(BinaryData.FromObjectAsJson(new { input_file_id = input.Id, endpoint = "/chat/completions", completion_window = "24h" }));
        CreateBatchOperation op = await batches.CreateBatchAsync(body, waitUntilCompleted: false, new RequestOptions { CancellationToken = timeout.Token });
        await op.WaitForCompletionAsync(timeout.Token);

        using var final = JsonDocument.Parse(op.GetRawResponse().Content);
        var batch = final.RootElement;
        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal("/chat/completions", batch.GetProperty("endpoint").GetString());
        Assert.Equal("my-global-batch-deployment", batch.GetProperty("model").GetString());
        Assert.Equal((2, 1, 1), EmulatorApi.Counts(batch));

        BinaryData output = await files.DownloadFileAsync(batch.GetProperty("output_file_id").GetString()!);
        using var line = JsonDocument.Parse(output.ToString().Trim());
        var response = line.RootElement.GetProperty("response");
        Assert.Equal("chat.completion", response.GetProperty("body").GetProperty("object").GetString());
        Assert.Equal("Echo: Hello there", response.GetProperty("body").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        Assert.Equal(1, host.State.Stats.RouteCalls("POST /openai/v1/files"));
        Assert.Equal(1, host.State.Stats.RouteCalls("POST /openai/v1/batches"));
        Assert.Equal(1, host.State.Stats.BatchesCreated);
    }

    [Fact]
    public async Task Dated_surface_runs_the_whole_flow_with_the_key_in_api_key_and_endpoints_with_or_without_v1()
    {
        await using var host = await StartAsync();
        using var http = Http(host);
        string jsonl = Lines.Jsonl(new[]
        {
            Lines.Chat("short-url", "first", model: "deployment-a", url: "/chat/completions"),
            Lines.Chat("long-url", "second", model: "deployment-a", url: "/v1/chat/completions"),
        });
        var file = await OkAsync(http, Send(HttpMethod.Post, $"/openai/files?{Version}", content: Upload(jsonl)));
        string fileId = file.GetProperty("id").GetString()!;
        Assert.Equal("processed", file.GetProperty("status").GetString());
        Assert.Equal(fileId, (await OkAsync(http, Send(HttpMethod.Get, $"/openai/files/{fileId}?{Version}"))).GetProperty("id").GetString());

        var created = await OkAsync(http, Send(HttpMethod.Post, $"/openai/batches?{Version}",
            content: JsonBody(new { input_file_id = fileId, endpoint = "/chat/completions", completion_window = "24h" })));
        string id = created.GetProperty("id").GetString()!;
        JsonElement b;
        do b = await OkAsync(http, Send(HttpMethod.Get, $"/openai/batches/{id}?{Version}"));
        while (EmulatorApi.Status(b) is "validating" or "in_progress" or "finalizing");
        Assert.Equal("completed", EmulatorApi.Status(b));
        Assert.Equal((2, 2, 0), EmulatorApi.Counts(b));

        using (var content = Send(HttpMethod.Get, $"/openai/files/{b.GetProperty("output_file_id").GetString()}/content?{Version}"))
        using (var r = await http.SendAsync(content))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var lines = (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.All(lines, l => Assert.Contains("\"object\":\"chat.completion\"", l));
        }

        var listed = await OkAsync(http, Send(HttpMethod.Get, $"/openai/batches?{Version}"));
        Assert.Equal(id, listed.GetProperty("data")[0].GetProperty("id").GetString());
        using (var r = await http.SendAsync(Send(HttpMethod.Post, $"/openai/batches/{id}/cancel?{Version}")))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);         // completed: OpenAI's rule, OpenAI's envelope
        var deleted = await OkAsync(http, Send(HttpMethod.Delete, $"/openai/files/{fileId}?{Version}"));
        Assert.True(deleted.GetProperty("deleted").GetBoolean());

        // The same store as OpenAI's /v1, which stays strict about the /v1 in endpoints.
        using var api = new EmulatorApi(host);
        Assert.Equal(id, (await api.GetBatchAsync(id)).GetProperty("id").GetString());
        string other = await api.UploadAsync(jsonl);
        using var strict = await api.CreateBatchRawAsync(new { input_file_id = other, endpoint = "/chat/completions", completion_window = "24h" });
        Assert.Equal("endpoint", EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(strict)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task Result_bodies_name_the_model_behind_the_deployment_and_openai_echoes_the_model_named()
    {
        // spec §2: the JSONL names the deployment; the result lines are OpenAI's (§1.8), whose body.model is the model
        // that answered: on Azure the one behind the deployment, a dated snapshot.
        var options = new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 };
        options.AzureDeployments["my-gpt4o-batch"] = "gpt-4o-mini-2024-07-18";
        Assert.Equal("gpt-4o-mini-2024-07-18", EmulatorOptions.Parse(new[] { "--azure-deployment", "my-gpt4o-batch=gpt-4o-mini-2024-07-18" }).AzureDeployments["my-gpt4o-batch"]);
        Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(new[] { "--azure-deployment", "no-model" }));
        await using var host = await EmulatorHost.StartAsync(options);
        using var http = Http(host);

        async Task<string[]> ModelsAsync(string prefix, string query, string model)
        {
            string jsonl = Lines.Jsonl(new[] { Lines.Chat("a", "first", model: model), Lines.Chat("b", "second", model: model) });
            var file = await OkAsync(http, Send(HttpMethod.Post, $"{prefix}/files{query}", bearer: "test-key", content: Upload(jsonl)));
            var created = await OkAsync(http, Send(HttpMethod.Post, $"{prefix}/batches{query}", bearer: "test-key",
                content: JsonBody(new { input_file_id = file.GetProperty("id").GetString(), endpoint = "/v1/chat/completions", completion_window = "24h" })));
            var b = await WaitAzureAsync(http, $"{prefix}/batches/{created.GetProperty("id").GetString()}{query}", "completed", bearer: "test-key");
            using var r = await http.SendAsync(Send(HttpMethod.Get, $"{prefix}/files/{b.GetProperty("output_file_id").GetString()}/content{query}", bearer: "test-key"));
            return (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("response").GetProperty("body").GetProperty("model").GetString()!).ToArray();
        }

        Assert.Equal(new[] { "gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18" }, await ModelsAsync("/openai/v1", "", "my-gpt4o-batch"));
        Assert.Equal(new[] { "gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18" }, await ModelsAsync("/openai", "?" + Version, "my-gpt4o-batch"));
        // A deployment not listed is named after its model; OpenAI has no deployments.
        Assert.Equal(new[] { "gpt-4o-mini", "gpt-4o-mini" }, await ModelsAsync("/openai/v1", "", "gpt-4o-mini"));
        Assert.Equal(new[] { "my-gpt4o-batch", "my-gpt4o-batch" }, await ModelsAsync("/v1", "", "my-gpt4o-batch"));
    }

    [Fact]
    public async Task A_deployment_of_a_reasoning_model_refuses_what_the_model_refuses_with_the_same_error()
    {
        // The real service applies the deployed model's rules (spec §2, §11.4), whatever the deployment is called.
        var options = new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 };
        options.AzureDeployments["house-reasoner"] = "gpt-5-mini-2025-08-07";
        options.AzureDeployments["house-chat"] = "gpt-4o-mini-2024-07-18";
        await using var host = await EmulatorHost.StartAsync(options);
        using var http = Http(host);

        async Task<System.Collections.Generic.Dictionary<string, JsonElement>> RunAsync(string prefix, string query, params string[] lines)
        {
            var file = await OkAsync(http, Send(HttpMethod.Post, $"{prefix}/files{query}", content: Upload(Lines.Jsonl(lines))));
            var created = await OkAsync(http, Send(HttpMethod.Post, $"{prefix}/batches{query}",
                content: JsonBody(new { input_file_id = file.GetProperty("id").GetString(), endpoint = "/v1/chat/completions", completion_window = "24h" })));
            var b = await WaitAzureAsync(http, $"{prefix}/batches/{created.GetProperty("id").GetString()}{query}", "completed");
            var byId = new System.Collections.Generic.Dictionary<string, JsonElement>();
            foreach (var fileId in new[] { "output_file_id", "error_file_id" })
            {
                if (b.GetProperty(fileId).ValueKind != JsonValueKind.String) continue;
                using var r = await http.SendAsync(Send(HttpMethod.Get, $"{prefix}/files/{b.GetProperty(fileId).GetString()}/content{query}"));
                foreach (var l in (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var line = JsonDocument.Parse(l).RootElement;
                    byId[line.GetProperty("custom_id").GetString()!] = line;
                }
            }
            return byId;
        }

        foreach (var (prefix, query) in new[] { ("/openai/v1", ""), ("/openai", "?" + Version) })
        {
            var lines = await RunAsync(prefix, query,
                FeatureBatch.Line("deployed-max", FeatureBatch.ChatBody("house-reasoner", "hello", b => b["max_tokens"] = 100)),
                FeatureBatch.Line("deployed-temp", FeatureBatch.ChatBody("house-reasoner", "hello", b => b["temperature"] = 0.2)),
                FeatureBatch.Line("deployed-ok", FeatureBatch.ChatBody("house-reasoner", "hello there", b => b["max_completion_tokens"] = 1000)));
            var chat = await RunAsync(prefix, query,   // a file names one deployment
                FeatureBatch.Line("chat-max", FeatureBatch.ChatBody("house-chat", "hello", b => b["max_tokens"] = 100)));
            var named = await RunAsync(prefix, query,
                FeatureBatch.Line("named-max", FeatureBatch.ChatBody("gpt-5-mini", "hello", b => b["max_tokens"] = 100)),
                FeatureBatch.Line("named-temp", FeatureBatch.ChatBody("gpt-5-mini", "hello", b => b["temperature"] = 0.2)));

            var max = FeatureBatch.AssertRejected(lines["deployed-max"], "max_tokens", "unsupported_parameter");
            Assert.Equal(FeatureBatch.Body(named["named-max"]).GetRawText(), FeatureBatch.Body(lines["deployed-max"]).GetRawText());
            Assert.Equal("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", max.GetProperty("message").GetString());
            FeatureBatch.AssertRejected(lines["deployed-temp"], "temperature", "unsupported_value");
            Assert.Equal(FeatureBatch.Body(named["named-temp"]).GetRawText(), FeatureBatch.Body(lines["deployed-temp"]).GetRawText());
            // The deployed reasoning model thinks, as the model named directly does.
            Assert.Equal(200, FeatureBatch.Status(lines["deployed-ok"]));
            Assert.True(FeatureBatch.Body(lines["deployed-ok"]).GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32() > 0);
            Assert.Equal("gpt-5-mini-2025-08-07", FeatureBatch.Body(lines["deployed-ok"]).GetProperty("model").GetString());
            // A deployment of an ordinary model takes max_tokens.
            Assert.Equal(200, FeatureBatch.Status(chat["chat-max"]));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("?api-version=2024-02-01")]
    [InlineData("?api-version=2024-06-01")]
    [InlineData("?api-version=latest")]
    [InlineData("?api-version=2024-13-01")]
    [InlineData("?api-version=2024-10-21-beta")]
    public async Task Dated_surface_without_a_batch_capable_api_version_is_404_resource_not_found(string query)
    {
        await using var host = await StartAsync();
        using var http = Http(host);
        foreach (string path in new[] { "/openai/batches", "/openai/files", "/openai/batches/batch_x", "/openai/files/file-x/content" })
        {
            using var r = await http.SendAsync(Send(HttpMethod.Get, path + query));
            await AssertAzureErrorAsync(r, 404);
        }
    }

    [Theory]
    [InlineData("2024-07-01-preview")]
    [InlineData("2024-10-21")]
    [InlineData("2025-03-01-preview")]
    public async Task Dated_surface_serves_batch_capable_api_versions(string version)
    {
        await using var host = await StartAsync();
        using var http = Http(host);
        await OkAsync(http, Send(HttpMethod.Get, $"/openai/batches?api-version={version}"));
    }

    [Fact]
    public async Task Dated_surface_takes_the_key_only_in_api_key_and_v1_takes_api_key_or_bearer()
    {
        await using var host = await StartAsync();
        using var http = Http(host);
        await OkAsync(http, Send(HttpMethod.Get, $"/openai/batches?{Version}"));
        await OkAsync(http, Send(HttpMethod.Get, "/openai/v1/batches"));
        await OkAsync(http, Send(HttpMethod.Get, "/openai/v1/batches", apiKey: null, bearer: "test-key"));
        await OkAsync(http, Send(HttpMethod.Get, $"/openai/v1/files?{Version}"));     // v1 ignores an api-version

        foreach (var request in new Func<HttpRequestMessage>[]
        {
            () => Send(HttpMethod.Get, $"/openai/batches?{Version}", apiKey: null, bearer: "test-key"),   // a bearer there is an Entra token
            () => Send(HttpMethod.Get, $"/openai/batches?{Version}", apiKey: "wrong-key"),
            () => Send(HttpMethod.Get, $"/openai/batches?{Version}", apiKey: null),
            () => Send(HttpMethod.Get, "/openai/v1/batches", apiKey: "wrong-key"),
            () => Send(HttpMethod.Get, "/openai/v1/batches", apiKey: null, bearer: "wrong-key"),
            () => Send(HttpMethod.Get, "/openai/v1/batches", apiKey: null),
        })
        {
            using var m = request();
            using var r = await http.SendAsync(m);
            await AssertAzureErrorAsync(r, 401);
            Assert.DoesNotContain("wrong-key", await r.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Unknown_paths_under_openai_are_404_resource_not_found()
    {
        await using var host = await StartAsync();
        using var http = Http(host);
        foreach (string path in new[] { $"/openai/nothing?{Version}", "/openai/v1/nothing", $"/openai/deployments/x/chat/completions?{Version}" })
        {
            using var r = await http.SendAsync(Send(HttpMethod.Get, path));
            await AssertAzureErrorAsync(r, 404);
        }
    }

    [Fact]
    public async Task Azure_takes_100000_requests_per_file_where_openai_stops_at_50000()
    {
        await using var host = await StartAsync(inProgressMs: 600_000);
        using var api = new EmulatorApi(host);
        using var http = Http(host);
        var sb = new StringBuilder();
        for (int i = 0; i < 50_001; i++)
            sb.Append("{\"custom_id\":\"r").Append(i).Append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}\n");
        string fileId = await api.UploadAsync(sb.ToString());

        string openAI = (await api.CreateBatchAsync(fileId)).GetProperty("id").GetString()!;
        var azure = await OkAsync(http, Send(HttpMethod.Post, "/openai/v1/batches",
            content: JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions", completion_window = "24h" })));

        var failed = await api.WaitForStatusAsync(openAI, "failed", "in_progress");
        Assert.Equal("failed", EmulatorApi.Status(failed));
        Assert.Equal("too_many_tasks", failed.GetProperty("errors").GetProperty("data")[0].GetProperty("code").GetString());
        var running = await api.WaitForStatusAsync(azure.GetProperty("id").GetString()!, "failed", "in_progress");
        Assert.Equal("in_progress", EmulatorApi.Status(running));
        Assert.Equal(50_001, EmulatorApi.Counts(running).Total);
    }

    [Fact]
    public async Task Tolerant_shapes_give_iso_times_capitalised_statuses_and_null_counts_while_validating()
    {
        var clock = new ManualClock();
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 1000, InProgressMs = 1000, FinalizingMs = 1000, CancellingMs = 1000, TimeProvider = clock, AzureTolerantShapes = true,
        });
        using var http = Http(host);
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(2)));
        var created = await OkAsync(http, Send(HttpMethod.Post, "/openai/v1/batches",
            content: JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions", completion_window = "24h" })));
        string id = created.GetProperty("id").GetString()!;

        Assert.Equal("Validating", created.GetProperty("status").GetString());
        Assert.Equal("2026-01-01T00:00:00.0000000+00:00", created.GetProperty("created_at").GetString());
        Assert.Equal("2026-01-02T00:00:00.0000000+00:00", created.GetProperty("expires_at").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("in_progress_at").ValueKind);
        Assert.Equal("""{"total":null,"completed":null,"failed":null}""", created.GetProperty("request_counts").GetRawText());

        clock.AdvanceMs(1000);
        var dated = await WaitAzureAsync(http, $"/openai/batches/{id}?{Version}", "In_progress");
        Assert.Equal("2026-01-01T00:00:01.0000000+00:00", dated.GetProperty("in_progress_at").GetString());
        Assert.Equal((2, 0, 0), EmulatorApi.Counts(dated));

        clock.AdvanceMs(2000);
        var completed = await OkAsync(http, Send(HttpMethod.Get, $"/openai/v1/batches/{id}"));
        Assert.Equal("Completed", completed.GetProperty("status").GetString());
        Assert.Equal("2026-01-01T00:00:03.0000000+00:00", completed.GetProperty("completed_at").GetString());
        Assert.Equal("2026-01-01T00:00:02.0000000+00:00", completed.GetProperty("finalizing_at").GetString());
        var listed = await OkAsync(http, Send(HttpMethod.Get, $"/openai/batches?{Version}"));
        Assert.Equal("Completed", listed.GetProperty("data")[0].GetProperty("status").GetString());

        // OpenAI's own surface is untouched by the switch.
        var plain = await api.GetBatchAsync(id);
        Assert.Equal("completed", plain.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Number, plain.GetProperty("created_at").ValueKind);

        string other = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        string second = (await api.CreateBatchAsync(other)).GetProperty("id").GetString()!;
        var cancelling = await OkAsync(http, Send(HttpMethod.Post, $"/openai/v1/batches/{second}/cancel"));
        Assert.Equal("Cancelling", cancelling.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, cancelling.GetProperty("cancelling_at").ValueKind);
    }

    private static async Task<JsonElement> WaitAzureAsync(HttpClient http, string path, string status, string? bearer = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var b = await OkAsync(http, Send(HttpMethod.Get, path, bearer: bearer));
            if (b.GetProperty("status").GetString() == status) return b;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(b.ToString());
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task An_openai_prefix_serves_plain_openai_for_compatible_hosts_and_takes_over_the_azure_v1_path()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0,
            OpenAIPrefixes = { "/openai/v1", "/compat/api" }, AzureTolerantShapes = true,
        });
        // The official SDK pointed at http://127.0.0.1:PORT/openai/v1, as at Groq's https://api.groq.com/openai/v1.
        var files = new OpenAIFileClient(new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = new Uri(host.BaseUri, "/openai/v1") });
        OpenAIFile input = await files.UploadFileAsync(BinaryData.FromString(Lines.Jsonl(Lines.Many(1))), "groq.jsonl", FileUploadPurpose.Batch);
        Assert.Equal(input.Id, (await files.GetFileAsync(input.Id)).Value.Id);
        Assert.Equal(2, host.State.Stats.RouteCalls("POST /openai/v1/files") + host.State.Stats.RouteCalls("GET /openai/v1/files/{file_id}"));

        using var http = Http(host);
        var created = await OkAsync(http, Send(HttpMethod.Post, "/compat/api/batches", apiKey: null, bearer: "test-key",
            content: JsonBody(new { input_file_id = input.Id, endpoint = "/v1/chat/completions", completion_window = "24h" })));
        Assert.Equal("validating", created.GetProperty("status").GetString());           // plain OpenAI shapes there
        Assert.Equal(JsonValueKind.Number, created.GetProperty("created_at").ValueKind);

        // /openai/v1 is plain OpenAI now: bearer only, OpenAI's envelopes, /v1 endpoints only.
        using (var r = await http.SendAsync(Send(HttpMethod.Get, "/openai/v1/batches")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("invalid_api_key", EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r)).GetProperty("code").GetString());
        }
        using (var r = await http.SendAsync(Send(HttpMethod.Post, "/openai/v1/batches", apiKey: null, bearer: "test-key",
            content: JsonBody(new { input_file_id = input.Id, endpoint = "/chat/completions", completion_window = "24h" }))))
            Assert.Equal("endpoint", EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r)).GetProperty("param").GetString());
        using (var r = await http.SendAsync(Send(HttpMethod.Get, "/compat/api/nothing", apiKey: null, bearer: "test-key")))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.StartsWith("Invalid URL", EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r)).GetProperty("message").GetString());
        }

        // The dated Azure surface is still there, with its tolerant shapes.
        var dated = (await OkAsync(http, Send(HttpMethod.Get, $"/openai/batches?{Version}"))).GetProperty("data")[0];
        Assert.Equal(created.GetProperty("id").GetString(), dated.GetProperty("id").GetString());
        Assert.True(char.IsUpper(dated.GetProperty("status").GetString()![0]), dated.ToString());
        Assert.Equal(JsonValueKind.String, dated.GetProperty("created_at").ValueKind);
    }

    [Fact]
    public void Options_parse_repeated_and_listed_openai_prefixes_and_the_tolerant_switch()
    {
        var o = EmulatorOptions.Parse(new[] { "--openai-prefix", "/openai/v1", "--openai-prefix", "/a/b, /c/", "--azure-tolerant-shapes" });
        Assert.Equal(new[] { "/openai/v1", "/a/b", "/c" }, o.OpenAIPrefixes);
        Assert.True(o.AzureTolerantShapes);
        Assert.False(EmulatorOptions.Parse(Array.Empty<string>()).AzureTolerantShapes);
        foreach (string bad in new[] { "openai", "/", "/_emulator/x", "/v1/messages", "/a b", "/a//b", "/{x}" })
            Assert.Throws<ArgumentException>(() => EmulatorOptions.Parse(new[] { "--openai-prefix", bad }));
        Assert.Contains("--openai-prefix", EmulatorOptions.Usage);
        Assert.Contains("--azure-tolerant-shapes", EmulatorOptions.Usage);
    }

    [Fact]
    public async Task Faults_apply_to_azure_routes_by_their_own_route_keys()
    {
        await using var host = await StartAsync();
        using var http = Http(host);
        using (var rule = await http.PostAsync("/_emulator/faults", JsonBody(new { route = "GET /openai/batches", kind = "status", status_code = 503, count = 1 })))
            Assert.Equal(HttpStatusCode.OK, rule.StatusCode);
        using (var r = await http.SendAsync(Send(HttpMethod.Get, $"/openai/batches?{Version}")))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        await OkAsync(http, Send(HttpMethod.Get, "/openai/v1/batches"));          // another surface, another key
        await OkAsync(http, Send(HttpMethod.Get, $"/openai/batches?{Version}"));
        Assert.Equal(2, host.State.Stats.RouteCalls("GET /openai/batches"));
        Assert.Equal(1, host.State.Stats.RouteCalls("GET /openai/v1/batches"));
    }
}
