using System;
using System.IO;
using System.Linq;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Anthropic and xAI take a model per request, so one batch may mix models: the journal names every model of such
    /// a batch, so that each result is priced at its own request's model and the estimate at each model's price.
    /// </summary>
    public class MixedModelTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-mixed-" + Guid.NewGuid().ToString("N"));
        private readonly JournalStore _journal;

        public MixedModelTests()
        {
            Directory.CreateDirectory(_dir);
            _journal = new JournalStore(Path.Combine(_dir, "journal"));
        }

        public void Dispose() => Directory.Delete(_dir, true);

        private static IrisBatchRequest Request(string id, long row, string model, int? maxTokens = null) =>
            new IrisBatchRequest { CustomId = id, Model = model, Messages = new[] { new ChatMessage("user", "Describe lamp " + row) }, RowNumber = row, MaxTokens = maxTokens };

        [Fact]
        public void A_batch_that_mixes_models_counts_each_model_and_the_journal_names_them_in_their_order()
        {
            var provider = new AnthropicProvider(new Uri("http://127.0.0.1:9/v1"), "unused-key", new HttpSettings());
            using var spooler = new BatchSpooler(_journal, provider, null, null, countTokens: true);
            Assert.True(spooler.Add(Request("a", 1, "claude-haiku-4-5", 10)));
            Assert.True(spooler.Add(Request("b", 2, "claude-haiku-4-5", 20)));
            Assert.True(spooler.Add(Request("c", 3, "claude-opus-4-7", 40)));
            Assert.True(spooler.Add(Request("d", 4, "claude-haiku-4-5")));
            var part = Assert.Single(spooler.Finish());

            Assert.Equal("claude-haiku-4-5", part.Entry.Model);
            Assert.Equal(new[] { "claude-haiku-4-5", "claude-opus-4-7" }, part.Entry.Models);
            var byModel = part.TokensByModel!;
            Assert.Equal(3, byModel["claude-haiku-4-5"].Requests);
            Assert.Equal(1, byModel["claude-opus-4-7"].Requests);
            Assert.Equal(30, byModel["claude-haiku-4-5"].MaxOutputTokens);
            Assert.Equal(40, byModel["claude-opus-4-7"].MaxOutputTokens);
            Assert.True(byModel["claude-opus-4-7"].InputTokens > 0);
            Assert.Equal(part.InputTokens, byModel.Values.Sum(m => m.InputTokens));
            Assert.Equal(part.MaxOutputTokens, byModel.Values.Sum(m => m.MaxOutputTokens));

            var read = JournalJson.Read(JournalJson.Write(part.Entry));
            Assert.Equal(new[] { "claude-haiku-4-5", "claude-opus-4-7" }, read.Models);
        }

        [Fact]
        public void A_batch_of_one_model_names_no_list_of_models()
        {
            var provider = new AnthropicProvider(new Uri("http://127.0.0.1:9/v1"), "unused-key", new HttpSettings());
            using var spooler = new BatchSpooler(_journal, provider, null, null, countTokens: true);
            for (int i = 1; i <= 3; i++) Assert.True(spooler.Add(Request("r" + i, i, "claude-haiku-4-5")));
            var part = Assert.Single(spooler.Finish());
            Assert.Null(part.Entry.Models);
            Assert.Null(part.TokensByModel);
            Assert.Null(JournalJson.Read(JournalJson.Write(part.Entry)).Models);
        }

        [Fact]
        public void A_provider_of_one_model_per_batch_puts_each_model_in_a_batch_of_its_own()
        {
            var provider = new OpenAIProvider(new Uri("http://127.0.0.1:9/v1"), "unused-key", new HttpSettings());
            using var spooler = new BatchSpooler(_journal, provider, null, null, countTokens: true);
            Assert.True(spooler.Add(Request("a", 1, "gpt-4o-mini")));
            Assert.True(spooler.Add(Request("b", 2, "gpt-4o")));
            var parts = spooler.Finish();
            Assert.Equal(2, parts.Count);
            Assert.All(parts, p => Assert.Null(p.Entry.Models));
        }
    }
}
