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
    /// <summary>A temporary journal and an OpenAI provider that is never called, to spool requests whose results a test writes.</summary>
    public abstract class SpooledJournalTest : IDisposable
    {
        protected readonly string _dir;
        protected readonly JournalStore _journal;
        protected readonly OpenAIProvider _provider = new OpenAIProvider(new Uri("http://127.0.0.1:9/v1"), "unused-key", new HttpSettings());

        protected SpooledJournalTest(string prefix)
        {
            _dir = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dir);
            _journal = new JournalStore(Path.Combine(_dir, "journal"));
        }

        public void Dispose() => Directory.Delete(_dir, true);

        /// <summary>Spools requests request-1 .. request-<paramref name="count"/> (row n, input {"n":"n"}) into one batch.</summary>
        protected JournalEntry Spool(int count)
        {
            using var spooler = new BatchSpooler(_journal, _provider, "t", null);
            for (int i = 1; i <= count; i++)
                Assert.True(spooler.Add(new IrisBatchRequest
                {
                    CustomId = "request-" + i,
                    Model = "m",
                    Messages = new[] { new ChatMessage("user", "prompt " + i) },
                    InputJson = "{\"n\":\"" + i + "\"}",
                    RowNumber = i,
                }));
            return spooler.Finish().Single().Entry;
        }
    }
}
