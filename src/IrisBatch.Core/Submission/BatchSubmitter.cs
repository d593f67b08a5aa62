using System;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Journal;
using IrisBatch.Providers;

namespace IrisBatch.Submission
{
    /// <summary>Sends one spooled part: upload (journaled), then create (journaled and indexed by batch id).</summary>
    public sealed class BatchSubmitter
    {
        private readonly JournalStore _journal;
        private readonly IBatchProvider _provider;

        public BatchSubmitter(JournalStore journal, IBatchProvider provider)
        {
            _journal = journal;
            _provider = provider;
        }

        public async Task<IrisBatch> SubmitAsync(JournalEntry entry, Action<long>? uploadProgress, CancellationToken ct)
        {
            var submission = new BatchSubmission
            {
                InputPath = _journal.InputPath(entry),
                RequestCount = entry.RequestCount,
                Bytes = entry.Bytes,
                Model = entry.Model,
                Name = entry.Name,
                Metadata = entry.Metadata,
                IdempotencyKey = entry.IdempotencyKey,
                SetId = entry.SetId,
            };
            if (entry.State == SubmissionState.Spooled)
            {
                var fileId = await _provider.UploadAsync(submission, uploadProgress, ct).ConfigureAwait(false);
                entry.InputFileId = fileId;
                entry.State = SubmissionState.Uploaded;
                _journal.Record(entry, "uploaded", fileId);
            }
            var batch = await _provider.CreateAsync(submission, entry.InputFileId, ct).ConfigureAwait(false);
            entry.BatchId = batch.Id;
            entry.State = SubmissionState.Created;
            entry.LastStatus = batch.Status;
            entry.LastProviderStatus = batch.ProviderStatus;
            entry.LastCheckedAt = DateTimeOffset.UtcNow;
            _journal.Record(entry, "created", batch.Id);
            _journal.IndexBatch(entry);
            return Complete(batch, entry);
        }

        /// <summary>Fills what the provider does not echo from the journal entry.</summary>
        public static IrisBatch Complete(IrisBatch batch, JournalEntry? entry)
        {
            if (entry == null) return batch;
            if (string.IsNullOrEmpty(batch.Name)) batch.Name = entry.Name;
            if (string.IsNullOrEmpty(batch.SetId)) batch.SetId = entry.SetId;
            if (string.IsNullOrEmpty(batch.Model)) batch.Model = entry.Model;
            if (string.IsNullOrEmpty(batch.IdempotencyKey)) batch.IdempotencyKey = entry.IdempotencyKey;
            if (batch.Metadata.Count == 0 && entry.Metadata.Count > 0) batch.Metadata = entry.Metadata;
            if (batch.Total == 0 && entry.RequestCount > 0 && !batch.IsComplete) batch.Total = entry.RequestCount;
            return batch;
        }
    }
}
