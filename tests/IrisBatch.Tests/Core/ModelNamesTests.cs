using IrisBatch.Data;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// ModelNames.WithoutDate: a dated snapshot's name without its date. It keeps its last answer (a submission asks once
    /// per request, nearly always for the same model), so the answers must not depend on what was asked before.
    /// </summary>
    public class ModelNamesTests
    {
        [Theory]
        [InlineData("o4-mini-2025-04-16", "o4-mini")]
        [InlineData("claude-sonnet-4-20250514", "claude-sonnet-4")]
        [InlineData("gpt-4o-mini", null)]
        [InlineData("2025-04-16", null)]
        [InlineData("-2025-04-16", null)]
        [InlineData("a-2025-04-16-2025-05-01", "a-2025-04-16")]
        [InlineData("", null)]
        public void WithoutDate_strips_a_final_date_suffix(string model, string? expected) =>
            Assert.Equal(expected, ModelNames.WithoutDate(model));

        [Fact]
        public void WithoutDate_answers_each_name_for_itself_whatever_was_asked_before()
        {
            // Asked in turn, and each twice in a row: a kept answer must only ever serve the very same name.
            string[] names = { "o4-mini-2025-04-16", "o4-mini-2025-04-16", "gpt-4o", "gpt-4o", "O4-MINI-2025-04-16", "gpt-4o-2024-08-06", "o4-mini-2025-04-16" };
            string?[] expected = { "o4-mini", "o4-mini", null, null, "O4-MINI", "gpt-4o", "o4-mini" };
            for (int i = 0; i < names.Length; i++) Assert.Equal(expected[i], ModelNames.WithoutDate(names[i]));
        }
    }
}
