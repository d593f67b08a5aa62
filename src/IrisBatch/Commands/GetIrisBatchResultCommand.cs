using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using IrisBatch.Conversion;
using IrisBatch.Journal;
using IrisBatch.Requests;
using IrisBatch.Results;

namespace IrisBatch.Commands
{
    /// <summary>
    /// Downloads a terminal batch's output and error files once into the journal, then streams exactly one result
    /// per submitted request, joined to its request and input row.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "IrisBatchResult", DefaultParameterSetName = ByObject)]
    [OutputType(typeof(IrisBatchResult))]
    [OutputType(typeof(PSObject))]
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

        /// <summary>Once every result of a batch is emitted, remove the batch as Remove-IrisBatch does (provider files, batch, journal entry).</summary>
        [Parameter]
        public SwitchParameter RemoveAfter { get; set; }

        private HashSet<ResultStatus>? _filter;
        private static readonly Func<string?, object?> BuildInput = PSConvert.FromJson;

        protected override void BeginProcessing()
        {
            if (Status != null && Status.Length > 0) _filter = new HashSet<ResultStatus>(Status);
            BeginVectorFile();
        }

        protected override void ProcessRecord()
        {
            foreach (var target in Targets())
            {
                try
                {
                    if (Collect(target) && RemoveAfter) RemoveCollected(target);
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, target.Batch.Id);
                }
            }
        }

        /// <summary>
        /// Whether the batch, whose results are in the journal, ended completed, cancelled or expired, as the batch
        /// piped in or the journal says: such a batch cannot change, so its results are read without asking the
        /// provider again (a fresh session saves a round trip and setting up HTTP). A failed batch is asked: the errors
        /// that explain its unrun requests are not in the journal. Fills the status from the journal when needed.
        /// </summary>
        private static bool EndedAsRecorded(BatchTarget target)
        {
            var batch = target.Batch;
            var entry = target.Entry!;
            var status = batch.IsComplete ? batch.Status : entry.LastStatus;
            // Removed at the provider with Remove-IrisBatch -KeepLocal: the journal's copy is all there is, whatever the status.
            bool removed = entry.RemoteRemovedAt != null && status.HasValue && status.Value.IsTerminal();
            if (!removed && status != BatchStatus.Completed && status != BatchStatus.Cancelled && status != BatchStatus.Expired) return false;
            if (!batch.IsComplete && status.HasValue)
            {
                batch.Status = status.Value;
                batch.ProviderStatus = entry.LastProviderStatus ?? batch.ProviderStatus;
            }
            return true;
        }

        /// <summary>Removes a batch whose results were all emitted (-RemoveAfter), through the journal entry they were collected into.</summary>
        private void RemoveCollected(BatchTarget collected)
        {
            var entry = Journal.FindByBatchId(collected.Batch.Id);
            var target = new BatchTarget(collected.Provider, collected.Batch, entry);
            new BatchRemoval(this, Journal, RefreshStatus, call => Run(call)).Remove(target);
        }

        /// <summary>Emits the results of one batch; true when all of them were emitted and recorded as collected.</summary>
        [MethodImpl(Hot.Path)]
        private bool Collect(BatchTarget target)
        {
            var entry = target.Entry;
            bool cached = entry != null && entry.ResultsDownloaded && !Refresh;
            var batch = cached && EndedAsRecorded(target) ? target.Batch : RefreshStatus(target);
            if (!batch.IsComplete)
            {
                if (!Wait)
                {
                    WriteError(ErrorMapper.Create(ErrorIds.NotComplete, FailureKind.InvalidOperation,
                        $"Batch {batch.Id} is {batch.Status} ({batch.ProviderStatus}): its results are ready once it is complete. Wait with Wait-IrisBatch, or pass -Wait.", batch.Id));
                    return false;
                }
                var done = new BatchWaitLoop(this, PollInterval, Timeout).Run(new[] { target }, b => b.IsComplete).ToList();
                batch = target.Batch;
                if (!batch.IsComplete) return false; // the wait loop reported the timeout
            }

            string dir = ResultsDirectory(target, ref entry);
            string[] files = { Path.Combine(dir, "output.jsonl"), Path.Combine(dir, "errors.jsonl") };
            if (!cached)
            {
                var progress = new ProgressRecord(20, "Get-IrisBatchResult", $"Downloading the results of batch {batch.Id}");
                long received = 0;
                try
                {
                    foreach (var f in files) if (File.Exists(f)) File.Delete(f);
                    Run(ct => target.Provider.DownloadResultsAsync(batch, dir, n => received = n, ct), () =>
                    {
                        progress.StatusDescription = $"Downloading the results of batch {batch.Id}: {received:N0} bytes";
                        WriteProgress(progress);
                    });
                }
                finally
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
                foreach (var f in files) if (File.Exists(f)) AtomicFile.RestrictFile(f);
                if (entry != null)
                {
                    Journal.RecordShared(entry, "results downloaded", null, e => e.ResultsDownloaded = true);
                }
            }

            var reader = new ResultReader(target.Provider, batch, entry != null ? Journal.RequestsPath(entry) : null);
            var costs = _costs ??= Estimates.CostCalculator.Default();
            var total = new Estimates.CostTotal();
            string? model = !string.IsNullOrEmpty(entry?.Model) ? entry!.Model : batch.Model;
            string provider = target.Provider.Name;
            _embeddingColumn = entry?.Embeddings == true;
            long count = 0;
            // Emitting a large batch takes a while too: progress every 1,000 results, completed however the loop ends.
            var emitting = new ProgressRecord(21, "Get-IrisBatchResult", $"Reading the results of batch {batch.Id}");
            long expected = Math.Max(batch.Total, entry?.RequestCount ?? 0);
            try
            {
                // A batch with -Schema requests: each result is checked against its request (read with it) before the filter.
                bool structured = entry?.Structured == true;
                foreach (var result in ReadAhead.Of(reader.Read(files, readRequests: IncludeInput || structured), 256))
                {
                    count++;
                    if (count % 1000 == 0) ShowEmitting(emitting, count, expected);
                    if (structured) StructuredOutput.Check(result, result.Request, BuildParsed);
                    result.Cost = costs.CostOf(result, model, provider);
                    if (result.Cost == null) WarnUnpriced(costs);
                    total.Add(result);
                    if (_filter != null && !_filter.Contains(result.Status)) continue;
                    if (_vectors != null)
                    {
                        AddVector(result);
                        continue;
                    }
                    result.DeferInputFromRequest(BuildInput);
                    WriteObject(IncludeInput ? (object)Flatten(result) : result);
                }
            }
            finally
            {
                if (count >= 1000) CompleteProgress(emitting);
            }
            if (reader.Duplicates > 0)
                WriteWarning($"{target.Provider.Name} reported {reader.Duplicates} result(s) of batch {batch.Id} twice; the first of each was kept.");
            WriteVerbose($"Batch {batch.Id}: {count} result(s).");
            if (entry != null)
            {
                Journal.RecordShared(entry, "results collected", count + " results", e =>
                {
                    e.ResultsCollected = true;
                    e.Cost = total.Cost;
                    e.ResultUsage = total.Usage;
                    e.Succeeded = total.Succeeded;
                    e.Failed = total.Count - total.Succeeded;
                });
            }
            return true;
        }

        private Estimates.CostCalculator? _costs;

        /// <summary>One warning per model with no price, the first time one of its results is met.</summary>
        private void WarnUnpriced(Estimates.CostCalculator costs)
        {
            foreach (var m in costs.TakeNewUnpriced())
                WriteWarning($"No batch price is known for model '{m}' (price table: {costs.Source}), so the Cost of its results is empty. Add the model to a price table of your own and point $env:IRISBATCH_PRICES at it.");
        }

        /// <summary>The journal folder for this batch's results; a batch submitted elsewhere gets an entry of its own.</summary>
        private string ResultsDirectory(BatchTarget target, ref JournalEntry? entry)
        {
            if (entry == null)
            {
                entry = Journal.Begin(new JournalEntry
                {
                    Provider = target.Provider.Name,
                    BaseUri = Providers.ProviderFactory.LocationOf(target.Provider),
                    Model = target.Batch.Model ?? "",
                    BatchId = target.Batch.Id,
                    State = SubmissionState.Created,
                    RequestCount = target.Batch.Total,
                });
                Journal.Record(entry, "adopted", "a batch submitted outside this journal");
                Journal.IndexBatch(entry);
            }
            var dir = Journal.ResultsDir(entry);
            AtomicFile.CreateDirectory(dir);
            return dir;
        }

        private void ShowEmitting(ProgressRecord record, long count, long expected)
        {
            record.StatusDescription = expected > 0 ? $"{count:N0} of {expected:N0} results" : $"{count:N0} results";
            if (expected > 0) record.PercentComplete = (int)Math.Min(100, 100 * count / expected);
            WriteProgress(record);
        }

        /// <summary>Completes a progress bar; a pipeline already stopping (Select-Object -First) keeps its own exception.</summary>
        private void CompleteProgress(ProgressRecord record)
        {
            record.RecordType = ProgressRecordType.Completed;
            try { WriteProgress(record); } catch (PipelineStoppedException) { }
        }

        private static readonly string[] OurColumns = { "CustomId", "Status", "Output", "ErrorCode", "ErrorMessage", "Embedding" };

        /// <summary>The prefix of a schema column whose name is already an input column or one of ours.</summary>
        internal const string ParsedPrefix = "Parsed_";

        /// <summary>Parsed from a JSON answer: a PSCustomObject, or (when the JSON serializer could not fill the class) the class PowerShell converts it to.</summary>
        private static object? BuildParsed(string json, Type? type)
        {
            var value = PSConvert.FromJson(json);
            if (type == null || value == null) return value;
            try { return LanguagePrimitives.ConvertTo(value, type, System.Globalization.CultureInfo.InvariantCulture); }
            catch (Exception ex) when (ex is PSInvalidCastException || ex is InvalidCastException || ex is ArgumentException) { return value; }
        }

        /// <summary>
        /// The schema's top-level properties as columns after the input's: strings, numbers and booleans as they are,
        /// arrays and objects as compact JSON text; empty for a failed result, so every row has the same columns.
        /// </summary>
        private static void AddSchemaColumns(PSObject row, IrisBatchResult result, string schema)
        {
            var names = SchemaBuilder.TopLevelProperties(schema);
            if (names.Count == 0) return;
            var values = result.Status == ResultStatus.Succeeded ? StructuredOutput.Columns(result.Output, names) : new object?[names.Count];
            for (int i = 0; i < names.Count; i++)
            {
                var name = names[i];
                bool clash = row.Properties[name] != null;
                foreach (var ours in OurColumns) clash |= string.Equals(ours, name, StringComparison.OrdinalIgnoreCase);
                row.Properties.Add(new PSNoteProperty(clash ? ParsedPrefix + name : name, values[i]));
            }
        }

        // Whether rows rebuilt from JSON have only the JSON's properties: true unless type data adds properties to
        // every PSCustomObject (Update-TypeData on System.Object, say). Asked once per command, on this thread.
        private bool? _plainRows;

        private PSObject Flatten(IrisBatchResult result)
        {
            if (_plainRows == null) _plainRows = !new PSObject().Properties.Any();
            return Flatten(result, _plainRows.Value, _embeddingColumn);
        }

        /// <summary>
        /// The flat row of -IncludeInput: the input's columns (renamed Input_X where they clash with ours), then ours.
        /// With <paramref name="plainRows"/>, the columns come straight from the request's input JSON, as
        /// <see cref="PSConvert.FromJson"/> would have made them, without building the input object first and listing
        /// its properties (both cost more per result than reading it); anything unexpected takes the long way.
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static PSObject Flatten(IrisBatchResult result, bool plainRows, bool embeddingColumn = false)
        {
            var row = new PSObject();
            var json = plainRows ? result.Request?.InputJson : null;
            if (string.IsNullOrEmpty(json) || !PSConvert.TryAddProperties(row, json!, InputColumn))
            {
                row = new PSObject();
                if (result.Input is PSObject input)
                    foreach (var p in input.Properties)
                        row.Properties.Add(new PSNoteProperty(InputColumn(p.Name), p.Value));
            }
            var schema = result.Request?.Schema;
            if (schema != null) AddSchemaColumns(row, result, schema);
            row.Properties.Add(new PSNoteProperty("CustomId", result.CustomId));
            row.Properties.Add(new PSNoteProperty("Status", result.Status.ToString()));
            row.Properties.Add(new PSNoteProperty("Output", result.Output));
            row.Properties.Add(new PSNoteProperty("ErrorCode", result.Error?.Code));
            row.Properties.Add(new PSNoteProperty("ErrorMessage", result.Error?.Message));
            if (embeddingColumn || result.Embedding != null) AddEmbeddingColumn(row, result);
            return row;
        }

        private static string InputColumn(string name)
        {
            foreach (var ours in OurColumns)
                if (string.Equals(ours, name, StringComparison.OrdinalIgnoreCase)) return "Input_" + name;
            return name;
        }
    }
}
