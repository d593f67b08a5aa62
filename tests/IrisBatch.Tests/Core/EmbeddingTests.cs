using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using IrisBatch.Embeddings;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Providers.Azure;
using IrisBatch.Providers.Gemini;
using IrisBatch.Providers.Mistral;
using IrisBatch.Providers.Ollama;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Providers.Together;
using IrisBatch.Providers.Xai;
using IrisBatch.Results;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Embedding batches on the client side (spec §11.5): lines, splitting, decoding, the .npy file.</summary>
    public class EmbeddingTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-embed-" + Guid.NewGuid().ToString("N"));
        private readonly JournalStore _journal;
        private static readonly Uri Local = new Uri("http://127.0.0.1:9/v1");

        public EmbeddingTests()
        {
            Directory.CreateDirectory(_dir);
            _journal = new JournalStore(Path.Combine(_dir, "journal"));
        }

        public void Dispose() => Directory.Delete(_dir, true);

        private static readonly float[] Vector = { 0.5f, -1.25f, 3.1415927f, 1e-7f, -0f, 123456.79f, float.Epsilon, -0.333333343f };

        private static IrisBatchRequest Embed(string id, string text, int? dimensions = null, string model = "text-embedding-3-small", long row = 1) =>
            new IrisBatchRequest
            {
                CustomId = id, Model = model, Messages = new[] { new ChatMessage("user", text) }, RowNumber = row,
                Endpoint = RequestEndpoint.Embeddings, Dimensions = dimensions,
            };

        private static string Line(IBatchProvider provider, IrisBatchRequest r)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) provider.WriteRequest(w, r);
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        private static string FloatList(float[] v) => "[" + string.Join(",", v.Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";

        // ---- decoding ----

        [Fact]
        public void A_float_list_and_base64_decode_to_the_same_floats()
        {
            using var list = JsonDocument.Parse(FloatList(Vector));
            Assert.Equal(Vector, EmbeddingVector.Read(list.RootElement));
            var base64 = EmbeddingVector.ToBase64(Vector);
            // base64 of little-endian float32, as OpenAI sends it: 0.5f is 00 00 00 3F
            Assert.Equal(new byte[] { 0, 0, 0, 0x3F }, Convert.FromBase64String(base64).Take(4).ToArray());
            Assert.Equal(Vector, EmbeddingVector.FromBase64(base64));
            using var text = JsonDocument.Parse("\"" + base64 + "\"");
            Assert.Equal(Vector, EmbeddingVector.Read(text.RootElement));
            Assert.Null(EmbeddingVector.FromBase64("AAA"));   // not whole floats
            Assert.Null(EmbeddingVector.FromBase64("not base64!"));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void An_OpenAI_embeddings_result_line_gives_the_vector_and_input_tokens_on_both_paths(bool base64)
        {
            var embedding = base64 ? "\"" + EmbeddingVector.ToBase64(Vector).Replace("+", "\\u002B") + "\"" : FloatList(Vector);
            var line = "{\"id\":\"batch_req_1\",\"custom_id\":\"r-1\",\"response\":{\"status_code\":200,\"request_id\":\"req_1\",\"body\":" +
                "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":" + embedding + "}]," +
                "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}},\"error\":null}";
            var fast = OpenAIResultParser.TryParseFast(line);
            Assert.NotNull(fast);
            var slow = OpenAIResultParser.ParseDocument(line, 1);
            foreach (var r in new[] { fast!, slow })
            {
                Assert.Equal(ResultStatus.Succeeded, r.Status);
                Assert.Equal("r-1", r.CustomId);
                Assert.Equal(Vector, r.Embedding);
                Assert.True(string.IsNullOrEmpty(r.Output));
                Assert.Equal(8, r.Usage!.InputTokens);
                Assert.Equal(0, r.Usage.OutputTokens);
            }
        }

        [Fact]
        public void The_base64_in_a_line_is_read_from_its_bytes_unescaped()
        {
            var line = "{\"custom_id\":\"r-2\",\"response\":{\"status_code\":200,\"body\":{\"data\":[{\"index\":0,\"embedding\":\"" +
                EmbeddingVector.ToBase64(Vector) + "\"}],\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}},\"error\":null}";
            var bytes = Encoding.UTF8.GetBytes(line);
            var r = OpenAIResultParser.TryParseFast(bytes, 0, bytes.Length);
            Assert.Equal(Vector, r!.Embedding);
        }

        [Fact]
        public void A_chat_result_has_no_embedding()
        {
            var line = "{\"custom_id\":\"c\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}},\"error\":null}";
            Assert.Null(OpenAIResultParser.Parse(line, 1).Embedding);
            Assert.Equal("hi", OpenAIResultParser.Parse(line, 1).Output);
        }

        [Fact]
        public void The_CSV_form_is_a_compact_JSON_array_that_reads_back_exactly()
        {
            var json = EmbeddingVector.ToJson(Vector);
            Assert.StartsWith("[0.5,-1.25,3.1415927,", json);
            Assert.DoesNotContain(" ", json);
            Assert.Equal(Vector, EmbeddingVector.FromJson(json));
            var random = new Random(7);
            var many = Enumerable.Range(0, 2000).Select(_ => (float)(random.NextDouble() * 2 - 1) / (float)Math.Pow(10, random.Next(0, 8))).ToArray();
            Assert.Equal(many, EmbeddingVector.FromJson(EmbeddingVector.ToJson(many)));
            using var doc = JsonDocument.Parse(EmbeddingVector.ToJson(many));
            Assert.Equal(many.Select(f => (double)f), doc.RootElement.EnumerateArray().Select(e => (double)(float)e.GetDouble()));
        }

        // ---- .npy ----

        [Fact]
        public void The_npy_file_has_a_version_1_header_with_the_final_shape_then_little_endian_float32_rows_and_an_ids_file()
        {
            var path = Path.Combine(_dir, "vectors.npy");
            using (var npy = new NpyWriter(path))
            {
                npy.Add("a", new[] { 1f, 2f, 3f });
                npy.Add("b", new[] { -1f, 0.5f, 1e30f });
                Assert.Throws<IrisBatchException>(() => npy.Add("c", new[] { 1f }));
            }
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes.Take(8).ToArray());
            int headerLength = bytes[8] | bytes[9] << 8;
            Assert.Equal(0, (10 + headerLength) % 64);
            var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
            Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header);
            Assert.EndsWith("\n", header);
            Assert.Equal(10 + headerLength + 2 * 3 * 4, bytes.Length);
            var data = bytes.Skip(10 + headerLength).ToArray();
            var floats = Enumerable.Range(0, 6).Select(i => BitConverter.ToSingle(BitConverter.IsLittleEndian ? data : data.Reverse().ToArray(), i * 4)).ToArray();
            Assert.Equal(new[] { 1f, 2f, 3f, -1f, 0.5f, 1e30f }, floats);
            Assert.Equal(Path.Combine(_dir, "vectors.ids.txt"), NpyWriter.IdsPathFor(path));
            Assert.Equal("a\nb\n", File.ReadAllText(Path.Combine(_dir, "vectors.ids.txt")));
        }

        [Fact]
        public void An_empty_npy_file_is_shape_0_0_and_large_counts_fit_the_header()
        {
            var path = Path.Combine(_dir, "empty.npy");
            new NpyWriter(path).Close();
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(NpyWriter.HeaderBytes, bytes.Length);
            Assert.Contains("'shape': (0, 0)", Encoding.ASCII.GetString(bytes));
            var big = NpyWriter.Header(long.MaxValue, int.MaxValue);
            Assert.Equal(NpyWriter.HeaderBytes, big.Length);
            Assert.Contains("(9223372036854775807, 2147483647)", Encoding.ASCII.GetString(big));
            Assert.Equal((byte)'\n', big[big.Length - 1]);
        }

        // ---- lines ----

        [Fact]
        public void OpenAI_lines_go_to_v1_embeddings_with_one_input_dimensions_and_base64()
        {
            var provider = new OpenAIProvider(Local, "k", new HttpSettings());
            using var doc = JsonDocument.Parse(Line(provider, Embed("e1", "Lamp: a lamp", 256)));
            var root = doc.RootElement;
            Assert.Equal("e1", root.GetProperty("custom_id").GetString());
            Assert.Equal("POST", root.GetProperty("method").GetString());
            Assert.Equal("/v1/embeddings", root.GetProperty("url").GetString());
            var body = root.GetProperty("body");
            Assert.Equal(new[] { "model", "input", "dimensions", "encoding_format" }, body.EnumerateObject().Select(p => p.Name));
            Assert.Equal("text-embedding-3-small", body.GetProperty("model").GetString());
            Assert.Equal("Lamp: a lamp", body.GetProperty("input").GetString());
            Assert.Equal(256, body.GetProperty("dimensions").GetInt32());
            Assert.Equal("base64", body.GetProperty("encoding_format").GetString());
            using var plain = JsonDocument.Parse(Line(provider, Embed("e2", "x")));
            Assert.False(plain.RootElement.GetProperty("body").TryGetProperty("dimensions", out _));
        }

        [Fact]
        public void OpenAI_refuses_an_empty_text_and_one_over_8192_tokens_naming_the_row_and_good_rows_go_on()
        {
            // Spec §11.5: each input "≤ 8192 tokens, not empty". Before, both rows were uploaded and failed a day later.
            var provider = new OpenAIProvider(Local, "k", new HttpSettings());
            using var spooler = new BatchSpooler(_journal, provider, null, null);
            Assert.True(spooler.Add(Embed("ok1", "a lamp", row: 1)));
            var empty = Assert.Throws<IrisBatchException>(() => spooler.Add(Embed("empty", "", row: 2)));
            Assert.Equal(ErrorIds.InvalidRequest, empty.ErrorId);
            Assert.StartsWith("Row 2 ('empty'): the text to embed is empty", empty.Message);
            string words = string.Concat(Enumerable.Repeat("lamp ", 8193));   // one token a word in cl100k_base
            var tooLong = Assert.Throws<IrisBatchException>(() => spooler.Add(Embed("long", words, row: 3)));
            Assert.Equal(ErrorIds.InvalidRequest, tooLong.ErrorId);
            Assert.Matches(@"^Row 3 \('long'\): the text to embed has 8,19[3-9] tokens; text-embedding-3-small takes at most 8,192 per input", tooLong.Message);
            Assert.True(spooler.Add(Embed("ok2", string.Concat(Enumerable.Repeat("lamp ", 8000)), row: 4)));   // long, under the limit
            Assert.Equal(2, Assert.Single(spooler.Finish()).Entry.RequestCount);
        }

        [Fact]
        public void Mistral_lines_are_custom_id_and_body_with_the_input_and_Dimensions_is_refused_naming_the_row()
        {
            // Spec §12.3: lines {custom_id, body}, the endpoint (/v1/embeddings) and the model on the job. §12 names no
            // field for shorter vectors, so -Dimensions is refused for the row before anything is uploaded.
            var provider = new MistralProvider(new Uri("http://127.0.0.1:9/v1"), "k", new HttpSettings());
            Assert.Equal("{\"custom_id\":\"m1\",\"body\":{\"input\":\"Lamp: a lamp\"}}", Line(provider, Embed("m1", "Lamp: a lamp", null, "mistral-embed")));
            using var spooler = new BatchSpooler(_journal, provider, null, null);
            var ex = Assert.Throws<IrisBatchException>(() => spooler.Add(Embed("m2", "x", 256, "mistral-embed", row: 7)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("7", ex.Message);
            Assert.Contains("-Dimensions", ex.Message);
            Assert.True(spooler.Add(Embed("m3", "y", null, "mistral-embed", row: 8)));   // good rows go on
            var part = Assert.Single(spooler.Finish());
            Assert.True(part.Entry.Embeddings);
            Assert.Equal(1, part.Entry.RequestCount);
        }

        [Fact]
        public void Gemini_lines_are_embed_content_requests_with_output_dimensionality()
        {
            var provider = new GeminiProvider(new Uri("http://127.0.0.1:9"), "k", new HttpSettings());
            using var doc = JsonDocument.Parse(Line(provider, Embed("g1", "hello", 64, "gemini-embedding-001")));
            var root = doc.RootElement;
            Assert.Equal("g1", root.GetProperty("key").GetString());
            var request = root.GetProperty("request");
            Assert.Equal("hello", request.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
            Assert.Equal(64, request.GetProperty("outputDimensionality").GetInt32());
            Assert.False(request.TryGetProperty("contents", out _));
            Assert.False(request.TryGetProperty("model", out _));
        }

        [Fact]
        public void Ollama_lines_name_api_embed_or_the_OpenAI_compatible_route()
        {
            var native = new OllamaProvider(new[] { new Uri("http://127.0.0.1:9") }, new HttpSettings(), _journal);
            using var a = JsonDocument.Parse(Line(native, Embed("o1", "hello", 8, "nomic-embed-text")));
            Assert.Equal("api/embed", a.RootElement.GetProperty("path").GetString());
            Assert.Equal("hello", a.RootElement.GetProperty("body").GetProperty("input").GetString());
            Assert.Equal(8, a.RootElement.GetProperty("body").GetProperty("dimensions").GetInt32());
            var compatible = new OllamaProvider(new[] { new Uri("http://127.0.0.1:9/v1") }, new HttpSettings(), _journal);
            using var b = JsonDocument.Parse(Line(compatible, Embed("o2", "hello", null, "nomic-embed-text")));
            Assert.Equal("embeddings", b.RootElement.GetProperty("path").GetString());
            Assert.False(b.RootElement.GetProperty("body").TryGetProperty("encoding_format", out _));
        }

        [Fact]
        public void Providers_without_embedding_batches_refuse_while_spooling_naming_the_provider()
        {
            var providers = new IBatchProvider[]
            {
                new AnthropicProvider(new Uri("http://127.0.0.1:9"), "k", new HttpSettings()),
                new XaiProvider(new Uri("http://127.0.0.1:9/v1"), "k", new HttpSettings()),
                new AzureOpenAIProvider(new Uri("http://127.0.0.1:9"), "k", new HttpSettings(), null),
                // Groq's endpoint enum is chat completions only (§13.3), Together's chat and audio (§14.3).
                new OpenAIProvider(new Uri("http://127.0.0.1:9/openai/v1"), "k", new HttpSettings(), OpenAIHost.Groq),
                new TogetherProvider(new Uri("http://127.0.0.1:9/v1"), "k", new HttpSettings()),
            };
            foreach (var provider in providers)
            {
                Assert.False(provider.Limits.EmbeddingBatches);
                using var spooler = new BatchSpooler(_journal, provider, null, null);
                var ex = Assert.Throws<IrisBatchException>(() => spooler.Add(Embed("x1", "text")));
                Assert.Equal(ErrorIds.UnsupportedEndpoint, ex.ErrorId);
                // Named as the provider spells itself (xAI, Azure OpenAI), as the other messages do.
                Assert.StartsWith(ProviderNames.Display(provider.Name) + " has no embedding batches", ex.Message);
                spooler.Discard();
            }
            Assert.True(new OpenAIProvider(Local, "k", new HttpSettings()).Limits.EmbeddingBatches);
            Assert.True(new GeminiProvider(new Uri("http://127.0.0.1:9"), "k", new HttpSettings()).Limits.EmbeddingBatches);
        }

        [Fact]
        public void Messages_name_providers_as_they_spell_themselves()
        {
            Assert.Equal("xAI", ProviderNames.Display("Xai"));
            Assert.Equal("Azure OpenAI", ProviderNames.Display("AzureOpenAI"));
            Assert.Equal("Gemini", ProviderNames.Display("Gemini"));
            Assert.StartsWith("xAI has no Responses endpoint", Messages.NoResponsesEndpoint("Xai"));
        }

        // ---- one input per request ----

        [Theory]
        [InlineData("{\"input\":[\"a\",\"b\"]}", 2)]
        [InlineData("{\"input\":[[1,2],[3,4],[5]]}", 3)]
        public void Several_inputs_in_Body_are_refused_naming_the_row_on_every_provider_that_takes_input(string body, int count)
        {
            var providers = new IBatchProvider[]
            {
                new OpenAIProvider(Local, "k", new HttpSettings()),
                new OllamaProvider(new[] { new Uri("http://127.0.0.1:9") }, new HttpSettings(), _journal),
                new OllamaProvider(new[] { new Uri("http://127.0.0.1:9/v1") }, new HttpSettings(), _journal),
            };
            foreach (var provider in providers)
            {
                using var spooler = new BatchSpooler(_journal, provider, null, null);
                var r = Embed("doc-3", "text", row: 3, model: provider is OllamaProvider ? "nomic-embed-text" : "text-embedding-3-small");
                r.BodyJson = body;
                var ex = Assert.Throws<IrisBatchException>(() => spooler.Add(r));
                Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
                Assert.Equal("doc-3", ex.Target);
                Assert.StartsWith("Row 3 ('doc-3'): ", ex.Message);
                Assert.Contains($"-Body input holds {count} inputs", ex.Message);
                spooler.Discard();
            }
        }

        [Theory]
        [InlineData("{\"input\":\"one text\"}", "\"input\":\"one text\"")]
        [InlineData("{\"input\":[\"one text\"]}", "\"input\":[\"one text\"]")]
        [InlineData("{\"input\":[101,2023,102]}", "\"input\":[101,2023,102]")]
        public void One_input_in_Body_is_sent_as_given(string body, string expected)
        {
            var r = Embed("e1", "row text");
            r.BodyJson = body;
            var line = Line(new OpenAIProvider(Local, "k", new HttpSettings()), r);
            Assert.Contains(expected, line);
            Assert.DoesNotContain("row text", line);
        }

        // ---- splitting ----

        private sealed class SmallProvider : OpenAIProvider
        {
            public SmallProvider() : base(Local, "k", new HttpSettings()) { }
            public override ProviderLimits Limits { get; } = new ProviderLimits
            {
                MaxRequestsPerBatch = 1000, MaxBytesPerBatch = long.MaxValue, OneModelPerBatch = true,
                MaxMetadataPairs = 16, MaxMetadataKeyLength = 64, MaxMetadataValueLength = 512,
                EmbeddingBatches = true, MaxEmbeddingInputsPerBatch = 30,
            };
        }

        [Fact]
        public void The_embedding_inputs_limit_splits_embedding_batches_and_keeps_them_apart_from_chat()
        {
            using var spooler = new BatchSpooler(_journal, new SmallProvider(), null, null);
            for (int i = 1; i <= 100; i++) Assert.True(spooler.Add(Embed("e" + i, "text " + i, row: i)));
            for (int i = 1; i <= 50; i++)
                Assert.True(spooler.Add(new IrisBatchRequest { CustomId = "c" + i, Model = "text-embedding-3-small", Messages = new[] { new ChatMessage("user", "hi") }, RowNumber = 100 + i }));
            var parts = spooler.Finish();
            var embeddings = parts.Where(p => p.Entry.Embeddings).ToList();
            Assert.Equal(new long[] { 30, 30, 30, 10 }, embeddings.Select(p => p.Entry.RequestCount));
            var chat = parts.Where(p => !p.Entry.Embeddings).ToList();
            Assert.Single(chat);
            Assert.Equal(50, chat[0].Entry.RequestCount);
            foreach (var part in embeddings)
                foreach (var line in File.ReadLines(_journal.InputPath(part.Entry)))
                    Assert.Contains("\"url\":\"/v1/embeddings\"", line);
            Assert.True(BatchSubmission.From(embeddings[0].Entry, "x").Embeddings);
        }

        [Fact]
        public void OpenAI_embedding_batches_hold_at_most_50000_inputs()
        {
            var provider = new OpenAIProvider(Local, "k", new HttpSettings());
            Assert.Equal(50_000, provider.Limits.MaxEmbeddingInputsPerBatch);
            using var spooler = new BatchSpooler(_journal, provider, null, null);
            var request = Embed("e", "t");
            for (int i = 1; i <= 50_001; i++)
            {
                request.CustomId = "e" + i;
                request.RowNumber = i;
                spooler.Add(request);
            }
            Assert.Equal(new long[] { 50_000, 1 }, spooler.Finish().Select(p => p.Entry.RequestCount));
        }

        // ---- results of Gemini and Ollama, the journal ----

        [Fact]
        public void A_Gemini_embedding_result_gives_the_vector_and_token_count()
        {
            var line = "{\"key\":\"g1\",\"response\":{\"embedding\":{\"values\":" + FloatList(Vector) + "},\"tokenCount\":\"5\"}}";
            var r = GeminiJson.ParseResult(line, 1);
            Assert.Equal(ResultStatus.Succeeded, r.Status);
            Assert.Equal(Vector, r.Embedding);
            Assert.Equal(5, r.Usage!.InputTokens);
            Assert.True(string.IsNullOrEmpty(r.Output));
            var failed = GeminiJson.ParseResult("{\"key\":\"g2\",\"error\":{\"code\":3,\"message\":\"bad\"}}", 2);
            Assert.Equal(ResultStatus.Failed, failed.Status);
            Assert.Null(failed.Embedding);
        }

        [Fact]
        public void A_Gemini_embedding_result_in_batchEmbedContents_form_gives_its_vector_not_an_empty_answer()
        {
            // spec §11.5 marks the file form's line shape [unverified]: the plural form is read too.
            var line = "{\"key\":\"g1\",\"response\":{\"embeddings\":[{\"values\":" + FloatList(Vector) + "}]}}";
            var r = GeminiJson.ParseResult(line, 1);
            Assert.Equal(ResultStatus.Succeeded, r.Status);
            Assert.Equal(Vector, r.Embedding);
            var empty = GeminiJson.ParseResult("{\"key\":\"g2\",\"response\":{\"embeddings\":[{}]}}", 2);
            Assert.Null(empty.Embedding);
            Assert.NotEqual(ResultStatus.Succeeded, empty.Status);
        }

        [Theory]
        [InlineData("{\"model\":\"m\",\"embeddings\":[VEC],\"prompt_eval_count\":4}")]
        [InlineData("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":VEC}],\"usage\":{\"prompt_tokens\":4,\"total_tokens\":4}}")]
        public void An_Ollama_embed_answer_is_journaled_in_base64_and_read_back(string answer)
        {
            using var doc = JsonDocument.Parse(answer.Replace("VEC", FloatList(Vector)));
            var line = LocalEmbeddings.ExecutedLine("o1", doc.RootElement, "http://127.0.0.1:9/");
            Assert.StartsWith("{\"custom_id\":\"o1\",\"ok\":true,", line);
            var r = OllamaWire.ParseResult(line, 1);
            Assert.Equal(ResultStatus.Succeeded, r.Status);
            Assert.Equal(Vector, r.Embedding);
            Assert.Equal(4, r.Usage!.InputTokens);
        }

        [Fact]
        public void The_journal_keeps_the_endpoint_and_dimensions_on_both_readers()
        {
            var request = Embed("e1", "text", 16);
            request.SetValidInputJson("{\"a\":1}");
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) RequestRecord.Write(w, request);
            var bytes = ms.ToArray();
            foreach (var read in new[] { RequestRecord.Read(Encoding.UTF8.GetString(bytes)), RequestRecordReader.Read(bytes, 0, bytes.Length) })
            {
                Assert.Equal(RequestEndpoint.Embeddings, read.Endpoint);
                Assert.Equal(16, read.Dimensions);
                Assert.Equal("text", read.Prompt);
            }
        }

        [Fact]
        public void Tokens_of_an_embedding_request_are_its_text_only()
        {
            var counter = Estimates.TokenCounter.For("text-embedding-3-small");
            Assert.Equal(counter.CountText("hello world"), counter.Count(Embed("e", "hello world")));
        }

        [Fact]
        public void Known_models_bound_dimensions()
        {
            Assert.Null(EmbeddingLimits.CheckDimensions("text-embedding-3-small", 1536));
            Assert.NotNull(EmbeddingLimits.CheckDimensions("text-embedding-3-small", 1537));
            Assert.NotNull(EmbeddingLimits.CheckDimensions("text-embedding-ada-002", 16));
            Assert.Null(EmbeddingLimits.CheckDimensions("gemini-embedding-001", 768));
            Assert.Null(EmbeddingLimits.CheckDimensions("some-local-model", 99999));
        }
    }
}
