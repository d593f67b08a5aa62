using System;
using System.IO;
using System.Text.Json;
using IrisBatch.Http;
using IrisBatch.Providers;
using IrisBatch.Providers.Gemini;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Gemini's inline-or-file choice (spec §4): by the request bytes, and for embeddings by the size of the answers,
    /// which come back inside the Operation (twice) when inline and are ~400 times the size of the requests.
    /// </summary>
    public class GeminiInputModeTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-gmode-" + Guid.NewGuid().ToString("N"));
        private readonly GeminiProvider _provider = new GeminiProvider(new Uri("http://127.0.0.1:9"), "k", new HttpSettings());

        public GeminiInputModeTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, true);

        /// <summary>Spools <paramref name="rows"/> requests as the provider writes them, as a submission.</summary>
        private BatchSubmission Spool(int rows, bool embeddings, int? dimensions = null, string model = "gemini-embedding-001")
        {
            var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".jsonl");
            using (var file = new FileStream(path, FileMode.CreateNew))
                for (int i = 1; i <= rows; i++)
                {
                    using (var w = new Utf8JsonWriter(file))
                        _provider.WriteRequest(w, new IrisBatchRequest
                        {
                            CustomId = "r" + i, Model = model, Messages = new[] { new ChatMessage("user", "text number " + i) }, RowNumber = i,
                            Endpoint = embeddings ? RequestEndpoint.Embeddings : RequestEndpoint.ChatCompletions, Dimensions = dimensions,
                        });
                    file.WriteByte((byte)'\n');
                }
            return new BatchSubmission
            {
                InputPath = path, RequestCount = rows, Bytes = new FileInfo(path).Length, Model = model, Embeddings = embeddings, IdempotencyKey = "k",
            };
        }

        [Fact]
        public void Three_thousand_full_size_vectors_go_through_file_mode_although_their_requests_are_small()
        {
            var s = Spool(3000, embeddings: true);
            Assert.True(s.Bytes < 1_000_000, $"the requests are {s.Bytes} bytes");
            Assert.True(GeminiInputMode.UsesFile(s));
        }

        [Fact]
        public void The_answer_estimate_counts_each_line_s_dimensions_or_the_model_s_full_size()
        {
            Assert.Equal(10 * (GeminiInputMode.BytesPerAnswer + 16 * GeminiInputMode.BytesPerNumber),
                GeminiInputMode.EstimatedAnswerBytes(Spool(10, embeddings: true, dimensions: 16)));
            Assert.Equal(10 * (GeminiInputMode.BytesPerAnswer + 3072 * GeminiInputMode.BytesPerNumber),
                GeminiInputMode.EstimatedAnswerBytes(Spool(10, embeddings: true)));
            // An unknown model is taken at gemini-embedding-001's full size.
            Assert.Equal(10 * (GeminiInputMode.BytesPerAnswer + 3072 * GeminiInputMode.BytesPerNumber),
                GeminiInputMode.EstimatedAnswerBytes(Spool(10, embeddings: true, model: "text-embedding-new")));
        }

        [Theory]
        [InlineData(100, null, false)]    // 100 x 36,984 = 3.7 MB of answers: inline
        [InlineData(120, null, true)]     // 4.4 MB: file
        [InlineData(120, 64, false)]      // 120 x 888 = 107 KB: inline
        [InlineData(5000, 64, true)]      // 4.4 MB: file
        [InlineData(4000, 64, false)]     // 3.6 MB: inline
        public void An_embedding_batch_goes_through_file_mode_once_its_answers_pass_4_MB(int rows, int? dimensions, bool file)
        {
            Assert.Equal(file, GeminiInputMode.UsesFile(Spool(rows, embeddings: true, dimensions: dimensions)));
        }

        [Fact]
        public void Chat_batches_are_decided_by_their_request_bytes_only()
        {
            var chat = Spool(3000, embeddings: false, model: "gemini-2.5-flash");
            Assert.False(GeminiInputMode.UsesFile(chat));
            chat.Bytes = GeminiInputMode.InlineLimit;
            Assert.True(GeminiInputMode.UsesFile(chat));
        }

        /// <summary>The size of the create call <see cref="GeminiProvider.CreateAsync"/> would send inline.</summary>
        private static long InlineBody(BatchSubmission s)
        {
            using var counter = new MemoryStream();
            using (var w = new Utf8JsonWriter(counter, IrisBatch.Jsonl.JsonlWriter.Options)) GeminiProvider.WriteCreateBody(w, s, null);
            return counter.Length;
        }

        [Fact]
        public void Many_small_requests_go_through_file_mode_when_the_inline_call_would_pass_20_MB_though_their_lines_do_not()
        {
            // Each request grows by 13 bytes inline ({"request",…,"metadata":{"key"}} against the line's {"key",…,"request"}):
            // 193,000 lines of ~98 bytes are under the line limit, but the create call would be ~21.5 MB, which Gemini refuses (§4).
            var s = Spool(193_000, embeddings: false, model: "gemini-2.5-flash");
            Assert.True(s.Bytes < GeminiInputMode.InlineLimit, $"the lines are {s.Bytes} bytes");
            Assert.True(InlineBody(s) > 20L * 1024 * 1024, $"the inline call is {InlineBody(s)} bytes");
            Assert.True(GeminiInputMode.UsesFile(s));
        }

        [Theory]
        [InlineData(1, false)]
        [InlineData(500, false)]
        [InlineData(500, true)]
        public void The_inline_size_is_the_create_call_s_size_at_most_a_little_over(int rows, bool embeddings)
        {
            var s = Spool(rows, embeddings, model: embeddings ? "gemini-embedding-001" : "gemini-2.5-flash");
            s.Name = "a name with \"quotes\" and ünïcode";
            long actual = InlineBody(s);
            Assert.InRange(GeminiInputMode.InlineBytes(s), actual, actual + 200);
        }

        [Fact]
        public void The_estimate_stops_reading_once_past_the_limit()
        {
            var s = Spool(3000, embeddings: true);
            long stopped = GeminiInputMode.EstimatedAnswerBytes(s, GeminiInputMode.EmbeddingAnswerLimit);
            Assert.InRange(stopped, GeminiInputMode.EmbeddingAnswerLimit, GeminiInputMode.EmbeddingAnswerLimit + 40_000);
        }
    }
}
