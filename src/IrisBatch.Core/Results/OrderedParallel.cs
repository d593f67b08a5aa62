using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace IrisBatch.Results
{
    /// <summary>Makes the items of one worker thread (with what it needs of its own, such as file handles).</summary>
    internal interface IItemMaker<T> : IDisposable
    {
        T Make(int i);
    }

    /// <summary>
    /// Makes items 0 to count-1 on worker threads, in chunks (chunk k to the next free worker), and yields them in their
    /// order: reading results in input order is one random read and one parse per result, independent of each other,
    /// which two cores do in about half the time. At most <c>ahead</c> chunks are made before the consumer takes them,
    /// so memory stays flat however many items there are. An exception making item i is thrown to the consumer after
    /// the items before i; stopping early (disposing the enumerator) stops the workers and waits for them.
    /// </summary>
    internal static class OrderedParallel
    {
        public static IEnumerable<T> Of<T>(int count, Func<IItemMaker<T>> newMaker, int workers, int chunk = 128, int ahead = 8)
        {
            if (count <= 0) yield break;
            int chunks = (count + chunk - 1) / chunk;
            if (workers <= 1 || chunks <= 1)
            {
                using var maker = newMaker();
                for (int i = 0; i < count; i++) yield return maker.Make(i);
                yield break;
            }

            var slots = new List<T>?[chunks];
            var gate = new object();
            int next = -1;          // the last chunk handed to a worker
            int consumed = 0;       // chunks the consumer has taken
            bool stop = false;
            int failedChunk = int.MaxValue;
            ExceptionDispatchInfo? error = null;
            var threads = new Thread[Math.Min(workers, chunks)];
            for (int w = 0; w < threads.Length; w++)
            {
                // Compiled optimized at once (Hot.Path), as ReadAhead's worker.
                threads[w] = new Thread([MethodImpl(Hot.Path)] () =>
                {
                    IItemMaker<T>? maker = null;
                    int k = -1;
                    var made = new List<T>(chunk);
                    try
                    {
                        maker = newMaker();
                        while (true)
                        {
                            k = Interlocked.Increment(ref next);
                            if (k >= chunks) return;
                            lock (gate)
                            {
                                while (k >= consumed + ahead && !stop) Monitor.Wait(gate);
                                if (stop || k > failedChunk) return;
                            }
                            made = new List<T>(chunk);
                            int end = Math.Min(count, (k + 1) * chunk);
                            for (int i = k * chunk; i < end; i++) made.Add(maker.Make(i));
                            lock (gate)
                            {
                                slots[k] = made;
                                Monitor.PulseAll(gate);
                            }
                        }
                    }
                    catch (Exception ex)
                    {
                        // The items made before the failure are delivered, then the failure (the first in item order).
                        lock (gate)
                        {
                            if (k >= 0 && k < failedChunk)
                            {
                                failedChunk = k;
                                slots[k] = made;
                                error = ExceptionDispatchInfo.Capture(ex);
                            }
                            else if (k < 0 && error == null)
                            {
                                failedChunk = 0;
                                slots[0] = new List<T>();
                                error = ExceptionDispatchInfo.Capture(ex);
                            }
                            Monitor.PulseAll(gate);
                        }
                    }
                    finally
                    {
                        maker?.Dispose();
                    }
                })
                { IsBackground = true, Name = "IrisBatch ordered reader" };
                threads[w].Start();
            }
            try
            {
                for (int k = 0; k < chunks; k++)
                {
                    List<T> items;
                    lock (gate)
                    {
                        while (slots[k] == null) Monitor.Wait(gate);
                        items = slots[k]!;
                        slots[k] = null;
                        consumed = k + 1;
                        Monitor.PulseAll(gate);
                    }
                    foreach (var item in items) yield return item;
                    if (k == failedChunk) error!.Throw();
                }
            }
            finally
            {
                lock (gate)
                {
                    stop = true;
                    Monitor.PulseAll(gate);
                }
                foreach (var t in threads) t.Join();
            }
        }
    }
}
