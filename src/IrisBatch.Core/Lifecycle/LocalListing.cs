using System;
using System.Collections.Generic;
using System.Linq;
using IrisBatch.Journal;

namespace IrisBatch.Lifecycle
{
    /// <summary>A journal entry Get-IrisBatchStatus -Pending looks at: a batch to refresh, or a submission interrupted before its batch was made.</summary>
    public sealed class PendingBatch
    {
        internal PendingBatch(JournalEntry entry, string? interrupted)
        {
            Entry = entry;
            Interrupted = interrupted;
        }

        public JournalEntry Entry { get; }

        /// <summary>For a submission that never got its batch: what the user is told (how to finish it, or that it was refused); else null.</summary>
        public string? Interrupted { get; }
    }

    /// <summary>
    /// The journal's batches as last seen, with no network call (issue 15's Lifecycle layer): Get-IrisBatchStatus -Local,
    /// -Pending and the set cost, and the -Id/-SetId completers.
    /// </summary>
    public sealed class LocalListing
    {
        private readonly JournalStore _journal;

        public LocalListing(JournalStore journal) => _journal = journal;

        /// <summary>The created batches, newest first, submitted before <paramref name="before"/> and last seen in one of <paramref name="statuses"/> (when given).</summary>
        /// <param name="unreadable">Told of each entry that cannot be read (it is skipped, the others listed).</param>
        public IEnumerable<IrisBatchInfo> List(DateTime? before, IReadOnlyCollection<BatchStatus>? statuses, Action<IrisBatchException>? unreadable = null) =>
            LocalBatches.List(_journal, before, statuses, unreadable);

        /// <summary>The cost of a set: its batches' costs summed, or null while any is not collected or has no known price.</summary>
        public decimal? SetCost(string setId) => LocalBatches.SetCost(_journal, setId);

        /// <summary>
        /// The entries whose batch may still change or whose results were never collected, newest first, and the
        /// submissions interrupted before their batch was created (with what to do about them). An entry that cannot be
        /// read is told to <paramref name="unreadable"/>: it may be a batch still running or never collected.
        /// </summary>
        public IEnumerable<PendingBatch> Pending(Action<IrisBatchException>? unreadable = null)
        {
            foreach (var entry in _journal.All(unreadable))
            {
                if (entry.State != SubmissionState.Created || entry.BatchId == null)
                {
                    // A refusal is no interruption: running it again as it is gets refused again, and its uploaded file waits for clean-up.
                    var refusal = NotCreated.Classify(entry) == NotCreatedKind.NoBatch ? NotCreated.Refusal(entry) : null;
                    yield return new PendingBatch(entry, refusal != null
                        ? Messages.SubmissionRefused(entry.SubmissionId, entry.RequestCount, entry.Model, refusal.Detail ?? "")
                        : Messages.Interrupted(entry.SubmissionId, entry.RequestCount, entry.Model, entry.State.ToString()));
                    continue;
                }
                if (entry.ResultsCollected && entry.LastStatus.HasValue && entry.LastStatus.Value.IsTerminal()) continue;
                _journal.EnsureIndexed(entry);
                yield return new PendingBatch(entry, null);
            }
        }

        /// <summary>Every entry, newest first by the time each was spooled (folder names order only to the second).</summary>
        public IReadOnlyList<JournalEntry> NewestFirst() => _journal.All().OrderByDescending(e => e.SpooledAt).ToList();

        /// <summary>The default journal's entries, newest first; none when there is no journal or it cannot be read (for tab completion).</summary>
        public static IReadOnlyList<JournalEntry> DefaultNewestFirst()
        {
            try { return new LocalListing(JournalStore.OpenDefault()).NewestFirst(); }
            catch (Exception) { return new JournalEntry[0]; }
        }
    }
}
