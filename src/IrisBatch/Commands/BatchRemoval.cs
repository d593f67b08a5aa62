using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Cleanup;
using IrisBatch.Journal;
using IrisBatch.Providers;

namespace IrisBatch.Commands
{
    /// <summary>
    /// Removes one finished batch (Remove-IrisBatch, Get-IrisBatchResult -RemoveAfter): its files and the batch at the
    /// provider, as the provider allows, then its journal entry unless kept. Refuses a batch that has not ended
    /// (IrisBatch.NotComplete) and one whose results were never collected (IrisBatch.NotCollected) unless forced.
    /// </summary>
    internal sealed class BatchRemoval
    {
        private readonly BatchCommandBase _cmd;
        private readonly JournalStore _journal;
        private readonly Func<BatchTarget, IrisBatchInfo> _refresh;
        private readonly Func<Func<CancellationToken, Task<bool>>, bool> _run;

        public BatchRemoval(BatchCommandBase cmd, JournalStore journal, Func<BatchTarget, IrisBatchInfo> refresh, Func<Func<CancellationToken, Task<bool>>, bool> run)
        {
            _cmd = cmd;
            _journal = journal;
            _refresh = refresh;
            _run = run;
        }

        public bool KeepLocal { get; set; }
        public bool Force { get; set; }

        /// <summary>Asks before acting (ShouldProcess); null means always go on.</summary>
        public Func<string, bool>? Approve { get; set; }

        /// <summary>Removes the batch, or reports why not; returns what was deleted, or null when nothing was.</summary>
        public BatchRemovalResult? Remove(BatchTarget target)
        {
            var entry = target.Entry;
            IrisBatchInfo batch;
            bool gone = false;
            if (entry?.RemoteRemovedAt != null) batch = LocalBatches.ToBatch(entry);
            else
            {
                try { batch = _refresh(target); }
                catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.NotFound && entry != null)
                {
                    // Deleted at the provider already (or never reachable again): what the journal knows is all there is.
                    batch = LocalBatches.ToBatch(entry);
                    gone = true;
                    if (!batch.IsComplete) batch.Status = BatchStatus.Expired;
                }
            }
            if (!batch.IsComplete)
            {
                _cmd.WriteError(ErrorMapper.Create(ErrorIds.NotComplete, FailureKind.InvalidOperation,
                    $"Batch {batch.Id} is {batch.Status} ({batch.ProviderStatus}): only a finished batch can be removed. Cancel it with Stop-IrisBatch -Wait first, or wait until it ends.", batch.Id));
                return null;
            }
            if (entry == null || !entry.ResultsCollected)
            {
                if (!Force)
                {
                    _cmd.WriteError(ErrorMapper.Create(ErrorIds.NotCollected, FailureKind.InvalidOperation,
                        $"The results of batch {batch.Id} were never collected: removing it would lose them. Collect them with Get-IrisBatchResult first, or pass -Force to remove it anyway.", batch.Id));
                    return null;
                }
            }

            var remote = gone ? entry?.InputFileId is string input && (target.Provider.Cleanup & RemoteCleanup.Files) != 0
                    ? new[] { new RemoteObject(RemoteKind.InputFile, input) } : new RemoteObject[0]
                : BatchCleanup.Plan(target.Provider, batch, entry).ToArray();
            var parts = remote.Select(r => r.ToString()).ToList();
            if (entry != null) parts.Add(BatchCleanup.DescribeLocal(_journal, entry, KeepLocal));
            if (parts.Count == 0) parts.Add("nothing is left of it here or at the provider");
            var description = $"batch {batch.Id} at {target.Provider.Name}: {string.Join("; ", parts)}";
            if (Approve != null && !Approve(description)) return null;

            var result = new BatchRemovalResult { BatchId = batch.Id, Provider = target.Provider.Name, KeptLocal = KeepLocal && entry != null };
            foreach (var item in remote)
            {
                bool deleted = _run(ct => target.Provider.DeleteAsync(item, ct));
                if (deleted) result.Deleted.Add(item.ToString());
                else result.AlreadyGone.Add(item.ToString());
                _cmd.Verbose(deleted ? $"Deleted the {item} at {target.Provider.Name}." : $"The {item} was already gone at {target.Provider.Name}.");
            }
            if (entry != null)
            {
                if (KeepLocal) _journal.RecordShared(entry, "removed at the provider", string.Join(", ", result.Deleted), e => e.RemoteRemovedAt = DateTimeOffset.UtcNow);
                else
                {
                    _journal.Forget(entry);
                    result.JournalEntryRemoved = true;
                }
            }
            return result;
        }
    }

    /// <summary>What Remove-IrisBatch -PassThru reports for one batch.</summary>
    public sealed class BatchRemovalResult
    {
        public string BatchId { get; set; } = "";
        public string Provider { get; set; } = "";
        /// <summary>What was deleted at the provider (files, the batch).</summary>
        public System.Collections.Generic.List<string> Deleted { get; } = new System.Collections.Generic.List<string>();
        /// <summary>What was gone already (not an error).</summary>
        public System.Collections.Generic.List<string> AlreadyGone { get; } = new System.Collections.Generic.List<string>();
        public bool JournalEntryRemoved { get; set; }
        public bool KeptLocal { get; set; }
    }
}
