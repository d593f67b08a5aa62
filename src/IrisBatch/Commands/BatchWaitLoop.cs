using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IrisBatch.Providers;
using IrisBatch.Lifecycle;
using IrisBatch.Waiting;

namespace IrisBatch.Commands
{
    /// <summary>The waiting shared by Wait-IrisBatch, Get-IrisBatchResult -Wait and Stop-IrisBatch -Wait: progress, errors, timeout.</summary>
    internal sealed class BatchWaitLoop
    {
        private readonly BatchCommandBase _cmdlet;
        private readonly double _interval;
        private readonly double _timeout;

        public BatchWaitLoop(BatchCommandBase cmdlet, double intervalSeconds, double timeoutSeconds)
        {
            _cmdlet = cmdlet;
            _interval = intervalSeconds;
            _timeout = timeoutSeconds;
        }

        /// <summary>Yields each batch when done; on timeout writes IrisBatch.WaitTimeout and yields the last known state of the rest.</summary>
        public IEnumerable<IrisBatchInfo> Run(IReadOnlyList<BatchTarget> targets, Func<IrisBatchInfo, bool> isDone)
        {
            var byId = targets.ToDictionary(t => t.Batch.Id, StringComparer.Ordinal);
            var state = targets.ToDictionary(t => t.Batch.Id, t => t.Batch, StringComparer.Ordinal);
            var waiter = new BatchWaiter((b, ct) => BatchLocator.GetAsync(byId[b.Id].Provider, b.Id, byId[b.Id].Entry, ct))
            {
                // The mock advances per poll (or per step of time): sleeping longer than that only slows users' tests.
                // A batch this process runs itself (Ollama) has its status on disk: looking every half second costs nothing.
                PollInterval = targets.All(t => (t.Provider.Capabilities & ProviderCapabilities.InProcess) != 0)
                    ? Providers.Mock.MockLifecycle.Pace(TimeSpan.FromSeconds(_interval))
                    : targets.Any(t => t.Provider.Executor != null) ? TimeSpan.FromSeconds(Math.Min(_interval, 0.5))
                    : TimeSpan.FromSeconds(_interval),
                Timeout = TimeSpan.FromSeconds(_timeout),
                IsDone = isDone,
            };
            // Batches IrisBatch runs itself (no batch API at the provider) run while this process waits on them.
            var executing = targets.Select(t => t.Provider.Executor).OfType<IExecutingProvider>().Distinct().ToList();
            foreach (var t in targets)
                if (t.Provider.Executor is { } runner && !t.Batch.IsComplete) runner.Execute(t.Batch, _cmdlet.CancellationToken);
            var parent = new ProgressRecord(10, "Wait-IrisBatch", Messages.ProgressWaitingFor(targets.Count));
            var children = new Dictionary<string, ProgressRecord>(StringComparer.Ordinal);
            int childId = 11;
            var output = new List<IrisBatchInfo>();
            try
            {
                using var events = waiter.Wait(targets.Select(t => t.Batch).ToList(), _cmdlet.CancellationToken).GetEnumerator();
                while (true)
                {
                    WaitEvent ev;
                    try
                    {
                        if (!events.MoveNext()) break;
                        ev = events.Current;
                    }
                    catch (OperationCanceledException)
                    {
                        throw new PipelineStoppedException();
                    }
                    _cmdlet.Flush();
                    if (ev.Batch != null && ev.Kind != WaitEventKind.PollFailed && ev.Kind != WaitEventKind.Abandoned)
                    {
                        var t = byId[ev.Batch.Id];
                        t.Batch = BatchCommandBase.Carry(BatchLocator.Fresh(ev.Batch, t.Entry), t.Batch);
                        state[t.Batch.Id] = t.Batch;
                        _cmdlet.Remember(t);
                    }
                    switch (ev.Kind)
                    {
                        case WaitEventKind.PollFailed:
                            _cmdlet.Verbose(Messages.PollFailed(ev.Batch!.Id, ev.Error?.Message));
                            break;
                        case WaitEventKind.Abandoned:
                            _cmdlet.Error(ev.Error!, ev.Batch!.Id);
                            break;
                        case WaitEventKind.Completed:
                            yield return state[ev.Batch!.Id];
                            break;
                        case WaitEventKind.TimedOut:
                            var ids = string.Join(", ", ev.Running.Select(b => Messages.BatchAndStatus(b.Id, state[b.Id].Status)));
                            _cmdlet.Error(new IrisBatchException(ErrorIds.WaitTimeout, FailureKind.Timeout,
                                Messages.WaitTimeout(_timeout, ev.Running.Count, ids))
                                { Target = ev.Running.Count == 1 ? (object)ev.Running[0].Id : ev.Running.Select(b => b.Id).ToArray() }, null);
                            foreach (var b in ev.Running) yield return state[b.Id];
                            break;
                    }
                    if (ev.Batch != null) ShowProgress(parent, children, ref childId, state, targets.Count);
                }
            }
            finally
            {
                foreach (var runner in executing) runner.StopAsync().GetAwaiter().GetResult();
                foreach (var child in children.Values)
                {
                    child.RecordType = ProgressRecordType.Completed;
                    _cmdlet.Progress(child);
                }
                parent.RecordType = ProgressRecordType.Completed;
                _cmdlet.Progress(parent);
            }
        }

        /// <summary>
        /// The overall bar and the child bars add up (issue 16): the parent's requests are the sum of the children's, its
        /// percentage is theirs weighted by size, and a finished batch counts as done (100 %) even when some of its
        /// requests were cancelled or expired. Children are written first, so the parent never runs ahead of them.
        /// </summary>
        private void ShowProgress(ProgressRecord parent, Dictionary<string, ProgressRecord> children, ref int childId,
            Dictionary<string, IrisBatchInfo> state, int count)
        {
            long total = 0, processed = 0, done = 0;
            int complete = 0;
            foreach (var b in state.Values)
            {
                long p = Math.Min(b.Total, b.Processed);
                total += b.Total;
                processed += p;
                done += b.IsComplete ? b.Total : p;
                if (b.IsComplete) complete++;
                if (count < 2) continue;
                if (!children.TryGetValue(b.Id, out var child))
                {
                    child = new ProgressRecord(childId++, Messages.ProgressBatch(b.Id), Messages.ProgressWaiting()) { ParentActivityId = parent.ActivityId };
                    children[b.Id] = child;
                }
                child.PercentComplete = b.IsComplete ? 100 : b.Total > 0 ? (int)(100 * p / b.Total) : 0;
                child.StatusDescription = Messages.ProgressBatchState(b.Status, p, b.Total);
                _cmdlet.Progress(child);
            }
            parent.PercentComplete = total > 0 ? (int)Math.Min(100, 100 * done / total) : 100 * complete / Math.Max(1, count);
            parent.StatusDescription = Messages.ProgressBatches(complete, count, processed, total);
            _cmdlet.Progress(parent);
        }
    }
}
