using System;
using System.IO;
using System.Linq;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// The spooler keeps custom ids as 64-bit hashes and confirms a repeated hash against the spooled request records:
    /// duplicates must be found, with the row that used the id first, wherever that row was spooled.
    /// </summary>
    public class SpoolerIdTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-spoolids-" + Guid.NewGuid().ToString("N"));
        private readonly JournalStore _journal;
        private readonly OpenAIProvider _provider = new OpenAIProvider(new Uri("http://127.0.0.1:9/v1"), "unused-key", new HttpSettings());

        public SpoolerIdTests()
        {
            Directory.CreateDirectory(_dir);
            _journal = new JournalStore(Path.Combine(_dir, "journal"));
        }

        public void Dispose() => Directory.Delete(_dir, true);

        private static IrisBatchRequest Request(string id, long row, string prompt = "x", string model = "gpt-4o-mini") =>
            new IrisBatchRequest { CustomId = id, Model = model, Messages = new[] { new ChatMessage("user", prompt) }, RowNumber = row };

        [Fact]
        public void A_duplicate_of_a_row_in_a_closed_part_is_found_with_its_first_row()
        {
            using var spooler = new BatchSpooler(_journal, _provider, null, null, maxRequestsPerBatch: 10);
            for (int i = 1; i <= 35; i++) Assert.True(spooler.Add(Request("id-" + i, i)));
            Assert.False(spooler.Add(Request("id-4", 36)));
            Assert.Equal("id-4", spooler.Duplicate!.CustomId);
            Assert.Equal(4, spooler.Duplicate.FirstRow);
            Assert.Equal(36, spooler.Duplicate.SecondRow);
            Assert.False(spooler.Add(Request("id-4", 37)));
            Assert.True(spooler.Add(Request("id-36", 38)));
            Assert.Equal(36, spooler.Finish().Sum(p => p.Count));
        }

        [Fact]
        public void A_duplicate_of_a_row_still_in_the_open_part_is_found()
        {
            using var spooler = new BatchSpooler(_journal, _provider, null, null);
            for (int i = 1; i <= 5; i++) Assert.True(spooler.Add(Request("r" + i, i)));
            Assert.False(spooler.Add(Request("r5", 6)));
            Assert.Equal(5, spooler.Duplicate!.FirstRow);
        }

        [Fact]
        public void Only_the_first_duplicate_is_reported_and_every_repeat_is_refused()
        {
            using var spooler = new BatchSpooler(_journal, _provider, null, null, maxRequestsPerBatch: 500);
            for (int i = 1; i <= 2000; i++) Assert.True(spooler.Add(Request("row-" + i, i)));
            // The same 2,000 ids again (a file piped twice): all refused, the first one reported.
            for (int i = 1; i <= 2000; i++) Assert.False(spooler.Add(Request("row-" + i, 2000 + i)));
            Assert.Equal("row-1", spooler.Duplicate!.CustomId);
            Assert.Equal(1, spooler.Duplicate.FirstRow);
            Assert.Equal(2001, spooler.Duplicate.SecondRow);
            Assert.Equal(2000, spooler.Count);
        }

        [Fact]
        public void The_id_of_a_refused_request_counts_as_used()
        {
            using var spooler = new BatchSpooler(_journal, _provider, null, null, maxTokensPerBatch: 50);
            Assert.True(spooler.Add(Request("small", 1)));
            var big = string.Join(" ", Enumerable.Repeat("word", 200));
            Assert.Throws<IrisBatchException>(() => spooler.Add(Request("big", 2, big)));
            Assert.False(spooler.Add(Request("big", 3)));
            Assert.Equal("big", spooler.Duplicate!.CustomId);
            Assert.Equal(2, spooler.Duplicate.FirstRow);
            Assert.Equal(1, spooler.Count);
        }
    }
}
