using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using IrisBatch.Results;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Reading ahead on a worker thread must not change what the consumer sees: order, errors, early stops.</summary>
    public class ReadAheadTests
    {
        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(31)]
        [InlineData(33)]
        [InlineData(10_000)]
        public void Items_arrive_in_order_and_all_of_them(int count)
        {
            Assert.Equal(Enumerable.Range(0, count), ReadAhead.Of(Enumerable.Range(0, count), 16).ToList());
        }

        private static IEnumerable<int> FailsAfter(int count)
        {
            for (int i = 0; i < count; i++) yield return i;
            throw new InvalidOperationException("source failed");
        }

        [Theory]
        [InlineData(0)]
        [InlineData(5)]
        [InlineData(100)]
        public void A_failure_comes_after_every_item_before_it(int count)
        {
            var seen = new List<int>();
            var ex = Assert.Throws<InvalidOperationException>(() => { foreach (var i in ReadAhead.Of(FailsAfter(count), 8)) seen.Add(i); });
            Assert.Equal("source failed", ex.Message);
            Assert.Equal(Enumerable.Range(0, count), seen);
        }

        [Fact]
        public void Stopping_early_stops_the_worker_and_disposes_the_source()
        {
            var disposed = new ManualResetEventSlim();
            int produced = 0;
            IEnumerable<int> Endless()
            {
                try
                {
                    for (int i = 0; ; i++)
                    {
                        Interlocked.Increment(ref produced);
                        yield return i;
                    }
                }
                finally { disposed.Set(); }
            }

            Assert.Equal(new[] { 0, 1, 2 }, ReadAhead.Of(Endless(), 64).Take(3).ToArray());
            // The source is disposed before the enumeration returns, having run ahead by a bounded number of items:
            // the consumer's batch and the queue (each at most the capacity and a group) and the group being filled.
            Assert.True(disposed.IsSet);
            int after = Volatile.Read(ref produced);
            Assert.InRange(after, 3, 2 * (64 + 32) + 32 + 1);
            // The source's finally has run (disposed is set), so nothing can be produced after it: no wait needed to see it.
            Assert.Equal(after, Volatile.Read(ref produced));
        }

        [Fact]
        public void An_exception_in_the_consumer_stops_the_worker_too()
        {
            var disposed = new ManualResetEventSlim();
            IEnumerable<int> Source()
            {
                try { for (int i = 0; i < 1_000_000; i++) yield return i; }
                finally { disposed.Set(); }
            }

            Assert.Throws<ApplicationException>(() =>
            {
                foreach (var i in ReadAhead.Of(Source(), 32))
                    if (i == 10) throw new ApplicationException("consumer failed");
            });
            Assert.True(disposed.IsSet);
        }
    }
}
