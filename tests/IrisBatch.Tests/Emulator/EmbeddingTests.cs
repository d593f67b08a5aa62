using System;
using System.ClientModel.Primitives;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using OpenAI.Embeddings;
using Xunit;
using static IrisBatch.Tests.Emulator.FeatureBatch;

namespace IrisBatch.Tests.Emulator;

/// <summary>Spec §11.5 (issue 17): embedding batches on OpenAI and Gemini, Ollama's embed routes, and the public vector function.</summary>
public sealed class EmbeddingTests
{
    private const string Url = "/v1/embeddings";

    private static JsonObject Embed(string model, JsonNode input, Action<JsonObject>? extra = null)
    {
        var b = new JsonObject { ["model"] = model, ["input"] = input };
        extra?.Invoke(b);
        return b;
    }

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => x.GetSingle()).ToArray();

    [Fact]
    public void Vectors_are_deterministic_unit_length_and_shorten_like_openai()
    {
        var a = EmbeddingVectors.Vector("hello world", 1536);
        Assert.Equal(a, EmbeddingVectors.Vector("hello world", 1536));
        Assert.NotEqual(a, EmbeddingVectors.Vector("hello world!", 1536));
        Assert.Equal(1.0, Math.Sqrt(a.Sum(x => (double)x * x)), 5);
        var s = EmbeddingVectors.Vector("hello world", 16);
        Assert.Equal(1.0, Math.Sqrt(s.Sum(x => (double)x * x)), 5);
        double scale = s[0] / a[0];
        for (int i = 0; i < 16; i++) Assert.Equal(a[i] * scale, s[i], 4);        // truncated, then re-normalised
        Assert.Equal(a[..64], EmbeddingVectors.Truncated("hello world", 1536, 64));   // Gemini: truncated only
        Assert.Equal(a, EmbeddingVectors.FromBase64(EmbeddingVectors.ToBase64(a)));
    }

    [Fact]
    public async Task Openai_embedding_batches_answer_vectors_of_the_text_with_dimensions_and_base64()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        const string m = "text-embedding-3-small";
        var (batch, lines) = await RunAsync(api, Url,
            Line("one", Embed(m, "first text"), Url),
            Line("two", Embed(m, new JsonArray("alpha beta", "gamma")), Url),
            Line("dims", Embed(m, "first text", b => b["dimensions"] = 16), Url),
            Line("b64", Embed(m, "first text", b => { b["encoding_format"] = "base64"; b["dimensions"] = 8; }), Url),
            Line("tokens", Embed(m, new JsonArray(1, 2, 3)), Url),
            Line("empty", Embed(m, ""), Url),
            Line("extra", Embed(m, "x", b => b["temperature"] = 0.2), Url),
            Line("fmt", Embed(m, "x", b => b["encoding_format"] = "int8"), Url),
            Line("toobig", Embed(m, "x", b => b["dimensions"] = 5000), Url));
        Assert.Equal((9, 5, 4), EmulatorApi.Counts(batch));

        var one = Body(lines["one"]);
        Assert.Equal("list", one.GetProperty("object").GetString());
        Assert.Equal(m, one.GetProperty("model").GetString());
        Assert.Equal(2, one.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(EmbeddingVectors.Vector("first text", 1536), Floats(one.GetProperty("data")[0].GetProperty("embedding")));
        var two = Body(lines["two"]).GetProperty("data");
        Assert.Equal(new[] { 0, 1 }, two.EnumerateArray().Select(d => d.GetProperty("index").GetInt32()));
        Assert.Equal(EmbeddingVectors.Vector("gamma", 1536), Floats(two[1].GetProperty("embedding")));
        Assert.Equal(3, Body(lines["two"]).GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(EmbeddingVectors.Vector("first text", 16), Floats(Body(lines["dims"]).GetProperty("data")[0].GetProperty("embedding")));
        string b64 = Body(lines["b64"]).GetProperty("data")[0].GetProperty("embedding").GetString()!;
        Assert.Equal(EmbeddingVectors.Vector("first text", 8), EmbeddingVectors.FromBase64(b64));
        Assert.Equal(EmbeddingVectors.Vector("1,2,3", 1536), Floats(Body(lines["tokens"]).GetProperty("data")[0].GetProperty("embedding")));
        Assert.StartsWith("'$.input' is invalid.", AssertRejected(lines["empty"]).GetProperty("message").GetString());
        Assert.Equal("Unrecognized request argument supplied: temperature", AssertRejected(lines["extra"]).GetProperty("message").GetString());
        AssertRejected(lines["fmt"], "encoding_format", "invalid_value");
        AssertRejected(lines["toobig"], "dimensions", "invalid_value");
        var f = host.State.Stats.Features.For("openai");
        Assert.Equal(5, f.EmbeddingRequests);     // the refused ones are counted as rejected, not as embedding requests
        Assert.Equal(6, f.EmbeddingInputs);
        Assert.Equal(4, f.Rejected);
    }

    [Fact]
    public async Task Dimensions_only_on_text_embedding_3_and_chat_models_cannot_embed()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (_, ada) = await RunAsync(api, Url, Line("d", Embed("text-embedding-ada-002", "x", b => b["dimensions"] = 16), Url));
        Assert.Equal("This model does not support specifying dimensions.", AssertRejected(ada["d"]).GetProperty("message").GetString());
        var (_, chat) = await RunAsync(api, Url, Line("c", Embed("gpt-4o-mini", "x"), Url));
        Assert.Equal("You are not allowed to generate embeddings from this model", AssertRejected(chat["c"]).GetProperty("message").GetString());
    }

    [Fact]
    public async Task More_than_50000_embedding_inputs_in_a_batch_fail_validation_and_50000_pass()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        string Lines_(int inputs)
        {
            var sb = new StringBuilder();
            int line = 0;
            while (inputs > 0)
            {
                int n = Math.Min(2048, inputs);
                inputs -= n;
                var array = new JsonArray(Enumerable.Range(0, n).Select(i => (JsonNode)JsonValue.Create($"t{line}-{i}")).ToArray());
                sb.Append(Line($"l{line++}", Embed("text-embedding-3-small", array, b => b["dimensions"] = 1), Url)).Append('\n');
            }
            return sb.ToString();
        }
        string over = (await api.CreateBatchAsync(await api.UploadAsync(Lines_(50_001)), Url)).GetProperty("id").GetString()!;
        var failed = await api.WaitForStatusAsync(over, "failed", "completed");
        Assert.Equal("failed", EmulatorApi.Status(failed));
        var error = failed.GetProperty("errors").GetProperty("data").EnumerateArray().Single();
        Assert.Equal("too_many_embedding_inputs", error.GetProperty("code").GetString());

        string exact = (await api.CreateBatchAsync(await api.UploadAsync(Lines_(50_000)), Url)).GetProperty("id").GetString()!;
        var done = await api.WaitForStatusAsync(exact, "failed", "completed");
        Assert.Equal("completed", EmulatorApi.Status(done));
        Assert.Equal(25, EmulatorApi.Counts(done).Completed);
    }

    [Fact]
    public async Task Azure_refuses_embedding_batches()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        http.DefaultRequestHeaders.Add("api-key", "test-key");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(Line("e", Embed("emb", "x"), "/embeddings") + "\n")), "file", "in.jsonl" },
        };
        var up = await EmulatorApi.JsonAsync(await http.PostAsync("/openai/v1/files", form));
        using var r = await http.PostAsync("/openai/v1/batches", new StringContent(
            JsonSerializer.Serialize(new { input_file_id = up.GetProperty("id").GetString(), endpoint = "/embeddings", completion_window = "24h" }), Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)r.StatusCode);
        var error = EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r));
        Assert.Equal("endpoint", error.GetProperty("param").GetString());
        Assert.Equal(0, host.State.OpenAIBatchCount);
    }

    [Fact]
    public async Task Sdk_embedding_collection_reads_float_and_base64_bodies()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (_, lines) = await RunAsync(api, Url,
            Line("f", Embed("text-embedding-3-small", new JsonArray("a b", "c"), b => b["dimensions"] = 32), Url),
            Line("b", Embed("text-embedding-3-small", "a b", b => { b["dimensions"] = 32; b["encoding_format"] = "base64"; }), Url));
        var floats = ModelReaderWriter.Read<OpenAIEmbeddingCollection>(BinaryData.FromString(Body(lines["f"]).GetRawText()))!;
        Assert.Equal(2, floats.Count);
        Assert.Equal("text-embedding-3-small", floats.Model);
        Assert.Equal(3, floats.Usage.InputTokenCount);
        Assert.Equal(EmbeddingVectors.Vector("c", 32), floats[1].ToFloats().ToArray());
        var b64 = ModelReaderWriter.Read<OpenAIEmbeddingCollection>(BinaryData.FromString(Body(lines["b"]).GetRawText()))!;
        Assert.Equal(EmbeddingVectors.Vector("a b", 32), b64[0].ToFloats().ToArray());
    }

    [Fact]
    public async Task Gemini_async_batch_embed_content_inline_and_file()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new GeminiApi(host);
        const string create = "/v1beta/models/gemini-embedding-001:asyncBatchEmbedContent";
        JsonObject Req(string text, int? dims = null, string? title = null)
        {
            var r = new JsonObject { ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = text }) }, ["taskType"] = "RETRIEVAL_QUERY" };
            if (dims is not null) r["outputDimensionality"] = dims;
            if (title is not null) r["title"] = title;
            return r;
        }
        var body = new JsonObject
        {
            ["batch"] = new JsonObject
            {
                ["displayName"] = "emb",
                ["inputConfig"] = new JsonObject { ["requests"] = new JsonObject { ["requests"] = new JsonArray(
                    new JsonObject { ["request"] = Req("one", 64), ["metadata"] = new JsonObject { ["key"] = "k1" } },
                    new JsonObject { ["request"] = Req("two words") },
                    new JsonObject { ["request"] = Req("three", title: "T") }) } },
            },
        };
        using (var r = await api.PostJsonAsync(create, body.ToJsonString()))
        {
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            var op = await api.WaitAsync(GeminiApi.Name(await EmulatorApi.JsonAsync(r)), GeminiApi.IsDone);
            Assert.EndsWith("EmbedContentBatch", op.GetProperty("metadata").GetProperty("@type").GetString());
            var items = op.GetProperty("response").GetProperty("inlinedEmbedContentResponses").GetProperty("inlinedResponses").EnumerateArray().ToList();
            Assert.Equal(3, items.Count);
            Assert.Equal("k1", items[0].GetProperty("metadata").GetProperty("key").GetString());
            Assert.Equal(EmbeddingVectors.Truncated("one", 3072, 64), Floats(items[0].GetProperty("response").GetProperty("embedding").GetProperty("values")));
            Assert.Equal(3072, items[1].GetProperty("response").GetProperty("embedding").GetProperty("values").GetArrayLength());
            Assert.Equal("2", items[1].GetProperty("response").GetProperty("tokenCount").GetString());
            Assert.Contains("title is only supported with task_type RETRIEVAL_DOCUMENT", items[2].GetProperty("error").GetProperty("message").GetString());
        }

        // File mode: lines {"key","request"}; results file lines carry the key.
        var file = await api.UploadAsync(string.Concat(new[] { ("a", "alpha"), ("b", "beta") }.Select(p =>
            new JsonObject { ["key"] = p.Item1, ["request"] = Req(p.Item2, 16) }.ToJsonString() + "\n")));
        JsonElement fop;
        using (var r = await api.PostJsonAsync(create, new JsonObject { ["batch"] = new JsonObject { ["displayName"] = "f", ["inputConfig"] = new JsonObject { ["file_name"] = file.GetProperty("name").GetString() } } }.ToJsonString()))
        {
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            fop = await EmulatorApi.JsonAsync(r);
        }
        var done = await api.WaitAsync(GeminiApi.Name(fop), GeminiApi.IsDone);
        string responses = done.GetProperty("response").GetProperty("responsesFile").GetString()!;
        var lines = (await api.DownloadLinesAsync($"/download/v1beta/{responses}:download?alt=media")).ToDictionary(l => l.GetProperty("key").GetString()!);
        Assert.Equal(EmbeddingVectors.Truncated("beta", 3072, 16), Floats(lines["b"].GetProperty("response").GetProperty("embedding").GetProperty("values")));
        Assert.Equal(4, host.State.Stats.Features.For("gemini").EmbeddingInputs);   // 2 inline that ran + 2 file lines

        // Each route serves only its kind of model.
        using (var r = await api.PostJsonAsync("/v1beta/models/gemini-2.5-flash:asyncBatchEmbedContent", body.ToJsonString()))
            await GeminiApi.AssertErrorAsync(r, 404, "NOT_FOUND");
        using (var r = await api.PostJsonAsync("/v1beta/models/gemini-embedding-001:batchGenerateContent", GeminiApi.InlineBody(GeminiApi.Many(1))))
            await GeminiApi.AssertErrorAsync(r, 404, "NOT_FOUND");
    }

    [Fact]
    public async Task Ollama_embed_routes_answer_unit_vectors_and_count_executions()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { OllamaLatencyMs = 0 });
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        async Task<JsonElement> Post(string path, JsonNode body)
        {
            using var r = await http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            return await EmulatorApi.JsonAsync(r);
        }
        var native = await Post("/api/embed", new JsonObject { ["model"] = "nomic-embed-text", ["input"] = new JsonArray("a", "b c") });
        Assert.Equal(EmbeddingVectors.Vector("b c", 768), Floats(native.GetProperty("embeddings")[1]));
        Assert.Equal(3, native.GetProperty("prompt_eval_count").GetInt32());
        var v1 = await Post("/v1/embeddings", new JsonObject { ["model"] = "nomic-embed-text", ["input"] = "a", ["dimensions"] = 8 });
        Assert.Equal(EmbeddingVectors.Vector("a", 8), Floats(v1.GetProperty("data")[0].GetProperty("embedding")));
        Assert.Equal(2, host.State.Stats.Ollama.Requests);
        Assert.Equal(3, host.State.Stats.Features.For("ollama").EmbeddingInputs);
    }
}
