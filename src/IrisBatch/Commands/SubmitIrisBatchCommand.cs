using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Security;
using IrisBatch.Conversion;
using IrisBatch.Journal;
using IrisBatch.Lifecycle;
using IrisBatch.Providers;
using IrisBatch.Submission;

namespace IrisBatch.Commands
{
    /// <summary>Spools requests to disk as they arrive, then uploads and creates one batch per model and per provider limit.</summary>
    [Cmdlet(VerbsLifecycle.Submit, "IrisBatch", SupportsShouldProcess = true)]
    [OutputType(typeof(IrisBatchInfo))]
    public sealed class SubmitIrisBatchCommand : NetworkCmdlet, IDisposable
    {
        /// <summary>Also when the pipeline ends early (an error upstream, Ctrl+C): an unsent spool is left for the next run to remove.</summary>
        public void Dispose()
        {
            // EndProcessing never ran (a command upstream failed, or the pipeline was stopped, while rows arrived): the
            // spooling bar is still open. PowerShell still takes a progress record here; if it cannot, disposing goes on.
            try { CompleteSpooling(); } catch (Exception) { }
            foreach (var lane in _lanes) lane.Spooler.Dispose();
        }

        [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public IrisBatchRequest[] Request { get; set; } = new IrisBatchRequest[0];

        [Parameter]
        public string? Name { get; set; }

        [Parameter]
        public Hashtable? Metadata { get; set; }

        /// <summary>Lower the provider's per-batch request limit (the batches of one submission form a set).</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long MaxRequestsPerBatch { get; set; }

        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long MaxBytesPerBatch { get; set; }

        /// <summary>Split so that no batch holds more input tokens than this (OpenAI's enqueued-token limit).</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long MaxTokensPerBatch { get; set; }

        /// <summary>Refuse to submit (IrisBatch.CostLimitExceeded) when the estimated cost of all batches is above this.</summary>
        [Parameter]
        [ValidateRange(0.0, double.MaxValue)]
        public double MaxCost { get; set; }

        /// <summary>A price table (JSON, the shape of the shipped one) instead of $env:IRISBATCH_PRICES or the shipped table.</summary>
        [Parameter]
        public string? PriceTable { get; set; }

        /// <summary>
        /// How long the provider may take over each batch, in whole hours, checked against the provider's range (OpenAI,
        /// AzureOpenAI and Together: only 24 h; Groq: 24 h to 7 d; Mistral: 1 to 168 h, its timeout_hours). Refused for
        /// providers that have no such setting. Default: the provider's own (24 h). Takes '48h' and '7d' as well as a
        /// TimeSpan; a plain number is ticks, as for any TimeSpan.
        /// </summary>
        [Parameter]
        [CompletionWindowTransformation]
        public TimeSpan CompletionWindow { get; set; }

        /// <summary>Submit even when the journal shows these same requests already submitted and not failed.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// After IrisBatch.SubmissionUncertain: the batch (one of the candidates it named) that this submission's lost create
        /// call made. Run the same command again with it; the batch is adopted instead of created, if it can be this
        /// submission's (not already in the journal, and matching what the provider echoes).
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AdoptBatchId { get; set; }

        // One lane per place the requests go: -Provider/-BaseUri (or the defaults) for new requests, and the batch a
        // request came from for a resubmitted one (issue 16). A lane is made when its first request arrives.
        private readonly List<Lane> _lanes = new List<Lane>();
        private Lane? _lane;   // the lane of the last request
        private bool _explicitPlace;
        private RowErrors? _rowErrorsField;
        private RowErrors _rowErrors => _rowErrorsField ??= new RowErrors(this);   // a request that fails like others: once, then counted
        private long _received;
        private bool _estimate;
        private Estimates.PriceTable? _prices;

        private bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

        private sealed class Lane
        {
            public Lane(string key, IBatchProvider provider, BatchSpooler spooler, string? name)
            {
                Key = key;
                Provider = provider;
                Spooler = spooler;
                Name = name;
            }

            public string Key { get; }
            /// <summary>The name its batches get: -Name, else the retry name of the batch its first request came from.</summary>
            public string? Name { get; }
            public IBatchProvider Provider { get; }
            public BatchSpooler Spooler { get; }
            public IReadOnlyList<SpooledPart> Parts { get; set; } = new SpooledPart[0];
        }

        /// <summary>
        /// Estimated cost of a part: input tokens, and output tokens as the requests' max tokens where set, else as many
        /// as the input; a part whose requests name several models, each model's tokens at its own price (null when
        /// one has none).
        /// </summary>
        private double? CostOf(SpooledPart part)
        {
            if (_prices == null) return null;
            if (part.TokensByModel == null) return Estimate(part.Entry.Model, part.InputTokens, part.MaxOutputTokens, part.Entry.Embeddings);
            double total = 0;
            foreach (var m in part.TokensByModel)
            {
                var cost = Estimate(m.Key, m.Value.InputTokens, m.Value.MaxOutputTokens, part.Entry.Embeddings);
                if (cost == null) return null;
                total += cost.Value;
            }
            return total;
        }

        /// <summary>Every model a part's requests name.</summary>
        private static IEnumerable<string> ModelsOf(SpooledPart part) => part.Entry.Models ?? (IEnumerable<string>)new[] { part.Entry.Model };

        /// <summary>The model of a part that has no price (the part's first such model, where its requests name several).</summary>
        private string UnpricedModel(SpooledPart part)
        {
            if (part.TokensByModel != null)
                foreach (var model in part.TokensByModel.Keys)
                    if (Estimate(model, 1, 1, false) == null) return model;
            return part.Entry.Model;
        }

        private double? Estimate(string model, long input, long maxOutput, bool embeddings)
        {
            // An embedding has no output tokens: its price is the input's alone.
            var output = embeddings ? 0 : maxOutput > 0 ? maxOutput : input;
            return _prices!.Estimate(model, input, output);
        }

        private string Describe(Lane lane, SpooledPart part)
        {
            if (!_estimate) return "";
            var cost = CostOf(part);
            var method = lane.Spooler.CounterFor(part.Entry.Model).Method;
            // An embedding part names its price per 1M input tokens; others say "batch prices".
            double? embeddingPrice = part.Entry.Embeddings && _prices!.TryGet(part.Entry.Model, out var input, out _) ? input : null;
            return Messages.EstimateText(part.InputTokens, method, cost, _prices?.Currency ?? "", embeddingPrice, _prices?.Taken ?? "");
        }

        private void CheckCost()
        {
            if (!Bound(nameof(MaxCost))) return;
            double total = 0;
            long requests = 0;
            int batches = 0;
            foreach (var lane in _lanes)
            {
                requests += lane.Spooler.Count;
                foreach (var part in lane.Parts)
                {
                    batches++;
                    var cost = CostOf(part);
                    if (!cost.HasValue)
                    {
                        DiscardAll();
                        var model = UnpricedModel(part);
                        ThrowTerminatingError(ErrorMapper.Create(ErrorIds.UnknownPrice, FailureKind.InvalidData,
                            Messages.UnknownPrice(_prices!.Source, model), model));
                    }
                    total += cost!.Value;
                }
            }
            if (total > MaxCost)
            {
                DiscardAll();
                ThrowTerminatingError(ErrorMapper.Create(ErrorIds.CostLimitExceeded, FailureKind.InvalidOperation,
                    Messages.CostLimitExceeded(total, _prices!.Currency, requests, batches, MaxCost), total));
            }
        }

        /// <summary>
        /// One warning per model that models.json does not know for its provider (nor as a dated snapshot of a known
        /// name), with the nearest known names: a misspelt model is sent as written and never priced as another one. A
        /// model the price table marks retired is warned of as retired, with the date.
        /// Azure OpenAI (deployment names are yours) and Ollama (any local model) are warned only when costs are estimated.
        /// </summary>
        /// <summary>The price table: -PriceTable's, else $env:IRISBATCH_PRICES's, else the shipped one.</summary>
        private Estimates.PriceTable LoadPrices() =>
            Estimates.PriceTable.Load(PriceTable == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PriceTable));

