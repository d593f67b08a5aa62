using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Journal;
using IrisBatch.Providers;

namespace IrisBatch.Lifecycle
{
    /// <summary>The status and cancel records of the journal protocol (issue 15's Lifecycle layer).</summary>
    public sealed class StatusRecorder
    {
        private readonly JournalStore _journal;

        public StatusRecorder(JournalStore journal) => _journal = journal;

        /// <summary>
        /// Records a fresh status in the batch's journal entry (if it has one). Returns what the user is warned of: a status
        /// IrisBatch does not know (each time it is seen), and a status that could not be recorded (the command goes on).
        /// </summary>
        public IReadOnlyList<string> Record(JournalEntry? entry, IrisBatchInfo batch)
        {
            var warnings = new List<string>(0);
            if (batch.Status == BatchStatus.Unknown)
                warnings.Add(Messages.UnknownStatus(batch.Provider, batch.Id, batch.ProviderStatus));
            if (entry == null) return warnings;
            try
            {
                _journal.Update(entry, e =>
                {
                    e.LastStatus = batch.Status;
                    e.LastProviderStatus = batch.ProviderStatus;
                    e.LastCheckedAt = DateTimeOffset.UtcNow;
                    // The counts as last seen, for Get-IrisBatchStatus -Local; once the results are collected, theirs.
                    if (!e.ResultsCollected)
                    {
                        e.Succeeded = batch.Succeeded;
                        e.Failed = batch.Failed;
                    }
                });
            }
            catch (Exception ex)
            {
                warnings.Add(Messages.StatusNotRecorded(batch.Id, ex.Message));
            }
            return warnings;
        }

        /// <summary>
        /// Asks the provider to cancel a batch. A cancel whose answer was lost (a reset or timeout) or that was retried and
        /// refused (400) looks at the batch: cancelling or cancelled already is what was asked; anything else is still the error.
        /// </summary>
        public static async Task<IrisBatchInfo> CancelAsync(IBatchProvider provider, string batchId, CancellationToken ct)
        {
            try
            {
                return await provider.CancelAsync(batchId, ct).ConfigureAwait(false);
            }
            catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.BadRequest || ex.ErrorId == ErrorIds.ConnectionFailed || ex.ErrorId == ErrorIds.Timeout)
            {
                var batch = await provider.GetAsync(batchId, ct).ConfigureAwait(false);
                if (batch.Status != BatchStatus.Cancelling && batch.Status != BatchStatus.Cancelled) throw;
                return batch;
            }
        }

        /// <summary>Records that the batch was asked to cancel: until it says otherwise, it is shown as Cancelling.</summary>
        public void RecordCancel(JournalEntry entry) => _journal.RecordShared(entry, JournalStep.CancelRequested, null, _ => { });
    }
}
