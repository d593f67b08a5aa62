using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers;

namespace IrisBatch.Submission
{
    /// <summary>
    /// Sends one spooled part exactly once: upload (journaled), then create (journaled and indexed by batch id).
    /// A call the provider answered with "nothing was done" (a 4xx such as 429 with Retry-After) is simply retried after
    /// the delay. A call that may have acted without its answer arriving (a reset or timeout after sending, a 5xx, an
    /// answer that cannot be read: not JSON, or without the file or batch id) is
    /// never repeated blindly: the provider is first asked whether the upload or the batch already exists
    /// (<see cref="CreatedBatchLocator"/>). One candidate is adopted; more than one stops with IrisBatch.SubmissionUncertain,
    /// naming them, and the user picks one with Submit-IrisBatch -AdoptBatchId.
    /// </summary>
    public sealed class BatchSubmitter
    {
        private readonly JournalStore _journal;
        private readonly IBatchProvider _provider;
        private readonly HttpSettings _settings;

        public BatchSubmitter(JournalStore journal, IBatchProvider provider, HttpSettings settings)
        {
            _journal = journal;
            _provider = provider;
            _settings = settings;
        }

        /// <summary>Batch ids the user named with -AdoptBatchId; one that this part adopts is removed.</summary>
        public ISet<string> Adopt { get; set; } = new HashSet<string>(StringComparer.Ordinal);

        private void Log(string text) => _settings.Log?.Invoke(text);

