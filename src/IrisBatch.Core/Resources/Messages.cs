using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Resources;

namespace IrisBatch
{
    /// <summary>
    /// Messages a user reads, from one resource file (Resources/Messages.resx, issue 15) instead of literals across the
    /// code. Each message has an accessor here, named like its resource key, that takes its values; the texts are
    /// formatted with the invariant culture (the same words and numbers whatever the session's culture).
    /// </summary>
    public static partial class Messages
    {
        private static readonly ResourceManager Resources = new ResourceManager("IrisBatch.Resources.Messages", typeof(Messages).Assembly);

        /// <summary>The text of a resource key; a missing one is a bug, said so with the key.</summary>
        internal static string Text(string key) =>
            Resources.GetString(key, CultureInfo.InvariantCulture) ?? throw new MissingManifestResourceException("IrisBatch has no message '" + key + "' in Resources/Messages.resx.");

        private static string Format(string key, params object?[] args) => string.Format(CultureInfo.InvariantCulture, Text(key), args);

        /// <summary>
        /// An OS or parser error put inside a sentence that goes on ("...: {error}. Point ...", "(... {error})."): .NET's
        /// texts end with their own period, so it is dropped here, or the message would read "'/x/journal'.. Point".
        /// An ellipsis is kept.
        /// </summary>
        internal static string Inner(string error)
        {
            var text = error.TrimEnd();
            return text.EndsWith(".", StringComparison.Ordinal) && !text.EndsWith("..", StringComparison.Ordinal) ? text.Substring(0, text.Length - 1) : text;
        }

        private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

        /// <summary>
        /// An amount of money (a cost, -MaxCost, a price) with all its significant digits, so a small one is not shown as 0
        /// and two that differ are not shown alike ("0.0000000375", not "0" as "0.####" gave). A double is taken to its
        /// 15 significant digits, which drops the noise of summed doubles (0.1 + 0.2 reads 0.3); an amount too small or
        /// too large for a plain decimal is shown in exponent form (1E-30).
        /// </summary>
        internal static string Amount(double value)
        {
            double size = Math.Abs(value);
            if (double.IsNaN(value) || double.IsInfinity(value) || size >= 1e15 || size > 0 && size < 1e-12)
                return value.ToString("R", CultureInfo.InvariantCulture);
            return Amount((decimal)value);
        }