        private Estimates.PriceTable? _warningPrices;
        private bool _warningPricesTried;

        /// <summary>
        /// The date the price table says <paramref name="model"/> was retired, else null. Only a warning's wording hangs on
        /// it, so without costs to estimate the table is read here once, and one that cannot be read counts as saying nothing.
        /// </summary>
        private string? RetiredOn(string model)
        {
            if (_prices == null && !_warningPricesTried)
            {
                _warningPricesTried = true;
                try { _warningPrices = LoadPrices(); }
                catch (IrisBatchException) { }
            }
            return (_prices ?? _warningPrices)?.Find(model)?.Retired;
        }

        private void WarnOfUnknownModels()
        {
            foreach (var lane in _lanes)
            {
                var provider = lane.Provider.Name;
                if (!_estimate && (provider == "AzureOpenAI" || provider == "Ollama")) continue;
                foreach (var model in lane.Parts.SelectMany(ModelsOf).Distinct(StringComparer.Ordinal))
                {
                    if (Data.ModelNames.IsKnown(provider, model)) continue;
                    var near = Data.ModelNames.Nearest(provider, model);
                    var retired = RetiredOn(model);
                    WriteWarning(retired != null ? Messages.RetiredModel(model, provider, retired, near)
                        : Messages.UnknownModel(model, provider, near, _prices != null && !_prices.TryGet(model, out _, out _)));
                }
            }
        }

