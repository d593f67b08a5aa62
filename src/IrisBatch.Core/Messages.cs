using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace IrisBatch
{
    /// <summary>
    /// Messages a user reads, in one place (issue 15), instead of literals across the code. Each is a method when it
    /// takes values, so the wording and its placeholders stay together.
    /// </summary>
    public static class Messages
    {
        private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

        public static string RetryAfterTooLong(TimeSpan retryAfter, TimeSpan budget, DateTimeOffset retryAt) =>
            $"The provider asked to wait {Seconds(retryAfter)} s (Retry-After), longer than the {Seconds(budget)} s IrisBatch waits between retries, " +
            $"so it was not retried: try again after {retryAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC.";

        public static string SubmissionUncertain(string provider, string submissionId, long requests, IReadOnlyList<IrisBatchInfo> candidates) =>
            $"The create call of submission {submissionId} ({requests:N0} requests) at {provider} lost its answer, and {candidates.Count} batches " +
            $"could be the one it made: {string.Join(", ", candidates.Select(Describe))}. IrisBatch adopted none and created none, " +
            "so that nothing is paid twice. Check them at the provider, then run the same Submit-IrisBatch command again with " +
            $"-AdoptBatchId <id> to adopt the right one (e.g. -AdoptBatchId {candidates[0].Id}), or cancel the strangers first.";

        private static string Describe(IrisBatchInfo b) =>
            b.CreatedAt.HasValue ? $"{b.Id} (created {b.CreatedAt.Value.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC, {b.Total:N0} requests)" : $"{b.Id} ({b.Total:N0} requests)";

        public static string AdoptRefused(string batchId, string reason) =>
            $"-AdoptBatchId {batchId} was not adopted: {reason}";

        public static string AdoptUnused(string batchId) =>
            $"-AdoptBatchId {batchId} was not adopted: none of these submissions was waiting for a batch it could be (only a submission whose create call lost its answer adopts one).";

        public static string Adopted(string provider, string batchId) =>
            $"{provider}: adopted batch {batchId} as this submission's batch.";

        public static string FoundEarlier(string provider, string what) =>
            $"{provider}: the {what} of an earlier run was found and is reused.";

        public static string TookEffect(string provider, string what) =>
            $"{provider}: the {what} had taken effect; its answer was lost. Reusing it.";

        public static string RetryDefinitive(int attempt, int max, string what, TimeSpan delay, string reason) =>
            $"Retry {attempt} of {max} of the {what} in {Seconds(delay)} s: the provider answered that it did not act ({reason}).";

        public static string RetryAfterLookUp(int attempt, int max, string what, TimeSpan delay, string reason) =>
            $"Retry {attempt} of {max} of the {what} in {Seconds(delay)} s, after checking whether it took effect: {reason}";

        public static string LookUpFailed(string provider, string what, string reason) =>
            $"The {what} may have taken effect at {provider}, but its answer was lost and looking for it failed too ({reason}). " +
            "Run the same command again: it looks for it before trying again.";

        public static string UnknownStatus(string provider, string batchId, string? providerStatus) =>
            $"{provider} reported status '{providerStatus}' for batch {batchId}, which IrisBatch does not know: treating the batch as not finished.";

        public static string StatusNotRecorded(string batchId, string reason) =>
            $"Could not record the status of batch {batchId} in the journal: {reason}";

        public static string Interrupted(string submissionId, long requests, string model, string state) =>
            $"Submission {submissionId} ({requests:N0} requests for {model}) was interrupted at '{state}'; run the same Submit-IrisBatch again to finish it.";

        public static string JournalUnavailable(string path, string osError) =>
            $"The journal folder {path} cannot be written: {osError}. Point $env:IRISBATCH_HOME at a writable folder, or free space or permissions there.";
    }
}
