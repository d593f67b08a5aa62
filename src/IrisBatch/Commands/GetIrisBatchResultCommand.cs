using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using IrisBatch.Conversion;
using IrisBatch.Journal;
using IrisBatch.Requests;
using IrisBatch.Lifecycle;
using IrisBatch.Results;

namespace IrisBatch.Commands
{
    /// <summary>
    /// Downloads a terminal batch's output and error files once into the journal, then streams exactly one result
    /// per submitted request, joined to its request and input row.
    /// </summary>
    /// <remarks>
    /// ShouldProcess is for -RemoveAfter only, which deletes at the provider: -WhatIf emits the results and says what
    /// would be removed; -Confirm asks first. ConfirmImpact Low: -RemoveAfter itself is the consent, so no prompt by default.
    /// </remarks>
    [Cmdlet(VerbsCommon.Get, "IrisBatchResult", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IrisBatchResult))]
    [OutputType(typeof(PSObject))]
    [OutputType(typeof(IrisBatchVectorFile))]
    public sealed partial class GetIrisBatchResultCommand : WaitingCommandBase
    {
        [Parameter]
        public ResultStatus[]? Status { get; set; }

        /// <summary>Emit flat rows (the input's columns, then CustomId, Status, Output, ErrorCode, ErrorMessage) for Export-Csv.</summary>
        [Parameter]
        public SwitchParameter IncludeInput { get; set; }

        /// <summary>Wait for a batch that is not complete instead of reporting IrisBatch.NotComplete.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>Download the results again even when the journal has them.</summary>
        [Parameter]
        public SwitchParameter Refresh { get; set; }

        /// <summary>Emit each batch's results in the order of its result files instead of the order the requests were submitted.</summary>
        [Parameter]
        public SwitchParameter Unordered { get; set; }

        /// <summary>Once every result of a batch is emitted, remove the batch as Remove-IrisBatch does (provider files, batch, journal entry).</summary>
        [Parameter]
        public SwitchParameter RemoveAfter { get; set; }

        private HashSet<ResultStatus>? _filter;
        private static readonly Func<string?, object?> BuildInput = PSConvert.FromJson;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Status != null && Status.Length > 0) _filter = new HashSet<ResultStatus>(Status);
            // -RemoveAfter deletes every result of a batch, here and at the provider, once its results are emitted; the
            // ones -Status leaves out would go unseen. Refused before anything is read (filter with Where-Object instead).
            if (RemoveAfter && _filter != null)
                ThrowTerminatingError(new ErrorRecord(new ParameterBindingException(Messages.RemoveAfterWithStatus()),
                    ErrorMapper.Prefix + ErrorIds.InvalidParameter, ErrorCategory.InvalidArgument, nameof(RemoveAfter)));
            BeginVectorFile();
        }

        protected override void ProcessRecord()
        {
            StartWarmup();
            var targets = Targets().ToList();
            foreach (var t in targets) ResultReader.StartWarmup(t.Provider);
            // In input order, the batches of one set are merged into the order of the whole submission: -SetId names a
            // whole set; piped batches of a set wait here until the last of the set's batches arrives (or the end).
            if (!Unordered && ParameterSetName == BySet)
            {
                Emit(Prepare(targets));
                return;
            }
            foreach (var target in targets)
            {
                var setId = Unordered ? null : target.Entry?.SetId;
                if (setId != null && SetSize(setId) > 1)
                {
                    if (!_waiting.TryGetValue(setId, out var list)) _waiting[setId] = list = new List<BatchTarget>();
                    if (!list.Exists(t => t.Batch.Id == target.Batch.Id)) list.Add(target);
                    if (list.Count < SetSize(setId)) continue;
                    _waiting.Remove(setId);
                    Emit(Prepare(Submitted(list)));
                }
                else Emit(Prepare(new[] { target }));
            }
        }

        /// <summary>Emits the sets whose batches did not all arrive (called first thing in EndProcessing).</summary>
        private void EmitWaitingSets()
        {
            foreach (var set in _waiting.Values.ToList()) Emit(Prepare(Submitted(set)));
            _waiting.Clear();
        }

        private readonly Dictionary<string, List<BatchTarget>> _waiting = new Dictionary<string, List<BatchTarget>>(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _setSizes = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>How many batches the journal has of a set.</summary>
        private int SetSize(string setId)
        {
            if (!_setSizes.TryGetValue(setId, out var n))
                _setSizes[setId] = n = Session.Locator.SetSize(setId);
            return n;
        }

        /// <summary>A set's batches in the order they were spooled (their submission ids sort so).</summary>
        private static IReadOnlyList<BatchTarget> Submitted(List<BatchTarget> targets) =>
            targets.OrderBy(t => t.Entry?.SubmissionId ?? "", StringComparer.Ordinal).ToList();

        /// <summary>A batch ready to be read: complete, its results in the journal.</summary>
        private sealed class Ready
        {
            public Ready(BatchTarget target, IrisBatchInfo batch, JournalEntry? entry, string[] files)
            {
                Target = target;
                Batch = batch;
                Entry = entry;
                Files = files;
            }

            public BatchTarget Target { get; }
            public IrisBatchInfo Batch { get; }
            public JournalEntry? Entry { get; }
            public string[] Files { get; }
            public ResultReader Reader { get; set; } = null!;
            public Estimates.CostTotal Total { get; } = new Estimates.CostTotal();
            public string? Model => !string.IsNullOrEmpty(Entry?.Model) ? Entry!.Model : Batch.Model;
        }

        /// <summary>Each target made ready (waited for, downloaded); a target that cannot be is reported and left out.</summary>
        private List<Ready> Prepare(IReadOnlyList<BatchTarget> targets)
        {
            var ready = new List<Ready>();
            foreach (var target in targets)
            {
                try
                {
                    var r = Prepare(target);
                    if (r != null) ready.Add(r);
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, target.Batch.Id);
                }
            }
            return ready;
        }

        /// <summary>Removes a batch whose results were all emitted (-RemoveAfter), through the journal entry they were collected into.</summary>
        private void RemoveCollected(BatchTarget collected)
        {
            var entry = Collector.Find(collected.Batch.Id);
            var target = new BatchTarget(collected.Provider, collected.Batch, entry);
            RemoveFinished(target, Session.Remover(keepLocal: false, force: false), description => ShouldProcess(description, "Remove"));
        }

        /// <summary>Waits for a batch when asked, and downloads its results once; null when it is not complete (reported).</summary>
        private Ready? Prepare(BatchTarget target)
        {
            var entry = target.Entry;
            if (_vectors != null && entry != null && !entry.Embeddings)
            {
                // Its answers are text: none has a vector, and none should be counted as one that failed to give one.
                WriteError(ErrorMapper.Create(ErrorIds.UnsupportedEndpoint, FailureKind.InvalidArgument,
                    Messages.VectorFileNotEmbeddings(target.Batch.Id, string.IsNullOrEmpty(target.Batch.Endpoint) ? "chat" : target.Batch.Endpoint), target.Batch.Id));
                return null;
            }
            bool cached = !Refresh && Collector.HasWholeResults(entry);
            // A result file of the journal's download is gone: downloaded again, not read as requests never reported.
            if (!Refresh && !cached && entry != null && entry.ResultsDownloaded) WriteVerbose(Messages.ResultsDownloadedAgain(target.Batch.Id, Collector.ResultsPath(entry)));
            var batch = cached && ResultCollector.EndedAsRecorded(target.Batch, entry!) ? target.Batch : RefreshStatus(target);
            if (!batch.IsComplete)
            {
                if (!Wait)
                {
                    WriteError(ErrorMapper.Create(ErrorIds.NotComplete, FailureKind.InvalidOperation,
                        Messages.ResultsNotReady(batch.Id, batch.Status, batch.ProviderStatus), batch.Id));
                    return null;
                }
                var done = new BatchWaitLoop(this, PollInterval, Timeout).Run(new[] { target }, b => b.IsComplete).ToList();
                batch = target.Batch;
                if (!batch.IsComplete) return null; // the wait loop reported the timeout
            }

            var collector = Collector;
            string dir = collector.ResultsDirectory(target.Provider, batch, ref entry);
            var journaled = entry!;
            // A batch submitted elsewhere has just been given an entry: its status as the provider gave it is recorded, or
            // Get-IrisBatchStatus -Local showed it Pending, -Status Completed missed it and -Pending listed it forever.
            if (target.Entry == null)
                foreach (var warning in Session.Recorder.Record(journaled, batch)) WriteWarning(warning);
            string[] files = ResultCollector.ResultFiles(dir);
            if (!cached)
            {
                var progress = new ProgressRecord(20, "Get-IrisBatchResult", Messages.ProgressDownloading(batch.Id));
                long received = 0;
                try
                {
                    Run(async ct => { await collector.DownloadAsync(target.Provider, batch, journaled, dir, n => received = n, ct).ConfigureAwait(false); return true; }, () =>
                    {
                        progress.StatusDescription = Messages.ProgressDownloadingBytes(batch.Id, received);
                        WriteProgress(progress);
                    });
                }
                finally
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
            }

            return new Ready(target, batch, entry, files)
            {
                Reader = collector.Reader(target.Provider, batch, journaled),
            };
        }

        /// <summary>
        /// Emits the results of ready batches: in the order the requests were submitted (one batch, or the batches of a
        /// set merged), or with -Unordered each batch in its files' order. Then records each batch as collected, with
        /// its cost, and removes it with -RemoveAfter. A batch whose results were not all emitted is neither. Called once
        /// per record: it runs precompiled, and only its loop (<see cref="EmitEach"/>) is compiled optimized.
        /// </summary>
        private void Emit(List<Ready> ready)
        {
            if (ready.Count == 0) return;
            try
            {
                EmitResults(ready);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteMappedError(ex, ready[0].Batch.Id);
                return;
            }
            var lost = new List<Ready>();
            foreach (var r in ready)
            {
                try
                {
                    Finish(r);
                    if (LostItsRequests(r)) lost.Add(r);
                    else if (RemoveAfter) RemoveCollected(r.Target);
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, r.Batch.Id);
                }
            }
            // Last, once every batch is finished: under -ErrorAction Stop the error ends the command, not the results.
            foreach (var r in lost)
                WriteError(ErrorMapper.Create(ErrorIds.RequestsMissing, FailureKind.NotFound,
                    Messages.RequestsMissing(r.Batch.Id, r.Reader.RequestsPath!, r.Total.Count, r.Entry!.RequestCount, RemoveAfter), r.Reader.RequestsPath));
        }

        /// <summary>
        /// Whether a batch submitted from this journal was read without its requests because the journal's requests file is
        /// gone (deleted by hand, a disk cleanup, a partial restore): its results came in the provider's order, with no input
        /// rows, and its unreported requests unlisted. That must not pass for a batch submitted elsewhere: it is an error
        /// (IrisBatch.RequestsMissing) naming the file, and -RemoveAfter keeps the batch.
        /// </summary>
        private static bool LostItsRequests(Ready r) =>
            !r.Reader.KnowsRequests && r.Reader.RequestsPath != null && r.Entry != null
            && r.Entry.History.Exists(h => h.Step == JournalStep.Spooled);

        /// <summary>
        /// Starts compiling the per-result methods this command is about to run on a thread of its own, while this one
        /// finds the batches in the journal (see IrisBatch.Warmup): the reading threads' and, with -IncludeInput, the
        /// flat rows'. Once per session.
        /// </summary>
        private void StartWarmup()
        {
            ResultReader.StartWarmup(readRequests: IncludeInput);
            bool includeInput = IncludeInput;
            Warmup.Start(includeInput ? "flat rows" : "results loop", () => WarmupMethods(includeInput));
        }

        /// <summary>What <see cref="StartWarmup"/> compiles of this assembly's own.</summary>
        internal static (Type, string[])[] WarmupMethods(bool includeInput) => includeInput
            ? new[]
            {
                // The rows' static set-up too: it compiles two small delegates (PowerShell's non-public row constructor and
                // member add), about 8 ms on the command's thread in a new session, where it would wait for the first result.
                (typeof(FlatRows), new[] { Warmup.TypeInitializer, "Build", "BuildFromValues", "AddOurs", "AddSchemaColumns" }),
                (typeof(KnownMembers), new[] { Warmup.TypeInitializer }),
                (typeof(GetIrisBatchResultCommand), new[] { nameof(EmitEach) }),
            }
            : new[] { (typeof(GetIrisBatchResultCommand), new[] { nameof(EmitEach) }) };

        /// <summary>
        /// How many results the reading thread may hold ready ahead of the pipeline. Every result held when a collection
        /// runs survives it and is copied to an older generation, whose own collections then copy it again: with 256,
        /// a cold 50,000-row <c>-IncludeInput | Export-Csv</c> made 19 young and 4-13 older collections (38-42 ms of
        /// pauses); with 64, 0-1 older ones (21-22 ms), and no slower (bench B6, alternated runs: 1.96x against 2.16-2.23x).
        /// </summary>
        private const int ReadAheadResults = 64;

        /// <summary>
        /// Reads the batches' results, in input order unless -Unordered, and emits them. The setting up is ordinary code
        /// (precompiled with the module); only the loop over the results, <see cref="EmitEach"/>, is compiled optimized
        /// when first called, which is all the sooner for being small.
        /// </summary>
        private void EmitResults(List<Ready> ready)
        {
            var costs = _costs ??= Estimates.CostCalculator.Default();
            var byBatch = new Dictionary<string, Ready>(StringComparer.Ordinal);
            foreach (var r in ready) byBatch[r.Batch.Id] = r;
            _embeddingColumn = ready.Exists(r => r.Entry?.Embeddings == true);
            // A batch with -Schema requests: each result is checked against its request (read with it) before the filter.
            bool anyStructured = ready.Exists(r => r.Entry?.Structured == true);
            bool readRequests = IncludeInput || anyStructured;
            IEnumerable<IrisBatchResult> source = Unordered
                ? ready.SelectMany(r => r.Reader.Read(r.Files, readRequests: readRequests))
                : ready.Count == 1
                    ? ready[0].Reader.ReadInInputOrder(ready[0].Files, readRequests, forFlatRows: IncludeInput).Select(o => o.Result)
                    : InputOrder.Merge(ready.Select(r => r.Reader.ReadInInputOrder(r.Files, readRequests, parallel: false, forFlatRows: IncludeInput)).ToList());
            // Emitting a large batch takes a while too: progress every 1,000 results, completed however the loop ends.
            var emitting = new ProgressRecord(21, "Get-IrisBatchResult",
                ready.Count == 1 ? Messages.ProgressReadingBatch(ready[0].Batch.Id) : Messages.ProgressReadingSet(ready.Count, ready[0].Batch.SetId ?? ready[0].Entry?.SetId));
            long expected = ready.Sum(r => Math.Max(r.Batch.Total, r.Entry?.RequestCount ?? 0));
            long count = 0;
            try
            {
                EmitEach(ReadAhead.Of(source, ReadAheadResults), ready, byBatch, costs, emitting, expected, ref count);
            }
            finally
            {
                if (count >= 1000) CompleteProgress(emitting);
            }
        }

        /// <summary>Prices, checks, counts and emits each result: the loop of <see cref="EmitResults"/>.</summary>
        [MethodImpl(Hot.Path)]
        private void EmitEach(IEnumerable<IrisBatchResult> results, List<Ready> ready, Dictionary<string, Ready> byBatch,
            Estimates.CostCalculator costs, ProgressRecord emitting, long expected, ref long count)
        {
            Ready? last = null;
            foreach (var result in results)
            {
                count++;
                if (count % 1000 == 0) ShowEmitting(emitting, count, expected);
                var from = last != null && last.Batch.Id == result.BatchId ? last : byBatch.TryGetValue(result.BatchId, out var b) ? b : ready[0];
                last = from;
                if (from.Entry?.Structured == true) StructuredOutput.Check(result, result.Request, BuildParsed);
                result.Cost = costs.CostOf(result, PricedModel(result, from), from.Target.Provider.Name);
                if (result.Cost == null) WarnUnpriced(costs);
                from.Total.Add(result);
                if (_filter != null && !_filter.Contains(result.Status)) continue;
                if (_vectors != null)
                {
                    AddVector(result);
                    continue;
                }
                if (IncludeInput)
                {
                    WriteObject(Flatten(result));
                    continue;
                }
                result.DeferInputFromRequest(BuildInput);
                WriteObject(result);
            }
        }

        /// <summary>
        /// The model a result is priced at: its own request's in a batch whose requests name several models (Anthropic,
        /// xAI), else the batch's.
        /// </summary>
        private static string? PricedModel(IrisBatchResult result, Ready from)
        {
            if (from.Entry?.Models == null) return from.Model;
            var model = result.Request?.Model;
            return string.IsNullOrEmpty(model) ? from.Model : model;
        }

        /// <summary>Records a batch whose results were all emitted as collected, with their count and cost.</summary>
        private void Finish(Ready r)
        {
            var batch = r.Batch;
            if (r.Reader.Duplicates > 0)
                WriteWarning(Messages.DuplicateResults(r.Target.Provider.Name, r.Reader.Duplicates, batch.Id));
            if (r.Reader.Unknown > 0)
                WriteWarning(Messages.UnknownResults(r.Target.Provider.Name, r.Reader.Unknown, batch.Id, r.Reader.FirstUnknown ?? ""));
            var total = r.Total;
            WriteVerbose(Messages.BatchResultCount(batch.Id, total.Count));
            // A batch submitted elsewhere: requests with no line in the provider's files (all of them when it failed
            // validation, which writes no files) cannot be listed, and that must not look like "no requests".
            if (!r.Reader.KnowsRequests && !LostItsRequests(r) && (total.Count < batch.Total || batch.Status == BatchStatus.Failed && total.Count == 0))
                WriteWarning(Messages.ResultsWithoutRequests(batch.Id, batch.Status, batch.Total, total.Count));
            if (r.Entry != null) Collector.MarkCollected(r.Entry, total.Count, total);
        }

        private Estimates.CostCalculator? _costs;

        /// <summary>One warning per model with no price, the first time one of its results is met.</summary>
        private void WarnUnpriced(Estimates.CostCalculator costs)
        {
            foreach (var m in costs.TakeNewUnpriced())
                WriteWarning(Messages.Unpriced(m, costs.Source));
        }

        /// <summary>The Lifecycle layer's part that downloads results once and records them collected.</summary>
        private ResultCollector Collector => Session.Collector;

        private void ShowEmitting(ProgressRecord record, long count, long expected)
        {
            record.StatusDescription = Messages.ProgressResults(count, expected);
            if (expected > 0) record.PercentComplete = (int)Math.Min(100, 100 * count / expected);
            WriteProgress(record);
        }

        /// <summary>Completes a progress bar; a pipeline already stopping (Select-Object -First) keeps its own exception.</summary>
        private void CompleteProgress(ProgressRecord record)
        {
            record.RecordType = ProgressRecordType.Completed;
            try { WriteProgress(record); } catch (PipelineStoppedException) { }
        }

        /// <summary>Parsed from a JSON answer: a PSCustomObject, or (when the JSON serializer could not fill the class) the class PowerShell converts it to.</summary>
        private static object? BuildParsed(string json, Type? type)
        {
            var value = PSConvert.FromJson(json);
            if (type == null || value == null) return value;
            try { return LanguagePrimitives.ConvertTo(value, type, System.Globalization.CultureInfo.InvariantCulture); }
            catch (Exception ex) when (ex is PSInvalidCastException || ex is InvalidCastException || ex is ArgumentException) { return value; }
        }

        // The rows of -IncludeInput. Whether rows rebuilt from JSON have only the JSON's properties is true unless type
        // data adds properties to every PSCustomObject (Update-TypeData on System.Object, say): asked once, on this thread.
        private FlatRows? _rows;

        /// <summary>The flat row of -IncludeInput (see <see cref="FlatRows"/>).</summary>
        private PSObject Flatten(IrisBatchResult result)
        {
            _rows ??= new FlatRows(plainRows: !new PSObject().Properties.Any());
            return _rows.Build(result, _embeddingColumn, BuildInput);
        }
    }
}