        /// <summary>
        /// -WhatIf: one line per place the requests would go (requests, batches, bytes, models, where), then a table of
        /// the batches (requests, bytes of the input file, tokens, cost) with a total and the prices' date.
        /// </summary>
        private void Preview()
        {
            var preview = new Estimates.CostPreview(_prices);
            foreach (var lane in _lanes)
            {
                if (lane.Parts.Count == 0) continue;
                foreach (var part in lane.Parts)
                {
                    // A batch whose requests name several models: a line per model, each at its own price.
                    var byModel = part.TokensByModel ?? new Dictionary<string, ModelTokens>
                    {
                        [part.Entry.Model] = new ModelTokens(part.Entry.RequestCount, part.InputTokens, part.MaxOutputTokens),
                    };
                    bool first = true;
                    foreach (var m in byModel)
                    {
                        preview.Add(new Estimates.CostPreview.Row
                        {
                            Provider = lane.Provider.Name,
                            Model = m.Key,
                            Requests = m.Value.Requests,
                            Bytes = part.Entry.Bytes,
                            InputTokens = m.Value.InputTokens,
                            OutputTokens = part.Entry.Embeddings ? 0 : m.Value.MaxOutputTokens > 0 ? m.Value.MaxOutputTokens : m.Value.InputTokens,
                            Cost = Estimate(m.Key, m.Value.InputTokens, m.Value.MaxOutputTokens, part.Entry.Embeddings),
                            Embeddings = part.Entry.Embeddings,
                            Reasoning = Data.ModelNames.BillsReasoning(lane.Provider.Name, m.Key),
                            SameBatch = !first,
                        });
                        first = false;
                    }
                }
                var requests = lane.Parts.Sum(p => p.Entry.RequestCount);
                var models = string.Join(", ", lane.Parts.SelectMany(ModelsOf).Distinct());
                var target = Messages.PreviewTarget(requests, lane.Parts.Count, models, lane.Provider.Name, ProviderFactory.LocationOf(lane.Provider),
                    lane.Parts.Sum(p => p.Entry.Bytes));
                ShouldProcess(target, Messages.PreviewAction(lane.Parts.Count));
                foreach (var part in lane.Parts) Session.Planner.Discard(part.Entry);
            }
            // As Write-Host writes: shown with the What if lines, kept by transcripts, and in the information stream (6>&1).
            foreach (var line in preview.Render(DateTime.UtcNow))
                WriteInformation(new HostInformationMessage { Message = line, NoNewLine = false }, new[] { "PSHOST" });
        }

        /// <summary>Called before every terminating error: nothing spooled is kept, and the spooling bar is completed.</summary>
        private void DiscardAll()
        {
            CompleteSpooling();
            foreach (var lane in _lanes) lane.Spooler.Discard();
        }

