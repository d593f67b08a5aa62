using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using IrisBatch.Http;
using IrisBatch.Providers;
using IrisBatch.Providers.Mistral;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Providers.Together;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// The Mistral and Together providers against the emulator where an audit of issue 19 found gaps: Mistral's page-number
/// list read past its first page, Together's two upload flows, and Together's counts in a list from a fresh process.
/// </summary>
public sealed class MistralTogetherClientTests
{
    private static HttpClient Http(EmulatorHost host)
    {
        var http = new HttpClient { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-key");
        return http;
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

    private static string Lines(int n, bool modelInBody) => string.Join("\n", Enumerable.Range(1, n).Select(i => JsonSerializer.Serialize(new
    {
        custom_id = "request-" + i,
        body = modelInBody
            ? (object)new { model = "m", messages = new[] { new { role = "user", content = "Hi " + i } } }
            : new { messages = new[] { new { role = "user", content = "Hi " + i } } },
    }))) + "\n";

    /// <summary>What Get-IrisBatchStatus -First does: pages of min(100, what is left), stopping when it has enough.</summary>
    private static async Task<List<IrisBatchInfo>> ListFirstAsync(IBatchProvider provider, int first)
    {
        var listed = new List<IrisBatchInfo>();
        string? after = null;
        while (listed.Count < first)
        {
            var page = await provider.ListAsync(after, Math.Min(100, first - listed.Count), CancellationToken.None);
            foreach (var b in page.Batches)
            {
                if (listed.Count >= first) break;
                listed.Add(b);
            }
            if (!page.HasMore || page.Batches.Count == 0 || page.Next == null) break;
            after = page.Next;
        }
        return listed;
    }

    [Theory]
    [InlineData(150)]
    [InlineData(160)]
    [InlineData(50)]
    public async Task Mistral_list_of_160_jobs_read_first_N_gives_N_unique_jobs_newest_first(int first)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 60_000 });
        using var http = Http(host);
        string fileId;
        using (var r = await http.PostAsync("/mistral/v1/files", Form(Lines(1, false), "in.jsonl", ("purpose", "batch"))))
            fileId = (await EmulatorApi.JsonAsync(r)).GetProperty("id").GetString()!;
        for (int i = 0; i < 160; i++)
            using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m" })))
                Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        // The emulator's own order, newest first, in one page of 200.
        var expected = new List<string>();
        using (var r = await http.GetAsync("/mistral/v1/batch/jobs?page=0&page_size=200&order_by=-created"))
            foreach (var j in (await EmulatorApi.JsonAsync(r)).GetProperty("data").EnumerateArray()) expected.Add(j.GetProperty("id").GetString()!);
        Assert.Equal(160, expected.Count);

