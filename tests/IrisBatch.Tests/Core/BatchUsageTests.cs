using System;
using System.Collections.Generic;
using System.Text.Json;
using IrisBatch.Estimates;
using IrisBatch.Journal;
using IrisBatch.Providers.OpenAI;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Issue 18: the usage a batch object reports (OpenAI and Azure, spec §1.5 and §2) is read with its cached and
    /// reasoning tokens, ProviderCost prices them as the results' Cost does, and a disagreement in any of them warns.
    /// </summary>
    public class BatchUsageTests
    {
        // cached_input differs from input, reasoning from output: a count read wrongly changes the cost.
        private static readonly CostCalculator Costs = new CostCalculator(PriceTable.Parse(
            @"{""models"":{""m"":{""input"":2,""cached_input"":0.5,""output"":8,""reasoning"":10,""taken"":""2025-08-01"",""source"":""test""}}}", "test"));

        private static string ResultLine(string id, long input, long cached, long output, long reasoning) =>
            $@"{{""id"":""batch_req_{id}"",""custom_id"":""{id}"",""response"":{{""status_code"":200,""request_id"":""req_{id}"",""body"":{{""choices"":[{{""index"":0,""message"":{{""role"":""assistant"",""content"":""hi""}},""finish_reason"":""stop""}}],""usage"":{{""prompt_tokens"":{input},""completion_tokens"":{output},""total_tokens"":{input + output},""prompt_tokens_details"":{{""cached_tokens"":{cached}}},""completion_tokens_details"":{{""reasoning_tokens"":{reasoning}}}}}}}}},""error"":null}}";

        private static string BatchObject(long input, long cached, long output, long reasoning) =>
            $@"{{""id"":""batch_u"",""object"":""batch"",""endpoint"":""/v1/chat/completions"",""model"":""m"",""input_file_id"":""file-in"",
                ""completion_window"":""24h"",""status"":""completed"",""created_at"":1711471533,""request_counts"":{{""total"":2,""completed"":2,""failed"":0}},
                ""usage"":{{""input_tokens"":{input},""input_tokens_details"":{{""cached_tokens"":{cached}}},""output_tokens"":{output},
                          ""output_tokens_details"":{{""reasoning_tokens"":{reasoning}}},""total_tokens"":{input + output}}}}}";

        private static IrisBatchInfo Read(string json, string provider = "OpenAI")
        {
            using var doc = JsonDocument.Parse(json);
            return OpenAIJson.ReadBatch(doc.RootElement, provider, new Uri("http://127.0.0.1:1/v1"));
        }

        /// <summary>Two results (collected, as Get-IrisBatchResult leaves them in the journal): 1,000 in (600 cached), 300 out (100 reasoning).</summary>
        private static JournalEntry Collected()
        {
            var total = new CostTotal();
            foreach (var line in new[] { ResultLine("a", 700, 500, 200, 100), ResultLine("b", 300, 100, 100, 0) })
            {
                var r = OpenAIResultParser.Parse(line, 1);
                r.Cost = Costs.CostOf(r, "m", "OpenAI");
                total.Add(r);
            }
            return new JournalEntry { Provider = "OpenAI", Model = "m", BatchId = "batch_u", ResultsCollected = true, Cost = total.Cost, ResultUsage = total.Usage };
        }

        [Fact]
        public void The_batch_usage_of_the_spec_example_is_read_with_cached_and_reasoning_tokens()
        {
            // Spec §1.5's example usage, on OpenAI and on Azure (whose batch object is OpenAI's, §2).
            foreach (var provider in new[] { "OpenAI", "AzureOpenAI" })
            {
                var u = Read(BatchObject(1500, 1024, 500, 300), provider).Usage!;
                Assert.Equal(1500, u.InputTokens);
                Assert.Equal(1024, u.CachedTokens);
                Assert.Equal(500, u.OutputTokens);
                Assert.Equal(300, u.ReasoningTokens);
                Assert.Equal(2000, u.TotalTokens);
            }
        }

        [Fact]
        public void A_batch_without_usage_or_with_null_details_is_read_as_such()
        {
            // Groq's batch object has no usage (§13.4); a batch created before 2025-09-07 has none or null (§1.5).
            Assert.Null(Read(@"{""id"":""batch_g"",""status"":""completed"",""created_at"":1}", "Groq").Usage);
            Assert.Null(Read(@"{""id"":""batch_n"",""status"":""completed"",""created_at"":1,""usage"":null}").Usage);
            // Detail counts are nullable (§11.6): absent or null is 0.
            var u = Read(@"{""id"":""batch_d"",""status"":""completed"",""created_at"":1,
                ""usage"":{""input_tokens"":10,""input_tokens_details"":null,""output_tokens"":4,""output_tokens_details"":{""reasoning_tokens"":null},""total_tokens"":14}}").Usage!;
            Assert.Equal((10L, 0L, 4L, 0L), (u.InputTokens, u.CachedTokens, u.OutputTokens, u.ReasoningTokens));
        }

        [Fact]
        public void A_batch_whose_usage_matches_its_results_has_ProviderCost_equal_to_Cost_and_no_warning()
        {
            var entry = Collected();
            // (400 x 2 + 600 x 0.5 + 200 x 8 + 100 x 10) / 1e6: cached tokens at the cached price, reasoning at the reasoning price.
            Assert.Equal(0.0037m, entry.Cost);
            var batch = Read(BatchObject(1000, 600, 300, 100));
            var warning = BatchCost.Fill(batch, entry, Costs);
            Assert.Null(warning);
            Assert.True(batch.Collected);
            Assert.Equal(entry.Cost, batch.Cost);
            Assert.Equal(entry.Cost, batch.ProviderCost);
        }

        [Theory]
        [InlineData(1000, 400, 300, 100, "1,000 input (400 cached)")]   // the provider counts fewer cached tokens
        [InlineData(1000, 600, 300, 50, "300 output (50 reasoning)")]    // fewer reasoning tokens
        public void A_batch_whose_cached_or_reasoning_count_differs_warns_with_both_counts(long input, long cached, long output, long reasoning, string theirs)
        {
            var entry = Collected();
            var batch = Read(BatchObject(input, cached, output, reasoning));
            var warning = BatchCost.Fill(batch, entry, Costs);
            Assert.NotNull(warning);
            Assert.Contains("batch_u", warning);
            Assert.Contains("reports 1,000 input (", warning);
            Assert.Contains(theirs, warning.Substring(0, warning.IndexOf("add up to", StringComparison.Ordinal)));
            Assert.Contains("add up to 1,000 input (600 cached) and 300 output (100 reasoning)", warning);
            // Cost stays the results' sum; ProviderCost prices the provider's own counts.
            Assert.Equal(entry.Cost, batch.Cost);
            Assert.Equal(CostCalculator.Of(new TokenUsage { InputTokens = input, CachedTokens = cached, OutputTokens = output, ReasoningTokens = reasoning },
                Costs.PriceOf("m")!), batch.ProviderCost);
            Assert.NotEqual(batch.Cost, batch.ProviderCost);
        }

        [Fact]
        public void Usages_agree_only_when_every_separately_priced_count_does()
        {
            var a = new TokenUsage { InputTokens = 10, CachedTokens = 4, OutputTokens = 6, ReasoningTokens = 2, TotalTokens = 16 };
            Assert.True(BatchCost.Agree(a, new TokenUsage { InputTokens = 10, CachedTokens = 4, OutputTokens = 6, ReasoningTokens = 2, TotalTokens = 16 }));
            Assert.False(BatchCost.Agree(a, new TokenUsage { InputTokens = 10, CachedTokens = 3, OutputTokens = 6, ReasoningTokens = 2, TotalTokens = 16 }));
            Assert.False(BatchCost.Agree(a, new TokenUsage { InputTokens = 10, CachedTokens = 4, OutputTokens = 6, ReasoningTokens = 1, TotalTokens = 16 }));
            Assert.False(BatchCost.Agree(a, new TokenUsage { InputTokens = 11, CachedTokens = 4, OutputTokens = 6, ReasoningTokens = 2, TotalTokens = 17 }));
            Assert.False(BatchCost.Agree(a, new TokenUsage { InputTokens = 10, CachedTokens = 4, OutputTokens = 7, ReasoningTokens = 2, TotalTokens = 17 }));
        }
    }
}
