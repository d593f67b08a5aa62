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
            // A type's static set-up is named where the type has one, and missing where it has none.
            Assert.Empty(Warmup.Missing((typeof(Initialized), new[] { Warmup.TypeInitializer })));
            Assert.Equal(new[] { typeof(NoStatics).FullName + "." + Warmup.TypeInitializer }, Warmup.Missing((typeof(NoStatics), new[] { Warmup.TypeInitializer })));
        }

        [Fact]
        public void A_type_initializer_named_is_run_on_the_warm_up_thread()
        {
            // Nothing else in this process touches Initialized: its static constructor runs only if the warm-up runs it.
            Assert.True(Warmup.Start("test-cctor-" + System.Guid.NewGuid().ToString("n"), () => new[] { (typeof(Initialized), new[] { Warmup.TypeInitializer }) }));
            Assert.True(Signal.Ran.Wait(System.TimeSpan.FromSeconds(60)), "the static constructor did not run");
            Assert.NotEqual(System.Environment.CurrentManagedThreadId, Signal.Thread);
        }

        private static class Signal
        {
            public static readonly System.Threading.ManualResetEventSlim Ran = new System.Threading.ManualResetEventSlim(false);
            public static int Thread;
        }

        private sealed class NoStatics
        {
        }

        private sealed class Initialized
        {
            static Initialized()
            {
                Signal.Thread = System.Environment.CurrentManagedThreadId;
                Signal.Ran.Set();
            }
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