        var provider = new MistralProvider(new Uri(host.BaseUri, "/mistral/v1"), "test-key", new HttpSettings());
        var listed = await ListFirstAsync(provider, first);
        Assert.Equal(first, listed.Count);
        Assert.Equal(first, listed.Select(b => b.Id).Distinct().Count());
        Assert.Equal(expected.Take(first), listed.Select(b => b.Id));
    }

    [Fact]
    public void Mistral_cursor_keeps_the_first_page_size_whatever_the_next_limit()
    {
        Assert.Equal((0, 100), MistralProvider.ReadCursor(null, 150));
        Assert.Equal((0, 5), MistralProvider.ReadCursor(null, 5));
        Assert.Equal((1, 100), MistralProvider.ReadCursor(MistralProvider.Cursor(1, 100), 50));
        Assert.Equal((0, 100), MistralProvider.ReadCursor("garbage", 100));
    }

    [Fact]
    public async Task Mistral_emulator_refuses_empty_metadata_keys_and_values_but_not_many_pairs()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 60_000 });
        using var http = Http(host);
        string fileId;
        using (var r = await http.PostAsync("/mistral/v1/files", Form(Lines(1, false), "in.jsonl", ("purpose", "batch"))))
            fileId = (await EmulatorApi.JsonAsync(r)).GetProperty("id").GetString()!;
        foreach (var (metadata, field) in new[] { (new Dictionary<string, string> { ["a"] = "" }, "a"), (new Dictionary<string, string> { [""] = "x" }, "") })
            using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m", metadata })))
            {
                Assert.Equal((HttpStatusCode)422, r.StatusCode);
                var detail = (await EmulatorApi.JsonAsync(r)).GetProperty("detail")[0];
                Assert.Equal("string_too_short", detail.GetProperty("type").GetString());
                Assert.Equal(field, detail.GetProperty("loc")[2].GetString());
            }
        var many = Enumerable.Range(1, 40).ToDictionary(i => "k" + i, i => "v" + i);
        using (var r = await http.PostAsync("/mistral/v1/batch/jobs", JsonBody(new { input_files = new[] { fileId }, endpoint = "/v1/chat/completions", model = "m", metadata = many })))
        {
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            Assert.Equal(40, (await EmulatorApi.JsonAsync(r)).GetProperty("metadata").EnumerateObject().Count());
        }
    }

    [Fact]
    public async Task Mistral_embedding_requests_run_as_a_v1_embeddings_job_and_come_back_as_the_vectors_of_their_text()
    {
        // Spec §12.3: /v1/embeddings is one of a Mistral job's endpoints. Before, the client refused every Mistral
        // embedding request with IrisBatch.UnsupportedEndpoint ("Mistral has no embedding batches").
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0 });
        var provider = new MistralProvider(new Uri(host.BaseUri, "/mistral/v1"), "test-key", new HttpSettings());
        Assert.True(provider.Limits.EmbeddingBatches);
        var dir = Path.Combine(Path.GetTempPath(), "irisbatch-mistral-embed-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var texts = new[] { "Lamp: a desk lamp", "Chair: an oak chair", "Table: a round table" };
            var path = Path.Combine(dir, "input.jsonl");
            using (var file = File.Create(path))
            using (var w = new Utf8JsonWriter(file))
                for (int i = 0; i < texts.Length; i++)
                {
                    provider.WriteRequest(w, new IrisBatchRequest
                    {
                        CustomId = "e" + i, Model = "mistral-embed", Messages = new[] { new ChatMessage("user", texts[i]) },
                        RowNumber = i + 1, Endpoint = RequestEndpoint.Embeddings,
                    });
                    w.Flush();
                    file.WriteByte((byte)'\n');
                    w.Reset(file);
                }
            var line = File.ReadLines(path).First();
            Assert.Equal("{\"custom_id\":\"e0\",\"body\":{\"input\":\"Lamp: a desk lamp\"}}", line);   // {custom_id, body}, the model on the job
            var submission = new BatchSubmission
            {
                InputPath = path, RequestCount = texts.Length, Bytes = new FileInfo(path).Length, Model = "mistral-embed",
                IdempotencyKey = "ib-mistral-embed", Embeddings = true,
            };
            var fileId = await provider.UploadAsync(submission, null, CancellationToken.None);
            var batch = await provider.CreateAsync(submission, fileId, CancellationToken.None);
            Assert.Equal("/v1/embeddings", batch.Endpoint);
            for (int i = 0; i < 400 && !batch.IsComplete; i++)
            {
                await Task.Delay(25);
                batch = await provider.GetAsync(batch.Id, CancellationToken.None);
            }
            Assert.Equal(BatchStatus.Completed, batch.Status);
            var results = new Dictionary<string, IrisBatchResult>();
            foreach (var resultFile in await provider.DownloadResultsAsync(batch, dir, null, CancellationToken.None))
            {
                long n = 0;
                foreach (var text in File.ReadLines(resultFile))
                {
                    var result = provider.ParseResultLine(text, ++n);
                    results[result.CustomId] = result;
                }
            }
            Assert.Equal(texts.Length, results.Count);
            for (int i = 0; i < texts.Length; i++)
            {
                var r = results["e" + i];
                Assert.Equal(ResultStatus.Succeeded, r.Status);
                Assert.Equal(EmbeddingVectors.Vector(texts[i], 1024), r.Embedding);   // mistral-embed: 1,024 numbers (docs.mistral.ai)
                Assert.True(r.Usage!.InputTokens > 0);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    private static BatchSubmission Submission(string dir, int rows, string key)
    {
        var path = Path.Combine(dir, "input.jsonl");
        File.WriteAllText(path, Lines(rows, modelInBody: true));
        return new BatchSubmission { InputPath = path, RequestCount = rows, Bytes = new FileInfo(path).Length, Model = "m", IdempotencyKey = key };
    }

    private static async Task<JsonElement> FilesAsync(HttpClient http)
    {
        using var r = await http.GetAsync("/together/v1/files");
        return await EmulatorApi.JsonAsync(r);
    }

    [Fact]
    public async Task Together_upload_uses_files_upload_where_it_is_served()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions());
        using var http = Http(host);
        var dir = Directory.CreateTempSubdirectory("irisbatch-together-").FullName;
        try
        {
            var provider = new TogetherProvider(new Uri(host.BaseUri, "/together/v1"), "test-key", new HttpSettings());
            var id = await provider.UploadAsync(Submission(dir, 3, "ib-upload-direct"), null, CancellationToken.None);
            Assert.False(string.IsNullOrEmpty(id));
            Assert.Equal(1, host.State.Stats.RouteCalls("POST /together/v1/files/upload"));
            Assert.Equal(0, host.State.Stats.RouteCalls("PUT /together/_upload/{token}"));
            Assert.Equal(1, host.State.Stats.Uploads);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Together_upload_falls_back_to_the_SDK_redirect_flow_when_files_upload_is_absent_and_the_PUT_carries_no_key()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { TogetherUploadRoute = false });
        using var http = Http(host);
        var dir = Directory.CreateTempSubdirectory("irisbatch-together-").FullName;
        try
        {
            var logs = new List<string>();
            var provider = new TogetherProvider(new Uri(host.BaseUri, "/together/v1"), "test-key", new HttpSettings { Log = logs.Add });
            var submission = Submission(dir, 4, "ib-upload-fallback");
            var id = await provider.UploadAsync(submission, null, CancellationToken.None);

            // The emulator refuses a presigned PUT that carries an Authorization header (as S3 does): it arrived, so it had none.
            Assert.Equal(1, host.State.Stats.RouteCalls("PUT /together/_upload/{token}"));
            Assert.Equal(1, host.State.Stats.RouteCalls("POST /together/v1/files/{file_id}/preprocess"));
            Assert.Equal(1, host.State.Stats.Uploads);
            Assert.Contains(logs, l => l.Contains("/files/upload answered 404", StringComparison.Ordinal));
            var file = (await FilesAsync(http)).GetProperty("data").EnumerateArray().Single();
            Assert.Equal(id, file.GetProperty("id").GetString());
            Assert.Equal("batch-api", file.GetProperty("purpose").GetString());
            Assert.Equal(4, file.GetProperty("LineCount").GetInt32());
            Assert.Equal(OpenAIProvider.UploadFileName("ib-upload-fallback"), file.GetProperty("filename").GetString());
            Assert.Equal(File.ReadAllText(submission.InputPath), await http.GetStringAsync($"/together/v1/files/{id}/content"));
            // Found again by its name, as a lost upload answer is.
            Assert.Equal(id, await provider.FindUploadAsync("ib-upload-fallback", CancellationToken.None));

            // The next upload to this place goes straight to the redirect flow.
            var fileUploadCalls = host.State.Stats.RouteCalls("POST /together/v1/{**path}");
            await provider.UploadAsync(Submission(dir, 2, "ib-upload-fallback-2"), null, CancellationToken.None);
            Assert.Equal(fileUploadCalls, host.State.Stats.RouteCalls("POST /together/v1/{**path}"));
            Assert.Equal(2, host.State.Stats.RouteCalls("PUT /together/_upload/{token}"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Together_presigned_PUT_with_an_Authorization_header_is_refused_like_S3()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions());
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUri };
        noRedirect.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-key");
        Uri location;
        using (var r = await noRedirect.PostAsync("/together/v1/files", new FormUrlEncodedContent(new Dictionary<string, string>
               { ["purpose"] = "batch-api", ["file_name"] = "in.jsonl", ["file_type"] = "jsonl" })))
        {
            Assert.Equal(HttpStatusCode.Found, r.StatusCode);
            location = r.Headers.Location!;
        }
        using (var r = await noRedirect.PutAsync(location, new StringContent(Lines(1, true))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains("InvalidArgument", await r.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, host.State.Stats.Uploads);
        using var plain = new HttpClient();
        using (var r = await plain.PutAsync(location, new StringContent(Lines(1, true))))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(1, host.State.Stats.Uploads);
    }

    [Fact]
    public async Task Together_list_from_a_fresh_process_shows_the_counts_of_a_finished_batch_with_one_files_call()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        using var http = Http(host);
        // Made by raw HTTP: this process's provider has never seen its files, as a fresh pwsh has not.
        string fileId;
        using (var r = await http.PostAsync("/together/v1/files/upload", Form(Lines(5, true), "in.jsonl", ("purpose", "batch-api"), ("file_name", "in.jsonl"), ("file_type", "jsonl"))))
            fileId = (await EmulatorApi.JsonAsync(r)).GetProperty("id").GetString()!;
        string id;
        using (var r = await http.PostAsync("/together/v1/batches", JsonBody(new { input_file_id = fileId, endpoint = "/v1/chat/completions" })))
            id = (await EmulatorApi.JsonAsync(r)).GetProperty("job").GetProperty("id").GetString()!;
        for (int i = 0; i < 400; i++)
        {
            using var r = await http.GetAsync("/together/v1/batches/" + id);
            if ((await EmulatorApi.JsonAsync(r)).GetProperty("status").GetString() == "COMPLETED") break;
            await Task.Delay(25);
        }

        var provider = new TogetherProvider(new Uri(host.BaseUri, "/together/v1"), "test-key", new HttpSettings());
        long filesBefore = host.State.Stats.RouteCalls("GET /together/v1/files");
        var page = await provider.ListAsync(null, 100, CancellationToken.None);
        var listed = Assert.Single(page.Batches);
        Assert.Equal(BatchStatus.Completed, listed.Status);
        Assert.Equal(5, listed.Total);
        Assert.Equal(5, listed.Succeeded);
        Assert.Equal(0, listed.Failed);
        Assert.Equal(1, host.State.Stats.RouteCalls("GET /together/v1/files") - filesBefore);
        Assert.Equal(0, host.State.Stats.RouteCalls("GET /together/v1/files/{file_id}"));
        Assert.Equal(0, host.State.Stats.Downloads);

        var one = await provider.GetAsync(id, CancellationToken.None);
        Assert.Equal((one.Total, one.Succeeded, one.Failed), (listed.Total, listed.Succeeded, listed.Failed));
        // Known now: listing again asks for no file.
        await provider.ListAsync(null, 100, CancellationToken.None);
        Assert.Equal(1, host.State.Stats.RouteCalls("GET /together/v1/files") - filesBefore);
    }

    /// <summary>
    /// Spec §12.1: Mistral's request id is the mistral-correlation-id header (and x-kong-request-id); §14.1: Together's SDK
    /// records CF-RAY, having no id header of its own. The emulator sent OpenAI's x-request-id on their routes too, so the
    /// client's reading of the real headers was never exercised. Now a 404 from each names the id from its own header.
    /// </summary>
    [Fact]
    public async Task Mistral_and_Together_errors_carry_their_own_request_id_headers_and_the_client_names_them()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 10, InProgressMs = 50, FinalizingMs = 10 });
        using var http = Http(host);
        const string unknown = "6f1c2d3e-0000-4000-8000-000000000000";
        using (var r = await http.GetAsync("/mistral/v1/batch/jobs/" + unknown))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.True(Guid.TryParse(r.Headers.GetValues("mistral-correlation-id").Single(), out _));
            Assert.Matches("^[0-9a-f]{32}$", r.Headers.GetValues("x-kong-request-id").Single());
            Assert.False(r.Headers.Contains("x-request-id"));
        }
        using (var r = await http.GetAsync("/together/v1/batches/" + unknown))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Matches("^[0-9a-f]{16}-[A-Z]{3}$", r.Headers.GetValues("CF-RAY").Single());
            Assert.False(r.Headers.Contains("x-request-id"));
        }
        using (var r = await http.GetAsync("/groq/openai/v1/batches/batch_unknown"))
            Assert.Matches("^req_[0-9a-f]{32}$", r.Headers.GetValues("x-request-id").Single());

        var mistral = new MistralProvider(new Uri(host.BaseUri, "/mistral/v1"), "test-key", new HttpSettings());
        var m = await Assert.ThrowsAsync<IrisBatchException>(() => mistral.GetAsync(unknown, CancellationToken.None));
        Assert.Equal(ErrorIds.NotFound, m.ErrorId);
        Assert.True(Guid.TryParse(m.RequestId, out _), $"Mistral's request id is its correlation id, not '{m.RequestId}'");
        Assert.Contains(m.RequestId!, m.Message);
        var together = new TogetherProvider(new Uri(host.BaseUri, "/together/v1"), "test-key", new HttpSettings());
        var t = await Assert.ThrowsAsync<IrisBatchException>(() => together.GetAsync(unknown, CancellationToken.None));
        Assert.Equal(ErrorIds.NotFound, t.ErrorId);
        Assert.Matches("^[0-9a-f]{16}-[A-Z]{3}$", t.RequestId);
        Assert.Contains(t.RequestId!, t.Message);
    }
}
