using System;
using System.Linq;
using IrisBatch.Estimates;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Submit-IrisBatch -WhatIf's table (issue 16 item 8): its cost column.</summary>
    public class CostPreviewTests
    {
        private static PriceTable Prices() =>
            PriceTable.Parse("{\"taken\":\"2025-08-01\",\"currency\":\"USD\",\"models\":{\"m\":{\"input\":0.025,\"output\":0.04}}}", "test");

        private static string[] Render(params double?[] costs)
        {
            var preview = new CostPreview(Prices());
            foreach (var cost in costs)
                preview.Add(new CostPreview.Row { Provider = "Groq", Model = "llama-3.1-8b-instant", Requests = 5, Bytes = 1000, InputTokens = 77, OutputTokens = 25, Cost = cost });
            return preview.Render(new DateTime(2025, 8, 2)).ToArray();
        }

        [Fact]
        public void A_small_cost_keeps_its_significant_digits_in_the_batch_row_and_the_total_instead_of_0_0000()
        {
            // 5 Groq llama-3.1-8b-instant requests read 0.0000 in both rows, while -MaxCost's message said 0.000002925.
            var lines = Render(0.000002925);
            Assert.EndsWith(" 0.000002925", lines.Single(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal)));
            Assert.EndsWith(" 0.000002925", lines.Single(l => l.StartsWith("Total", StringComparison.Ordinal)));
            Assert.DoesNotContain(lines, l => l.Contains("0.0000 ") || l.EndsWith("0.0000", StringComparison.Ordinal));
        }

        [Fact]
        public void Ordinary_costs_read_as_before_and_every_row_of_the_table_ends_in_the_same_column()
        {
            Assert.Equal("0.0123", CostPreview.CostText(0.012345));
            Assert.Equal("12.5000", CostPreview.CostText(12.5));
            Assert.Equal("1,234.57", CostPreview.CostText(1234.567));
            Assert.Equal("0.0000", CostPreview.CostText(0));
            // Under 0.01, four decimals would keep one or two digits at most: the significant ones show, never fewer than four decimals.
            Assert.Equal("0.0050", CostPreview.CostText(0.005));
            Assert.Equal("0.0012345", CostPreview.CostText(0.0012345));
            Assert.Equal("0.0000001", CostPreview.CostText(0.0000001));

            var lines = Render(0.012345, 0.000002925, null);
            var table = lines.Skip(1).TakeWhile(l => l.Length > 0).ToArray();
            Assert.Equal(6, table.Length);   // header, rule, three batches, total
            Assert.All(table, l => Assert.Equal(table[0].Length, l.Length));
            Assert.EndsWith(" 0.0123", table[2]);
            Assert.EndsWith(" 0.000002925", table[3]);
            Assert.EndsWith(" unknown", table[4]);
            Assert.EndsWith(" 0.0123 + unknown", table[5]);
        }
    }
}
