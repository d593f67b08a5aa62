using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text;
using IrisBatch.Conversion;
using IrisBatch.Templates;

namespace IrisBatch.Commands
{
    /// <summary>Builds one provider-neutral request per input object, from templates or script blocks.</summary>
    [Cmdlet(VerbsCommon.New, "IrisBatchRequest")]
    [OutputType(typeof(IrisBatchRequest))]
    public sealed partial class NewIrisBatchRequestCommand : IrisBatchCmdlet
    {
        /// <summary>
        /// Whether <paramref name="id"/> is 1 to 64 of A-Z, a-z, 0-9, '_' and '-', nothing else (not even the final
        /// '\n' a Regex's '$' lets through: providers would refuse it). A loop rather than a compiled Regex: building
        /// one costs 20-30 ms of code generation in every fresh session, and it runs once per row in two cmdlets.
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static bool IsValidCustomId(string? id)
        {
            if (id == null) return false;
            int length = id.Length;
            if (length < 1 || length > 64) return false;
            for (int i = 0; i < length; i++)
            {
                char c = id[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
            }
            return true;
        }

        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>
        /// A model name, or a script block run with $_ set to the row that gives one. Typed object (as -Prompt and
        /// -CustomId) so that a script block given here reaches the command once and runs per row in it: as a string
        /// parameter, PowerShell ran it while binding each row, so one that failed or gave nothing was one binding error
        /// per row (1,000 rows, 1,000 errors). A Model property of a row binds here by name.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Completers.ModelCompleter))]
        public object? Model { get; set; }

        /// <summary>A template with {Property} placeholders, or a script block run with $_ set to the row.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public object? Prompt { get; set; }

        /// <summary>
        /// Like -Prompt. Without it, a SystemPrompt property of the row is used as it is. That property is read here,
        /// from the row's listing, rather than bound by PowerShell (ValueFromPipelineByPropertyName): the binder looks a
        /// missing property up twice per row, and for CSV rows those lookups cost more than building the request.
        /// </summary>
        [Parameter]
        public object? SystemPrompt { get; set; }

        /// <summary>
        /// A template, a literal, or a script block run with $_ set to the row. Typed object (as -Prompt) so that a script
        /// block given here reaches the command once and runs per row in it, as -Prompt's does; as a string parameter,
        /// PowerShell ran it while binding each row, so a failing one gave one binding error per row, and a bad id it made
        /// was blamed on a column. A CustomId, Id or custom_id property of a row binds here by name.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "custom_id")]
        public object? CustomId { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int MaxTokens { get; set; }

        [Parameter]
        [ValidateRange(0.0, 2.0)]
        public double Temperature { get; set; }

        /// <summary>The full message list (hashtables or objects with role and content) instead of -Prompt/-SystemPrompt.</summary>
        [Parameter]
        public object[]? Messages { get; set; }

        /// <summary>Further body fields passed through verbatim (e.g. response_format).</summary>
        [Parameter]
        public Hashtable? Body { get; set; }

        /// <summary>Accept empty values in template placeholders without the warning that names each empty column.</summary>
        [Parameter]
        public SwitchParameter AllowEmpty { get; set; }

        /// <summary>A JSON schema the answer must follow: a hashtable, JSON text, the path of a .json file, or a class / .NET type.</summary>
        [Parameter]
        public object? Schema { get; set; }

        /// <summary>Images for the prompt: https URLs or local files; templates, script blocks or values, several allowed.</summary>
        [Parameter]
        public object[]? Image { get; set; }

        /// <summary>The provider API: ChatCompletions (default) or Responses (OpenAI and Azure).</summary>
        [Parameter]
        public RequestEndpoint Endpoint { get; set; }

        /// <summary>How hard a reasoning model thinks: mapped to each provider's field.</summary>
        [Parameter]
        [ValidateSet("minimal", "low", "medium", "high")]
        public string? ReasoningEffort { get; set; }

        private long _row;
        private Source? _prompt, _system, _customId, _modelScript;
        private string? _modelFromCommandLine;
        private string? _bodyJson;
        private bool _sawInput;
        private bool _systemBound;
        private int? _maxTokens;
        private double? _temperature;
        private List<(string Role, Source? Content, string? ContentJson)>? _messages;
        private SchemaArgument? _schema;
        private List<Source>? _images;
        private string? _imageBase;
        /// <summary>The sampling parameter sent at a value other than 1 (which reasoning models refuse), or null; see RequestFeatures.NonDefaultSampling.</summary>
        private string? _nonDefaultSampling;
        private bool _samplingFromTemperature;
        private readonly RowReader _reader = new RowReader();
        private RowErrors? _errors;
        private EmptyValues? _empty;
        private bool _saidCustomIdColumn;

        protected override void BeginProcessing()
        {
            _errors = new RowErrors(this);
            _empty = AllowEmpty ? null : new EmptyValues();
            CheckEmbeddingParameters(Endpoint == RequestEndpoint.Embeddings);
            try
            {
                _prompt = Source.From(Bound(nameof(Prompt)) ? Prompt : null, nameof(Prompt));
                _systemBound = Bound(nameof(SystemPrompt));
                _system = Source.From(_systemBound ? SystemPrompt : null, nameof(SystemPrompt));
                _customId = Source.From(Bound(nameof(CustomId)) ? CustomId : null, nameof(CustomId));
                if (ModelArgument() is ScriptBlock modelScript) _modelScript = Source.From(modelScript, nameof(Model));
                else _modelFromCommandLine = Bound(nameof(Model)) ? ModelText(Model) : null;
                _maxTokens = Bound(nameof(MaxTokens)) ? MaxTokens : (int?)null;
                _temperature = Bound(nameof(Temperature)) ? Temperature : (double?)null;
                if (Body != null) _bodyJson = PSConvert.ToJson(Body);
                if (Messages != null) _messages = ParseMessages(Messages);
                if (Bound(nameof(Schema))) _schema = SchemaArgument.From(Schema!, this);
                if (Image != null && Image.Length > 0)
                {
                    _images = new List<Source>();
                    foreach (var image in Image) { var source = Source.From(image, nameof(Image)); if (source != null) _images.Add(source); }
                    _imageBase = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
                }
                if (ReasoningEffort != null) ReasoningEffort = ReasoningEffort.ToLowerInvariant();
                _nonDefaultSampling = IrisBatch.Requests.RequestFeatures.NonDefaultSampling(_temperature, IrisBatch.Providers.BodyFields.For(_bodyJson), out _samplingFromTemperature);
            }
            catch (IrisBatchException ex)
            {
                ThrowMapped(ex, Schema);
            }
            catch (FormatException ex)
            {
                ThrowMapped(new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, ex.Message, ex), null);
            }
        }

        private bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

        /// <summary>-Model as given on the command line (its PSObject unwrapped), or null.</summary>
        private object? ModelArgument() => Bound(nameof(Model)) ? (Model is PSObject pso ? pso.BaseObject : Model) : null;

        /// <summary>A model name given as a value (the command line's, or a row's Model property): its text.</summary>
        private static string? ModelText(object? value) => value == null ? null : PSConvert.ToText(value);

        [MethodImpl(Hot.Path)]
        protected override void ProcessRecord()
        {
            if (InputObject == null && MyInvocation.ExpectingInput) return;
            _sawInput = true;
            _row++;
            try
            {
                WriteObject(Build(InputObject, _row));
            }
            catch (RowException ex)
            {
                RowFailed(ex, InputObject ?? (object)_row);
            }
        }

        private void RowFailed(RowException ex, object target) =>
            _errors!.Write(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, ex.Key ?? ex.Message, ex.Description ?? ex.Message,
                IrisBatch.Messages.RowError(_row, ex.Message), _row, target);

        protected override void EndProcessing()
        {
            if (!_sawInput && !MyInvocation.ExpectingInput)
            {
                _row++;
                try { WriteObject(Build(null, _row)); }
                catch (RowException ex) { RowFailed(ex, _row); }
            }
            _errors?.WriteSummaries();
            if (_empty != null) foreach (var warning in _empty.Warnings(_row)) WriteWarning(warning);
            base.EndProcessing();
        }

        [MethodImpl(Hot.Path)]
        private IrisBatchRequest Build(PSObject? row, long rowNumber)
        {
            var reader = _reader;
            reader.Reset(row);
            string? model;
            if (_modelScript != null)
            {
                model = _modelScript.Expand(reader, rowNumber, null).Trim();
                if (model.Length == 0) throw new RowException(IrisBatch.Messages.ModelScriptGaveNone(), "model|script|none", IrisBatch.Messages.ModelScriptGaveNone());
                if (model.IndexOfAny(new[] { '\r', '\n' }) >= 0)
                    throw new RowException(IrisBatch.Messages.ModelScriptGaveSeveral(model.Replace(Environment.NewLine, "', '")), "model|script|several", IrisBatch.Messages.ModelScriptGaveSeveral(null));
            }
            else model = _modelFromCommandLine ?? ModelText(Model);
            if (string.IsNullOrWhiteSpace(model)) throw new RowException(IrisBatch.Messages.RowNoModel());

            var messages = new List<ChatMessage>();
            if (_messages != null)
            {
                foreach (var (role, content, json) in _messages)
                    messages.Add(new ChatMessage(role, content?.Expand(reader, rowNumber, _empty), json));
            }
            else
            {
                var system = _system != null ? _system.Expand(reader, rowNumber, _empty)
                    : !_systemBound && Endpoint != RequestEndpoint.Embeddings && reader.TryGetProperty(nameof(SystemPrompt), out var fromRow) ? PSConvert.ToText(fromRow) : null;
                var prompt = _prompt != null ? _prompt.Expand(reader, rowNumber, _empty) : Prompt != null ? PSConvert.ToText(Prompt) : null;
                if (prompt == null) throw new RowException(IrisBatch.Messages.RowNoPrompt());
                if (!string.IsNullOrEmpty(system)) messages.Add(new ChatMessage("system", system));
                messages.Add(new ChatMessage("user", prompt));
            }

            var customId = _customId != null ? _customId.Expand(reader, rowNumber, _empty)
                : CustomId != null ? PSConvert.ToText(CustomId) : "request-" + rowNumber.ToString(CultureInfo.InvariantCulture);
            if (_customId == null && CustomId != null && !_saidCustomIdColumn)
            {
                _saidCustomIdColumn = true;
                WriteVerbose(IrisBatch.Messages.CustomIdFromColumn(CustomIdColumn(reader)));
            }
            if (!IsValidCustomId(customId)) throw InvalidCustomId(customId, reader);

            if (_nonDefaultSampling != null && IsReasoningModel(model!, out var known) && !(known?.SamplingAtEffortNone == true && EffortSent() == "none"))
            {
                // Spec §11.4: reasoning models take temperature and top_p at their default, 1, only (gpt-5.1 and gpt-5.2
                // at reasoning effort none too).
                var parameter = _nonDefaultSampling;
                var text = IrisBatch.Requests.RequestFeatures.SamplingRefused(known, model!, parameter, _samplingFromTemperature);
                throw new RowException(IrisBatch.Messages.NothingOfRowSent(text), "reasoning|" + model + "|" + parameter, text);
            }

            var request = new IrisBatchRequest
            {
                CustomId = customId,
                Model = model!,
                Messages = messages,
                MaxTokens = _maxTokens,
                Temperature = _temperature,
                BodyJson = _bodyJson,
                InputObject = row,
                RowNumber = rowNumber,
                Endpoint = Endpoint,
                Dimensions = _dimensions == null ? null : DimensionsFor(model!),
                ReasoningEffort = ReasoningEffort,
            };
            if (_schema != null)
            {
                request.Schema = _schema.Schema;
                request.SchemaName = _schema.Name;
                request.SchemaType = _schema.TypeName;
            }
            if (_images != null) request.Images = ReadImages(reader, rowNumber);
            request.SetValidInputJson(reader.ToJson());   // written just now by Utf8JsonWriter
            return request;
        }

        /// <summary>The column -CustomId was bound from by PowerShell (by its name or an alias).</summary>
        private static string CustomIdColumn(RowReader reader)
        {
            foreach (var name in new[] { nameof(CustomId), "Id", "custom_id" })
                if (reader.TryGetProperty(name, out _)) return reader.PropertyName(name) ?? name;
            return nameof(CustomId);
        }

        private RowException InvalidCustomId(string customId, RowReader reader)
        {
            if (_customId != null)
                return new RowException(IrisBatch.Messages.CustomIdFromScript(customId, summary: false), "custom-id|-CustomId", IrisBatch.Messages.CustomIdFromScript(customId, summary: true));
            if (CustomId == null)
                return new RowException(IrisBatch.Messages.CustomIdDefault(customId, summary: false), "custom-id|default", IrisBatch.Messages.CustomIdDefault(customId, summary: true));
            var column = CustomIdColumn(reader);
            var bound = !string.Equals(column, nameof(CustomId), StringComparison.OrdinalIgnoreCase);
            return new RowException(IrisBatch.Messages.CustomIdColumn(customId, column, bound, summary: false), "custom-id|column|" + column,
                IrisBatch.Messages.CustomIdColumn(customId, column, bound, summary: true));
        }

        /// <summary>
        /// Whether models.json lists the model, or the name it is a dated snapshot of (o4-mini-2025-04-16), as a reasoning
        /// model (under OpenAI or Azure: the providers whose reasoning models refuse sampling parameters).
        /// </summary>
        private static bool IsReasoningModel(string model, out Data.ModelInfo? known)
        {
            foreach (var provider in new[] { "OpenAI", "AzureOpenAI" })
                if (Data.ModelNames.IsReasoning(provider, model))
                {
                    known = Data.ModelNames.Find(provider, model);
                    return true;
                }
            known = null;
            return false;
        }

        /// <summary>The reasoning effort the rows send (-Body's wins over -ReasoningEffort, as the writers write it).</summary>
        private string? EffortSent() =>
            IrisBatch.Requests.RequestFeatures.EffortSent(ReasoningEffort, IrisBatch.Providers.BodyFields.For(_bodyJson), Endpoint == RequestEndpoint.Responses);

        /// <summary>The row's images: each -Image value expanded (a script block may give several, one per line), each URL or file checked.</summary>
        private List<ImageInput> ReadImages(RowReader reader, long rowNumber)
        {
            var list = new List<ImageInput>();
            foreach (var source in _images!)
                foreach (var line in source.Expand(reader, rowNumber, null).Split('\n'))
                {
                    var value = line.Trim();
                    if (value.Length == 0) continue;
                    try { list.Add(ImageInput.From(value, _imageBase)); }
                    catch (FormatException ex)
                    {
                        // The same mistake on every row (a column of paths that are not there) is one error and a count:
                        // rows whose messages differ only in their paths and numbers count as the same.
                        throw new RowException(ex.Message, "image|" + RowErrors.WithoutValues(ex.Message), RowErrors.WithoutQuoted(ex.Message));
                    }
                }
            return list;
        }

        private List<(string, Source?, string?)> ParseMessages(object[] messages)
        {
            var list = new List<(string, Source?, string?)>();
            int n = 0;
            foreach (var item in messages)
            {
                n++;
                var pso = PSObject.AsPSObject(item);
                if (!PSConvert.TryGetText(pso, "role", out var role) || string.IsNullOrWhiteSpace(role))
                    throw new FormatException(IrisBatch.Messages.MessageNoRole(n));
                object? content = null;
                if (pso.BaseObject is IDictionary d) { foreach (DictionaryEntry de in d) if (string.Equals(de.Key?.ToString(), "content", StringComparison.OrdinalIgnoreCase)) content = de.Value; }
                else content = pso.Properties["content"]?.Value;
                if (content is PSObject cp) content = cp.BaseObject;
                if (content is string || content is ScriptBlock || content == null)
                    list.Add((role!, Source.From(content, $"Messages[{n - 1}].content"), null));
                else
                    list.Add((role!, null, PSConvert.ToJson(content)));
            }
            return list;
        }

        /// <summary>A value given on the command line: a template expanded against each row, or a script block run per row.</summary>
        private sealed class Source
        {
            private readonly PromptTemplate? _template;
            private readonly ScriptBlock? _script;
            private readonly string _parameter;

            private Source(PromptTemplate? template, ScriptBlock? script, string parameter)
            {
                _template = template;
                _script = script;
                _parameter = parameter;
            }

            public static Source? From(object? value, string parameter)
            {
                if (value is PSObject pso) value = pso.BaseObject;
                if (value == null) return null;
                if (value is ScriptBlock sb) return new Source(null, sb, parameter);
                var text = PSConvert.ToText(value);
                try { return new Source(PromptTemplate.Parse(text), null, parameter); }
                catch (FormatException ex) { throw new FormatException(IrisBatch.Messages.ParameterProblem(parameter, ex.Message), ex); }
            }

            [MethodImpl(Hot.Path)]
            public string Expand(RowReader reader, long rowNumber, EmptyValues? empty)
            {
                if (_script != null)
                {
                    var row = reader.Row;
                    Collection<PSObject> output;
                    try
                    {
                        output = _script.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", row), new PSVariable("PSItem", row) });
                    }
                    catch (RuntimeException ex)
                    {
                        // The same failure on every row is one error and a count, even when its message quotes the row's values.
                        var message = IrisBatch.Messages.ScriptBlockFailed(_parameter, ex.Message);
                        throw new RowException(message, "script|" + _parameter + "|" + RowErrors.WithoutValues(ex.Message), message);
                    }
                    finally
                    {
                        reader.Invalidate();   // the script may have changed the row's properties
                    }
                    var sb = new StringBuilder();
                    foreach (var o in output)
                    {
                        if (o == null) continue;
                        if (sb.Length > 0) sb.Append(Environment.NewLine);
                        sb.Append(PSConvert.ToText(o));
                    }
                    return sb.ToString();
                }
                _lookup ??= new Lookup(reader);
                _lookup.Start(rowNumber, empty);
                var text = _template!.Expand(_lookup.TryGetText, out var missing);
                if (text == null) throw MissingProperty(reader, missing!);
                return text;
            }

            private Lookup? _lookup;

            private RowException MissingProperty(RowReader reader, string missing)
            {
                var description = IrisBatch.Messages.MissingProperty(missing, _parameter);
                var names = reader.PropertyNames();
                var scalar = reader.Row != null && PSConvert.IsScalar(reader.Row.BaseObject) ? reader.Row.BaseObject.GetType().Name : null;
                // Up to 3, nearest first: one name by edit distance alone often misses (columns name, size: {title} is nearer size).
                var near = scalar == null && names.Count > 0 ? NearestNames.Find(missing, names, 3, preferShared: true) : null;
                var detail = IrisBatch.Messages.MissingPropertyHint(scalar, names, near);
                return new RowException(description + "." + detail, "missing-property|" + _parameter + "|" + missing.ToLowerInvariant(), description);
            }
        }

        /// <summary>The template's lookup of a placeholder in the current row: {_} is the whole input; empty values are counted.</summary>
        private sealed class Lookup
        {
            private readonly RowReader _reader;
            private long _row;
            private EmptyValues? _empty;

            public Lookup(RowReader reader)
            {
                _reader = reader;
                TryGetText = Get;
            }

            public readonly PromptTemplate.TryLookup TryGetText;

            public void Start(long row, EmptyValues? empty)
            {
                _row = row;
                _empty = empty;
            }

            [MethodImpl(Hot.Path)]
            private bool Get(string name, out string? value)
            {
                if (name.Length == 1 && name[0] == '_')
                {
                    var row = _reader.Row;
                    value = row == null ? null : PSConvert.ToText(row);
                    if (row == null) return false;
                }
                else if (!_reader.TryGetText(name, out value)) return false;
                if (_empty != null && string.IsNullOrWhiteSpace(value)) _empty.Add(name, _row);
                return true;
            }
        }

        /// <summary>Placeholders whose value was empty, per column: one warning each at the end (silenced by -AllowEmpty).</summary>
        private sealed class EmptyValues
        {
            private readonly Dictionary<string, (string Name, long Count, long LastRow, List<long> Rows)> _columns =
                new Dictionary<string, (string, long, long, List<long>)>(StringComparer.OrdinalIgnoreCase);

            public void Add(string column, long row)
            {
                if (!_columns.TryGetValue(column, out var c)) c = (column, 0, 0, new List<long>());
                if (c.LastRow == row) return;   // the same placeholder twice in one row, or in two templates
                if (c.Rows.Count < RepeatedErrors.RowsListed) c.Rows.Add(row);
                _columns[column] = (c.Name, c.Count + 1, row, c.Rows);
            }

            public IEnumerable<string> Warnings(long rows)
            {
                foreach (var c in _columns.Values)
                {
                    yield return IrisBatch.Messages.EmptyColumn(c.Name, c.Count, rows, c.Rows.ConvertAll(r => r.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }

        private sealed class RowException : Exception
        {
            public RowException(string message, string? key = null, string? description = null) : base(message)
            {
                Key = key;
                Description = description;
            }

            /// <summary>Which rows' errors are "the same" (reported once, then counted); null: the message itself.</summary>
            public string? Key { get; }
            /// <summary>The error without the row's own values, for the summary of rows that failed the same way.</summary>
            public string? Description { get; }
        }
    }
}