        /// <summary>A decimal amount of money with its significant digits and no trailing zeros.</summary>
        internal static string Amount(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

        /// <summary><see cref="Amount(decimal)"/>, or "" when the amount is unknown.</summary>
        internal static string Amount(decimal? value) => value.HasValue ? Amount(value.Value) : "";

        public static string RetryAfterTooLong(TimeSpan retryAfter, TimeSpan budget, DateTimeOffset retryAt) =>
            Format(nameof(RetryAfterTooLong), Seconds(retryAfter), Seconds(budget), retryAt.ToUniversalTime());

        public static string SubmissionUncertain(string provider, string submissionId, long requests, IReadOnlyList<IrisBatchInfo> candidates) =>
            Format(nameof(SubmissionUncertain), submissionId, requests, provider, candidates.Count, string.Join(", ", candidates.Select(Candidate)), candidates[0].Id);

        /// <summary>A SubmissionUncertain candidate: its id, when it was created (when known) and its size.</summary>
        public static string Candidate(IrisBatchInfo b) =>
            b.CreatedAt.HasValue ? Format("CandidateCreated", b.Id, b.CreatedAt.Value.ToUniversalTime(), b.Total) : Format(nameof(Candidate), b.Id, b.Total);

        public static string AdoptUnused(string batchId) => Format(nameof(AdoptUnused), batchId);

        public static string Adopted(string provider, string batchId) => Format(nameof(Adopted), provider, batchId);

        public static string FoundEarlier(string provider, string what) => Format(nameof(FoundEarlier), provider, what);

        public static string TookEffect(string provider, string what) => Format(nameof(TookEffect), provider, what);

        public static string RetryDefinitive(int attempt, int max, string what, TimeSpan delay, string reason) =>
            Format(nameof(RetryDefinitive), attempt, max, what, Seconds(delay), reason);

        public static string RetryAfterLookUp(int attempt, int max, string what, TimeSpan delay, string reason) =>
            Format(nameof(RetryAfterLookUp), attempt, max, what, Seconds(delay), reason);


        /// <summary>The last create call failed ambiguously too: the look-up is next.</summary>
        public static string LastTryLookUp(int attempt, string what, TimeSpan delay, string reason) =>
            Format(nameof(LastTryLookUp), attempt, what, Seconds(delay), reason);

        /// <summary>Every create call failed ambiguously and the look-up after the last found none (<paramref name="lookUpError"/> null) or failed.</summary>
        public static string CreateUnconfirmed(string provider, string submissionId, long requests, int calls, string lastError, string? lookUpError) =>
            Format(nameof(CreateUnconfirmed), submissionId, requests, provider, calls, lastError,
                lookUpError == null ? Text("CreateUnconfirmedNone") : Format("CreateUnconfirmedLookUpFailed", lookUpError));

        /// <summary>Every upload call failed ambiguously and the look-up after the last found no file (<paramref name="lookUpError"/> null) or failed.</summary>
        public static string UploadUnconfirmed(string provider, string submissionId, long requests, int calls, string lastError, string? lookUpError) =>
            Format(nameof(UploadUnconfirmed), submissionId, requests, provider, calls, lastError,
                lookUpError == null ? Text("UploadUnconfirmedNone") : Format("CreateUnconfirmedLookUpFailed", lookUpError));

        /// <summary>A run took up an upload an earlier run started and never finished recording, and looking for its file failed.</summary>
        public static string UploadUnconfirmedEarlier(string provider, string submissionId, long requests, string lookUpError) =>
            Format(nameof(UploadUnconfirmedEarlier), submissionId, requests, provider, lookUpError);

        /// <summary>A run took up a create step an earlier run started (<paramref name="calls"/> calls sent), and looking for its batch failed.</summary>
        public static string CreateUnconfirmedEarlier(string provider, string submissionId, long requests, int calls, string lookUpError) =>
            Format(nameof(CreateUnconfirmedEarlier), submissionId, requests, provider, calls, lookUpError);

        public static string UnknownStatus(string provider, string batchId, string? providerStatus) =>
            Format(nameof(UnknownStatus), provider, providerStatus, batchId);

        public static string StatusNotRecorded(string batchId, string reason) => Format(nameof(StatusNotRecorded), batchId, reason);

        public static string Interrupted(string submissionId, long requests, string model, string state) =>
            Format(nameof(Interrupted), submissionId, requests, model, state);

        public static string JournalUnavailable(string path, string osError) => Format(nameof(JournalUnavailable), path, Inner(osError));

        // The lifecycle: submission plans and removals.

        public static string Reused(long requests, string batchId, BatchStatus status, DateTimeOffset spooledAt) =>
            Format(nameof(Reused), requests, batchId, status, spooledAt);

        public static string Resuming(string submissionId, long requests, string step) => Format(nameof(Resuming), submissionId, requests, step);

        /// <summary>Another process holds the claim on the same requests (Submit-IrisBatch waits for it).</summary>
        public static string WaitingForOtherSubmission(long requests) => Format(nameof(WaitingForOtherSubmission), requests);

        /// <summary>Submit-IrisBatch's ShouldProcess target (<paramref name="estimate"/>: the cost text, or "").</summary>
        public static string SubmitTarget(long requests, long bytes, string estimate, string model, string provider, string location, int index, int total, long allRequests, int models) =>
            Format(nameof(SubmitTarget), requests, bytes, estimate, model, provider, location) +
            (total > 1 ? Format("SubmitTargetOfMany", index, total, allRequests, models) : "");

        public static string RemoveNotComplete(string batchId, BatchStatus status, string? providerStatus) =>
            Format(nameof(RemoveNotComplete), batchId, status, providerStatus);

        public static string RemoveNotCollected(string batchId) => Format(nameof(RemoveNotCollected), batchId);

        /// <summary>Remove-IrisBatch's ShouldProcess target: the batch and what goes (none: <c>RemoveNothingLeft</c>).</summary>
        public static string RemoveTarget(string batchId, string provider, IReadOnlyCollection<string> parts) =>
            Format(nameof(RemoveTarget), batchId, provider, parts.Count > 0 ? string.Join("; ", parts) : Text("RemoveNothingLeft"));

        public static string RemoveEntry(string submissionId, string folder, bool keep) =>
            keep ? Format("RemoveKeptEntry", submissionId) : Format(nameof(RemoveEntry), submissionId, folder);

        public static string RemoteDeleted(string item, string provider, bool deleted) =>
            deleted ? Format(nameof(RemoteDeleted), item, provider) : Format("RemoteAlreadyGone", item, provider);

        // The cmdlets.

        public static string WaitTimeout(double seconds, int running, string batches) => Format(nameof(WaitTimeout), seconds, running, batches);

        public static string SetNotInJournal(string setId) => Format(nameof(SetNotInJournal), setId);

        public static string NothingToCancel(string batchId, BatchStatus status) => Format(nameof(NothingToCancel), batchId, status);

        public static string CancelTarget(string batchId, BatchStatus status, long processed, long total, string provider, string location) =>
            Format(nameof(CancelTarget), batchId, status, processed, total, provider, location);

        public static string BatchSkipped(string batchId, string reason) => Format(nameof(BatchSkipped), batchId, reason);

        public static string NotRefreshed(string? batchId, string provider, string reason, DateTimeOffset? checkedAt) =>
            checkedAt.HasValue ? Format("NotRefreshedChecked", batchId, provider, reason, checkedAt.Value) : Format(nameof(NotRefreshed), batchId, provider, reason);

        public static string SetCost(string setId, decimal? cost) =>
            cost.HasValue ? Format(nameof(SetCost), setId, Amount(cost.Value)) : Format("SetCostUnknown", setId);

        public static string ResultsNotReady(string batchId, BatchStatus status, string? providerStatus) =>
            Format(nameof(ResultsNotReady), batchId, status, providerStatus);

        public static string ResultsDownloadedAgain(string batchId, string dir) => Format(nameof(ResultsDownloadedAgain), batchId, dir);
        public static string UnknownResults(string provider, long count, string batchId, string customId) => Format(nameof(UnknownResults), provider, count, batchId, customId);
        public static string DuplicateResults(string provider, long count, string batchId) => Format(nameof(DuplicateResults), provider, count, batchId);

        public static string ResultsWithoutRequests(string batchId, BatchStatus status, long total, long listed) => Format(nameof(ResultsWithoutRequests), batchId, status, total, listed);

        public static string Unpriced(string model, string priceTable) => Format(nameof(Unpriced), model, priceTable);

        /// <summary>A model with no price as the Unpriced warning names it, with the model the provider reported when that has none either.</summary>
        public static string UnpricedModel(string model, string? reported) =>
            string.IsNullOrEmpty(reported) || string.Equals(model, reported, System.StringComparison.OrdinalIgnoreCase)
                ? Format(nameof(UnpricedModel), model)
                : Format("UnpricedModelReported", model, reported!);

        public static string UnknownPrice(string priceTable, string model) => Format(nameof(UnknownPrice), priceTable, model);

        public static string CostLimitExceeded(double cost, string currency, long requests, int batches, double maxCost) =>
            Format(nameof(CostLimitExceeded), Amount(cost), currency, requests, batches, Amount(maxCost));

        public static string NoMetadata(string provider) => Format(nameof(NoMetadata), provider);

        public static string TooManyMetadata(int pairs, string provider, int allowed) =>
            Format(nameof(TooManyMetadata), pairs, provider, allowed);

        public static string MetadataKeyLength(string key, int max) => Format(nameof(MetadataKeyLength), key, max);

        public static string MetadataValueLength(string key, int length, int max) => Format(nameof(MetadataValueLength), key, length, max);

        public static string MetadataValueTooShort(string key, int length, string provider, int min) => Format(nameof(MetadataValueTooShort), key, length, provider, min);

        public static string TogetherUploadNoRedirect(string provider, int status) => Format(nameof(TogetherUploadNoRedirect), provider, status);

        public static string TogetherUploadFallback(string location) => Format(nameof(TogetherUploadFallback), location);

        public static string MetadataReserved(string key) => Format(nameof(MetadataReserved), key);

        public static string InvalidCustomId(long row, string? customId) => Format(nameof(InvalidCustomId), row, customId);

        /// <summary>The summary of repeated invalid custom ids.</summary>
        public static string InvalidCustomIdReason() => Text(nameof(InvalidCustomIdReason));

        public static string NoModel(long row, string? customId) => Format(nameof(NoModel), row, customId);

        /// <summary>The summary of repeated requests with no model.</summary>
        public static string NoModelReason() => Text(nameof(NoModelReason));

        /// <summary>Two rows' requests share an id; when both carry the same row number they came from separate inputs.</summary>
        public static string DuplicateCustomId(string customId, long firstRow, long secondRow) => firstRow == secondRow
            ? Format("DuplicateCustomIdSameRow", customId, firstRow)
            : Format(nameof(DuplicateCustomId), customId, firstRow, secondRow);

        public static string EmptyInput() => Text(nameof(EmptyInput));

        public static string VectorFileUnwritable(string path, string reason) => Format(nameof(VectorFileUnwritable), path, reason);

        public static string SchemaNeither(string text, string reason) => Format(nameof(SchemaNeither), text, reason);

        public static string SchemaFileMissing(string path) => Format(nameof(SchemaFileMissing), path);

        public static string SchemaFileUnreadable(string path, string reason) => Format(nameof(SchemaFileUnreadable), path, reason);

        public static string SchemaEmpty() => Text(nameof(SchemaEmpty));

        public static string SchemaWrongType(string type) => Format(nameof(SchemaWrongType), type);

        /// <summary>Submit-IrisBatch -WhatIf: the target of one place the requests would go.</summary>
        public static string PreviewTarget(long requests, int batches, string models, string provider, string location, long bytes) =>
            Format(nameof(PreviewTarget), requests, batches, models, provider, location, bytes);

        /// <summary>Submit-IrisBatch -WhatIf: the action ("Submit batch", "Submit 3 batches").</summary>
        public static string PreviewAction(int batches) => batches == 1 ? Text(nameof(PreviewAction)) : Format("PreviewActionMany", batches);

        /// <summary>A model the price table says its provider retired, with the date and the nearest known names.</summary>
        public static string RetiredModel(string model, string provider, string retired, IReadOnlyList<string> nearest) =>
            Format(nameof(RetiredModel), model, provider, retired, Near(nearest));

        /// <summary>A model models.json does not know for its provider, with the nearest known names and whether it has no price.</summary>
        public static string UnknownModel(string model, string provider, IReadOnlyList<string> nearest, bool unpriced) =>
            Format(nameof(UnknownModel), model, provider, Near(nearest), unpriced ? Text("UnknownModelUnpriced") : "");

        /// <summary>" Did you mean a or b?", or nothing without names.</summary>
        private static string Near(IReadOnlyList<string> nearest) => nearest.Count > 0 ? Format("UnknownModelNear", ListOr(nearest)) : "";

        /// <summary>"a", "a or b", "a, b or c".</summary>
        internal static string ListOr(IReadOnlyList<string> items) =>
            items.Count == 0 ? "" : items.Count == 1 ? items[0] : Format(nameof(ListOr), string.Join(", ", items.Take(items.Count - 1)), items[items.Count - 1]);

        /// <summary>Results with no vector, left out of the vector file: the first ids and how many more.</summary>
        public static string VectorsSkipped(long skipped, string path, IReadOnlyList<string> listed) =>
            Format(nameof(VectorsSkipped), skipped, path, string.Join(", ", listed), skipped > listed.Count ? Format("AndMore", skipped - listed.Count) : "");

        public static string PollFailed(string batchId, string? reason) => Format(nameof(PollFailed), batchId, reason);

        public static string RequestsGoBack(string batchId, string provider, string location, string? name) =>
            Format(nameof(RequestsGoBack), batchId, provider, location, name != null ? Format("RequestsGoBackNamed", name) : "");

        /// <summary>The fix PowerShell shows as "Recommendation:" for an error id, or null when it has none.</summary>
        public static string? RecommendedAction(string errorId)
        {
            switch (errorId)
            {
                case ErrorIds.MissingApiKey: return Text("ActionMissingApiKey");
                case ErrorIds.Unauthorized: return Text("ActionUnauthorized");
                case ErrorIds.NotComplete: return Text("ActionNotComplete");
                case ErrorIds.WaitTimeout: return Text("ActionWaitTimeout");
                case ErrorIds.QuotaExceeded: return Text("ActionQuotaExceeded");
                default: return null;
            }
        }
    }
}
