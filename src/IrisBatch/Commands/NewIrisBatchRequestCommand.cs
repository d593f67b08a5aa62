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
    public sealed class NewIrisBatchRequestCommand : IrisBatchCmdlet
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

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Completers.ModelCompleter))]
        public string? Model { get; set; }

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

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "custom_id")]
        public string? CustomId { get; set; }

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

        private long _row;
        private Source? _prompt, _system, _customId;
        private string? _modelFromCommandLine;
        private string? _bodyJson;
        private bool _sawInput;
        private bool _systemBound;
        private int? _maxTokens;
        private double? _temperature;
        private List<(string Role, Source? Content, string? ContentJson)>? _messages;
        private readonly RowReader _reader = new RowReader();

        protected override void BeginProcessing()
        {
            try
            {
                _prompt = Source.From(Bound(nameof(Prompt)) ? Prompt : null, nameof(Prompt));
                _systemBound = Bound(nameof(SystemPrompt));
                _system = Source.From(_systemBound ? SystemPrompt : null, nameof(SystemPrompt));
                _customId = Source.From(Bound(nameof(CustomId)) ? CustomId : null, nameof(CustomId));
                _modelFromCommandLine = Bound(nameof(Model)) ? Model : null;
                _maxTokens = Bound(nameof(MaxTokens)) ? MaxTokens : (int?)null;
                _temperature = Bound(nameof(Temperature)) ? Temperature : (double?)null;
                if (Body != null) _bodyJson = PSConvert.ToJson(Body);
                if (Messages != null) _messages = ParseMessages(Messages);
            }
            catch (FormatException ex)
            {
                ThrowMapped(new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, ex.Message, ex), null);
            }
        }

        private bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

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
                var message = $"Row {_row}: {ex.Message}";
                WriteError(ErrorMapper.Create(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, message, InputObject ?? (object)_row));
            }
        }

        protected override void EndProcessing()
        {
            if (!_sawInput && !MyInvocation.ExpectingInput)
            {
                _row++;
                try { WriteObject(Build(null, _row)); }
                catch (RowException ex) { WriteError(ErrorMapper.Create(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, $"Row {_row}: {ex.Message}", _row)); }
            }
            base.EndProcessing();
        }

        [MethodImpl(Hot.Path)]
        private IrisBatchRequest Build(PSObject? row, long rowNumber)
        {
            var reader = _reader;
            reader.Reset(row);
            var model = _modelFromCommandLine ?? Model;
            if (string.IsNullOrWhiteSpace(model)) throw new RowException("no model: pass -Model or give the row a 'Model' property.");

            var messages = new List<ChatMessage>();
            if (_messages != null)
            {
                foreach (var (role, content, json) in _messages)
                    messages.Add(new ChatMessage(role, content?.Expand(reader), json));
            }
            else
            {
                var system = _system != null ? _system.Expand(reader)
                    : !_systemBound && reader.TryGetProperty(nameof(SystemPrompt), out var fromRow) ? PSConvert.ToText(fromRow) : null;
                var prompt = _prompt != null ? _prompt.Expand(reader) : Prompt != null ? PSConvert.ToText(Prompt) : null;
                if (prompt == null) throw new RowException("no prompt: pass -Prompt or -Messages, or give the row a 'Prompt' property.");
                if (!string.IsNullOrEmpty(system)) messages.Add(new ChatMessage("system", system));
                messages.Add(new ChatMessage("user", prompt));
            }

            var customId = _customId != null ? _customId.Expand(reader) : CustomId ?? "request-" + rowNumber.ToString(CultureInfo.InvariantCulture);
            if (!IsValidCustomId(customId))
                throw new RowException($"the custom id '{customId}' (property CustomId) is not valid: use 1 to 64 letters, digits, '_' or '-'.");

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
            };
            request.SetValidInputJson(reader.ToJson());   // written just now by Utf8JsonWriter
            return request;
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
                    throw new FormatException($"Message {n} of -Messages has no 'role'.");
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
                catch (FormatException ex) { throw new FormatException($"-{parameter}: {ex.Message}", ex); }
            }

            [MethodImpl(Hot.Path)]
            public string Expand(RowReader reader)
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
                        throw new RowException($"the script block of -{_parameter} failed: {ex.Message}");
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
                var text = _template!.Expand(reader.TryGetText, out var missing);
                if (text == null)
                    throw new RowException($"the input has no property '{missing}', which the template of -{_parameter} uses.");
                return text;
            }
        }

        private sealed class RowException : Exception
        {
            public RowException(string message) : base(message) { }
        }
    }
}
