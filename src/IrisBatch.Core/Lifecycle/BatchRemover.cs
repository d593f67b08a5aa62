using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Cleanup;
using IrisBatch.Journal;
using IrisBatch.Providers;

namespace IrisBatch.Lifecycle
{
    /// <summary>What removing one finished batch will do: the remote objects to delete and the journal entry's fate.</summary>
    public sealed class RemovalPlan
    {
        internal RemovalPlan(IBatchProvider provider, IrisBatchInfo batch, JournalEntry? entry, IReadOnlyList<RemoteObject> remote, string description)
        {
            Provider = provider;
            Batch = batch;
            Entry = entry;
            Remote = remote;
            Description = description;
        }

        public IBatchProvider Provider { get; }
        public IrisBatchInfo Batch { get; }
        public JournalEntry? Entry { get; }
        /// <summary>At the provider, in the order they are deleted (files first, the batch last).</summary>
        public IReadOnlyList<RemoteObject> Remote { get; }
        /// <summary>The ShouldProcess target: the batch, what goes at the provider and what happens to the journal entry.</summary>
        public string Description { get; }
        /// <summary>A submission that never got a batch (<see cref="BatchRemover.PlanNotCreated"/>): no batch, no results.</summary>
        public bool NoBatch { get; internal set; }
    }

    /// <summary>What was removed for one batch.</summary>
    public sealed class RemovalOutcome
    {
        public string BatchId { get; internal set; } = "";
        public string? SubmissionId { get; internal set; }
        public string Provider { get; internal set; } = "";
        public List<string> Deleted { get; } = new List<string>();
        public List<string> AlreadyGone { get; } = new List<string>();
        public bool JournalEntryRemoved { get; internal set; }
        public bool KeptLocal { get; internal set; }
    }

    /// <summary>
    /// Removes one finished batch (issue 15's Lifecycle layer; Remove-IrisBatch, Get-IrisBatchResult -RemoveAfter): its
    /// files and the batch at the provider, as the provider allows, then its journal entry unless kept. Refuses a batch that
    /// has not ended (IrisBatch.NotComplete) and one whose results were never collected (IrisBatch.NotCollected) unless forced.
    /// The cmdlet asks ShouldProcess with <see cref="RemovalPlan.Description"/> between <see cref="Plan"/> and <see cref="RemoveAsync"/>.
    /// </summary>
    public sealed class BatchRemover
    {
        private readonly JournalStore _journal;

        public BatchRemover(JournalStore journal) => _journal = journal;

        /// <summary>Keep the journal entry (its results stay readable); record the removal at the provider in it.</summary>
        public bool KeepLocal { get; set; }

        /// <summary>Remove a batch whose results were never collected too.</summary>
        public bool Force { get; set; }

        /// <summary>Whether the provider must be asked for the batch's state first (not when it was removed there already).</summary>
        public static bool NeedsRefresh(JournalEntry? entry) => entry?.RemoteRemovedAt == null;

        /// <summary>The batch as the journal knows it (removed at the provider already with -KeepLocal).</summary>
        public static IrisBatchInfo AsRecorded(JournalEntry entry) => LocalBatches.ToBatch(entry);

        /// <summary>A batch the provider no longer has (deleted there, or gone): what the journal knows is all there is; not ended counts as Expired.</summary>
        public static IrisBatchInfo Gone(JournalEntry entry)
        {
            var batch = LocalBatches.ToBatch(entry);
            if (!batch.IsComplete) batch.Status = BatchStatus.Expired;
            return batch;
        }

