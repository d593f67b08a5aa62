using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers;
using IrisBatch.Submission;

namespace IrisBatch.Lifecycle
{
    /// <summary>What a spooled part becomes: a new submission, the resumption of an interrupted one, or an earlier batch reused.</summary>
    public enum PlanKind
    {
        New,
        Resume,
        Reuse,
    }

    /// <summary>The plan for one spooled part; the cmdlet asks ShouldProcess with <see cref="Target"/> before anything is sent.</summary>
    public sealed class SubmissionPlan : IDisposable
    {
        internal SubmissionPlan(PlanKind kind, JournalEntry entry, JournalEntry spooled, IBatchProvider provider)
        {
            Kind = kind;
            Entry = entry;
            Spooled = spooled;
            Provider = provider;
        }

        public PlanKind Kind { get; }
        /// <summary>The journal entry that is sent: the spooled one, or the interrupted earlier one it resumes.</summary>
        public JournalEntry Entry { get; }
        internal JournalEntry Spooled { get; }
        public IBatchProvider Provider { get; }
        /// <summary>For <see cref="PlanKind.Reuse"/>: the earlier batch of the same requests, emitted instead of paying twice.</summary>
        public IrisBatchInfo? Batch { get; internal set; }
        /// <summary>What the user is told (a reuse or a resumption), or null.</summary>
        public string? Warning { get; internal set; }
        /// <summary>The ShouldProcess target: how many requests, which model, where.</summary>
        public string Target { get; internal set; } = "";

        /// <summary>This process's claim on submitting these requests, held until the plan is disposed.</summary>
        internal IDisposable? Claim { get; set; }

        /// <summary>Lets another process submitting the same requests go on (it then finds this one's batch).</summary>
        public void Dispose()
        {
            Claim?.Dispose();
            Claim = null;
        }
    }

    /// <summary>
    /// The first part of the journal protocol (issue 15's Lifecycle layer): for each spooled part, decide new / resume /
    /// reuse from the journal, say what will happen (the ShouldProcess text), then hand the part to the submitter, or
    /// discard it when the user declines. The cmdlet only asks ShouldProcess and writes what comes back.
    /// </summary>
    public sealed class SubmissionPlanner
    {
        private readonly JournalStore _journal;

        public SubmissionPlanner(JournalStore journal) => _journal = journal;

        /// <summary>The ShouldProcess target of one part (<paramref name="estimate"/>: the cost text, or "").</summary>
        public static string TargetText(JournalEntry e, IBatchProvider provider, string estimate, int index, int total, long requests, int models) =>
            Messages.SubmitTarget(e.RequestCount, e.Bytes, estimate, e.Model, provider.Name, provider.Location, index, total, requests, models);

        /// <summary>
        /// Plans a spooled part. Unless <paramref name="force"/>: the same requests submitted before to the same place, with a
        /// batch not failed, cancelled or expired (nor ended with no request answered) and results not collected, are reused (the fresh spool is discarded); an
        /// earlier submission interrupted before its batch was created is resumed, under this run's name, metadata and set.
        /// </summary>
        /// <remarks>
        /// Unless <paramref name="force"/>, the plan holds the journal's claim on these requests until it is disposed: a second
        /// process submitting the same requests at the same time (two scheduled tasks) waits here, telling
        /// <paramref name="warn"/> once, and then finds this one's batch instead of paying for the same requests twice.
        /// </remarks>
        public async Task<SubmissionPlan> PlanAsync(IBatchProvider provider, JournalEntry spooled, bool force, CancellationToken ct,
            Action<string>? warn = null)
        {
            bool waited = false;
            IDisposable? claim = force ? null : await ClaimAsync(spooled, warn, () => waited = true, ct).ConfigureAwait(false);
            try
            {
                var plan = await PlanClaimedAsync(provider, spooled, force, waited, ct).ConfigureAwait(false);
                // A reused batch needs nothing more from this process: the claim goes at once.
                if (plan.Kind == PlanKind.Reuse) claim?.Dispose();
                else plan.Claim = claim;
                return plan;
            }
            catch
            {
                claim?.Dispose();
                throw;
            }
        }

        /// <summary>How often a process waiting for another's submission of the same requests tries again.</summary>
        internal static TimeSpan ClaimPoll { get; set; } = TimeSpan.FromMilliseconds(200);

        private async Task<IDisposable> ClaimAsync(JournalEntry spooled, Action<string>? warn, Action waiting, CancellationToken ct)
        {
            bool told = false;
            while (true)
            {
                var claim = _journal.TryClaimSubmission(spooled);
                if (claim != null) return claim;
                if (!told)
                {
                    warn?.Invoke(Messages.WaitingForOtherSubmission(spooled.RequestCount));
                    waiting();
                }
                told = true;
                await Task.Delay(ClaimPoll, ct).ConfigureAwait(false);
            }
        }