        public async Task<IrisBatchInfo> SubmitAsync(JournalEntry entry, Action<long>? uploadProgress, CancellationToken ct)
        {
            var submission = BatchSubmission.From(entry, _journal.InputPath(entry));
            if (entry.State == SubmissionState.Spooled)
            {
                bool firstTry = !entry.History.Exists(h => h.Step == JournalStep.UploadStarted);
                bool settled = NotCreated.UploadSettled(entry);
                _journal.Record(entry, JournalStep.UploadStarted);
                SpoolRecovery.Sent(_journal, entry);   // the journal's for good: never removed as a half-written spool
                var fileId = await UploadOnceAsync(entry, submission, firstTry, settled, uploadProgress, ct).ConfigureAwait(false);
                entry.InputFileId = fileId;
                entry.State = SubmissionState.Uploaded;
                _journal.Record(entry, JournalStep.Uploaded, fileId);
            }
            if (entry.State == SubmissionState.Uploaded)
            {
                var batch = await CreateOnceAsync(entry, submission, ct).ConfigureAwait(false);
                entry.BatchId = batch.Id;
                entry.State = SubmissionState.Created;
                Remember(entry, batch);
                // The id's pointer first: a process that dies between the two writes leaves a pointer to an entry that
                // does not yet say Created, which FindByBatchId completes; the other way round the id alone found nothing.
                _journal.IndexBatch(entry);
                _journal.Record(entry, JournalStep.Created, batch.Id);
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

        /// <param name="settled">Whether every upload call of earlier runs was refused: only then may this run's refusal be journaled as one (see <see cref="CallOnceAsync"/>).</param>
        private async Task<string?> UploadOnceAsync(JournalEntry entry, BatchSubmission submission, bool firstTry, bool settled, Action<long>? progress, CancellationToken ct)
        {
            if (!firstTry)
            {
                string? found;
                try { found = await _provider.FindUploadAsync(entry.IdempotencyKey, ct).ConfigureAwait(false); }
                catch (Exception lookError) when (LookUpFailed(lookError) && !ct.IsCancellationRequested)
                {
                    // An earlier run's upload may have stored the file, and nobody can say now: as after a failed call here.
                    throw EarlierUnconfirmed(entry, upload: true, lookError);
                }
                if (found != null)
                {
                    Log(Messages.FoundEarlier(_provider.Name, "upload"));
                    return found;
                }
            }
            return await CallOnceAsync("upload", _ => _provider.UploadAsync(submission, progress, ct),
                _ => _provider.FindUploadAsync(entry.IdempotencyKey, ct),
                (calls, ex, lookError) => UploadUnconfirmed(entry, calls, ex, lookError), ct,
                settled ? ex => _journal.Record(entry, JournalStep.UploadRefused, ex.Message) : (Action<Exception>?)null).ConfigureAwait(false);
        }

        /// <summary>
        /// One call that spends money or stores data (an upload, a create), made so that it takes effect at most once:
        /// a definitive refusal is retried after its delay; after an ambiguous failure (the provider may have acted) the
        /// provider is asked first (<paramref name="lookUp"/>, given the failure's time), and what it finds is taken, not
        /// made again. The last call's ambiguous failure is looked up as a retry's is: what it made is taken rather than
        /// left behind a raw error, and if nothing is found, or the look-up fails, <paramref name="unconfirmed"/> (the calls
        /// made, the last error, the look-up's) says so. A look-up that fails before the last call stops the step the same
        /// way, with the same error: not knowing whether a call acted, calling again could pay twice. The journal keeps the step as started, so the
        /// next run looks for it before calling.
        /// </summary>
        /// <param name="refused">
        /// Told of a call the provider refused for good with an answer that says it did nothing (a 4xx), when no call of
        /// this step failed ambiguously: the step then made nothing, which the journal records so that Remove-IrisBatch can
        /// clean up after it. Null when an earlier run's call of the step is unsettled (its outcome stays unknown).
        /// </param>
        private async Task<T?> CallOnceAsync<T>(string what, Func<int, Task<T?>> call, Func<DateTimeOffset, Task<T?>> lookUp,
            Func<int, Exception, Exception?, IrisBatchException> unconfirmed, CancellationToken ct, Action<Exception>? refused = null) where T : class
        {
            bool ambiguous = false;
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    return await call(attempt).ConfigureAwait(false);
                }
                catch (Exception ex) when (refused != null && !ambiguous && RefusedForGood(ex, attempt, ct))
                {
                    refused(ex);
                    throw;
                }
                catch (Exception ex) when ((ApiClient.MayRetry(ex) || Unreadable(ex)) && !ct.IsCancellationRequested
                                           && (attempt < _settings.MaxRetries || !ApiClient.IsDefinitive(ex)))
                {
                    var failedAt = DateTimeOffset.UtcNow;
                    bool definitive = ApiClient.IsDefinitive(ex);
                    bool last = attempt >= _settings.MaxRetries;
                    var delay = ApiClient.DelayBefore(_settings, attempt, ex);
                    Log(last ? Messages.LastTryLookUp(attempt + 1, what, delay, ex.Message)
                        : definitive ? Messages.RetryDefinitive(attempt + 1, _settings.MaxRetries, what, delay, ex.Message)
                        : Messages.RetryAfterLookUp(attempt + 1, _settings.MaxRetries, what, delay, ex.Message));
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                    if (definitive) continue;
                    ambiguous = true;
                    T? found;
                    try { found = await lookUp(failedAt).ConfigureAwait(false); }
                    catch (Exception lookError) when (LookUpFailed(lookError))
                    {
                        // Before the last call or after it, the same: a call may have acted and nobody can say.
                        throw unconfirmed(attempt + 1, ex, lookError);
                    }
                    if (found != null)
                    {
                        Log(Messages.TookEffect(_provider.Name, what));
                        return found;
                    }
                    if (last) throw unconfirmed(attempt + 1, ex, null);
                }
            }
        }

        /// <summary>
        /// True when <paramref name="ex"/> ends the step and says the call did nothing: the provider answered with a 4xx
        /// (not an answer that could not be read) that is not retried (or the last try's). A cancelled run says nothing.
        /// </summary>
        private bool RefusedForGood(Exception ex, int attempt, CancellationToken ct) =>
            !ct.IsCancellationRequested && ex is IrisBatchException ib && ib.HttpStatus is int status && status >= 400 && status < 500
            && !Unreadable(ex) && ApiClient.IsDefinitive(ex) && (!ApiClient.MayRetry(ex) || attempt >= _settings.MaxRetries);

        /// <summary>
        /// True when a look-up for what a call may have made could not say: it failed as a call may fail (a reset, a
        /// timeout, a 5xx), or the provider's list could not be read (IrisBatch.InvalidResponse: a body that is not JSON,
        /// or an answer without its list, ListAnswers). Either way nothing is known, so nothing is sent again.
        /// </summary>
        private static bool LookUpFailed(Exception ex) => ApiClient.MayRetry(ex) || Unreadable(ex);