        /// <summary>
        /// Plans the removal of <paramref name="batch"/> (its current state; <paramref name="gone"/>: the provider no longer
        /// has it). IrisBatch.NotComplete for a batch that has not ended, IrisBatch.NotCollected for results never collected
        /// unless <see cref="Force"/>.
        /// </summary>
        public RemovalPlan Plan(IBatchProvider provider, IrisBatchInfo batch, JournalEntry? entry, bool gone)
        {
            if (!batch.IsComplete)
                throw new IrisBatchException(ErrorIds.NotComplete, FailureKind.InvalidOperation, Messages.RemoveNotComplete(batch.Id, batch.Status, batch.ProviderStatus))
                { Target = batch.Id };
            if ((entry == null || !entry.ResultsCollected) && !Force)
                throw new IrisBatchException(ErrorIds.NotCollected, FailureKind.InvalidOperation, Messages.RemoveNotCollected(batch.Id))
                { Target = batch.Id };

            var remote = gone
                ? entry?.InputFileId is string input && (provider.Cleanup & RemoteCleanup.Files) != 0
                    ? new[] { new RemoteObject(RemoteKind.InputFile, input) } : new RemoteObject[0]
                : BatchCleanup.Plan(provider, batch, entry).ToArray();
            var parts = remote.Select(r => r.ToString()).ToList();
            if (entry != null) parts.Add(BatchCleanup.DescribeLocal(_journal, entry, KeepLocal));
            return new RemovalPlan(provider, batch, entry, remote, Messages.RemoveTarget(batch.Id, provider.Name, parts));
        }

        /// <summary>The journal entry of a submission id, or null; IrisBatch.InvalidId for an id that could name a path outside the journal.</summary>
        public JournalEntry? FindSubmission(string submissionId)
        {
            JournalStore.ValidateId(submissionId, "submission id");
            return _journal.Load(submissionId);
        }

        /// <summary>The submissions of a set that were sent and never got a batch (a part whose create was refused), newest first.</summary>
        public IReadOnlyList<string> SetSubmissionsWithoutBatch(string setId) =>
            _journal.SetEntries(setId).Where(e => NotCreated.Classify(e) != NotCreatedKind.None).Select(e => e.SubmissionId).ToList();

        /// <summary>
        /// Plans the removal of a submission that was sent and never got a batch (issue 18: its uploaded input file would
        /// otherwise stay at the provider, and its entry in the journal, for good): its input file, where the provider keeps
        /// files, and its journal entry. Nothing to collect, so no -Force is needed. One whose batch may exist (an upload or
        /// create whose outcome is unknown, several candidates) is refused with the error that left it so
        /// (IrisBatch.UploadUnconfirmed, CreateUnconfirmed, SubmissionUncertain): removing it could leave a batch behind, paid
        /// for and out of the journal's sight.
        /// </summary>
        public RemovalPlan PlanNotCreated(IBatchProvider provider, JournalEntry entry)
        {
            Unknown(entry);
            var remote = entry.RemoteRemovedAt == null && !string.IsNullOrEmpty(entry.InputFileId) && (provider.Cleanup & RemoteCleanup.Files) != 0
                ? new[] { new RemoteObject(RemoteKind.InputFile, entry.InputFileId!) } : new RemoteObject[0];
            var parts = remote.Select(r => r.ToString()).ToList();
            parts.Add(BatchCleanup.DescribeLocal(_journal, entry, KeepLocal));
            return new RemovalPlan(provider, NotCreated.ToBatch(entry)!, entry, remote, Messages.RemoveSubmissionTarget(entry.SubmissionId, provider.Name, parts))
            { NoBatch = true };
        }

        /// <summary>Refuses a submission whose batch may exist (or that has its batch: removed as a batch, by its id).</summary>
        private static void Unknown(JournalEntry entry)
        {
            var kind = NotCreated.Classify(entry);
            string? id = kind switch
            {
                NotCreatedKind.NoBatch => null,
                NotCreatedKind.UploadUnknown => ErrorIds.UploadUnconfirmed,
                NotCreatedKind.Uncertain => ErrorIds.SubmissionUncertain,
                NotCreatedKind.CreateUnknown => ErrorIds.CreateUnconfirmed,
                _ => ErrorIds.NotComplete,   // it got its batch meanwhile, or was never sent
            };
            if (id == null) return;
            var why = kind == NotCreatedKind.None
                ? Messages.RemoveSubmissionHasBatch(entry.SubmissionId, entry.BatchId)
                : Messages.RemoveSubmissionUnknown(entry.SubmissionId, NotCreated.ToBatch(entry)!.Errors[0].Message ?? "");
            // Each id keeps the category it has where the submission met it (the unconfirmed ones: ResourceUnavailable).
            var category = id == ErrorIds.UploadUnconfirmed || id == ErrorIds.CreateUnconfirmed ? FailureKind.ResourceUnavailable : FailureKind.InvalidOperation;
            throw new IrisBatchException(id, category, why) { Target = entry.SubmissionId };
        }

