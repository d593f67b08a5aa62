using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using IrisBatch.Http;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Anthropic's requests go inline in one create call (spec §3.3: the whole batch at most 256 MB): the byte limit, the
    /// provider's or -MaxBytesPerBatch, holds for that call's body, {"requests":[...]}, not only for the spooled lines.
    /// </summary>
    public sealed class AnthropicBodyLimitTests : SpooledJournalTest
    {
        public AnthropicBodyLimitTests() : base("irisbatch-anthropic-body-") { }

        private static readonly AnthropicProvider Anthropic = new AnthropicProvider(new Uri("http://127.0.0.1:9"), "unused-key", new HttpSettings());

        private static IrisBatchRequest Request(int i) => new IrisBatchRequest
        {
            CustomId = "r" + i.ToString("D3"), Model = "claude-haiku-4-5", Messages = new[] { new ChatMessage("user", "same length " + i.ToString("D3")) }, RowNumber = i,
        };

        [Fact]
        public void Each_create_body_stays_within_the_byte_limit_even_when_the_lines_fill_it_exactly()
        {
            // Every line is as long as the first (same-length ids and prompts); the limit is exactly ten of them.
            long lineBytes;
            using (var ms = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(ms)) Anthropic.WriteRequest(w, Request(1));
                lineBytes = ms.Length + 1;
            }
            long max = 10 * lineBytes;

            using var spooler = new BatchSpooler(_journal, Anthropic, null, null, maxBytesPerBatch: max);
            for (int i = 1; i <= 40; i++) Assert.True(spooler.Add(Request(i)));
            var parts = spooler.Finish();

            Assert.Equal(40, parts.Sum(p => p.Entry.RequestCount));
            foreach (var part in parts)
            {
                string input = _journal.InputPath(part.Entry);
                using var body = new JsonArrayFileContent("{\"requests\":[", input, part.Entry.RequestCount, "]}");
                long length = body.Headers.ContentLength!.Value;
                Assert.True(length <= max, $"a create body of {length} bytes for a limit of {max}");
                using var doc = JsonDocument.Parse(body.ReadAsByteArrayAsync().GetAwaiter().GetResult());
                Assert.Equal(length, body.ReadAsByteArrayAsync().GetAwaiter().GetResult().Length);
                Assert.Equal(part.Entry.RequestCount, doc.RootElement.GetProperty("requests").GetArrayLength());
            }
            Assert.Equal(new long[] { 9, 9, 9, 9, 4 }, parts.Select(p => p.Entry.RequestCount).OrderByDescending(n => n));
        }

        [Fact]
        public void A_line_whose_body_alone_would_pass_the_limit_is_refused_naming_its_row()
        {
            long lineBytes;
            using (var ms = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(ms)) Anthropic.WriteRequest(w, Request(1));
                lineBytes = ms.Length + 1;
            }
            // The line fits; the line in {"requests":[...]} does not.
            using var spooler = new BatchSpooler(_journal, Anthropic, null, null, maxBytesPerBatch: lineBytes + 5);
            var ex = Assert.Throws<IrisBatchException>(() => spooler.Add(Request(2)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("r002", ex.Message);
        }
    }
}
