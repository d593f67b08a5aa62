using System;
using System.Collections.Generic;
using System.Management.Automation;
using IrisBatch.Journal;
using IrisBatch.Lifecycle;
using IrisBatch.Providers;

namespace IrisBatch.Commands
{
    /// <summary>The current state of batches by id or object; with no id, the provider's batches in the order it lists them.</summary>
    [Cmdlet(VerbsCommon.Get, "IrisBatchStatus", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(IrisBatchInfo))]
    public sealed class GetIrisBatchStatusCommand : BatchCommandBase
    {
        private const string ListSet = "List";
        private const string PendingSet = "Pending";
        private const string LocalSet = "Local";

        /// <summary>The journal's batches that are not terminal or whose results were never collected, refreshed from their providers.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PendingSet)]
        public SwitchParameter Pending { get; set; }

        /// <summary>How many batches to list (following the provider's pages).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateRange(1, int.MaxValue)]
        public int First { get; set; } = 20;

        /// <summary>The journal's batches as last seen, with no network call: id, name, provider, model, status, counts, when submitted, collected or not, cost.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LocalSet)]
        public SwitchParameter Local { get; set; }

        /// <summary>With -Local: only batches submitted before this time.</summary>
        [Parameter(ParameterSetName = LocalSet)]
        public DateTime Before { get; set; }

        /// <summary>With -Local: only batches last seen in one of these states.</summary>
        [Parameter(ParameterSetName = LocalSet)]
        public BatchStatus[]? Status { get; set; }

        private Estimates.CostCalculator? _costs;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ListSet || ParameterSetName == PendingSet || ParameterSetName == LocalSet) return;
            decimal? setCost = ParameterSetName == BySet ? Session.Listing.SetCost(SetId!) : null;
            foreach (var target in Targets())
            {
                try
                {
                    var batch = RefreshStatus(target);
                    WithCost(batch, target.Entry);
                    if (ParameterSetName == BySet)
                    {
                        var shown = new PSObject(batch);
                        shown.Properties.Add(new PSNoteProperty("SetCost", setCost));
                        WriteObject(shown);
                    }
                    else WriteObject(batch);
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
            if (ParameterSetName == LocalSet)
                foreach (var batch in Session.Listing.List(MyInvocation.BoundParameters.ContainsKey(nameof(Before)) ? Before : (DateTime?)null, Status, Unreadable))
                    WriteObject(AsLocal(batch));
            if (ParameterSetName == BySet)
            {
                var setCost = Session.Listing.SetCost(SetId!);
                WriteInformation(new InformationRecord(Messages.SetCost(SetId!, setCost), "Get-IrisBatchStatus"));
            }
            base.EndProcessing();
        }

        /// <summary>The type name of -Local's batches: their table shows model, submitted day, collected and cost (IrisBatch.Format.ps1xml).</summary>
        internal const string LocalTypeName = "IrisBatch.IrisBatchInfo#Local";

        /// <summary>A batch of the journal as -Local writes it: still an IrisBatchInfo, shown with the -Local table.</summary>
        private static PSObject AsLocal(IrisBatchInfo batch)
        {
            var o = PSObject.AsPSObject(batch);
            o.TypeNames.Insert(0, LocalTypeName);
            return o;
        }

        /// <summary>Fills the batch's Cost (collected results) and ProviderCost (the provider's usage); warns when they disagree.</summary>
        private void WithCost(IrisBatchInfo batch, JournalEntry? entry)
        {
            var warning = Estimates.BatchCost.Fill(batch, entry, _costs ??= Estimates.CostCalculator.Default());
            if (warning != null) WriteWarning(warning);
        }

        private void List()
        {
            IBatchProvider provider;
            try { provider = ProviderFor(Provider, BaseUriText); }
            catch (Exception ex) when (!(ex is PipelineStoppedException)) { ThrowMapped(ex, Provider); return; }
            int listed = 0;
            string? after = null;
            var cursors = new HashSet<string>(StringComparer.Ordinal);
            var shown = new HashSet<string>(StringComparer.Ordinal);
            for (int pageNumber = 1; listed < First; pageNumber++)
            {
                BatchPage page;
                try { page = Run(ct => provider.ListAsync(after, Math.Min(100, First - listed), ct)); }
                catch (Exception ex) when (!(ex is PipelineStoppedException)) { WriteMappedError(ex, provider.Name); return; }
                foreach (var batch in page.Batches)
                {
                    if (listed >= First) break;
                    if (!shown.Add(batch.Id)) continue;   // a page given again lists nothing twice
                    WriteObject(BatchLocator.Fresh(batch, Session.Locator.TryFind(batch.Id)));
                    listed++;
                }
                if (!page.HasMore || listed >= First) break;
                // "More" with no way on (no cursor, or one given before: asked again, the same pages would come round
                // for ever) cannot be followed. Stopping there quietly showed part of the provider's batches as all of
                // them; it is said after the batches read, as the exactly-once look-up treats the same list
                // (CreatedBatchLocator). A page with no batches but a new cursor is followed.
                if (string.IsNullOrEmpty(page.Next) || !cursors.Add(page.Next!))
                {
                    WriteMappedError(new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData,
                        Messages.ListIncomplete(provider.Name, pageNumber, listed)), provider.Name);
                    return;
                }
                after = page.Next;
            }
        }

        /// <summary>A journal entry that cannot be read: a non-terminating IrisBatch.JournalError naming its file; the others go on.</summary>
        private void Unreadable(IrisBatchException ex) => WriteError(ErrorMapper.ToRecord(ex, ex.Target));

        private void ListPending()
        {
            foreach (var pending in Session.Listing.Pending(Unreadable))
            {
                var entry = pending.Entry;
                if (pending.Interrupted != null)
                {
                    WriteWarning(pending.Interrupted);
                    continue;
                }
                IBatchProvider provider;
                try
                {
                    provider = ProviderFor(entry.Provider, entry.BaseUri);
                }
                catch (IrisBatchException ex) when (ErrorMapper.IsSetupProblem(ex))
                {
                    NotRefreshed(entry, ex);
                    continue;
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, entry.BatchId);
                    continue;
                }
                try
                {
                    var target = new BatchTarget(provider, new IrisBatchInfo { Id = entry.BatchId!, Provider = entry.Provider, BaseUri = entry.BaseUri }, entry);
                    var batch = RefreshStatus(target);
                    WithCost(batch, entry);
                    WriteObject(batch);
                }
                catch (IrisBatchException ex) when (ErrorMapper.IsSetupProblem(ex))
                {
                    NotRefreshed(entry, ex);
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, entry.BatchId);
                }
            }
        }

        /// <summary>
        /// Each pending batch is refreshed on its own (issue 16): one whose key is missing or refused is still listed, with
        /// its last known state, and a non-terminating error (IrisBatch.MissingApiKey, ...) names it; the others go on.
        /// </summary>
        private void NotRefreshed(JournalEntry entry, IrisBatchException ex)
        {
            WriteObject(BatchLocator.LastSeen(entry));
            WriteError(ErrorMapper.ToRecord(new IrisBatchException(ex.ErrorId, ex.Kind,
                Messages.NotRefreshed(entry.BatchId, entry.Provider, ex.Message, entry.LastCheckedAt)) { Target = entry.BatchId }, entry.BatchId));
        }
    }
}
