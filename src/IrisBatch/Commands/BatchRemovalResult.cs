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
            Provider = outcome.Provider;
            Deleted.AddRange(outcome.Deleted);
            AlreadyGone.AddRange(outcome.AlreadyGone);
            JournalEntryRemoved = outcome.JournalEntryRemoved;
            KeptLocal = outcome.KeptLocal;
        }

        public string BatchId { get; set; } = "";
        public string Provider { get; set; } = "";
        /// <summary>What was deleted at the provider (files, the batch).</summary>
        public List<string> Deleted { get; } = new List<string>();
        /// <summary>What was gone already (not an error).</summary>
        public List<string> AlreadyGone { get; } = new List<string>();
        public bool JournalEntryRemoved { get; set; }
        public bool KeptLocal { get; set; }
    }
}
