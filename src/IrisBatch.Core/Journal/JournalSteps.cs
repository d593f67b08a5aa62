using System;
using System.Collections.Generic;

namespace IrisBatch.Journal
{
    /// <summary>
    /// The steps a journal entry's history records. Typed in code; on disk each keeps its stable text form
    /// (<see cref="JournalSteps.Text"/>), the words journals have always used, so old journals still read.
    /// </summary>
    public enum JournalStep
    {
        /// <summary>A word this version does not know (a newer IrisBatch wrote it): kept as text, never acted on.</summary>
        Unknown,
        Spooled,
        UploadStarted,
        Uploaded,
        CreateStarted,
        Created,
        /// <summary>A look-up after a lost create answer found several candidates (detail: their ids, comma-separated).</summary>
        Uncertain,
        /// <summary>A batch was adopted (detail: its id or how: -AdoptBatchId, or a batch submitted outside this journal).</summary>
        Adopted,
        CancelRequested,
        ResultsDownloaded,
        ResultsCollected,
        /// <summary>Remove-IrisBatch -KeepLocal deleted the batch's objects at the provider (detail: what was deleted).</summary>
        RemovedAtProvider,
        /// <summary>
        /// The provider refused the upload with an answer that says nothing was stored (a 4xx), and no earlier upload
        /// call of the entry is unsettled: nothing of it is at the provider (detail: the error).
        /// </summary>
        UploadRefused,
        /// <summary>
        /// The provider refused the create call with an answer that says nothing was made (a 4xx), no call of this step
        /// failed ambiguously, and no earlier create call of the entry is unsettled: no batch exists (detail: the error).
        /// </summary>
        CreateRefused,
    }

    /// <summary>The stable text form of each <see cref="JournalStep"/>.</summary>
    public static class JournalSteps
    {
        public const string Spooled = "spooled";
        public const string UploadStarted = "upload started";
        public const string Uploaded = "uploaded";
        public const string CreateStarted = "create started";
        public const string Created = "created";
        public const string Uncertain = "submission uncertain";
        public const string Adopted = "adopted";
        public const string CancelRequested = "cancel requested";
        public const string ResultsDownloaded = "results downloaded";
        public const string ResultsCollected = "results collected";
        public const string RemovedAtProvider = "removed at the provider";
        public const string UploadRefused = "upload refused";
        public const string CreateRefused = "create refused";

        private static readonly Dictionary<string, JournalStep> ByText = new Dictionary<string, JournalStep>(StringComparer.Ordinal)
        {
            [Spooled] = JournalStep.Spooled,
            [UploadStarted] = JournalStep.UploadStarted,
            [Uploaded] = JournalStep.Uploaded,
            [CreateStarted] = JournalStep.CreateStarted,
            [Created] = JournalStep.Created,
            [Uncertain] = JournalStep.Uncertain,
            [Adopted] = JournalStep.Adopted,
            [CancelRequested] = JournalStep.CancelRequested,
            [ResultsDownloaded] = JournalStep.ResultsDownloaded,
            [ResultsCollected] = JournalStep.ResultsCollected,
            [RemovedAtProvider] = JournalStep.RemovedAtProvider,
            [UploadRefused] = JournalStep.UploadRefused,
            [CreateRefused] = JournalStep.CreateRefused,
        };

        /// <summary>The words written to disk for <paramref name="step"/>.</summary>
        public static string Text(JournalStep step)
        {
            foreach (var kv in ByText) if (kv.Value == step) return kv.Key;
            throw new ArgumentOutOfRangeException(nameof(step), step, "Unknown is read, never written.");
        }

        /// <summary>The step a history line's words name; <see cref="JournalStep.Unknown"/> for words this version does not know.</summary>
        public static JournalStep Parse(string? text) => text != null && ByText.TryGetValue(text, out var step) ? step : JournalStep.Unknown;
    }
}
