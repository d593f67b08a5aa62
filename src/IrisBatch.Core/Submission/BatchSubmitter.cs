using System;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers;

namespace IrisBatch.Submission
{
    /// <summary>
    /// Sends one spooled part exactly once: upload (journaled), then create (journaled and indexed by batch id).
    /// Neither call is repeated blindly: when an answer is lost (reset, timeout, 5xx), the provider is first asked
    /// whether the upload or the batch already exists under the part's idempotency key.
    /// </summary>
    public sealed class BatchSubmitter
    {
        private readonly JournalStore _journal;
        private readonly IBatchProvider _provider;

        public BatchSubmitter(JournalStore journal, IBatchProvider provider)
        {
            _journal = journal;
            _provider = provider;
        }

        public async Task<IrisBatchInfo> SubmitAsync(JournalEntry entry, Action<long>? uploadProgress, CancellationToken ct)
        {
            var submission = BatchSubmission.From(entry, _journal.InputPath(entry));
            if (entry.State == SubmissionState.Spooled)
            {
                bool firstTry = !entry.History.Exists(h => h.State == "upload started");
                _journal.Record(entry, "upload started");
                var fileId = await OnceAsync("upload",
                    firstTry ? (Func<Task<string?>>?)null : () => _provider.FindUploadAsync(entry.IdempotencyKey, ct),
                    () => _provider.UploadAsync(submission, uploadProgress, ct),
                    () => _provider.FindUploadAsync(entry.IdempotencyKey, ct), ct).ConfigureAwait(false);
                entry.InputFileId = fileId;
                entry.State = SubmissionState.Uploaded;
                _journal.Record(entry, "uploaded", fileId);
            }
            if (entry.State == SubmissionState.Uploaded)
            {
                var started = entry.History.Find(h => h.State == "create started");
                if (started == null) _journal.Record(entry, "create started");
                var since = (started?.At ?? DateTimeOffset.UtcNow).AddMinutes(-2);
                var batch = await OnceAsync("create",
                    started == null ? (Func<Task<IrisBatchInfo?>>?)null : () => _provider.FindCreatedAsync(submission, since, ct),
                    () => _provider.CreateAsync(submission, entry.InputFileId, ct)!,
                    () => _provider.FindCreatedAsync(submission, since, ct), ct).ConfigureAwait(false);
                entry.BatchId = batch!.Id;
                entry.State = SubmissionState.Created;
                Remember(entry, batch);
                _journal.Record(entry, "created", batch.Id);
                _journal.IndexBatch(entry);
                return Complete(batch, entry);
            }
            var existing = await _provider.GetAsync(entry.BatchId!, ct).ConfigureAwait(false);
            Remember(entry, existing);
            _journal.Save(entry);
            return Complete(existing, entry);
        }

        private static void Remember(JournalEntry entry, IrisBatchInfo batch)
        {
            entry.LastStatus = batch.Status;
            entry.LastProviderStatus = batch.ProviderStatus;
            entry.LastCheckedAt = DateTimeOffset.UtcNow;
        }

        /// <summary>
        /// Runs a call that must take effect once: look first (when an earlier run may have acted), then call;
        /// after a failure that may have reached the server, wait, look again, and only then call again.
        /// </summary>
        private async Task<T?> OnceAsync<T>(string what, Func<Task<T?>>? lookFirst, Func<Task<T?>> call, Func<Task<T?>> look, CancellationToken ct)
            where T : class
        {
            var api = _provider.Api;
            if (lookFirst != null)
            {
                var found = await lookFirst().ConfigureAwait(false);
                if (found != null)
                {
                    api.Settings.Log?.Invoke($"{_provider.Name}: the {what} of an earlier run was found and is reused.");
                    return found;
                }
            }
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    return await call().ConfigureAwait(false);
                }
                catch (Exception ex) when (ApiClient.MayRetry(ex) && attempt < api.Settings.MaxRetries && !ct.IsCancellationRequested)
                {
                    var delay = api.DelayBefore(attempt, ex);
                    api.Settings.Log?.Invoke(api.Redactor.Redact(
                        $"Retry {attempt + 1} of {api.Settings.MaxRetries} of the {what} in {delay.TotalSeconds:0.###} s, after checking whether it took effect: {ex.Message}"));
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                    T? found;
                    try { found = await look().ConfigureAwait(false); }
                    catch (Exception lookError) when (ApiClient.MayRetry(lookError))
                    {
                        // Not knowing whether the first call acted, calling again could pay twice: stop here. The journal
                        // keeps the step as started, so the next run looks for it before calling.
                        throw new IrisBatchException(ErrorIds.ConnectionFailed, FailureKind.ConnectionError, api.Redactor.Redact(
                            $"The {what} may have taken effect at {_provider.Name}, but its answer was lost and looking for it failed too ({lookError.Message}). " +
                            "Run the same command again: it looks for it before trying again."), lookError);
                    }
                    if (found != null)
                    {
                        api.Settings.Log?.Invoke($"{_provider.Name}: the {what} had taken effect; its answer was lost. Reusing it.");
                        return found;
                    }
                }
            }
        }

        /// <summary>The journal step a successful Stop-IrisBatch records.</summary>
        public const string CancelRequested = "cancel requested";

        /// <summary>Fills what the provider does not echo from the journal entry.</summary>
        public static IrisBatchInfo Complete(IrisBatchInfo batch, JournalEntry? entry)
        {
            if (entry == null) return batch;
            if (string.IsNullOrEmpty(batch.Name)) batch.Name = entry.Name;
            if (string.IsNullOrEmpty(batch.SetId)) batch.SetId = entry.SetId;
            if (string.IsNullOrEmpty(batch.Model)) batch.Model = entry.Model;
            if (string.IsNullOrEmpty(batch.IdempotencyKey)) batch.IdempotencyKey = entry.IdempotencyKey;
            if (batch.Metadata.Count == 0 && entry.Metadata.Count > 0) batch.Metadata = entry.Metadata;
            if (batch.Total == 0 && entry.RequestCount > 0 && !batch.IsComplete) batch.Total = entry.RequestCount;
            if (entry.ResultsCollected && !batch.Collected) { batch.Collected = true; batch.Cost = entry.Cost; }
            // Some providers (Gemini) have no cancelling state: once a cancel was accepted, a running batch is cancelling.
            if (!batch.IsComplete && batch.Status != BatchStatus.Cancelling && entry.History.Exists(h => h.State == CancelRequested))
                batch.Status = BatchStatus.Cancelling;
            return batch;
        }
    }
}
