using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using IrisBatch.Conversion;
using IrisBatch.Journal;
using IrisBatch.Lifecycle;
using IrisBatch.Providers;
using IrisBatch.Submission;

namespace IrisBatch.Commands
{
    /// <summary>A batch named on the command line, with the provider that serves it and its journal entry (if any).</summary>
    public sealed class BatchTarget
    {
        internal BatchTarget(IBatchProvider provider, IrisBatchInfo batch, JournalEntry? entry)
        {
            Provider = provider;
            Batch = batch;
            Entry = entry;
        }

        internal IBatchProvider Provider { get; }
        internal IrisBatchInfo Batch { get; set; }
        internal JournalEntry? Entry { get; }
    }

    /// <summary>
    /// Base of the cmdlets that act on existing batches (status, wait, results, stop): a batch object or an id from
    /// the pipeline; where it lives comes from the object, else the journal, else -Provider/-BaseUri/environment.
    /// </summary>
    public abstract class BatchCommandBase : NetworkCmdlet
    {
        protected const string ByObject = "Batch";
        protected const string ById = "Id";
        protected const string BySet = "Set";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ById)]
        [Alias("BatchId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.BatchIdCompleter))]
        public string[] Id { get; set; } = new string[0];

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByObject)]
        [ValidateNotNull]
        public IrisBatchInfo[] InputObject { get; set; } = new IrisBatchInfo[0];

        /// <summary>Every batch of one submission (a set), found in the journal.</summary>
        [Parameter(Mandatory = true, ParameterSetName = BySet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.SetIdCompleter))]
        public string? SetId { get; set; }

        private readonly Dictionary<string, IBatchProvider> _providers = new Dictionary<string, IBatchProvider>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The provider for a place; the key is -ApiKey, else the one the piped batch carries, else the environment.</summary>
        protected IBatchProvider ProviderFor(string? provider, string? baseUri, System.Security.SecureString? carried = null)
        {
            var info = ProviderFactory.Describe(provider);
            var location = string.Join(",", ProviderFactory.ResolveBaseUris(info, baseUri).Select(u => u.AbsoluteUri));
            var credential = ApiKey ?? carried;
            var key = info.Name + "|" + location + "|" + (credential == null ? "env" : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(credential).ToString());
            if (!_providers.TryGetValue(key, out var p))
            {
                p = CreateProvider(info.Name, location, Unprotect(credential));
                Configure(p);
                _providers[key] = p;
            }
            return p;
        }

        /// <summary>Sets command-specific options on a provider (e.g. -ThrottleLimit for batches IrisBatch runs itself).</summary>
        protected virtual void Configure(IBatchProvider provider) { }

        /// <summary>Passes the key a batch came with on to the batch this command emits.</summary>
        internal static IrisBatchInfo Carry(IrisBatchInfo fresh, IrisBatchInfo from)
        {
            if (fresh.Credential == null) fresh.Credential = from.Credential;
            return fresh;
        }

        /// <summary>A -SetId that could name a path outside the journal is IrisBatch.InvalidId, before anything is read or sent.</summary>
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (ParameterSetName != BySet) return;
            try { JournalStore.ValidateId(SetId!, "set id"); }
            catch (IrisBatchException ex) { ThrowMapped(ex, SetId); }
        }

        /// <summary>The targets of this pipeline record; unresolvable ones are reported and skipped.</summary>
        protected IEnumerable<BatchTarget> Targets()
        {
            var list = new List<BatchTarget>();
            if (ParameterSetName == BySet)
            {
                var ids = Session.Locator.SetBatchIds(SetId!);
                if (ids.Count == 0)
                    WriteError(ErrorMapper.Create(ErrorIds.NotFound, FailureKind.NotFound, Messages.SetNotInJournal(SetId!), SetId));
                foreach (var id in ids)
                {
                    var t = TryResolve(id, null);
                    if (t != null) list.Add(t);
                }
            }
            else if (ParameterSetName == ByObject)
            {
                foreach (var batch in InputObject)
                {
                    var t = TryResolve(batch.Id, batch);
                    if (t != null) list.Add(t);
                }
            }
            else
            {
                foreach (var id in Id)
                {
                    var t = TryResolve(id, null);
                    if (t != null) list.Add(t);
                }
            }
            return list;
        }

        /// <summary>The target of a batch id (and the object given, if any); null when it cannot be resolved (reported).</summary>
        protected BatchTarget? TryResolve(string id, IrisBatchInfo? batch)
        {
            if (id.Length == 0 && batch?.IsSubmissionWithoutBatch == true)
            {
                // A submission that never got a batch (Get-IrisBatchStatus -Local lists it with no Id): said so, not sent as an empty id.
                // Listed Unknown, a batch may exist (an unconfirmed create): said so, never "no batch".
                var text = batch!.Status == BatchStatus.Unknown
                    ? Messages.SubmissionMayHaveBatch(batch.SubmissionId!, batch.Errors.Count > 0 ? batch.Errors[0].Message ?? "" : "")
                    : Messages.SubmissionHasNoBatch(batch.SubmissionId!, batch.Status);
                WriteError(ErrorMapper.Create(ErrorIds.NotFound, FailureKind.NotFound, text, batch.SubmissionId));
                return null;
            }
            try
            {
                var entry = Session.Locator.Find(id);
                bool explicitPlace = MyInvocation.BoundParameters.ContainsKey(nameof(Provider)) || MyInvocation.BoundParameters.ContainsKey(nameof(BaseUri));
                var place = BatchLocator.PlaceOf(batch, entry, explicitPlace, Provider, BaseUriText);
                var p = ProviderFor(place.Provider, place.BaseUri, batch?.Credential);
                return new BatchTarget(p, BatchLocator.Known(id, batch, entry, p), entry);
            }
            catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.MissingApiKey)
            {
                // Issue 16 item 2: one batch's missing key stops only that batch (Get-IrisBatchStatus -Pending | Wait-IrisBatch
                // still waits for the Mock batches); a non-terminating IrisBatch.MissingApiKey names it.
                WriteError(ErrorMapper.ToRecord(new IrisBatchException(ex.ErrorId, ex.Kind, Messages.BatchSkipped(id, ex.Message)) { Target = id }, id));
                return null;
            }
            catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.InsecureEndpoint || ex.ErrorId == ErrorIds.UnknownProvider)
            {
                ThrowMapped(ex, id);
                return null;
            }
            catch (Exception ex)
            {
                WriteMappedError(ex, id);
                return null;
            }
        }

        /// <summary>Fetches the current state (the journal's record of a batch deleted at its provider) and records it in the journal.</summary>
        protected IrisBatchInfo RefreshStatus(BatchTarget target)
        {
            var fresh = Run(ct => BatchLocator.GetAsync(target.Provider, target.Batch.Id, target.Entry, ct));
            target.Batch = Carry(BatchLocator.Fresh(fresh, target.Entry), target.Batch);
            Remember(target);
            return target.Batch;
        }

        /// <summary>
        /// Removes one finished batch through the lifecycle's remover (Remove-IrisBatch, Get-IrisBatchResult -RemoveAfter),
        /// asking <paramref name="approve"/> (ShouldProcess) first; null when the user declined. A batch the provider no
        /// longer has is removed from what the journal knows of it.
        /// </summary>
        /// <param name="beforeDelete">Called once approved, before anything is deleted (not for a batch the provider no longer has).</param>
        protected BatchRemovalResult? RemoveFinished(BatchTarget target, BatchRemover remover, Func<string, bool>? approve, Action<RemovalPlan>? beforeDelete = null)
        {
            var entry = target.Entry;
            IrisBatchInfo batch;
            bool gone = false;
            if (!BatchRemover.NeedsRefresh(entry)) batch = BatchRemover.AsRecorded(entry!);
            else
            {
                try { batch = RefreshStatus(target); }
                catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.NotFound && entry != null)
                {
                    batch = BatchRemover.Gone(entry);
                    gone = true;
                }
            }
            var plan = remover.Plan(target.Provider, batch, entry, gone);
            // The provider answering that it has no such batch may mean it was deleted there, or that this key or address
            // is not the one it was submitted with: then its files (the output and error files, whose ids the journal does
            // not keep) and results stay at the provider, and the user must hear of it.
            if (gone) WriteWarning(Messages.RemoveBatchNotFound(batch.Id, target.Provider.Name, target.Provider.Location, plan.Remote.Count > 0));
            if (approve != null && !approve(plan.Description)) return null;
            if (!gone) beforeDelete?.Invoke(plan);
            return new BatchRemovalResult(Run(ct => remover.RemoveAsync(plan, QueueVerbose, ct)));
        }

        internal System.Threading.CancellationToken CancellationToken => Token;
        internal void Flush() => FlushLog();
        internal void Verbose(string text) => WriteVerbose(text);
        internal void Progress(ProgressRecord record) => WriteProgress(record);
        internal void Error(Exception ex, object? target) => WriteMappedError(ex, target);

        /// <summary>Records a fresh status in the journal; a status IrisBatch does not know is warned about each time it is seen.</summary>
        internal void Remember(BatchTarget target)
        {
            foreach (var warning in Session.Recorder.Record(target.Entry, target.Batch)) WriteWarning(warning);
        }
    }
}
