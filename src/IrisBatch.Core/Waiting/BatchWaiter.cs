using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace IrisBatch.Waiting
{
    public enum WaitEventKind
    {
        /// <summary>A batch was polled and is still running.</summary>
        Polled,
        /// <summary>A batch reached a terminal state.</summary>
        Completed,
        /// <summary>A poll failed for a reason that may pass (network, 5xx): the wait goes on.</summary>
        PollFailed,
        /// <summary>A poll failed for good (unknown id, bad key): the wait stops for this batch.</summary>
        Abandoned,
        /// <summary>The time budget ran out; <see cref="WaitEvent.Running"/> lists the batches still running.</summary>
        TimedOut,
    }

    public sealed class WaitEvent
    {
        public WaitEventKind Kind { get; set; }
        public IrisBatchInfo? Batch { get; set; }
        public Exception? Error { get; set; }
        public IReadOnlyList<IrisBatchInfo> Running { get; set; } = new IrisBatchInfo[0];
    }

    /// <summary>
    /// Polls batches until each is terminal or the budget runs out (iris's BatchWaiter: poll interval, max wait,
    /// each poll bounded by the remaining budget) and, unlike it, rides out failed polls. A synchronous sequence
    /// of events, so the caller (a cmdlet on its pipeline thread) writes progress and output as they happen.
    /// Cancellation stops the wait at once and never touches the remote batch.
    /// </summary>
    public sealed class BatchWaiter
    {
        private readonly Func<IrisBatchInfo, CancellationToken, Task<IrisBatchInfo>> _poll;

        public BatchWaiter(Func<IrisBatchInfo, CancellationToken, Task<IrisBatchInfo>> poll)
        {
            _poll = poll;
        }

        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(24);
        /// <summary>Which states end the wait; by default the terminal ones.</summary>
        public Func<IrisBatchInfo, bool> IsDone { get; set; } = b => b.IsComplete;

        public IEnumerable<WaitEvent> Wait(IEnumerable<IrisBatchInfo> batches, CancellationToken ct)
        {
            var running = new List<IrisBatchInfo>(batches);
            var clock = Stopwatch.StartNew();
            while (running.Count > 0)
            {
                for (int i = 0; i < running.Count; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    var remaining = Timeout - clock.Elapsed;
                    if (remaining <= TimeSpan.Zero) break;
                    var outcome = PollOne(running[i], remaining, ct);
                    if (outcome.Batch != null) running[i] = outcome.Batch;
                    if (outcome.Kind == WaitEventKind.Completed || outcome.Kind == WaitEventKind.Abandoned)
                    {
                        running.RemoveAt(i);
                        i--;
                    }
                    yield return outcome;
                }
                if (running.Count == 0) yield break;
                var left = Timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    yield return new WaitEvent { Kind = WaitEventKind.TimedOut, Running = running.ToArray() };
                    yield break;
                }
                var sleep = left < PollInterval ? left : PollInterval;
                if (ct.WaitHandle.WaitOne(sleep)) ct.ThrowIfCancellationRequested();
            }
        }

        private WaitEvent PollOne(IrisBatchInfo batch, TimeSpan remaining, CancellationToken ct)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(remaining);
            try
            {
                var fresh = _poll(batch, bounded.Token).GetAwaiter().GetResult();
                return new WaitEvent { Kind = IsDone(fresh) ? WaitEventKind.Completed : WaitEventKind.Polled, Batch = fresh };
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex)
            {
                return new WaitEvent { Kind = WaitEventKind.PollFailed, Batch = batch, Error = ex };
            }
            catch (IrisBatchException ex) when (IsPermanent(ex))
            {
                return new WaitEvent { Kind = WaitEventKind.Abandoned, Batch = batch, Error = ex };
            }
            catch (Exception ex)
            {
                return new WaitEvent { Kind = WaitEventKind.PollFailed, Batch = batch, Error = ex };
            }
        }

        private static bool IsPermanent(IrisBatchException ex) =>
            ex.Kind == FailureKind.NotFound || ex.Kind == FailureKind.Unauthorized || ex.Kind == FailureKind.PermissionDenied ||
            ex.Kind == FailureKind.InvalidArgument || ex.Kind == FailureKind.QuotaExceeded;
    }
}