        /// <param name="waited">
        /// Whether this process waited for another's submission of these requests: it then takes that batch even when the
        /// other process has already collected its results (the two ran the same job at once), where a later run of the
        /// same requests (tomorrow's job) is new work.
        /// </param>
        private async Task<SubmissionPlan> PlanClaimedAsync(IBatchProvider provider, JournalEntry spooled, bool force, bool waited, CancellationToken ct)
        {
            if (!force)
            {
                var earlier = _journal.FindEarlierSubmission(spooled);
                if (earlier != null)
                {
                    var reused = await ReusableAsync(provider, earlier, waited, ct).ConfigureAwait(false);
                    if (reused != null)
                    {
                        _journal.EnsureIndexed(earlier);
                        _journal.Discard(spooled);
                        return new SubmissionPlan(PlanKind.Reuse, earlier, spooled, provider)
                        {
                            Batch = BatchSubmitter.Complete(reused, earlier),
                            Warning = Messages.Reused(spooled.RequestCount, reused.Id, reused.Status, earlier.SpooledAt),
                        };
                    }
                    // One whose input file Remove-IrisBatch -KeepLocal deleted is not resumed: its create would name a file
                    // that is gone, refused on every run. The requests go anew, uploaded again.
                    if (earlier.State != SubmissionState.Created && earlier.RemoteRemovedAt == null)
                    {
                        // The batch is not created yet: this run's name, metadata and set are the ones it gets.
                        earlier.Name = spooled.Name;
                        earlier.Metadata = spooled.Metadata;
                        earlier.SetId = spooled.SetId;
                        _journal.Discard(spooled);
                        return new SubmissionPlan(PlanKind.Resume, earlier, spooled, provider)
                        {
                            Warning = Messages.Resuming(earlier.SubmissionId, spooled.RequestCount, earlier.State.ToString()),
                        };
                    }
                }
            }
            return new SubmissionPlan(PlanKind.New, spooled, spooled, provider);
        }

        /// <summary>The earlier batch of the same requests when it may be reused, else null.</summary>
        private static async Task<IrisBatchInfo?> ReusableAsync(IBatchProvider provider, JournalEntry earlier, bool waited, CancellationToken ct)
        {
            // A batch whose results were collected is finished business: the same requests again (a daily job) are new work,
            // unless this process waited for the one that submitted it (the same job run twice at once; the first may have
            // collected its results before this one's next look at the claim).
            if (earlier.State != SubmissionState.Created || earlier.BatchId == null || (earlier.ResultsCollected && !waited)) return null;
            IrisBatchInfo batch;
            try { batch = await provider.GetAsync(earlier.BatchId, ct).ConfigureAwait(false); }
            catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.NotFound) { return null; }
            if (batch.Status == BatchStatus.Failed || batch.Status == BatchStatus.Cancelled || batch.Status == BatchStatus.Expired) return null;
            if (AnsweredNothing(batch)) return null;
            return batch;
        }

        /// <summary>
        /// Whether a finished batch answered none of its requests: every one of them counted failed (or expired). An Anthropic
        /// batch only ends, and one whose requests all expired or errored is "ended" like any other; taken back, it would give
        /// the same requests nothing again, and nothing of it was paid for, so submitting them anew pays nothing twice. Only
        /// when the counts account for every request: counts that fall short (a provider whose output file's lines could not
        /// be counted reads 0 succeeded) say nothing, and the batch is taken back as before.
        /// </summary>
        internal static bool AnsweredNothing(IrisBatchInfo batch) =>
            batch.IsComplete && batch.Total > 0 && batch.Succeeded == 0 && batch.Failed >= batch.Total;

        /// <summary>The user declined (ShouldProcess, -WhatIf): a fresh spool is removed; a resumed entry stays as it was.</summary>
        public void Decline(SubmissionPlan plan)
        {
            if (plan.Kind == PlanKind.New) _journal.Discard(plan.Entry);
            plan.Dispose();
        }

        /// <summary>The spool of a part that is not planned at all (the command stopped first) is removed.</summary>
        public void Discard(JournalEntry spooled) => _journal.Discard(spooled);

        /// <summary>
        /// Goes ahead with a New or Resume plan: the entry becomes the latest submission of its requests, and the submitter
        /// sends it exactly once (see <see cref="BatchSubmitter"/>). The plan's claim on these requests is let go of when
        /// this ends, sent or not.
        /// </summary>
        public async Task<IrisBatchInfo> SubmitAsync(SubmissionPlan plan, HttpSettings settings, ISet<string> adopt, Action<long>? uploadProgress, CancellationToken ct)
        {
            try
            {
                if (plan.Kind == PlanKind.Reuse) return plan.Batch!;
                _journal.IndexFingerprint(plan.Entry);
                _journal.IndexSet(plan.Entry);
                var submitter = new BatchSubmitter(_journal, plan.Provider, settings) { Adopt = adopt };
                return await submitter.SubmitAsync(plan.Entry, uploadProgress, ct).ConfigureAwait(false);
            }
            finally
            {
                plan.Dispose();
            }
        }
    }
}