        /// <summary>
        /// An answer that could not be read (IrisBatch.InvalidResponse: not JSON, or without the file or batch id a call
        /// answers with). After an upload or create call it is as ambiguous as a lost answer (the service may have acted
        /// and a proxy spoiled its answer), so it is looked up before the call is sent again, never taken as a refusal.
        /// </summary>
        private static bool Unreadable(Exception ex) => ex is IrisBatchException ib && ib.ErrorId == ErrorIds.InvalidResponse;

        /// <summary>
        /// IrisBatch.UploadUnconfirmed: every upload call failed ambiguously and the look-up after the last found no file
        /// (<paramref name="lookError"/> null) or failed. The journal keeps the step as started, so the next run looks first.
        /// </summary>
        private IrisBatchException UploadUnconfirmed(JournalEntry entry, int calls, Exception lastError, Exception? lookError) =>
            new IrisBatchException(ErrorIds.UploadUnconfirmed, FailureKind.ResourceUnavailable,
                Messages.UploadUnconfirmed(_provider.Name, entry.SubmissionId, entry.RequestCount, calls, lastError.Message, lookError?.Message),
                lookError ?? lastError)
            { Target = entry.SubmissionId };

        /// <summary>
        /// The create step: adopt a batch named with -AdoptBatchId; after an interrupted run, look before creating; create,
        /// retrying definitive refusals after their delay and looking after every ambiguous failure.
        /// </summary>
        private async Task<IrisBatchInfo> CreateOnceAsync(JournalEntry entry, BatchSubmission submission, CancellationToken ct)
        {
            var locator = new CreatedBatchLocator(_provider, id => OwnedByOther(id, entry));
            bool settled = NotCreated.CreateSettled(entry);   // before this run records a call of its own
            var adopted = await AdoptNamedAsync(entry, submission, ct).ConfigureAwait(false);
            if (adopted != null) return adopted;

            var started = entry.History.Find(h => h.Step == JournalStep.CreateStarted);
            if (started != null)
            {
                // Each create call is journaled as it is sent, so a run that stopped mid-create (killed, say) made its batch,
                // if any, no later than its last call could take: that bounds the window as a failure's time bounds it here.
                // The call could take as long as that run's attempt timeout, journaled with it (this run's may differ: a
                // shorter one would end the window before a slow call of that run made its batch).
                var lastSent = entry.History.FindLast(h => h.Step == JournalStep.CreateStarted)!;
                var took = AttemptTimeoutOf(lastSent) ?? (_settings.AttemptTimeout > TimeSpan.Zero ? _settings.AttemptTimeout : TimeSpan.Zero);
                IrisBatchInfo? found;
                try { found = await LookAsync(locator, entry, submission, started.At, lastSent.At + took, ct).ConfigureAwait(false); }
                catch (Exception lookError) when (LookUpFailed(lookError) && !ct.IsCancellationRequested)
                {
                    // An earlier run's create calls may have made the batch, and nobody can say now: as after a failed call here.
                    throw EarlierUnconfirmed(entry, upload: false, lookError);
                }
                if (found != null)
                {
                    Log(Messages.FoundEarlier(_provider.Name, "batch"));
                    return found;
                }
            }
            else
            {
                // A provider that echoes only the request count: the batches that could pass for this one already exist
                // now, before any create call, so they are noted (with the start of the step) and never adopted.
                if ((_provider.Capabilities & ProviderCapabilities.MatchesOnCountOnly) != 0)
                {
                    var look = await locator.CandidatesAsync(submission, entry.InputFileId, DateTimeOffset.UtcNow, null, ct).ConfigureAwait(false);
                    if (look.Count > 0) entry.ListedBeforeCreate = look.Select(b => b.Id).ToList();
                }
                _journal.Record(entry, JournalStep.CreateStarted, CreateCallDetail(_settings.AttemptTimeout));
            }
            var startedAt = started?.At ?? entry.History[entry.History.Count - 1].At;

            var made = await CallOnceAsync<IrisBatchInfo>("create",
                async attempt =>
                {
                    if (attempt > 0 || started != null) _journal.Record(entry, JournalStep.CreateStarted, CreateCallDetail(_settings.AttemptTimeout));   // this call's time, for a later run
                    return CreateAnswer.Checked(await _provider.CreateAsync(submission, entry.InputFileId, ct).ConfigureAwait(false), _provider.Name);
                },
                failedAt => LookAsync(locator, entry, submission, startedAt, failedAt, ct),
                (calls, ex, lookError) => Unconfirmed(entry, calls, ex, lookError), ct,
                settled ? ex => _journal.Record(entry, JournalStep.CreateRefused, ex.Message) : (Action<Exception>?)null).ConfigureAwait(false);
            return made!;   // a create call answers with its batch, or throws
        }

