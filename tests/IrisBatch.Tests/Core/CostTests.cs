using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using IrisBatch.Data;
using IrisBatch.Estimates;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Providers.Gemini;
using IrisBatch.Providers.OpenAI;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Issue 18: prices.json covers the catalogue, with a date and a source per price; Cost = usage x price.</summary>
    public class CostTests
    {
        [Fact]
        public void Prices_hold_every_model_of_the_catalogue_with_a_date_and_a_source()
        {
            // The shipped file as written: each catalogue model is a key of its own (no snapshot or case matching, no
            // exceptions: Ollama's are there at 0), and each entry states its own date and source (no table-wide fallback).
            using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("IrisBatch.Estimates.prices.json")!;
            using var doc = JsonDocument.Parse(stream);
            var entries = doc.RootElement.GetProperty("models").EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
            var missing = ModelCatalog.All()
                .Where(m => !entries.ContainsKey(m.Model))
                .Select(m => m.Provider + "/" + m.Model).ToList();
            Assert.True(missing.Count == 0, "prices.json has no key for: " + string.Join(", ", missing));
            foreach (var (name, entry) in entries)
            {
                Assert.True(entry.TryGetProperty("taken", out var taken) && taken.ValueKind == JsonValueKind.String, name + " has no date");
                Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", taken.GetString());
                Assert.True(DateTime.TryParseExact(taken.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), name + ": " + taken.GetString());
                Assert.True(entry.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String
                    && !string.IsNullOrWhiteSpace(source.GetString()), name + " has no source");
            }
            foreach (var p in PriceTable.Load().All)
                Assert.True(p.Input >= 0 && p.Output >= 0 && p.CachedInput >= 0 && p.Reasoning >= 0, p.Model);
            // A dated snapshot's own entry says what the model it snapshots says.
            var table = PriceTable.Load();
            foreach (var (provider, model) in ModelCatalog.All())
            {
                var undated = ModelNames.WithoutDate(model.ToLowerInvariant());
                var own = table.Find(model)!;
                var of = undated == null ? null : table.Find(undated);
                if (of != null)
                    Assert.True(own.Input == of.Input && own.CachedInput == of.CachedInput && own.Output == of.Output && own.Reasoning == of.Reasoning
                        && own.CacheWrite == of.CacheWrite && own.CacheWrite1h == of.CacheWrite1h,
                        provider + "/" + model + " is priced unlike " + undated);
            }
        }

        [Fact]
        public void Every_priced_model_is_in_the_catalogue_or_names_its_snapshots_or_is_retired()
        {
            // The reverse of the test above: a price for a model models.json does not list is a model -Model does not
            // complete, that the misspelling warning calls unknown, whose family (thinking, reasoning) nobody knows. A
            // key may instead be the undated name of a dated snapshot the catalogue lists (claude-sonnet-4 prices
            // claude-sonnet-4-20250514 and its later snapshots; Anthropic has no model id claude-sonnet-4), or a model
            // its provider retired, saying when ("retired"), kept to price results of batches run before.
            using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("IrisBatch.Estimates.prices.json")!;
            using var doc = JsonDocument.Parse(stream);
            var listed = ModelCatalog.All().Select(m => m.Model).ToList();
            var snapshotsOf = listed.Select(m => ModelNames.WithoutDate(m)).Where(m => m != null).ToList();
            var unlisted = new System.Collections.Generic.List<string>();
            foreach (var entry in doc.RootElement.GetProperty("models").EnumerateObject())
            {
                bool inCatalogue = listed.Contains(entry.Name, StringComparer.Ordinal);
                bool retired = entry.Value.TryGetProperty("retired", out var r);
                if (retired)
                {
                    Assert.False(inCatalogue, entry.Name + " is retired but models.json lists it");
                    Assert.True(DateTime.TryParseExact(r.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), entry.Name + ": retired " + r);
                }
                else if (!inCatalogue && !snapshotsOf.Contains(entry.Name, StringComparer.Ordinal)) unlisted.Add(entry.Name);
            }
            Assert.True(unlisted.Count == 0, "models.json does not list: " + string.Join(", ", unlisted));
        }

        [Theory]
        [InlineData("claude-opus-4-1", "2026-08-05")]
        [InlineData("claude-opus-4-1-20250805", "2026-08-05")]
        [InlineData("claude-sonnet-4-20250514", "2026-06-15")]
        [InlineData("claude-opus-4-20250514", "2026-06-15")]
        [InlineData("claude-3-haiku-20240307", "2026-06-15")]
        [InlineData("claude-3-7-sonnet-20250219", "2026-02-19")]
        [InlineData("claude-3-5-haiku-20241022", "2026-02-19")]
        public void Anthropic_models_retired_by_2026_12_are_no_longer_offered_but_still_price_old_results(string model, string retired)
        {
            // The official SDK's model list (anthropics/anthropic-sdk-typescript, Model and DEPRECATED_MODELS, 2026-12) no
            // longer has them; a batch run before their end of life is still priced.
            Assert.Null(ModelCatalog.Find("Anthropic", model));
            Assert.False(ModelNames.IsKnown("Anthropic", model));
            Assert.NotNull(PriceTable.Load().Find(model));
            using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("IrisBatch.Estimates.prices.json")!;
            using var doc = JsonDocument.Parse(stream);
            var models = doc.RootElement.GetProperty("models");
            var entry = models.TryGetProperty(model, out var e) ? e : models.GetProperty(ModelNames.WithoutDate(model)!);
            Assert.Equal(retired, entry.GetProperty("retired").GetString());
        }

        [Theory]
        [InlineData("OpenAI", "text-embedding-ada-002", null)]
        [InlineData("Anthropic", "claude-opus-4-8", "thinking")]
        [InlineData("Anthropic", "claude-opus-4-7", "thinking")]
        [InlineData("Anthropic", "claude-opus-4-6", "thinking")]
        [InlineData("Anthropic", "claude-sonnet-4-6", "thinking")]
        public void Models_priced_but_once_unlisted_are_listed_with_their_family(string provider, string model, string? family)
        {
            var info = ModelCatalog.Find(provider, model);
            Assert.NotNull(info);
            Assert.Equal(family, info!.Family);
            Assert.NotNull(PriceTable.Load().Find(model));
            Assert.True(ModelNames.IsKnown(provider, model));
        }

        [Fact]
        public void Cost_prices_each_kind_of_token_at_its_own_price()
        {
            var table = PriceTable.Parse(@"{""taken"":""2025-08-01"",""models"":{
                ""m-full"":{""input"":2,""cached_input"":0.5,""output"":8,""reasoning"":10,""taken"":""2025-08-01"",""source"":""test""},
                ""m-plain"":{""input"":2,""output"":8}}}", "test");
            var usage = new TokenUsage { InputTokens = 1000, CachedTokens = 400, OutputTokens = 300, ReasoningTokens = 100 };
            // (600 x 2 + 400 x 0.5 + 200 x 8 + 100 x 10) / 1e6
            Assert.Equal(0.0040m, CostCalculator.Of(usage, table.Find("m-full")!));
            // No cached or reasoning price: the input and output prices.
            Assert.Equal((1000 * 2m + 300 * 8m) / 1_000_000m, CostCalculator.Of(usage, table.Find("m-plain")!));
        }

        [Fact]
        public void Anthropic_models_price_cache_writes_above_input()
        {
            // Anthropic bills a 5-minute cache write at 1.25x the input price (Haiku 3 lists $0.30 for $0.25, a little
            // under) and a 1-hour one at 2x; the batch discount stacks. Each Anthropic model of the catalogue says so
            // itself rather than falling back to the input price.
            using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("IrisBatch.Estimates.prices.json")!;
            using var doc = JsonDocument.Parse(stream);
            var entries = doc.RootElement.GetProperty("models");
            var table = PriceTable.Load();
            foreach (var model in ModelCatalog.For("Anthropic"))
            {
                var entry = entries.GetProperty(model);
                Assert.True(entry.TryGetProperty("cache_write", out _) && entry.TryGetProperty("cache_write_1h", out _), model + " has no cache-write prices");
                var p = table.Find(model)!;
                Assert.True(p.CacheWrite > p.Input && p.CacheWrite <= p.Input * 1.25m, model + ": " + p.CacheWrite);
                Assert.Equal(p.Input * 2m, p.CacheWrite1h);
            }
        }

        [Fact]
        public void Cache_writes_are_priced_at_their_ttl_and_a_total_without_split_at_5_minutes()
        {
            var costs = new CostCalculator(PriceTable.Parse(@"{""models"":{""claude-m"":{""input"":2,""cached_input"":0.2,""cache_write"":2.5,""cache_write_1h"":4,""output"":10}}}", "test"));
            IrisBatchResult Line(string usage)
            {
                var r = AnthropicJson.ParseResult(@"{""custom_id"":""a"",""result"":{""type"":""succeeded"",""message"":{""content"":[{""type"":""text"",""text"":""hi""}],""usage"":" + usage + "}}}", 1);
                r.Cost = costs.CostOf(r, "claude-m", "Anthropic");
                return r;
            }
            // 100 written (30 for 5 minutes, 70 for 1 hour), 40 read, 10 plain; 7 out.
            var split = Line(@"{""input_tokens"":10,""cache_creation_input_tokens"":100,""cache_read_input_tokens"":40,""cache_creation"":{""ephemeral_5m_input_tokens"":30,""ephemeral_1h_input_tokens"":70},""output_tokens"":7}");
            Assert.Equal(150, split.Usage!.InputTokens);
            Assert.Equal(100, split.Usage.CacheWriteTokens);
            Assert.Equal(70, split.Usage.CacheWrite1hTokens);
            Assert.Equal((10 * 2m + 40 * 0.2m + 30 * 2.5m + 70 * 4m + 7 * 10m) / 1_000_000m, split.Cost);
            // The split alone (no cache_creation_input_tokens): the same.
            var splitOnly = Line(@"{""input_tokens"":10,""cache_read_input_tokens"":40,""cache_creation"":{""ephemeral_5m_input_tokens"":30,""ephemeral_1h_input_tokens"":70},""output_tokens"":7}");
            Assert.Equal(split.Cost, splitOnly.Cost);
            // Only the total: every write at the 5-minute price (the default TTL).
            var total = Line(@"{""input_tokens"":10,""cache_creation_input_tokens"":100,""cache_read_input_tokens"":40,""output_tokens"":7}");
            Assert.Equal(0, total.Usage!.CacheWrite1hTokens);
            Assert.Equal((10 * 2m + 40 * 0.2m + 100 * 2.5m + 7 * 10m) / 1_000_000m, total.Cost);
            // A null split counts as none.
            var nulls = Line(@"{""input_tokens"":10,""cache_creation_input_tokens"":100,""cache_read_input_tokens"":null,""cache_creation"":null,""output_tokens"":7}");
            Assert.Equal((10 * 2m + 100 * 2.5m + 7 * 10m) / 1_000_000m, nulls.Cost);
            // A table with no cache-write price: writes at the input price, as before.
            var plain = new CostCalculator(PriceTable.Parse(@"{""models"":{""claude-m"":{""input"":2,""output"":10}}}", "test"));
            Assert.Equal((150 * 2m + 7 * 10m) / 1_000_000m, plain.CostOf(split, "claude-m", "Anthropic"));
            // A 1-hour price alone is not needed: without one, 1-hour writes cost the 5-minute price.
            var fiveOnly = new CostCalculator(PriceTable.Parse(@"{""models"":{""claude-m"":{""input"":2,""cache_write"":2.5,""output"":10}}}", "test"));
            Assert.Equal((10 * 2m + 40 * 2m + 100 * 2.5m + 7 * 10m) / 1_000_000m, fiveOnly.CostOf(split, "claude-m", "Anthropic"));
        }

        [Fact]
        public void Failed_expired_and_cancelled_cost_nothing_and_an_unknown_model_is_named_once()
        {
            var costs = new CostCalculator(PriceTable.Parse(@"{""models"":{""m"":{""input"":1,""output"":1}}}", "test"));
            var usage = new TokenUsage { InputTokens = 10, OutputTokens = 10 };
            foreach (var status in new[] { ResultStatus.Failed, ResultStatus.Expired, ResultStatus.Cancelled })
                Assert.Equal(0m, costs.CostOf(new IrisBatchResult { Status = status, Usage = usage }, "m", "OpenAI"));
            var ok = new IrisBatchResult { Status = ResultStatus.Succeeded, Usage = usage };
            // A dated snapshot is priced as its name (issue 16: never by prefix).
            Assert.Equal(20m / 1_000_000m, costs.CostOf(ok, "m-2025-08-07", "OpenAI"));
            Assert.Null(costs.CostOf(ok, "other", "OpenAI"));
            Assert.Null(costs.CostOf(ok, "other", "OpenAI"));
            Assert.Equal(new[] { "'other'" }, costs.TakeNewUnpriced());
            Assert.Empty(costs.TakeNewUnpriced());
            Assert.Equal(0m, costs.CostOf(ok, "other", "Ollama"));
        }

        [Fact]
        public void A_model_with_no_price_is_priced_by_the_model_the_provider_reports()
        {
            // An Azure deployment name (spec §2: the JSONL model is the deployment) has no price; the result line's
            // response.body.model, a dated snapshot, does.
            var costs = new CostCalculator(PriceTable.Parse(@"{""models"":{""m"":{""input"":1,""output"":3},""n"":{""input"":5,""output"":5}}}", "test"));
            var usage = new TokenUsage { InputTokens = 10, OutputTokens = 20 };
            var ok = new IrisBatchResult { Status = ResultStatus.Succeeded, Usage = usage, ResponseModel = "m-2024-07-18" };
            Assert.Equal((10 * 1m + 20 * 3m) / 1_000_000m, costs.CostOf(ok, "my-deployment", "AzureOpenAI"));
            Assert.Empty(costs.TakeNewUnpriced());
            // The model the user named wins when it has a price.
            Assert.Equal((10 * 5m + 20 * 5m) / 1_000_000m, costs.CostOf(ok, "n", "AzureOpenAI"));
            // Neither known: null, and one warning naming the deployment and the reported model.
            var unknown = new IrisBatchResult { Status = ResultStatus.Succeeded, Usage = usage, ResponseModel = "house-7" };
            Assert.Null(costs.CostOf(unknown, "other-deployment", "AzureOpenAI"));
            Assert.Null(costs.CostOf(unknown, "other-deployment", "AzureOpenAI"));
            var named = Assert.Single(costs.TakeNewUnpriced());
            Assert.Contains("'other-deployment'", named);
            Assert.Contains("'house-7'", named);
            // No reported model: the model alone.
            Assert.Null(costs.CostOf(new IrisBatchResult { Status = ResultStatus.Succeeded, Usage = usage }, "plain", "OpenAI"));
            Assert.Equal(new[] { "'plain'" }, costs.TakeNewUnpriced());
            // A failed row still costs 0 whatever the models.
            Assert.Equal(0m, costs.CostOf(new IrisBatchResult { Status = ResultStatus.Failed, ResponseModel = "m" }, "x", "AzureOpenAI"));
        }

        [Fact]
        public void Usage_reads_cached_and_reasoning_tokens_per_provider()
        {
            const string openAI = @"{""id"":""batch_req_1"",""custom_id"":""r1"",""response"":{""status_code"":200,""request_id"":""req_1"",""body"":{""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""hi""},""finish_reason"":""stop""}],""usage"":{""prompt_tokens"":100,""completion_tokens"":50,""total_tokens"":150,""prompt_tokens_details"":{""cached_tokens"":40,""audio_tokens"":null},""completion_tokens_details"":{""reasoning_tokens"":30}}}},""error"":null}";
            var bytes = System.Text.Encoding.UTF8.GetBytes(openAI);
            foreach (var r in new[] { OpenAIResultParser.Parse(openAI, 1), OpenAIResultParser.TryParseFast(bytes, 0, bytes.Length)! })
            {
                Assert.Equal(100, r.Usage!.InputTokens);
                Assert.Equal(40, r.Usage.CachedTokens);
                Assert.Equal(50, r.Usage.OutputTokens);
                Assert.Equal(30, r.Usage.ReasoningTokens);
            }

            var anthropic = AnthropicJson.ParseResult(@"{""custom_id"":""a"",""result"":{""type"":""succeeded"",""message"":{""content"":[{""type"":""text"",""text"":""hi""}],""usage"":{""input_tokens"":10,""cache_creation_input_tokens"":5,""cache_read_input_tokens"":20,""output_tokens"":7,""output_tokens_details"":{""thinking_tokens"":3}}}}}", 1);
            Assert.Equal(35, anthropic.Usage!.InputTokens);
            Assert.Equal(20, anthropic.Usage.CachedTokens);
            Assert.Equal(7, anthropic.Usage.OutputTokens);
            Assert.Equal(3, anthropic.Usage.ReasoningTokens);

            var gemini = GeminiJson.ParseResult(@"{""key"":""g"",""response"":{""candidates"":[{""content"":{""parts"":[{""text"":""hi""}],""role"":""model""},""finishReason"":""STOP""}],""usageMetadata"":{""promptTokenCount"":12,""cachedContentTokenCount"":4,""candidatesTokenCount"":5,""thoughtsTokenCount"":6,""totalTokenCount"":23}}}", 1);
            Assert.Equal(12, gemini.Usage!.InputTokens);
            Assert.Equal(4, gemini.Usage.CachedTokens);
            Assert.Equal(11, gemini.Usage.OutputTokens);
            Assert.Equal(6, gemini.Usage.ReasoningTokens);
        }
    }
}
