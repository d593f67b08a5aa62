using System;
using System.Management.Automation;
using IrisBatch.Journal;
using IrisBatch.Providers;

namespace IrisBatch.Commands
{
    /// <summary>The current state of batches by id or object; with no id, the provider's batches newest first.</summary>
    [Cmdlet(VerbsCommon.Get, "IrisBatchStatus", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(IrisBatchInfo))]
    public sealed class GetIrisBatchStatusCommand : BatchCommandBase
    {
        private const string ListSet = "List";
        private const string PendingSet = "Pending";

        /// <summary>The journal's batches that are not terminal or whose results were never collected, refreshed from their providers.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PendingSet)]
        public SwitchParameter Pending { get; set; }

        /// <summary>How many batches to list (following the provider's pages).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateRange(1, int.MaxValue)]
        public int First { get; set; } = 20;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ListSet || ParameterSetName == PendingSet) return;
            foreach (var target in Targets())
            {
                try
                {
                    WriteObject(RefreshStatus(target));
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, target.Batch.Id);
                }
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ListSet) List();
            if (ParameterSetName == PendingSet) ListPending();
            base.EndProcessing();
        }

        private void List()
        {
            IBatchProvider provider;
            try { provider = ProviderFor(Provider, BaseUriText); }
            catch (Exception ex) when (!(ex is PipelineStoppedException)) { ThrowMapped(ex, Provider); return; }
            int listed = 0;
            string? after = null;
            while (listed < First)
            {
                BatchPage page;
                try { page = Run(ct => provider.ListAsync(after, Math.Min(100, First - listed), ct)); }
                catch (Exception ex) when (!(ex is PipelineStoppedException)) { WriteMappedError(ex, provider.Name); return; }
                foreach (var batch in page.Batches)
                {
                    if (listed >= First) break;
                    var entry = SafeFind(batch.Id);
                    WriteObject(Submission.BatchSubmitter.Complete(batch, entry));
                    listed++;
                }
                if (!page.HasMore || page.Batches.Count == 0 || page.Next == null) break;
                after = page.Next;
            }
        }

        private void ListPending()
        {
            foreach (var entry in Journal.All())
            {
                if (entry.State != SubmissionState.Created || entry.BatchId == null)
                {
                    WriteWarning($"Submission {entry.SubmissionId} ({entry.RequestCount:N0} requests for {entry.Model}) was interrupted at '{entry.State}'; run the same Submit-IrisBatch again to finish it.");
                    continue;
                }
                if (entry.ResultsCollected && entry.LastStatus.HasValue && entry.LastStatus.Value.IsTerminal()) continue;
                try
                {
                    var provider = ProviderFor(entry.Provider, entry.BaseUri);
                    var target = new BatchTarget(provider, new IrisBatchInfo { Id = entry.BatchId, Provider = entry.Provider, BaseUri = entry.BaseUri }, entry);
                    WriteObject(RefreshStatus(target));
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, entry.BatchId);
                }
            }
        }

        private JournalEntry? SafeFind(string id)
        {
            try { return Journal.FindByBatchId(id); } catch (Exception) { return null; }
        }
    }
}
