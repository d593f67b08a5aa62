namespace IrisBatch
{
    public sealed class TokenUsage
    {
        public long InputTokens { get; set; }
        public long OutputTokens { get; set; }
        public long TotalTokens { get; set; }
        public override string ToString() => $"{InputTokens} in, {OutputTokens} out";
    }

    /// <summary>Why one request failed.</summary>
    public sealed class ResultError
    {
        public string? Code { get; set; }
        public string? Message { get; set; }
        public int? HttpStatus { get; set; }
        /// <summary>The same as <see cref="HttpStatus"/>, under the name HTTP clients use.</summary>
        public int? StatusCode => HttpStatus;
        public string? Type { get; set; }
        public override string ToString() => HttpStatus.HasValue ? $"{HttpStatus} {Code}: {Message}" : $"{Code}: {Message}";
    }

    /// <summary>The outcome of one submitted request, joined to its request and input row.</summary>
    public sealed class IrisBatchResult
    {
        public string CustomId { get; set; } = "";
        public ResultStatus Status { get; set; }
        /// <summary>The assistant's text.</summary>
        public string? Output { get; set; }
        public ResultError? Error { get; set; }
        public TokenUsage? Usage { get; set; }
        /// <summary>The provider's raw result line (JSON).</summary>
        public string? RawResponse { get; set; }
        public string BatchId { get; set; } = "";
        public IrisBatchRequest? Request { get; set; }
        /// <summary>The input row the request was built from.</summary>
        public object? Input
        {
            get => _deferredInput != null ? _deferredInput.Value : _input;
            set
            {
                _input = value;
                _deferredInput = null;
            }
        }

        private object? _input;
        private DeferredInput? _deferredInput;

        /// <summary>Gives the result and its request an input row built on first read (see <see cref="DeferredInput"/>).</summary>
        internal void DeferInput(DeferredInput input)
        {
            Input = null;
            _deferredInput = input;
            if (Request != null) Request.DeferInputObject(input);
        }

        public bool IsSuccess => Status == ResultStatus.Succeeded;
        public override string ToString() => CustomId;
    }
}
