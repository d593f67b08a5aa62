using System;
using System.Management.Automation;
using IrisBatch.Providers;

namespace IrisBatch.Commands
{
    /// <summary>The current state of batches by id or object; with no id, the provider's batches newest first.</summary>
    [Cmdlet(VerbsCommon.Get, "IrisBatchStatus", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(IrisBatch))]
    public sealed class GetIrisBatchStatusCommand : BatchCommandBase
    {
        private const string ListSet = "List";

        /// <summary>How many batches to list (following the provider's pages).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateRange(1, int.MaxValue)]
        public int First { get; set; } = 20;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ListSet) return;
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
            base.EndProcessing();
        }

        private void List()
        {
            IBatchProvider provider;
            try { provider = ProviderFor(Provider, BaseUri); }
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

        private Journal.JournalEntry? SafeFind(string id)
        {
            try { return Journal.FindByBatchId(id); } catch (Exception) { return null; }
        }
    }
}