        private const string TimeoutPrefix = "attempt timeout ", TimeoutSuffix = " s";

        /// <summary>The detail of a 'create started' step: the attempt timeout the call was sent with (none: null).</summary>
        internal static string? CreateCallDetail(TimeSpan attemptTimeout) =>
            attemptTimeout > TimeSpan.Zero && attemptTimeout != System.Threading.Timeout.InfiniteTimeSpan
                ? TimeoutPrefix + attemptTimeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + TimeoutSuffix
                : null;

        /// <summary>The attempt timeout a 'create started' step was journaled with; null when it has none (an older journal).</summary>
        internal static TimeSpan? AttemptTimeoutOf(StateChange step)
        {
            var d = step.Detail;
            if (d == null || !d.StartsWith(TimeoutPrefix, StringComparison.Ordinal) || !d.EndsWith(TimeoutSuffix, StringComparison.Ordinal)) return null;
            var number = d.Substring(TimeoutPrefix.Length, d.Length - TimeoutPrefix.Length - TimeoutSuffix.Length);
            return double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        }

        /// <summary>
        /// IrisBatch.CreateUnconfirmed: every create call failed ambiguously and the look-up after the last found no batch
        /// (<paramref name="lookError"/> null) or failed. The journal keeps the step as started, so the next run looks first.
        /// </summary>
        private IrisBatchException Unconfirmed(JournalEntry entry, int calls, Exception lastError, Exception? lookError) =>
            new IrisBatchException(ErrorIds.CreateUnconfirmed, FailureKind.ResourceUnavailable,
                Messages.CreateUnconfirmed(_provider.Name, entry.SubmissionId, entry.RequestCount, calls, lastError.Message, lookError?.Message),
                lookError ?? lastError)
            { Target = entry.SubmissionId };

        /// <summary>
        /// IrisBatch.UploadUnconfirmed or CreateUnconfirmed for a run that picks up a step an earlier run started and never
        /// recorded the end of (it was killed, or stopped unconfirmed), when looking for what that step made fails: the
        /// same error as when the look-up after this run's own call fails, not the look-up's bare network error. Nothing is
        /// sent; the journal keeps the step as started, so the next run looks again.
        /// </summary>
        private IrisBatchException EarlierUnconfirmed(JournalEntry entry, bool upload, Exception lookError) =>
            new IrisBatchException(upload ? ErrorIds.UploadUnconfirmed : ErrorIds.CreateUnconfirmed, FailureKind.ResourceUnavailable,
                upload
                    ? Messages.UploadUnconfirmedEarlier(_provider.Name, entry.SubmissionId, entry.RequestCount, lookError.Message)
                    : Messages.CreateUnconfirmedEarlier(_provider.Name, entry.SubmissionId, entry.RequestCount,
                        entry.History.Count(h => h.Step == JournalStep.CreateStarted), lookError.Message),
                lookError)
            { Target = entry.SubmissionId };

        /// <summary>The one candidate, finished (xAI: its missing requests added); null for none; more than one stops.</summary>
        private async Task<IrisBatchInfo?> LookAsync(CreatedBatchLocator locator, JournalEntry entry, BatchSubmission submission,
            DateTimeOffset startedAt, DateTimeOffset? failedAt, CancellationToken ct)
        {
            var candidates = await locator.CandidatesAsync(submission, entry.InputFileId, startedAt, failedAt, ct).ConfigureAwait(false);
            if (candidates.Count == 0) return null;
            // A lone candidate that was already there before the first create was sent is a stranger's: this create
            // made nothing. Beside another candidate it still makes the look-up uncertain (asking, not guessing).
            if (candidates.Count == 1 && (entry.ListedBeforeCreate?.Contains(candidates[0].Id) ?? false)) return null;
            if (candidates.Count > 1)
            {
                var ids = string.Join(",", candidates.Select(c => c.Id));
                _journal.Record(entry, JournalStep.Uncertain, ids);
                throw new IrisBatchException(ErrorIds.SubmissionUncertain, FailureKind.InvalidOperation,
                    Messages.SubmissionUncertain(_provider.Name, entry.SubmissionId, entry.RequestCount, candidates))
                { Target = entry.SubmissionId };
            }
            return await _provider.FinishCreateAsync(candidates[0], submission, ct).ConfigureAwait(false);
        }

