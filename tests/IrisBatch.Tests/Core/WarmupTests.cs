using System.Linq;
using IrisBatch.Jsonl;
using IrisBatch.Results;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// The warm-up compiles per-row methods by name before the reading threads need them: a method renamed without its
    /// name here would silently go back to being compiled on the reading thread, before the first result.
    /// </summary>
    public class WarmupTests
    {
        [Fact]
        public void Every_name_the_result_readers_warm_up_is_a_method()
        {
            Assert.Empty(Warmup.Missing(ResultReader.WarmupMethods(readRequests: true)));
            Assert.Empty(Warmup.Missing(ResultReader.WarmupMethods(readRequests: false)));
            Assert.Empty(Warmup.Missing(ResultReader.ProviderWarmupMethods));
            // The check itself: a name that is no method is named, with its type.
            Assert.Equal(new[] { "IrisBatch.Jsonl.JsonLineReader.NoSuchMethod" }, Warmup.Missing((typeof(JsonLineReader), new[] { "Read", "NoSuchMethod" })));
        }

        [Fact]
        public void A_set_is_warmed_up_once_per_session_and_its_overloads_all()
        {
            var key = "test-" + System.Guid.NewGuid().ToString("n");
            (System.Type, string[])[] List() => new[] { (typeof(JsonLineReader), new[] { "ValueTextEquals" }) };
            Assert.True(Warmup.Start(key, List));
            Assert.False(Warmup.Start(key, List));
            // ValueTextEquals has two overloads (string, byte[]): both are compiled.
            Assert.Equal(2, Warmup.Find(typeof(JsonLineReader), new[] { "ValueTextEquals" }).Count);
        }
    }
}
