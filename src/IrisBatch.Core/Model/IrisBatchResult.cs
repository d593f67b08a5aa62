using System;
using System.Threading;

namespace IrisBatch
{
    public sealed class TokenUsage
    {
        public long InputTokens { get; set; }
        public long OutputTokens { get; set; }
        public long TotalTokens { get; set; }
        /// <summary>The part of <see cref="InputTokens"/> read from the provider's prompt cache (billed at the cached price).</summary>
        public long CachedTokens { get; set; }
        /// <summary>The part of <see cref="OutputTokens"/> the model spent reasoning (billed at the reasoning price).</summary>
        public long ReasoningTokens { get; set; }
        /// <summary>
        /// The part of <see cref="InputTokens"/> written to the provider's prompt cache (Anthropic:
        /// <c>cache_creation_input_tokens</c>), billed at the cache-write price; <see cref="CacheWrite1hTokens"/> of them
        /// at the 1-hour one.
        /// </summary>
        public long CacheWriteTokens { get; set; }
        /// <summary>
        /// The part of <see cref="CacheWriteTokens"/> written to the 1-hour cache (Anthropic:
        /// <c>cache_creation.ephemeral_1h_input_tokens</c>), billed at the 1-hour cache-write price.
        /// </summary>
        public long CacheWrite1hTokens { get; set; }
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
        /// <summary>
        /// The embedding vector of an Embeddings request (null for chat), decoded from the float list or base64 the
        /// provider sent. <see cref="Output"/> is empty then, and <see cref="Usage"/> has the input tokens.
        /// </summary>
        public float[]? Embedding { get; set; }
        public ResultError? Error { get; set; }
        /// <summary>
        /// Why the request failed, as a stable word (<see cref="ResultError.Code"/>: invalid_output, truncated, refusal,
        /// content_filter, the provider's own code); null when it did not fail. The flat rows of -IncludeInput have the same column.
        /// </summary>
        public string? ErrorCode => Error?.Code;
        /// <summary>The failure's message (<see cref="ResultError.Message"/>); null when the request did not fail.</summary>
        public string? ErrorMessage => Error?.Message;
        public TokenUsage? Usage { get; set; }
        /// <summary>
        /// What this result cost in USD: <see cref="BilledCost"/> where the provider says it, else its usage at the
        /// model's batch prices (prices.json); 0 for a request that
        /// failed, expired or was cancelled; null when the model has no known price.
        /// </summary>
        public decimal? Cost { get; set; }
        /// <summary>
        /// What the provider says the request cost, in USD, where its result says (xAI: <c>usage.cost_in_usd_ticks</c>
        /// / 10^10, "the actual amount billed, after all applicable discounts"); null elsewhere. A result's Cost is
        /// this, when given, rather than its tokens at the price table's prices.
        /// </summary>
        public decimal? BilledCost { get; set; }
        /// <summary>
        /// The model the provider says answered, from the result line (OpenAI, Azure, Groq, Mistral, Together:
        /// <c>response.body.model</c>; Anthropic: <c>result.message.model</c>; Gemini: <c>response.modelVersion</c>; xAI:
        /// the completion's <c>model</c>), often a dated snapshot (gpt-4o-mini-2024-07-18); null when the line has none.
        /// On Azure the request names a deployment, and this is the model behind it. Cost is priced by it when the
        /// requested model has no price.
        /// </summary>
        public string? ResponseModel { get; set; }
        /// <summary>The provider's raw result line (JSON).</summary>
        public string? RawResponse
        {
            get
            {
                // A line still in its file is read now, once; should two threads ask at once, each reads it (no harm).
                var file = Volatile.Read(ref _rawFile);
                if (file == null) return _raw.Value;
                var text = file.ReadText(_rawOffset, _rawLength);
                _raw.Set(text);
                Volatile.Write(ref _rawFile, null);
                return text;
            }
            set
            {
                _raw.Set(value);
                Volatile.Write(ref _rawFile, null);
            }
        }

        public string BatchId { get; set; } = "";

        /// <summary>Why the answer ended, as the provider says it (finish_reason, stop_reason, finishReason, status), when it says.</summary>
        public string? StopReason { get; set; }

        /// <summary>True when the answer was cut at the token limit (length, max_tokens, MAX_TOKENS, max_output_tokens).</summary>
        internal bool Truncated { get; set; }

        /// <summary>
        /// The answer parsed as JSON when the request had a -Schema: a PSCustomObject, or an instance of the class the
        /// schema was made from. Null for plain answers and failed results. Built when first read.
        /// </summary>
        public object? Parsed
        {
            get => _parsed.Value;
            set => _parsed.Set(value);
        }