        /// <summary>
        /// Completes the spooling bar when the command ends before EndProcessing (whose own bar, the same activity,
        /// completes it otherwise): a terminating error while rows arrive, here or upstream, must not leave it on screen.
        /// </summary>
        private void CompleteSpooling()
        {
            var bar = _spoolingBar;
            if (bar == null) return;
            _spoolingBar = null;
            bar.RecordType = ProgressRecordType.Completed;
            try { WriteProgress(bar); } catch (PipelineStoppedException) { }
        }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            try
            {
                _estimate = IsWhatIf || Bound(nameof(MaxCost)) || Bound(nameof(MaxTokensPerBatch));
                if (_estimate)
                    _prices = LoadPrices();
                // Given -Provider or -BaseUri, every request goes there; a wrong setting fails before any input is read.
                // An id the journal will record (and index by): one that could name a path outside it is IrisBatch.InvalidId, before anything is sent.
                foreach (var id in AdoptBatchId ?? new string[0]) JournalStore.ValidateId(id);
                _explicitPlace = Bound(nameof(Provider)) || Bound(nameof(BaseUri));
                if (_explicitPlace) _lane = LaneFor(null);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                ThrowMapped(ex, Provider);
            }
        }

        /// <summary>
        /// The lane of a request: the one of -Provider/-BaseUri (or the defaults) for a new request or when either of
        /// them is given, else the one of the batch the request came from (made on first use).
        /// </summary>
        private Lane LaneFor(BatchOrigin? origin)
        {
            // Sent elsewhere by -Provider/-BaseUri, a resubmission keeps its -retryN name (unless -Name), as one sent back does.
            var name = Bound(nameof(Name)) || origin == null ? Name : origin.Name;
            if (_explicitPlace)
            {
                if (_lane != null && Unnamed(_lane, origin)) Drop(_lane);
                origin = null;
            }
            var key = origin?.Key ?? "";
            foreach (var l in _lanes) if (l.Key == key) return l;

            var info = ProviderFactory.Describe(origin?.Provider ?? Provider);
            var location = string.Join(",", ProviderFactory.ResolveBaseUris(info, origin?.BaseUri ?? BaseUriText).Select(u => u.AbsoluteUri));
            string apiKey;
            if (IsWhatIf)
            {
                // -WhatIf sends nothing, so a missing key must not stop the preview; an empty or blank variable is as missing.
                var given = Unprotect(ApiKey);
                if (string.IsNullOrWhiteSpace(given) && info.ApiKeyVariable.Length > 0) given = Environment.GetEnvironmentVariable(info.ApiKeyVariable);
                apiKey = !string.IsNullOrWhiteSpace(given) ? given! : info.KeyOptional ? "" : "(none: -WhatIf sends nothing)";
            }
            else apiKey = ProviderFactory.ResolveApiKey(info, Unprotect(ApiKey));
            var provider = CreateProvider(info.Name, location, apiKey);
            var metadata = CheckMetadata(provider);
            int? windowHours = Bound(nameof(CompletionWindow))
                ? CompletionWindows.Check(provider.Limits, provider.Name, CompletionWindow) : (int?)null;
            var spooler = Session.Spooler(provider, name, metadata,
                Bound(nameof(MaxRequestsPerBatch)) ? MaxRequestsPerBatch : (long?)null,
                Bound(nameof(MaxBytesPerBatch)) ? MaxBytesPerBatch : (long?)null,
                Bound(nameof(MaxTokensPerBatch)) ? MaxTokensPerBatch : (long?)null,
                countTokens: _estimate);
            spooler.CompletionWindowHours = windowHours;
            var lane = new Lane(key, provider, spooler, name);
            _lanes.Add(lane);
            if (origin != null)
                WriteVerbose(Messages.RequestsGoBack(origin.BatchId, provider.Name, ProviderFactory.LocationOf(provider), name));
            return lane;
        }

        /// <summary>
        /// Whether the one lane of -Provider/-BaseUri, made nameless before any input (so that a wrong setting fails
        /// first), is still empty when a request from a batch arrives: it is made again with that batch's retry name.
        /// </summary>
        private bool Unnamed(Lane lane, BatchOrigin? origin) =>
            _explicitPlace && origin != null && !Bound(nameof(Name)) && lane.Name == null && lane.Spooler.Count == 0;

        private void Drop(Lane lane)
        {
            _lanes.Remove(lane);
            lane.Spooler.Discard();   // nothing was spooled in it
            _lane = null;
        }

