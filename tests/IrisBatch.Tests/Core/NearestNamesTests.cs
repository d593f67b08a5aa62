using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Issue 16 item 5: "did you mean" for a missing template placeholder offers the nearest columns, not one.</summary>
    public class NearestNamesTests
    {
        [Fact]
        public void Up_to_the_maximum_nearest_first_and_a_tie_offers_both()
        {
            // size is 3 edits from title, name and price 4 each: a tie, so both come after it (by name).
            Assert.Equal(new[] { "size", "name", "price" }, NearestNames.Find("title", new[] { "price", "name", "size", "colour" }, 3));
            Assert.Equal(new[] { "name", "price" }, NearestNames.Find("title", new[] { "price", "name" }, 3));
            Assert.Single(NearestNames.Find("title", new[] { "price", "name" }, 1));
        }

        [Fact]
        public void With_preferShared_a_name_that_holds_the_placeholder_or_starts_like_it_comes_first()
        {
            var columns = new[] { "name", "size", "Book_Title", "tile", "colour" };
            Assert.Equal(new[] { "tile", "size", "name" }, NearestNames.Find("title", columns, 3));
            Assert.Equal(new[] { "Book_Title", "tile", "size" }, NearestNames.Find("title", columns, 3, preferShared: true));
            // Same first 3 letters: "description" for {desk}, before the nearer "disk".
            Assert.Equal(new[] { "description", "disk" }, NearestNames.Find("desk", new[] { "disk", "description" }, 3, preferShared: true));
        }

        [Theory]
        [InlineData("title", "book_title", true)]
        [InlineData("product_name", "name", true)]
        [InlineData("id", "user_id", true)]
        [InlineData("desk", "description", true)]
        [InlineData("title", "tile", false)]
        [InlineData("title", "size", false)]
        [InlineData("a", "abc", false)]
        public void Shares_means_held_whole_or_the_same_first_three_letters(string a, string b, bool shares) =>
            Assert.Equal(shares, NearestNames.Shares(a, b));
    }
}
