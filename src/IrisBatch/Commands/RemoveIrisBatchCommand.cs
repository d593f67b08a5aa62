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
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "IrisBatch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByObject)]
    [OutputType(typeof(BatchRemovalResult))]
    public sealed class RemoveIrisBatchCommand : BatchCommandBase
    {
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
            // A batch named again is skipped: piped results bind their BatchId to -Id, one record per result. Removed once,
            // its id would otherwise be looked up again for each (with its journal entry gone, at the default provider),
            // and a refusal would repeat for every result.
            if (ParameterSetName == ById) Id = Id.Where(id => _named.Add(id)).ToArray();
            else if (ParameterSetName == ByObject) InputObject = InputObject.Where(b => _named.Add(b.Id)).ToArray();
            if (ParameterSetName != BySet && Id.Length == 0 && InputObject.Length == 0) return;
            var remover = Session.Remover(KeepLocal, Force);
            foreach (var target in Targets())
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
            var dir = collector.ResultsDirectory(plan.Provider, plan.Batch, ref entry);
            if (entry!.ResultsDownloaded && ResultCollector.DownloadIsWhole(dir)) return;
            WriteVerbose(Messages.KeepLocalDownloading(plan.Batch.Id, dir));
            Run(async ct =>
            {
                await collector.DownloadAsync(plan.Provider, plan.Batch, entry, dir, null, ct).ConfigureAwait(false);
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
