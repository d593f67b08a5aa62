using System.Collections.Generic;

namespace IrisBatch.Journal
{
    /// <summary>What the provider may hold of a sent submission that has no batch in the journal.</summary>
    public enum NotCreatedKind
    {
        /// <summary>The entry has its batch (or was never sent: a spool, <see cref="Submission.SpoolRecovery"/>'s).</summary>
        None,
        /// <summary>No batch exists: the upload or the create was refused, or the run stopped before any create call. At most its input file is there.</summary>
        NoBatch,
        /// <summary>An upload call's outcome is unknown (IrisBatch.UploadUnconfirmed, or a run that stopped mid-upload): a file may be stored, its id unknown.</summary>
        UploadUnknown,
        /// <summary>A create call's outcome is unknown (IrisBatch.CreateUnconfirmed, or a run that stopped mid-create): a batch may exist.</summary>
        CreateUnknown,
        /// <summary>A look-up found several batches that could be this submission's (IrisBatch.SubmissionUncertain).</summary>
        Uncertain,
    }

    /// <summary>
    /// The journal's submissions that were sent and never got a batch (issue 18's clean-up): whether a batch may exist at
    /// the provider is read from the entry's history alone, and only a history that says none exists counts as
    /// <see cref="NotCreatedKind.NoBatch"/>. Anything else is unknown and is never removed on a guess.
    /// </summary>
    public static class NotCreated
    {
        private static readonly JournalStep[] UploadSteps = { JournalStep.UploadStarted, JournalStep.UploadRefused };

        /// <summary>The create steps: a create call sent, refused, a look-up that found several candidates, a batch adopted.</summary>
        private static readonly JournalStep[] CreateSteps = { JournalStep.CreateStarted, JournalStep.CreateRefused, JournalStep.Uncertain, JournalStep.Adopted };

        public static NotCreatedKind Classify(JournalEntry e)
        {
            if (e.State == SubmissionState.Created && !string.IsNullOrEmpty(e.BatchId)) return NotCreatedKind.None;
            if (e.State == SubmissionState.Spooled)
            {
                var upload = LastOf(e, UploadSteps);
                if (upload == null) return NotCreatedKind.None;
                return upload.Step == JournalStep.UploadRefused ? NotCreatedKind.NoBatch : NotCreatedKind.UploadUnknown;
            }
            if (e.State != SubmissionState.Uploaded) return NotCreatedKind.CreateUnknown;   // Created without a batch id: never guessed at
            var create = LastOf(e, CreateSteps);
            if (create == null || create.Step == JournalStep.CreateRefused) return NotCreatedKind.NoBatch;
            return create.Step == JournalStep.Uncertain ? NotCreatedKind.Uncertain : NotCreatedKind.CreateUnknown;
        }

        /// <summary>
        /// Whether every upload call the entry's history records was refused (none recorded: true). Read before a run
        /// records its own first call: only then may that run's refusal say that nothing was stored.
        /// </summary>
        public static bool UploadSettled(JournalEntry e) => LastOf(e, UploadSteps)?.Step != JournalStep.UploadStarted;

        /// <summary>Whether every create call the entry's history records was refused (none recorded: true); see <see cref="UploadSettled"/>.</summary>
        public static bool CreateSettled(JournalEntry e)
        {
            var last = LastOf(e, CreateSteps);
            return last == null || last.Step == JournalStep.CreateRefused;
        }

        /// <summary>The refusal that ended the entry (the last step, an upload or create refused), or null.</summary>
        public static StateChange? Refusal(JournalEntry e)
        {
            var last = LastOf(e, new[] { JournalStep.UploadStarted, JournalStep.UploadRefused, JournalStep.CreateStarted, JournalStep.CreateRefused });
            return last != null && (last.Step == JournalStep.UploadRefused || last.Step == JournalStep.CreateRefused) ? last : null;
        }

        /// <summary>
        /// The entry as -Local lists it: no batch id, its submission id, Failed when no batch exists (with why, in
        /// Errors), Unknown when one may. Null for an entry that has its batch or was never sent.
        /// </summary>
        public static IrisBatchInfo? ToBatch(JournalEntry e)
        {
            var kind = Classify(e);
            if (kind == NotCreatedKind.None) return null;
            var batch = LocalBatches.ToBatch(e);
            batch.Id = "";
            batch.Status = kind == NotCreatedKind.NoBatch ? BatchStatus.Failed : BatchStatus.Unknown;
            batch.ProviderStatus = null;
            batch.Succeeded = 0;
            batch.Failed = 0;
            batch.Errors = new[] { Why(e, kind) };
            return batch;
        }

        private static BatchValidationError Why(JournalEntry e, NotCreatedKind kind)
        {
            var refusal = Refusal(e);
            if (kind == NotCreatedKind.NoBatch && refusal != null)
                return new BatchValidationError
                {
                    Code = refusal.Step == JournalStep.UploadRefused ? "upload_refused" : "create_refused",
                    Message = refusal.Detail,
                };
            switch (kind)
            {
                case NotCreatedKind.NoBatch: return new BatchValidationError { Code = "not_created", Message = Messages.NotCreatedStopped(e.SubmissionId) };
                case NotCreatedKind.UploadUnknown: return new BatchValidationError { Code = "upload_unconfirmed", Message = Messages.NotCreatedUploadUnknown(e.SubmissionId) };
                case NotCreatedKind.Uncertain: return new BatchValidationError { Code = "submission_uncertain", Message = Messages.NotCreatedUncertain(e.SubmissionId) };
                default: return new BatchValidationError { Code = "create_unconfirmed", Message = Messages.NotCreatedCreateUnknown(e.SubmissionId) };
            }
        }

        /// <summary>The last of <paramref name="steps"/> in the entry's history, or null.</summary>
        private static StateChange? LastOf(JournalEntry e, IReadOnlyCollection<JournalStep> steps)
        {
            if (e.History == null) return null;
            for (int i = e.History.Count - 1; i >= 0; i--)
            {
                var h = e.History[i];
                if (h == null) continue;
                foreach (var s in steps) if (h.Step == s) return h;
            }
            return null;
        }
    }
}
