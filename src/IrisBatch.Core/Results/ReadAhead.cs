using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace IrisBatch.Results
{
    /// <summary>
    /// Runs an enumeration on a worker thread a bounded number of items ahead of its consumer, so that reading and
    /// parsing (the worker) overlap with what the consumer does with each item (a cmdlet writing to its pipeline).
    /// Items come in the source's order; an exception from the source is rethrown to the consumer at the point it
    /// happened; stopping early (disposing the enumerator) stops the worker and waits for it, so the source is
    /// disposed before the consumer goes on. At most about twice <c>capacity</c> items are held at a time (the queue and
    /// the group the consumer took from it), so memory stays flat however long the source is.
    /// </summary>
    public static class ReadAhead
    {
        private const int Group = 32;

        public static IEnumerable<T> Of<T>(IEnumerable<T> source, int capacity)
        {
            var queue = new Queue<T>(capacity);
            var gate = new object();
            bool finished = false, stop = false;
            ExceptionDispatchInfo? error = null;
            // Compiled optimized at once (Hot.Path): its loop runs for the whole read, and would otherwise be compiled a second
            // time while it runs (on-stack replacement) in a fresh session.
            var worker = new Thread([MethodImpl(Hot.Path)] () =>
            {
                // Items are handed over in small groups: one lock round trip per group, not per item.
                var group = new List<T>(Group);
                try
                {
                    foreach (var item in source)
                    {
                        group.Add(item);
                        if (group.Count < Group) continue;
                        if (!HandOver()) return;
                    }
                    HandOver();
                }
                catch (Exception ex)
                {
                    // What came before the failure is delivered first, then the failure.
                    if (HandOver()) lock (gate) error = ExceptionDispatchInfo.Capture(ex);
                }
                finally
                {
                    lock (gate)
                    {
                        finished = true;
                        Monitor.PulseAll(gate);
                    }
                }

                bool HandOver()
                {
                    lock (gate)
                    {
                        while (queue.Count >= capacity && !stop) Monitor.Wait(gate);
                        if (stop) return false;
                        bool wasEmpty = queue.Count == 0;
                        foreach (var item in group) queue.Enqueue(item);
                        if (wasEmpty) Monitor.PulseAll(gate);
                    }
                    group.Clear();
                    return true;
                }
            })
            { IsBackground = true, Name = "IrisBatch read-ahead" };
            worker.Start();
            try
            {
                var batch = new List<T>(capacity);
                while (true)
                {
                    batch.Clear();
                    lock (gate)
                    {
                        while (queue.Count == 0 && !finished) Monitor.Wait(gate);
                        // Take everything queued at once: one lock round trip per batch of items, not per item.
                        while (queue.Count > 0) batch.Add(queue.Dequeue());
                        Monitor.PulseAll(gate);
                        if (batch.Count == 0)
                        {
                            error?.Throw();
                            yield break;
                        }
                    }
                    foreach (var item in batch) yield return item;
                }
            }
            finally
            {
                lock (gate)
                {
                    stop = true;
                    queue.Clear();
                    Monitor.PulseAll(gate);
                }
                worker.Join();
            }
        }
    }
}
