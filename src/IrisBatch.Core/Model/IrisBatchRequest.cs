using System;
using System.Collections.Generic;

namespace IrisBatch
{
    /// <summary>A provider-neutral chat request, one per input row, with the row it was built from.</summary>
    public sealed class IrisBatchRequest
    {
        public string CustomId { get; set; } = "";
        public string Model { get; set; } = "";
        public IReadOnlyList<ChatMessage> Messages { get; set; } = NoMessages;
        internal static readonly ChatMessage[] NoMessages = new ChatMessage[0];
        public int? MaxTokens { get; set; }
        public double? Temperature { get; set; }
        /// <summary>The provider API the request goes to (OpenAI and Azure also take Responses).</summary>
        public RequestEndpoint Endpoint { get; set; }
        /// <summary>minimal, low, medium or high: mapped to each provider's reasoning or thinking field.</summary>
        public string? ReasoningEffort { get; set; }
        /// <summary>The JSON Schema the answer must follow (an object schema, as strict mode takes it), or null for plain text.</summary>
        public string? Schema { get; set; }
        /// <summary>The schema's name (OpenAI's json_schema.name: letters, digits, '_' and '-', at most 64).</summary>
        public string? SchemaName { get; set; }
        /// <summary>The full name of the class or .NET type the schema was made from: Parsed results are instances of it.</summary>
        public string? SchemaType { get; set; }
        /// <summary>Images sent with the last user message, in order.</summary>
        public IReadOnlyList<ImageInput> Images { get; set; } = NoImages;
        internal static readonly ImageInput[] NoImages = new ImageInput[0];
        /// <summary>Further body fields as a JSON object, passed through verbatim (e.g. response_format).</summary>
        public string? BodyJson { get; set; }
        /// <summary>The input row as a JSON object of its properties (what the journal keeps).</summary>
        public string? InputJson
        {
            get => _inputJson ??= _inputJsonUtf8 != null ? System.Text.Encoding.UTF8.GetString(_inputJsonUtf8)
                : _inputFromValues && InputValues != null ? InputValues.ToJson() : null;
            set
            {
                _inputJson = value;
                _inputJsonUtf8 = null;
                _inputFromValues = false;
                InputJsonIsValid = false;
            }
        }

        private string? _inputJson;
        private byte[]? _inputJsonUtf8;   // the journal's bytes of InputJson, decoded when first asked for (see InputValues)
        private bool _inputFromValues;    // InputJson is written from InputValues when first asked for

        /// <summary>
        /// The input row already read into names and values (the journal's reader makes it for flat rows); null when it
        /// was not read so, and for rows whose values are not all plain (objects, arrays).
        /// </summary>
        internal InputValues? InputValues { get; set; }

        /// <summary>Sets <see cref="InputJson"/> to the UTF-8 bytes of JSON IrisBatch wrote, decoded only if asked for.</summary>
        internal void SetValidInputJsonUtf8(byte[] utf8)
        {
            _inputJson = null;
            _inputJsonUtf8 = utf8;
            _inputFromValues = false;
            InputJsonIsValid = true;
        }

        /// <summary>
        /// Sets the input row to values the journal's reader read (for flat rows, which need nothing else): no copy of
        /// the row's JSON is kept, and <see cref="InputJson"/>, if anything asks for it, is written from the values
        /// (the same object: names, strings, numbers, booleans and nulls, in order).
        /// </summary>
        internal void SetInputValues(InputValues values)
        {
            _inputJson = null;
            _inputJsonUtf8 = null;
            InputValues = values;
            _inputFromValues = true;
            InputJsonIsValid = true;
        }

        /// <summary>
        /// Whether the reader left out the messages (read for flat rows, which do not show them): then
        /// <see cref="Messages"/> is empty though the request had some.
        /// </summary>
        internal bool MessagesLeftOut { get; set; }

        /// <summary>
        /// Whether <see cref="InputJson"/> was written by IrisBatch itself (New-IrisBatchRequest, or the journal), so that
        /// spooling can copy it without parsing it again; a value set from outside is checked when it is spooled.
        /// </summary>
        internal bool InputJsonIsValid { get; private set; }

        /// <summary>Sets <see cref="InputJson"/> to JSON IrisBatch wrote or has already parsed.</summary>
        internal void SetValidInputJson(string? json)
        {
            _inputJson = json;
            _inputJsonUtf8 = null;
            _inputFromValues = false;
            InputJsonIsValid = json != null;
        }
        /// <summary>The original input object, when the request was built in this process.</summary>
        public object? InputObject
        {
            get => _inputObject.Value;
            set => _inputObject.Set(value);
        }

        private Deferred<object?> _inputObject;

        /// <summary>The input row, built when first asked for (see <see cref="IrisBatchResult.Input"/>).</summary>
        internal void DeferInputObject(Lazy<object?> input) => _inputObject.Defer(input);

        /// <summary>1-based position in the pipeline that built the request (0 when unknown).</summary>
        public long RowNumber { get; set; }

        /// <summary>
        /// Embeddings only: the vector length asked for (OpenAI "dimensions", Gemini "outputDimensionality"); null
        /// for the model's own length. The text to embed is <see cref="Prompt"/>.
        /// </summary>
        public int? Dimensions { get; set; }

        /// <summary>Whether the request asks for an embedding vector rather than a chat answer.</summary>
        public bool IsEmbedding => Endpoint == RequestEndpoint.Embeddings;

        /// <summary>The text of the last user message: what a one-prompt request asks.</summary>
        public string? Prompt
        {
            get
            {
                for (int i = Messages.Count - 1; i >= 0; i--)
                    if (Messages[i].Role == "user") return Messages[i].Content;
                return null;
            }
        }

        public string? SystemPrompt
        {
            get
            {
                foreach (var m in Messages) if (m.Role == "system") return m.Content;
                return null;
            }
        }

        /// <summary>
        /// Where the request was submitted before, when it comes from a result; Submit-IrisBatch sends it back there
        /// (provider, base URI, API version, and the name with a -retryN suffix) unless -Provider or -BaseUri is given.
        /// </summary>
        public BatchOrigin? Origin { get; set; }
        /// <summary>The provider of <see cref="Origin"/>, or null for a new request.</summary>
        public string? Provider => Origin?.Provider;
        /// <summary>The base URI of <see cref="Origin"/>, or null for a new request.</summary>
        public string? BaseUri => Origin?.BaseUri;
        /// <summary>The API version of <see cref="Origin"/> (Azure OpenAI), or null.</summary>
        public string? ApiVersion => Origin?.ApiVersion;
        /// <summary>The name a resubmission gets (the original batch's name with -retryN), or null for a new request.</summary>
        public string? BatchName => Origin?.Name;
        /// <summary>
        /// The same as <see cref="BatchName"/>: the name of the batch the request came from, as the resubmission gets it
        /// (-retryN), or null for a new request. Issue 16 says a request from a result carries its batch's name.
        /// </summary>
        public string? Name => Origin?.Name;

        public override string ToString() => CustomId;
    }
}
