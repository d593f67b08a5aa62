using System;
using System.Collections.Generic;
using System.Linq;

namespace IrisBatch.Journal
{
    /// <summary>The journal's batches as last seen, read with no network call (Get-IrisBatchStatus -Local).</summary>
    public static class LocalBatches
    {
        /// <summary>
        /// When the batch was submitted: its create call as journaled, else when it was spooled (for a batch submitted
        /// elsewhere and adopted when its results were collected here, when its provider says it was created).
        /// </summary>
        public static DateTimeOffset SubmittedAt(JournalEntry e)
        {
            var created = e.History.FindLast(h => h.Step == JournalStep.Created);
            return created?.At ?? e.SpooledAt;
        }

        /// <summary>A batch object from its journal entry alone (status as last seen).</summary>
        public static IrisBatchInfo ToBatch(JournalEntry e) => new IrisBatchInfo
        {
            Id = e.BatchId ?? "",
            Name = e.Name,
            Provider = e.Provider,
            BaseUri = e.BaseUri,
            Model = e.Model,
            Status = e.LastStatus ?? BatchStatus.Pending,
            ProviderStatus = e.LastProviderStatus,
            Total = e.RequestCount,
            Succeeded = e.Succeeded ?? 0,
            Failed = e.Failed ?? 0,
            CreatedAt = SubmittedAt(e),
            SetId = e.SetId,
            SubmissionId = e.SubmissionId,
            IdempotencyKey = e.IdempotencyKey,
            InputFileId = e.InputFileId,
            Metadata = e.Metadata,
            Collected = e.ResultsCollected,
            Cost = e.ResultsCollected ? e.Cost : null,
            Usage = null,
            Errors = (IReadOnlyList<BatchValidationError>?)e.BatchErrors ?? new BatchValidationError[0],
        };

        /// <summary>
        /// The batches of the journal, newest first, submitted before <paramref name="before"/> (when given) and last seen
        /// in one of <paramref name="statuses"/> (when given; a batch never seen is in none). The submissions that were sent
        /// and never got a batch are listed too, with no Id (see <see cref="NotCreated.ToBatch"/>): their uploaded files
        /// and journal entries are cleaned up with the rest.
        /// </summary>
        public static IEnumerable<IrisBatchInfo> List(JournalStore journal, DateTime? before, IReadOnlyCollection<BatchStatus>? statuses,
            Action<IrisBatchException>? unreadable = null)
        {
            DateTimeOffset? limit = before.HasValue
                ? (before.Value.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(DateTime.SpecifyKind(before.Value, DateTimeKind.Local)) : new DateTimeOffset(before.Value))
                : (DateTimeOffset?)null;
            foreach (var e in journal.All(unreadable))
            {
                var batch = e.State != SubmissionState.Created || string.IsNullOrEmpty(e.BatchId) ? NotCreated.ToBatch(e) : ToBatch(e);
                if (batch == null) continue;   // a spool never sent
                if (limit.HasValue && SubmittedAt(e) >= limit.Value) continue;
                var status = batch.Id.Length == 0 ? batch.Status : e.LastStatus;
                if (statuses != null && statuses.Count > 0 && (!status.HasValue || !statuses.Contains(status.Value))) continue;
                yield return batch;
            }
        }

        /// <summary>The cost of a set: the sum of its batches' costs, or null while any is not collected or has no known price.</summary>
        public static decimal? SetCost(JournalStore journal, string setId)
        {
            decimal sum = 0;
            bool any = false;
            foreach (var e in journal.SetEntries(setId).Where(x => x.BatchId != null))
            {
                if (!e.ResultsCollected || !e.Cost.HasValue) return null;
                sum += e.Cost.Value;
                any = true;
            }
            return any ? sum : (decimal?)null;
        }
    }
}