        private Dictionary<string, string> CheckMetadata(IBatchProvider provider)
        {
            var limits = provider.Limits;
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Metadata == null) return result;
            if (limits.MaxMetadataPairs == 0 && Metadata.Count > 0)
                throw new IrisBatchException(ErrorIds.InvalidMetadata, FailureKind.InvalidArgument,
                    Messages.NoMetadata(provider.Name));
            // The user's pairs may fill the provider's limit: IrisBatch's own keys then stay in the journal only (ReservedMetadata).
            if (Metadata.Count > limits.MaxMetadataPairs)
                throw new IrisBatchException(ErrorIds.InvalidMetadata, FailureKind.InvalidArgument,
                    Messages.TooManyMetadata(Metadata.Count, provider.Name, limits.MaxMetadataPairs));
            foreach (DictionaryEntry de in Metadata)
            {
                var key = Convert.ToString(de.Key, CultureInfo.InvariantCulture) ?? "";
                var value = PSConvert.ToText(de.Value);
                if (key.Length == 0 || key.Length > limits.MaxMetadataKeyLength)
                    throw new IrisBatchException(ErrorIds.InvalidMetadata, FailureKind.InvalidArgument,
                        Messages.MetadataKeyLength(key, limits.MaxMetadataKeyLength)) { Target = key };
                if (value.Length < limits.MinMetadataValueLength)
                    throw new IrisBatchException(ErrorIds.InvalidMetadata, FailureKind.InvalidArgument,
                        Messages.MetadataValueTooShort(key, value.Length, provider.Name, limits.MinMetadataValueLength)) { Target = key };
                if (value.Length > limits.MaxMetadataValueLength)
                    throw new IrisBatchException(ErrorIds.InvalidMetadata, FailureKind.InvalidArgument,
                        Messages.MetadataValueLength(key, value.Length, limits.MaxMetadataValueLength)) { Target = key };
                if (ReservedMetadata.IsReserved(key))
                    throw new IrisBatchException(ErrorIds.InvalidMetadata, FailureKind.InvalidArgument,
                        Messages.MetadataReserved(key)) { Target = key };
                result[key] = value;
            }
            return result;
        }

        /// <summary>The spooling bar last written (every 1,000 rows), until it is completed.</summary>
        private ProgressRecord? _spoolingBar;

        [MethodImpl(Hot.Path)]
        protected override void ProcessRecord()
        {
            try { Spool(); }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                CompleteSpooling();
                throw;
            }
        }

        [MethodImpl(Hot.Path)]
        private void Spool()
        {
            foreach (var request in Request)
            {
                _received++;
                if (request == null) continue;
                if (!NewIrisBatchRequestCommand.IsValidCustomId(request.CustomId))
                {
                    _rowErrors.Write(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, "custom-id",
                        Messages.InvalidCustomIdReason(), Messages.InvalidCustomId(_received, request.CustomId), _received, request);
                    continue;
                }
                if (string.IsNullOrWhiteSpace(request.Model))
                {
                    _rowErrors.Write(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, "no-model", Messages.NoModelReason(),
                        Messages.NoModel(_received, request.CustomId), _received, request);
                    continue;
                }
                if (request.RowNumber == 0) request.RowNumber = _received;
                if (_lane == null || (!_explicitPlace && _lane.Key != (request.Origin?.Key ?? "")) || Unnamed(_lane, request.Origin))
                {
                    try { _lane = LaneFor(request.Origin); }
                    catch (Exception ex) when (!(ex is PipelineStoppedException))
                    {
                        DiscardAll();
                        ThrowMapped(ex, request.Origin?.Provider ?? Provider);
                    }
                }
                var spooler = _lane!.Spooler;
                try { spooler.Add(request); }
                catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.UnsupportedEndpoint || ex.ErrorId == ErrorIds.UnsupportedFeature)
                {
                    // What the provider cannot do at all is said once, and nothing is uploaded.
                    DiscardAll();
                    ThrowMapped(ex, request);
                }
                catch (IrisBatchException ex) when (!ErrorMapper.IsSetupProblem(ex)) { _rowErrors.Write(ex, _received, request); continue; }
                catch (IrisBatchException ex) { WriteMappedError(ex, request); continue; }
                if (_received % 1000 == 0)
                    WriteProgress(_spoolingBar = new ProgressRecord(1, "Submit-IrisBatch", Messages.ProgressSpooling(_received, spooler.Bytes)));
            }
        }


        protected override void EndProcessing()
        {
            var progress = new ProgressRecord(1, "Submit-IrisBatch", Messages.ProgressPreparing());
            _spoolingBar = null;   // the same activity: completed with this record, in the finally below
            _rowErrorsField?.WriteSummaries();
            try
            {
                foreach (var lane in _lanes)
                {
                    if (lane.Spooler.Duplicate == null) continue;
                    var d = lane.Spooler.Duplicate;
                    DiscardAll();
                    ThrowTerminatingError(ErrorMapper.Create(ErrorIds.DuplicateCustomId, FailureKind.InvalidData,
                        Messages.DuplicateCustomId(d.CustomId, d.FirstRow, d.SecondRow), d.CustomId));
                }
                long count = 0;
                foreach (var lane in _lanes) count += lane.Spooler.Count;
                if (count == 0)
                {
                    DiscardAll();
                    ThrowTerminatingError(ErrorMapper.Create(ErrorIds.EmptyInput, FailureKind.InvalidData,
                        Messages.EmptyInput(), null));
                }
                foreach (var lane in _lanes) lane.Parts = lane.Spooler.Count > 0 ? lane.Spooler.Finish() : new SpooledPart[0];
                WarnOfUnknownModels();
                CheckCost();
                if (IsWhatIf)
                {
                    Preview();
                    base.EndProcessing();
                    return;
                }
                int total = _lanes.Sum(l => l.Parts.Count);
                int models = _lanes.SelectMany(l => l.Parts).Select(p => p.Entry.Model).Distinct().Count();
                var adopt = new HashSet<string>(AdoptBatchId ?? new string[0], StringComparer.Ordinal);
                var settings = NewHttpSettings();
                var planner = Session.Planner;
                int index = 0;
                foreach (var lane in _lanes)
                {
                    var provider = lane.Provider;
                    foreach (var part in lane.Parts)
                    {
                        index++;
                        int n = index;
                        var target = SubmissionPlanner.TargetText(part.Entry, provider, Describe(lane, part), n, total, count, models);
                        SubmissionPlan? plan = null;
                        try
                        {
                            plan = Run(ct => planner.PlanAsync(provider, part.Entry, Force || IsWhatIf, ct, settings.Warn));
                            if (plan.Warning != null) WriteWarning(plan.Warning);
                            if (plan.Kind == PlanKind.Reuse)
                            {
                                plan.Batch!.Credential = ApiKey;
                                WriteObject(plan.Batch);
                                continue;
                            }
                            if (!ShouldProcess(target, Messages.PreviewAction(1)))
                            {
                                planner.Decline(plan);
                                continue;
                            }
                            long sent = 0;
                            var entry = plan.Entry;
                            progress.StatusDescription = Messages.ProgressUploading(n, total, entry.RequestCount);
                            var claimed = plan;
                            var batch = Run(ct => planner.SubmitAsync(claimed, settings, adopt, b => sent = b, ct), () =>
                            {
                                progress.PercentComplete = entry.Bytes > 0 ? (int)Math.Min(100, 100 * sent / entry.Bytes) : 0;
                                progress.StatusDescription = Messages.ProgressUploadingBytes(n, total, sent, entry.Bytes);
                                WriteProgress(progress);
                            });
                            batch.Credential = ApiKey;
                            WriteObject(batch);
                        }
                        catch (Exception ex) when (!(ex is PipelineStoppedException))
                        {
                            WriteMappedError(ex, part.Entry.Model);
                        }
                        finally
                        {
                            plan?.Dispose();
                        }
                    }
                }
                if (!IsWhatIf)
                    foreach (var id in adopt)
                        WriteError(ErrorMapper.Create(ErrorIds.AdoptRefused, FailureKind.InvalidArgument, Messages.AdoptUnused(id), id));
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
                foreach (var lane in _lanes) lane.Spooler.Dispose();
            }
            base.EndProcessing();
        }
    }
}
