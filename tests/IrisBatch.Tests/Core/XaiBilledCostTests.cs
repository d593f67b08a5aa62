using IrisBatch.Estimates;
using IrisBatch.Providers.Xai;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// xAI's usage carries cost_in_usd_ticks, "the actual amount billed, after all applicable discounts" (spec §11.6;
    /// 1 USD = 10^10 ticks): a result's Cost is that, not its tokens at the price table's prices.
    /// </summary>
    public class XaiBilledCostTests
    {
        private static string Line(string usageExtra) =>
            "{\"batch_request_id\":\"r1\",\"batch_result\":{\"response\":{\"chat_get_completion\":{\"model\":\"grok-4\"," +
            "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]," +
            "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":200,\"total_tokens\":1500," +
            "\"completion_tokens_details\":{\"reasoning_tokens\":300}" + usageExtra + "}}}}}";

        [Fact]
        public void Cost_is_what_xai_says_it_billed()
        {
            var result = XaiJson.ParseResult(Line(",\"cost_in_usd_ticks\":12345678"), 1);
            Assert.Equal(ResultStatus.Succeeded, result.Status);
            Assert.Equal(0.0012345678m, CostCalculator.Default().CostOf(result, "grok-4", "Xai"));
            Assert.Equal(500, result.Usage!.OutputTokens);   // reasoning added to the visible answer's tokens, as before
        }

        [Fact]
        public void Without_ticks_the_price_table_prices_it_and_an_unpriced_model_is_still_costed_by_its_ticks()
        {
            var costs = CostCalculator.Default();
            var plain = XaiJson.ParseResult(Line(""), 1);
            var price = costs.PriceOf("grok-4")!;
            Assert.Equal(CostCalculator.Of(plain.Usage!, price), costs.CostOf(plain, "grok-4", "Xai"));

            var billed = XaiJson.ParseResult(Line(",\"cost_in_usd_ticks\":20000000000"), 1);
            Assert.Equal(2m, costs.CostOf(billed, "grok-not-in-the-table", "Xai"));
        }

        [Fact]
        public void A_failed_row_still_costs_nothing()
        {
            var result = XaiJson.ParseResult(Line(",\"cost_in_usd_ticks\":12345678"), 1);
            result.Status = ResultStatus.Failed;
            Assert.Equal(0m, CostCalculator.Default().CostOf(result, "grok-4", "Xai"));
        }
    }
}
