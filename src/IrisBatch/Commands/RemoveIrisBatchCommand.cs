using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IrisBatch.Lifecycle;

namespace IrisBatch.Commands
{
    /// <summary>
    /// Cleans up after finished batches: deletes their input, output and error files at the provider (where it keeps
    /// files), the batch itself (where the provider allows: Anthropic, Gemini, Mistral), and the journal entry unless -KeepLocal.
    /// A submission that was sent and never got a batch (Get-IrisBatchStatus -Local lists it with no Id; -SubmissionId
    /// names it) has its uploaded input file and journal entry removed, unless a batch of it may exist.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "IrisBatch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByObject)]
    [OutputType(typeof(BatchRemovalResult))]
    public sealed class RemoveIrisBatchCommand : BatchCommandBase
    {
        private const string BySubmission = "Submission";

        /// <summary>
        /// Journal submissions, by their folder's name (a batch object's SubmissionId): one that never got a batch, or one
        /// with its batch (removed as by -Id).
        /// </summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = BySubmission)]
        [ValidateNotNullOrEmpty]
        public string[] SubmissionId { get; set; } = new string[0];

        /// <summary>Keep the journal entry and the downloaded results, which stay readable with no download.</summary>
        [Parameter]
        public SwitchParameter KeepLocal { get; set; }

        /// <summary>Remove batches whose results were never collected too, and do not ask for confirmation.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Emit what was removed for each batch.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>The batches this pipeline named already (removed, or refused with an error).</summary>
        private readonly HashSet<string> _named = new HashSet<string>(StringComparer.Ordinal);

        protected override void ProcessRecord()
        {
            var remover = Session.Remover(KeepLocal, Force);
            if (ParameterSetName == BySubmission)
            {
                foreach (var id in SubmissionId) RemoveSubmission(id, remover);
                return;
            }
            if (ParameterSetName == BySet)
            {
                // The set's parts that never got a batch go with it (their uploaded files); a set of only such parts is no unknown set.
                var noBatch = remover.SetSubmissionsWithoutBatch(SetId!);
                foreach (var id in noBatch) RemoveSubmission(id, remover);
                if (noBatch.Count > 0 && Session.Locator.SetSize(SetId!) == 0) return;
            }
            // A batch named again is skipped: piped results bind their BatchId to -Id, one record per result. Removed once,
            // its id would otherwise be looked up again for each (with its journal entry gone, at the default provider),
            // and a refusal would repeat for every result.
            if (ParameterSetName == ById) Id = Id.Where(id => _named.Add(id)).ToArray();
            else if (ParameterSetName == ByObject)
            {
                // A submission listed with no batch (Get-IrisBatchStatus -Local) is named by its submission id alone.
                foreach (var b in InputObject.Where(b => b.IsSubmissionWithoutBatch)) RemoveSubmission(b.SubmissionId!, remover);
                InputObject = InputObject.Where(b => !b.IsSubmissionWithoutBatch && _named.Add(b.Id)).ToArray();
            }
            if (ParameterSetName != BySet && Id.Length == 0 && InputObject.Length == 0) return;
            Remove(Targets(), remover);
        }

        private void Remove(IEnumerable<BatchTarget> targets, BatchRemover remover)
        {
            foreach (var target in targets)
            {
                try
                {
                    var result = RemoveFinished(target, remover, Approve, KeepResults);
                    if (result != null && PassThru) WriteObject(result);
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, target.Batch.Id);
                }
            }
        }

        /// <summary>
        /// Removes a journal submission: one that never got a batch through <see cref="BatchRemover.PlanNotCreated"/> (its
        /// input file and entry; refused when a batch of it may exist), one with its batch as -Id removes that batch.
        /// </summary>
        private void RemoveSubmission(string submissionId, BatchRemover remover)
        {
            if (!_named.Add("submission " + submissionId)) return;
            try
            {
                var entry = remover.FindSubmission(submissionId)
                    ?? throw new IrisBatchException(ErrorIds.NotFound, FailureKind.NotFound, Messages.SubmissionNotInJournal(submissionId)) { Target = submissionId };
                if (entry.State == Journal.SubmissionState.Created && !string.IsNullOrEmpty(entry.BatchId))
                {
                    if (!_named.Add(entry.BatchId!)) return;
                    var target = TryResolve(entry.BatchId!, null);
                    if (target != null) Remove(new[] { target }, remover);
                    return;
                }
                var plan = remover.PlanNotCreated(ProviderFor(entry.Provider, entry.BaseUri), entry);
                if (!Approve(plan.Description)) return;
                var result = new BatchRemovalResult(Run(ct => remover.RemoveAsync(plan, QueueVerbose, ct)));
                if (PassThru) WriteObject(result);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteMappedError(ex, submissionId);
            }
        }

        /// <summary>
        /// -KeepLocal promises the results stay readable here with no download: a batch whose results are not in the
        /// journal yet (never collected, removed with -Force) has them downloaded before its copies at the provider are
        /// deleted. Otherwise they were gone for good, and a provider whose batch record names no result file once it is
        /// deleted (Mistral) read every request as never reported (Failed, missing_result), inviting a paid resubmission.
        /// A download that fails stops the removal of that batch: nothing is deleted.
        /// </summary>
        private void KeepResults(RemovalPlan plan)
        {
            var entry = plan.Entry;
            if (!KeepLocal || entry == null || plan.Remote.Count == 0) return;
            var collector = Session.Collector;
            if (collector.HasWholeResults(entry)) return;
            var dir = collector.ResultsDirectory(plan.Provider, plan.Batch, ref entry);
            WriteVerbose(Messages.KeepLocalDownloading(plan.Batch.Id, dir));
            Run(async ct =>
            {
                await collector.DownloadAsync(plan.Provider, plan.Batch, entry!, dir, null, ct).ConfigureAwait(false);
                return true;
            });
        }

        /// <summary>-Force goes on without asking unless -Confirm is given; -WhatIf always only lists.</summary>
        private bool Approve(string description)
        {
            if (Force && !IsWhatIf && !MyInvocation.BoundParameters.ContainsKey("Confirm")) return true;
            return ShouldProcess(description, "Remove");
        }
    }
}