        /// <summary>
        /// Removes a <see cref="PlanNotCreated"/> plan under the journal's claim on its requests: a Submit-IrisBatch that is
        /// resuming the same requests now (and may be creating their batch) holds it, and the removal waits for nobody: it
        /// is refused (IrisBatch.NotComplete). Under the claim the entry is read again and checked again.
        /// </summary>
        private async Task<RemovalOutcome> RemoveNotCreatedAsync(RemovalPlan plan, Action<string>? log, CancellationToken ct)
        {
            var entry = plan.Entry!;
            using var claim = _journal.TryClaimSubmission(entry)
                ?? throw new IrisBatchException(ErrorIds.NotComplete, FailureKind.InvalidOperation, Messages.RemoveSubmissionBusy(entry.SubmissionId))
                { Target = entry.SubmissionId };
            var now = _journal.Load(entry.SubmissionId);
            var outcome = new RemovalOutcome { SubmissionId = entry.SubmissionId, Provider = plan.Provider.Name };
            if (now == null) return outcome;   // removed meanwhile
            Unknown(now);
            return await DeleteAsync(plan, now, outcome, log, ct).ConfigureAwait(false);
        }

        /// <summary>Deletes what the plan names at the provider (what is gone already is not an error), then forgets or marks the journal entry.</summary>
        public async Task<RemovalOutcome> RemoveAsync(RemovalPlan plan, Action<string>? log, CancellationToken ct)
        {
            if (plan.NoBatch) return await RemoveNotCreatedAsync(plan, log, ct).ConfigureAwait(false);
            var outcome = new RemovalOutcome { BatchId = plan.Batch.Id, SubmissionId = plan.Entry?.SubmissionId, Provider = plan.Provider.Name };
            return await DeleteAsync(plan, plan.Entry, outcome, log, ct).ConfigureAwait(false);
        }

        private async Task<RemovalOutcome> DeleteAsync(RemovalPlan plan, JournalEntry? entry, RemovalOutcome outcome, Action<string>? log, CancellationToken ct)
        {
            var provider = plan.Provider;
            outcome.KeptLocal = KeepLocal && entry != null;
            foreach (var item in plan.Remote)
            {
                bool deleted = await provider.DeleteAsync(item, ct).ConfigureAwait(false);
                if (deleted) outcome.Deleted.Add(item.ToString());
                else outcome.AlreadyGone.Add(item.ToString());
                log?.Invoke(Messages.RemoteDeleted(item.ToString(), provider.Name, deleted));
            }
            if (entry != null)
            {
                // The errors the batch object lists (a batch that failed validation) are its requests' results, and the
                // provider is no longer there to ask for them: the journal keeps them with the rest.
                var errors = plan.NoBatch || plan.Batch.Errors.Count == 0 ? null : plan.Batch.Errors.ToList();
                if (KeepLocal)
                    _journal.RecordShared(entry, JournalStep.RemovedAtProvider, string.Join(", ", outcome.Deleted), e =>
                    {
                        e.RemoteRemovedAt = DateTimeOffset.UtcNow;
                        if (errors != null) e.BatchErrors = errors;
                    });
                else
                {
                    _journal.Forget(entry);
                    outcome.JournalEntryRemoved = true;
                }
            }
            return outcome;
        }
    }
}
