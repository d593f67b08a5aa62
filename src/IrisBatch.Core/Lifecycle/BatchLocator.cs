using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Journal;
using IrisBatch.Providers;
using IrisBatch.Submission;

namespace IrisBatch.Lifecycle
{
    /// <summary>Where a batch lives: the provider name and base URI to ask (null: the defaults).</summary>
    public readonly struct BatchPlace
    {
        public BatchPlace(string? provider, string? baseUri)
        {
            Provider = provider;
            BaseUri = baseUri;
        }

        public string? Provider { get; }
        public string? BaseUri { get; }
    }

    /// <summary>
    /// Journal to provider (issue 15's Lifecycle layer): the journal entry of a batch id, the batches of a set, where a
    /// batch lives, and a batch as known before (or instead of) asking its provider.
    /// </summary>
    public sealed class BatchLocator
    {
        private readonly JournalStore _journal;

        public BatchLocator(JournalStore journal) => _journal = journal;

        /// <summary>The journal entry of a batch id, or null; IrisBatch.InvalidId for an id that could name a path outside the journal.</summary>
        public JournalEntry? Find(string batchId)
        {
            JournalStore.ValidateId(batchId);
            return _journal.FindByBatchId(batchId);
        }

        /// <summary>Like <see cref="Find"/>, but null for an id the journal cannot look up (a listing shows what the provider has).</summary>
        public JournalEntry? TryFind(string batchId)
        {
            try { return Find(batchId); } catch (Exception) { return null; }
        }

        /// <summary>The batch ids of a set, in the order they were submitted; empty when the journal has none.</summary>
        public IReadOnlyList<string> SetBatchIds(string setId) =>
            _journal.SetEntries(setId).Where(e => e.BatchId != null).Select(e => e.BatchId!).Reverse().ToList();

        /// <summary>How many batches the journal has of a set.</summary>
        public int SetSize(string setId) => _journal.SetEntries(setId).Count(e => e.BatchId != null);

        /// <summary>
        /// Where a batch lives: <paramref name="explicitPlace"/> (-Provider/-BaseUri given) wins; else the batch object's
        /// own place, else the journal entry's, else <paramref name="provider"/>/<paramref name="baseUri"/> (the defaults).
        /// </summary>
        public static BatchPlace PlaceOf(IrisBatchInfo? batch, JournalEntry? entry, bool explicitPlace, string? provider, string? baseUri)
        {
            if (!explicitPlace)
            {
                if (batch != null && !string.IsNullOrEmpty(batch.Provider)) return new BatchPlace(batch.Provider, batch.BaseUri);
                if (entry != null) return new BatchPlace(entry.Provider, entry.BaseUri);
            }
            return new BatchPlace(provider, baseUri);
        }

        /// <summary>The batch as known before asking its provider: the object given, or its id at the provider, filled from the journal.</summary>
        public static IrisBatchInfo Known(string id, IrisBatchInfo? batch, JournalEntry? entry, IBatchProvider provider) =>
            BatchSubmitter.Complete(batch ?? new IrisBatchInfo { Id = id, Provider = provider.Name, BaseUri = ProviderFactory.LocationOf(provider) }, entry);

        /// <summary>
        /// The batch's state asked of its provider. A batch that Remove-IrisBatch -KeepLocal deleted there (Anthropic,
        /// Gemini, Mistral delete the batch itself) is answered 404 from then on: the journal's record, final when it
        /// was removed, is its state, so Get-IrisBatchStatus and Wait-IrisBatch still show it, with its Cost. An answer
        /// that names no batch (a 200 whose body is <c>{}</c>, as a proxy in the way may send) is IrisBatch.InvalidResponse,
        /// a poll that failed (Wait-IrisBatch polls again), not a batch with no id for the caller to trip over.
        /// </summary>
        public static async Task<IrisBatchInfo> GetAsync(IBatchProvider provider, string id, JournalEntry? entry, CancellationToken ct)
        {
            try
            {
                var batch = await provider.GetAsync(id, ct).ConfigureAwait(false);
                if (string.IsNullOrEmpty(batch.Id))
                    throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData, Messages.StatusNoBatchId(provider.Name, id)) { Target = id };
                return batch;
            }
            catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.NotFound && entry != null && !BatchRemover.NeedsRefresh(entry))
            {
                return BatchRemover.AsRecorded(entry);
            }
        }

        /// <summary>A fresh state from the provider, with what the provider does not echo filled from the journal entry.</summary>
        public static IrisBatchInfo Fresh(IrisBatchInfo fresh, JournalEntry? entry) => BatchSubmitter.Complete(fresh, entry);

        /// <summary>A journal entry's batch as it was when last seen (not refreshed).</summary>
        public static IrisBatchInfo LastSeen(JournalEntry entry)
        {
            var batch = new IrisBatchInfo
            {
                Id = entry.BatchId!,
                Provider = entry.Provider,
                BaseUri = entry.BaseUri,
                Status = entry.LastStatus ?? BatchStatus.Pending,
                ProviderStatus = entry.LastProviderStatus,
                InputFileId = entry.InputFileId,
                // The counts as last seen (as -Local shows them), so a batch that ended with real counts keeps them.
                Succeeded = entry.Succeeded ?? 0,
                Failed = entry.Failed ?? 0,
            };
            return BatchSubmitter.Complete(batch, entry);
        }
    }
}