        /// <summary>A batch named with -AdoptBatchId that can be this part's: not owned by the journal, and a candidate by what it echoes.</summary>
        private async Task<IrisBatchInfo?> AdoptNamedAsync(JournalEntry entry, BatchSubmission submission, CancellationToken ct)
        {
            foreach (var id in Adopt.ToArray())
            {
                if (OwnedByOther(id, entry)) continue;
                IrisBatchInfo batch;
                try { batch = await _provider.GetAsync(id, ct).ConfigureAwait(false); }
                catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.NotFound) { continue; }
                if (!_provider.IsCandidate(submission, entry.InputFileId, batch)) continue;
                Adopt.Remove(id);
                _journal.Record(entry, JournalStep.Adopted, id);
                Log(Messages.Adopted(_provider.Name, id));
                return await _provider.FinishCreateAsync(batch, submission, ct).ConfigureAwait(false);
            }
            return null;
        }

        /// <summary>True when the journal records <paramref name="batchId"/> for a submission other than <paramref name="entry"/>.</summary>
        private bool OwnedByOther(string batchId, JournalEntry entry)
        {
            try
            {
                var owner = _journal.FindByBatchId(batchId);
                return owner != null && owner.SubmissionId != entry.SubmissionId;
            }
            catch (IrisBatchException)
            {
                return false; // an id the journal could not even hold is not one of its batches
            }
        }

        /// <summary>The journal step a successful Stop-IrisBatch records.</summary>
        public const JournalStep CancelRequested = JournalStep.CancelRequested;

        /// <summary>Fills what the provider does not echo from the journal entry.</summary>
        public static IrisBatchInfo Complete(IrisBatchInfo batch, JournalEntry? entry)
        {
            if (entry == null) return CountFailedWhole(batch);
            if (string.IsNullOrEmpty(batch.Name)) batch.Name = entry.Name;
            if (string.IsNullOrEmpty(batch.SetId)) batch.SetId = entry.SetId;
            if (string.IsNullOrEmpty(batch.SubmissionId)) batch.SubmissionId = entry.SubmissionId;
            if (string.IsNullOrEmpty(batch.Model)) batch.Model = entry.Model;
            if (string.IsNullOrEmpty(batch.IdempotencyKey)) batch.IdempotencyKey = entry.IdempotencyKey;
            if (batch.Metadata.Count == 0 && entry.Metadata.Count > 0) batch.Metadata = entry.Metadata;
            // A provider's total of 0 means "not counted yet", not "no requests": OpenAI, Azure and Groq count nothing until
            // validation ends (0/0/0, spec §1.5), so a batch cancelled or failed before that ends still saying 0. The journal
            // knows how many requests were submitted, whatever the batch's status.
            if (batch.Total == 0 && entry.RequestCount > 0) batch.Total = entry.RequestCount;
            if (entry.ResultsCollected && !batch.Collected) { batch.Collected = true; batch.Cost = entry.Cost; }
            // Some providers (Gemini) have no cancelling state: once a cancel was accepted, a running batch is cancelling.
            if (!batch.IsComplete && batch.Status != BatchStatus.Cancelling && entry.History.Exists(h => h.Step == CancelRequested))
                batch.Status = BatchStatus.Cancelling;
            return CountFailedWhole(batch);
        }

        /// <summary>
        /// A batch that failed as a whole (its input file failed validation: OpenAI, Azure and Groq say 0/0/0, spec §1.5;
        /// the Mock counts none either) counted none of its requests, yet Get-IrisBatchResult gives each of them a Failed
        /// result (no result file: the batch's errors). Its Failed is then its Total, so the status agrees with the results.
        /// A batch whose provider counted any request keeps the provider's counts.
        /// </summary>
        private static IrisBatchInfo CountFailedWhole(IrisBatchInfo batch)
        {
            if (batch.Status == BatchStatus.Failed && batch.Succeeded == 0 && batch.Failed == 0) batch.Failed = batch.Total;
            return batch;
        }
    }
}
