using System;
using System.Collections.Generic;

namespace IrisBatch
{
    /// <summary>A provider-neutral chat request, one per input row, with the row it was built from.</summary>
    public sealed class IrisBatchRequest
    {
        public string CustomId { get; set; } = "";
        public string Model { get; set; } = "";
        public IReadOnlyList<ChatMessage> Messages { get; set; } = new ChatMessage[0];
        public int? MaxTokens { get; set; }
        public double? Temperature { get; set; }
        /// <summary>Further body fields as a JSON object, passed through verbatim (e.g. response_format).</summary>
        public string? BodyJson { get; set; }
        /// <summary>The input row as a JSON object of its properties (what the journal keeps).</summary>
        public string? InputJson
        {
            get => _inputJson;
            set
            {
                _inputJson = value;
                InputJsonIsValid = false;
            }
        }

        private string? _inputJson;

        /// <summary>
        /// Whether <see cref="InputJson"/> was written by IrisBatch itself (New-IrisBatchRequest, or the journal), so that
        /// spooling can copy it without parsing it again; a value set from outside is checked when it is spooled.
        /// </summary>
        internal bool InputJsonIsValid { get; private set; }

        /// <summary>Sets <see cref="InputJson"/> to JSON IrisBatch wrote or has already parsed.</summary>
        internal void SetValidInputJson(string? json)
        {
            _inputJson = json;
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

        public override string ToString() => CustomId;
    }
}