        private Deferred<object?> _parsed;

        /// <summary>Sets <see cref="Parsed"/> to a value built when first asked for.</summary>
        internal void DeferParsed(Lazy<object?> parsed) => _parsed.Defer(parsed);

        /// <summary>
        /// A refusal reported in place of an answer (spec §11.1): the result is Failed with ErrorCode refusal and the
        /// refusal's text, which is also the Output when the provider gave no other text.
        /// </summary>
        internal void Refuse(string? text)
        {
            Status = ResultStatus.Failed;
            var message = string.IsNullOrEmpty(text) ? Messages.Refused() : text!;
            if (string.IsNullOrEmpty(Output)) Output = text;
            Error = new ResultError { Code = "refusal", Message = message };
        }

        /// <summary>A succeeded answer cut at the token limit with no text at all (a reasoning model that spent it all thinking) is Failed, ErrorCode truncated.</summary>
        internal void FailIfTruncatedAndEmpty()
        {
            if (Truncated && Status == ResultStatus.Succeeded && string.IsNullOrEmpty(Output)) FailTruncated();
        }

        /// <summary>
        /// An answer the provider stopped for a reason other than the token limit (spec §11.1, §11.3: finish_reason or
        /// incomplete_details.reason content_filter), or a Response whose status is failed: Failed with that code, and
        /// the provider's message when it gave one. The text, if any, stays in <see cref="Output"/>.
        /// </summary>
        internal void FailStopped(string code, string? message = null)
        {
            Status = ResultStatus.Failed;
            Error = new ResultError { Code = code, Message = string.IsNullOrEmpty(message) ? Messages.Stopped(code) : message };
        }

        internal void FailTruncated()
        {
            Status = ResultStatus.Failed;
            Error = new ResultError
            {
                Code = "truncated",
                Message = Messages.Truncated(StopReason ?? "length"),
            };
        }

        public IrisBatchRequest? Request
        {
            get
            {
                var request = _request.Value;
                var input = _requestInput;
                if (input != null && request != null)
                {
                    _requestInput = null;   // handed over once: the request's InputObject is its own from then on
                    request.DeferInputObject(input);
                }
                return request;
            }
            set
            {
                _request.Set(value);
                _requestInput = null;
            }
        }

        /// <summary>The input row the request was built from.</summary>
        public object? Input
        {
            get => _input.Value;
            set => _input.Set(value);
        }

        // Results are read by the hundred thousand and most pipelines look at Status and Output only: the raw line is
        // read from the result file, the request from its journal line, and the input row built from the request,
        // the first time something asks for them.
        private Deferred<string?> _raw;
        private Deferred<IrisBatchRequest?> _request;
        private Deferred<object?> _input;
        private Lazy<object?>? _requestInput;   // the same row, for a deferred request's InputObject once it is read

        // Or the raw line's place in its file, read when first asked for: three fields rather than a Lazy, its delegate
        // and its closure for each of the hundreds of thousands of results that nobody asks for their line.
        private Results.FileLines? _rawFile;
        private long _rawOffset;
        private int _rawLength;

        /// <summary>Sets <see cref="RawResponse"/> to a line read when first asked for.</summary>
        internal void DeferRawResponse(Lazy<string?> raw)
        {
            _raw.Defer(raw);
            Volatile.Write(ref _rawFile, null);
        }

        /// <summary>Sets <see cref="RawResponse"/> to the line at <paramref name="offset"/> of <paramref name="file"/>, read when first asked for.</summary>
        internal void DeferRawResponse(Results.FileLines file, long offset, int length)
        {
            _raw.Set(null);
            _rawOffset = offset;
            _rawLength = length;
            Volatile.Write(ref _rawFile, file);
        }

        /// <summary>The request, read from its journal line when first asked for.</summary>
        internal void DeferRequest(Lazy<IrisBatchRequest?> request)
        {
            _request.Defer(request);
            _requestInput = null;
        }

        /// <summary>
        /// The input row (also the request's InputObject), built by <paramref name="build"/> from the request's
        /// InputJson when first asked for. Does nothing when there is no request.
        /// </summary>
        internal void DeferInputFromRequest(Func<string?, object?> build)
        {
            var deferred = _request.Maker;
            var request = _request.IsDeferred ? null : _request.Value;
            if (deferred == null && request == null) return;
            var input = new Lazy<object?>(() => build(deferred != null ? deferred.Value?.InputJson : request!.InputJson));
            _input.Defer(input);
            if (deferred == null) request!.DeferInputObject(input);
            else _requestInput = input;
        }

        public bool IsSuccess => Status == ResultStatus.Succeeded;
        public override string ToString() => CustomId;
    }
}
