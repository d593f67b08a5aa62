namespace IrisBatch.Journal
{
    /// <summary>The steps a journal entry's history records, in their stable text form (old journals use the same words).</summary>
    public static class JournalSteps
    {
        public const string Spooled = "spooled";
        public const string UploadStarted = "upload started";
        public const string Uploaded = "uploaded";
        public const string CreateStarted = "create started";
        public const string Created = "created";
        /// <summary>A look-up after a lost create answer found several candidates (detail: their ids, comma-separated).</summary>
        public const string Uncertain = "submission uncertain";
        /// <summary>A batch was adopted (detail: how: -AdoptBatchId, or a batch submitted outside this journal).</summary>
        public const string Adopted = "adopted";
        public const string CancelRequested = "cancel requested";
        public const string ResultsDownloaded = "results downloaded";
        public const string ResultsCollected = "results collected";
    }
}
