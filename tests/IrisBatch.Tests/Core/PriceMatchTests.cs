using IrisBatch.Data;
using IrisBatch.Estimates;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Issue 16 item 4: a price belongs to an exact name or its dated snapshots, never to a prefix.</summary>
    public class PriceMatchTests
    {
        private static readonly PriceTable Table = PriceTable.Parse(
            @"{""taken"":""2025-08-01"",""models"":{""gpt-4o"":{""input"":1,""output"":4},""gpt-4o-mini"":{""input"":0.1,""output"":0.4},""claude-sonnet-4"":{""input"":2,""output"":8}}}", "test");

        [Theory]
        [InlineData("gpt-4o", "gpt-4o")]
        [InlineData("GPT-4o-Mini", "gpt-4o-mini")]
        [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
        [InlineData("claude-sonnet-4-20250514", "claude-sonnet-4")]
        public void Exact_names_and_dated_snapshots_are_priced(string model, string pricedAs) =>
            Assert.Equal(pricedAs, Table.Find(model)!.Model);

        [Theory]
        [InlineData("gpt-4o-mni")]
        [InlineData("gpt-4o-batch")]
        [InlineData("gpt-4")]
        [InlineData("gpt-4o-mini-2024")]
        public void Misspelt_or_longer_names_have_no_price(string model) => Assert.Null(Table.Find(model));

        [Fact]
        public void Known_names_and_nearest_suggestions_come_from_models_json()
        {
            Assert.True(ModelNames.IsKnown("OpenAI", "gpt-4o-mini"));
            Assert.True(ModelNames.IsKnown("OpenAI", "gpt-4o-mini-2024-07-18"));
            Assert.True(ModelNames.IsKnown("Anthropic", "claude-sonnet-4-5-20250929"));
            Assert.False(ModelNames.IsKnown("OpenAI", "gpt-4o-mni"));
            Assert.Equal("gpt-4o-mini", ModelNames.Nearest("OpenAI", "gpt-4o-mni")[0]);
        }

        /// <summary>
        /// Anthropic's current models have undated ids (spec §11.4's claude-sonnet-4-5; Submit-IrisBatch's page), and a new
        /// user's claude-haiku-4-5 must not be warned of as a misspelling, nor left without a price, nor have its own
        /// dated snapshot (claude-haiku-4-5-20251001) "corrected" to another model.
        /// </summary>
        [Theory]
        [InlineData("claude-opus-4-8")]
        [InlineData("claude-opus-4-7")]
        [InlineData("claude-opus-4-6")]
        [InlineData("claude-sonnet-4-6")]
        [InlineData("claude-opus-4-5")]
        [InlineData("claude-sonnet-4-5")]
        [InlineData("claude-haiku-4-5")]
        [InlineData("claude-haiku-4-5-20251001")]
        public void Anthropic_current_models_are_known_priced_and_think(string model)
        {
            Assert.True(ModelNames.IsKnown("Anthropic", model));
            Assert.NotNull(PriceTable.Load(null).Find(model));
            Assert.Equal("thinking", ModelNames.Find("Anthropic", model)!.Family);
        }
    }
}
