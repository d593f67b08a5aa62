namespace IrisBatch
{
    /// <summary>The clean-up of submissions that never got a batch (issue 18; Remove-IrisBatch, Get-IrisBatchStatus -Local).</summary>
    public static partial class Messages
    {
        public static string SubmissionRefused(string submissionId, long requests, string model, string error) =>
            Format(nameof(SubmissionRefused), submissionId, requests, model, Inner(error));

        public static string NotCreatedStopped(string submissionId) => Format(nameof(NotCreatedStopped), submissionId);

        public static string NotCreatedUploadUnknown(string submissionId) => Format(nameof(NotCreatedUploadUnknown), submissionId);

        public static string NotCreatedCreateUnknown(string submissionId) => Format(nameof(NotCreatedCreateUnknown), submissionId);

        public static string NotCreatedUncertain(string submissionId) => Format(nameof(NotCreatedUncertain), submissionId);

        /// <summary>Remove-IrisBatch's ShouldProcess target for a submission with no batch: what goes ('; '-separated).</summary>
        public static string RemoveSubmissionTarget(string submissionId, string provider, System.Collections.Generic.IReadOnlyCollection<string> parts) =>
            Format(nameof(RemoveSubmissionTarget), submissionId, provider, string.Join("; ", parts));

        public static string RemoveSubmissionUnknown(string submissionId, string why) => Format(nameof(RemoveSubmissionUnknown), submissionId, why);

        public static string RemoveSubmissionHasBatch(string submissionId, string? batchId) =>
            batchId == null ? Format("RemoveSubmissionUnsent", submissionId) : Format(nameof(RemoveSubmissionHasBatch), submissionId, batchId);

        public static string RemoveSubmissionBusy(string submissionId) => Format(nameof(RemoveSubmissionBusy), submissionId);

        public static string SubmissionNotInJournal(string submissionId) => Format(nameof(SubmissionNotInJournal), submissionId);

        public static string SubmissionHasNoBatch(string submissionId, BatchStatus status) => Format(nameof(SubmissionHasNoBatch), submissionId, status);

        public static string SubmissionMayHaveBatch(string submissionId, string why) => Format(nameof(SubmissionMayHaveBatch), submissionId, why);
    }
}
