using System;

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
        public string? RawResponse
        {
            get => _deferredRaw != null ? _deferredRaw.Value : _raw;
            set
            {
                _raw = value;
                _deferredRaw = null;
            }
        }

        // Read from the result file the first time something asks: few pipelines do, and decoding (or copying) every
        // line was a sizeable part of reading a result.
        private string? _raw;
        private Lazy<string?>? _deferredRaw;

        /// <summary>Sets <see cref="RawResponse"/> to a line read when first asked for.</summary>
        internal void DeferRawResponse(Lazy<string?> raw)
        {
            _raw = null;
            _deferredRaw = raw;
        }
        public string BatchId { get; set; } = "";
        public IrisBatchRequest? Request
        {
            get
            {
                var deferred = _deferredRequest;
                if (deferred == null) return _request;
                var request = deferred.Value;
                var input = _requestInput;
                if (input != null)
                {
                    _requestInput = null;   // handed over once: the request's InputObject is its own from then on
                    request.DeferInputObject(input);
                }
                return request;
            }
            set
            {
                _request = value;
                _deferredRequest = null;
            }
        }

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

        // Results are read by the hundred thousand and most pipelines look at Status and Output only: the request is
        // kept as its journal line and read, and the input row built, the first time something asks for them. Each
        // is built once (Lazy, thread-safe), so every read sees the same object, as when they were built up front.
        private IrisBatchRequest? _request;
        private Lazy<IrisBatchRequest>? _deferredRequest;
        private object? _input;
        private Lazy<object?>? _deferredInput;
        private Lazy<object?>? _requestInput;   // the same row, for a deferred request's InputObject once it is read

        /// <summary>The request, read from its journal line when first asked for.</summary>
        internal void DeferRequest(Lazy<IrisBatchRequest> request)
        {
            _request = null;
            _deferredRequest = request;
        }

        /// <summary>
        /// The input row (also the request's InputObject), built by <paramref name="build"/> from the request's
        /// InputJson when first asked for. Does nothing when there is no request.
        /// </summary>
        internal void DeferInputFromRequest(Func<string?, object?> build)
        {
            var deferred = _deferredRequest;
            var request = _request;
            if (deferred == null && request == null) return;
            DeferInput(new Lazy<object?>(() => build(deferred != null ? deferred.Value.InputJson : request!.InputJson)));
        }

        private void DeferInput(Lazy<object?> input)
        {
            _input = null;
            _deferredInput = input;
            if (_deferredRequest == null) _request?.DeferInputObject(input);
            else _requestInput = input;
        }

        public bool IsSuccess => Status == ResultStatus.Succeeded;
        public override string ToString() => CustomId;
    }
}
