using System.Collections.Generic;
using IrisBatch.Journal;
using IrisBatch.Providers;
using IrisBatch.Submission;

namespace IrisBatch.Lifecycle
{
    /// <summary>
    /// The journal protocol for one command (issue 15's Lifecycle layer): the journal, opened and checked writable once,
    /// and the parts that use it. The cmdlets reach the journal only through these parts.
    /// </summary>
    public sealed class LifecycleSession
    {
        private readonly JournalStore _journal;
        private BatchLocator? _locator;
        private StatusRecorder? _recorder;
        private LocalListing? _listing;
        private ResultCollector? _collector;
        private SubmissionPlanner? _planner;

        public LifecycleSession(JournalStore journal) => _journal = journal;

        /// <summary>The default journal ($env:IRISBATCH_HOME, else the user's folder); IrisBatch.JournalUnavailable, naming the path and the OS error, when it cannot be written.</summary>
        public static LifecycleSession OpenDefault()
        {
            var journal = JournalStore.OpenDefault();
            journal.CheckWritable();
            return new LifecycleSession(journal);
        }

        /// <summary>Where the journal is (for messages).</summary>
        public string Root => _journal.Root;

        /// <summary>Journal to provider: ids, sets, where a batch lives.</summary>
        public BatchLocator Locator => _locator ??= new BatchLocator(_journal);

        /// <summary>Status and cancel records.</summary>
        public StatusRecorder Recorder => _recorder ??= new StatusRecorder(_journal);

        /// <summary>The journal's batches as last seen, with no network call.</summary>
        public LocalListing Listing => _listing ??= new LocalListing(_journal);

        /// <summary>Download once, adopt, read back, mark collected.</summary>
        public ResultCollector Collector => _collector ??= new ResultCollector(_journal);

        /// <summary>New / resume / reuse per spooled part, then the submitter.</summary>
        public SubmissionPlanner Planner => _planner ??= new SubmissionPlanner(_journal);

        /// <summary>A remover of finished batches (Remove-IrisBatch, Get-IrisBatchResult -RemoveAfter).</summary>
        public BatchRemover Remover(bool keepLocal, bool force) => new BatchRemover(_journal) { KeepLocal = keepLocal, Force = force };

        /// <summary>A spooler of requests into new submission folders of this journal (see <see cref="BatchSpooler"/>).</summary>
        /// <remarks>The first spooler of a session first removes the folders earlier runs left half-written (<see cref="SpoolRecovery"/>).</remarks>
        public BatchSpooler Spooler(IBatchProvider provider, string? name, IDictionary<string, string>? metadata,
            long? maxRequestsPerBatch, long? maxBytesPerBatch, long? maxTokensPerBatch, bool countTokens)
        {
            if (!_recovered) AbandonedSpoolsRemoved = SpoolRecovery.RemoveAbandoned(_journal);
            _recovered = true;
            return new BatchSpooler(_journal, provider, name, metadata, maxRequestsPerBatch, maxBytesPerBatch, maxTokensPerBatch, countTokens);
        }

        private bool _recovered;

        /// <summary>How many half-written submission folders of earlier runs the first spooler removed.</summary>
        public int AbandonedSpoolsRemoved { get; private set; }
    }
}
