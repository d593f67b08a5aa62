using System.Collections.Generic;
using IrisBatch.Lifecycle;

namespace IrisBatch.Commands
{
    /// <summary>What Remove-IrisBatch -PassThru reports for one batch (the lifecycle's <see cref="RemovalOutcome"/>).</summary>
    public sealed class BatchRemovalResult
    {
        public BatchRemovalResult() { }

        internal BatchRemovalResult(RemovalOutcome outcome)
        {
            BatchId = outcome.BatchId;
            SubmissionId = outcome.SubmissionId;
            Provider = outcome.Provider;
            Deleted.AddRange(outcome.Deleted);
            AlreadyGone.AddRange(outcome.AlreadyGone);
            JournalEntryRemoved = outcome.JournalEntryRemoved;
            KeptLocal = outcome.KeptLocal;
        }

        /// <summary>The batch removed; "" for a submission that never got one.</summary>
        public string BatchId { get; set; } = "";
        /// <summary>The journal's submission (its entry), when the journal had one.</summary>
        public string? SubmissionId { get; set; }
        public string Provider { get; set; } = "";
        /// <summary>What was deleted at the provider (files, the batch).</summary>
        public List<string> Deleted { get; } = new List<string>();
        /// <summary>What was gone already (not an error).</summary>
        public List<string> AlreadyGone { get; } = new List<string>();
        public bool JournalEntryRemoved { get; set; }
        public bool KeptLocal { get; set; }
    }
}
