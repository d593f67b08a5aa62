using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IrisBatch.Jsonl;

namespace IrisBatch.Providers.OpenAI
{
    /// <summary>Reads one line of an OpenAI output or error file (spec §1.8).</summary>
    public static class OpenAIResultParser
    {
        public static IrisBatchResult Parse(string line, long lineNumber) => TryParseFast(line) ?? ParseDocument(line, lineNumber);

        /// <summary>Reads any line through a document: the reference the fast path must agree with.</summary>
        internal static IrisBatchResult ParseDocument(string line, long lineNumber)
        {
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException ex) { return ResultLines.Unreadable(line, lineNumber, ex.Message); }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || root.Str("custom_id") == null)
                    return ResultLines.Unreadable(line, lineNumber, Messages.LineNoField("custom_id"));
                var result = new IrisBatchResult { CustomId = root.Str("custom_id")!, RawResponse = line };
                var error = root.Prop("error");
                var response = root.Prop("response");
                int? status = (int?)response?.Long("status_code");
                var body = response?.Prop("body");
                if (error != null)
                {
                    // An error object, or (Together, §14.1; read tolerantly, §14.6) the message alone as a string.
                    bool text = error.Value.ValueKind == JsonValueKind.String;
                    var code = text ? null : error.Value.Str("code");
                    result.Error = new ResultError { Code = code, Message = text ? error.Value.GetString() : error.Value.Str("message"), HttpStatus = status };
                    result.Status = code == "batch_expired" ? ResultStatus.Expired
                        : code == "batch_cancelled" || code == "batch_canceled" ? ResultStatus.Cancelled
                        : ResultStatus.Failed;
                    return result;
                }
                if (status == null)
                    return ResultLines.Unreadable(line, lineNumber, Messages.LineNeither("response", "error"));
                if (status >= 200 && status < 300)
                {
                    result.Status = ResultStatus.Succeeded;
                    if (body != null)
                    {
                        result.Output = ReadOutput(body.Value);
                        result.Usage = ResultLines.ReadUsage(body.Value.Prop("usage"));
                        result.Embedding = ReadEmbedding(body.Value);
                        result.ResponseModel = ResultLines.ReadModel(body.Value.Prop("model"));
                        ReadEnd(body.Value, result);
                    }
                    return result;
                }
                var envelope = body?.Prop("error");
                var envelopeText = envelope?.ValueKind == JsonValueKind.String ? envelope.Value.GetString() : null;
                if (envelopeText != null) envelope = null;   // {"error": "<message>"}: the message alone
                result.Status = ResultStatus.Failed;
                result.Error = new ResultError
                {
                    HttpStatus = status,
                    Code = envelope?.Str("code") ?? envelope?.Str("type") ?? "http_" + status,
                    Type = envelope?.Str("type"),
                    Message = envelope?.Str("message") ?? envelopeText ?? Messages.RequestFailedStatus(status),
                };
                return result;
            }
        }

        /// <summary>
        /// Reads the common line shapes (a chat completion or an error, as the Batch API writes them) in one forward
        /// pass over the line's UTF-8 bytes, without building a document: results are read by the hundred thousand.
        /// Returns null for anything else (bad JSON, a Responses API body, content parts, a property given twice,
        /// unexpected value kinds), which <see cref="ParseDocument"/> then reads exactly as before.
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static IrisBatchResult? TryParseFast(string line)
        {
            var bytes = Utf8Buffer(line, out int length);
            var result = TryParseFast(bytes, 0, length);
            if (result != null) result.RawResponse = line;
            return result;
        }

        /// <summary>
        /// As <see cref="TryParseFast(string)"/> on a line's UTF-8 bytes as read from the file, without decoding it
        /// first; the caller sets the result's RawResponse. Null for anything the fast path does not read, invalid
        /// UTF-8 included: the caller then decodes the line and parses the text, as for any line.
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static IrisBatchResult? TryParseFast(byte[] bytes, int start, int length)
        {
            try
            {
                var r = new JsonLineReader(bytes, start, length);
                var s = new FastLine();
                if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (r.TextIs("custom_id"))
                    {
                        if (!s.Once(1)) return null;
                        r.Read();
                        if (r.TokenType != JsonTokenType.String) return null;
                        s.CustomId = r.GetString();
                    }
                    else if (r.TextIs("response"))
                    {
                        if (!s.Once(2)) return null;
                        r.Read();
                        if (r.TokenType == JsonTokenType.StartObject) { if (!FastResponse(ref r, ref s)) return null; }
                        else if (r.TokenType != JsonTokenType.Null) return null;
                    }
                    else if (r.TextIs("error"))
                    {
                        if (!s.Once(4)) return null;
                        r.Read();
                        if (r.TokenType == JsonTokenType.StartObject)
                        {
                            s.HasError = true;
                            if (!FastError(ref r, out s.ErrorCode, out _, out s.ErrorMessage)) return null;
                        }
                        else if (r.TokenType != JsonTokenType.Null) return null;
                    }
                    else
                    {
                        r.Read();
                        r.Skip();
                    }
                }
                if (r.TokenType != JsonTokenType.EndObject || r.Read() || s.CustomId == null) return null;

                var result = new IrisBatchResult { CustomId = s.CustomId };
                int? status = (int?)s.Status;
                if (s.HasError)
                {
                    var code = s.ErrorCode;
                    result.Error = new ResultError { Code = code, Message = s.ErrorMessage, HttpStatus = status };
                    result.Status = code == "batch_expired" ? ResultStatus.Expired
                        : code == "batch_cancelled" || code == "batch_canceled" ? ResultStatus.Cancelled
                        : ResultStatus.Failed;
                    return result;
                }
                if (status == null) return null;
                if (status >= 200 && status < 300)
                {
                    result.Status = ResultStatus.Succeeded;
                    if (s.HasBody)
                    {
                        result.Output = s.Output;
                        result.Embedding = s.Embedding;
                        result.ResponseModel = s.Model;
                        if (s.HasUsage)
                        {
                            long input = s.PromptTokens ?? s.InputTokens ?? 0;
                            long output = s.CompletionTokens ?? s.OutputTokens ?? 0;
                            result.Usage = new TokenUsage
                            {
                                InputTokens = input, OutputTokens = output, TotalTokens = s.TotalTokens ?? input + output,
                                CachedTokens = s.CachedTokens ?? 0, ReasoningTokens = s.ReasoningTokens ?? 0,
                            };
                        }
                        if (s.FinishReason != null)
                        {
                            result.StopReason = s.FinishReason;
                            result.Truncated = s.FinishReason == "length";
                        }
                        EndChat(result, s.Refusal);
                    }
                    return result;
                }
                result.Status = ResultStatus.Failed;
                result.Error = new ResultError
                {
                    HttpStatus = status,
                    Code = (s.HasEnvelope ? s.EnvelopeCode ?? s.EnvelopeType : null) ?? "http_" + status,
                    Type = s.HasEnvelope ? s.EnvelopeType : null,
                    Message = (s.HasEnvelope ? s.EnvelopeMessage : null) ?? Messages.RequestFailedStatus(status),
                };
                return result;
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>What the fast path has read of one line. <see cref="Once"/> refuses a property met twice.</summary>
        private struct FastLine
        {
            private int _seen;
            public string? CustomId;
            public long? Status;
            public bool HasBody, HasError, HasUsage, HasEnvelope;
            public string? ErrorCode, ErrorMessage, Output, EnvelopeCode, EnvelopeType, EnvelopeMessage, FinishReason, Refusal, Model;
            public long? PromptTokens, InputTokens, CompletionTokens, OutputTokens, TotalTokens, CachedTokens, ReasoningTokens;
            public float[]? Embedding;

            public bool Once(int flag)
            {
                if ((_seen & flag) != 0) return false;
                _seen |= flag;
                return true;
            }
        }

        [MethodImpl(Hot.Path)]
        private static bool FastResponse(ref JsonLineReader r, ref FastLine s)
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.TextIs("status_code"))
                {
                    if (!s.Once(8)) return false;
                    r.Read();
                    s.Status = ReadLong(ref r);
                }
                else if (r.TextIs("body"))
                {
                    if (!s.Once(16)) return false;
                    r.Read();
                    if (r.TokenType == JsonTokenType.StartObject)
                    {
                        s.HasBody = true;
                        if (!FastBody(ref r, ref s)) return false;
                    }
                    else if (r.TokenType != JsonTokenType.Null) return false;
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }
            return true;
        }

        [MethodImpl(Hot.Path)]
        private static bool FastBody(ref JsonLineReader r, ref FastLine s)
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.TextIs("choices"))
                {
                    if (!s.Once(32)) return false;
                    r.Read();
                    if (r.TokenType == JsonTokenType.StartArray) { if (!FastChoices(ref r, out s.Output, out s.FinishReason, out s.Refusal)) return false; }
                    else if (r.TokenType != JsonTokenType.Null) return false;
                }
                else if (r.TextIs("usage"))
                {
                    if (!s.Once(64)) return false;
                    r.Read();
                    if (r.TokenType == JsonTokenType.StartObject)
                    {
                        s.HasUsage = true;
                        if (!FastUsage(ref r, ref s)) return false;
                    }
                    else if (r.TokenType != JsonTokenType.Null) return false;
                }
                else if (r.TextIs("error"))
                {
                    if (!s.Once(128)) return false;
                    r.Read();
                    if (r.TokenType == JsonTokenType.StartObject)
                    {
                        s.HasEnvelope = true;
                        if (!FastError(ref r, out s.EnvelopeCode, out s.EnvelopeType, out s.EnvelopeMessage)) return false;
                    }
                    else if (r.TokenType != JsonTokenType.Null) return false;
                }
                else if (r.TextIs("data"))
                {
                    // An embeddings list (spec §11.5): the first item's vector, a float list or base64.
                    if (!s.Once(256)) return false;
                    r.Read();
                    if (r.TokenType == JsonTokenType.StartArray) { if (!FastEmbedding(ref r, out s.Embedding)) return false; }
                    else if (r.TokenType != JsonTokenType.Null) return false;
                }
                else if (r.TextIs("model"))
                {
                    // The model that answered (on Azure the real one, where the request named a deployment).
                    if (!s.Once(512)) return false;
                    r.Read();
                    if (r.TokenType == JsonTokenType.String)
                    {
                        var last = _lastModel;
                        if (last != null && r.ValueTextEquals(last)) s.Model = last;
                        else s.Model = _lastModel = r.GetString();
                    }
                    else if (r.TokenType != JsonTokenType.Null) return false;
                }
                else if (r.TextIs("output") || r.TextIs("output_text"))
                {
                    return false;   // a Responses API or other body: ReadOutput's later branches
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }
            return true;
        }

        /// <summary>As <see cref="ReadEmbedding"/>: the vector of the data list's item of index 0 (else its first item).</summary>
        [MethodImpl(Hot.Path)]
        private static bool FastEmbedding(ref JsonLineReader r, out float[]? embedding)
        {
            embedding = null;
            float[]? first = null;
            bool found = false;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (r.TokenType != JsonTokenType.StartObject) return false;
                float[]? vector = null;
                long? index = null;
                bool seenVector = false;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (r.TextIs("embedding"))
                    {
                        if (seenVector) return false;
                        seenVector = true;
                        r.Read();
                        vector = Embeddings.EmbeddingVector.Read(ref r);
                        if (vector == null) return false;
                    }
                    else if (r.TextIs("index"))
                    {
                        r.Read();
                        index = ReadLong(ref r);
                    }
                    else
                    {
                        r.Read();
                        r.Skip();
                    }
                }
                if (first == null) first = vector;
                if (!found && (index ?? 0) == 0 && vector != null)
                {
                    embedding = vector;
                    found = true;
                }
            }
            if (!found) embedding = first;
            return true;
        }

        /// <summary>The vector of an embeddings body (spec §11.5): data[index 0].embedding, a float list or base64; null for other bodies.</summary>
        public static float[]? ReadEmbedding(JsonElement body)
        {
            var data = body.Prop("data");
            if (data == null || data.Value.ValueKind != JsonValueKind.Array) return null;
            float[]? first = null;
            foreach (var item in data.Value.EnumerateArray())
            {
                var value = item.Prop("embedding");
                if (value == null) continue;
                var vector = Embeddings.EmbeddingVector.Read(value.Value);
                if ((item.Long("index") ?? 0) == 0 && vector != null) return vector;
                first ??= vector;
            }
            return first;
        }

        /// <summary>As ReadOutput's first branch: the first choice's message content (a string or null), else its text.</summary>
        [MethodImpl(Hot.Path)]
        private static bool FastChoices(ref JsonLineReader r, out string? output, out string? finish, out string? refusal)
        {
            output = finish = refusal = null;
            bool first = true;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (!first || r.TokenType != JsonTokenType.StartObject)
                {
                    first = false;
                    r.Skip();
                    continue;
                }
                first = false;
                bool hasMessage = false, seenMessage = false, seenText = false, seenFinish = false;
                string? content = null, text = null, refused = null, reason = null;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (r.TextIs("message"))
                    {
                        if (seenMessage) return false;
                        seenMessage = true;
                        r.Read();
                        if (r.TokenType == JsonTokenType.Null) continue;
                        if (r.TokenType != JsonTokenType.StartObject) return false;
                        hasMessage = true;
                        bool seenContent = false;
                        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                        {
                            if (r.TextIs("content"))
                            {
                                if (seenContent) return false;
                                seenContent = true;
                                r.Read();
                                if (r.TokenType == JsonTokenType.String) content = r.GetString();
                                else if (r.TokenType != JsonTokenType.Null) return false;   // content parts: JoinText
                            }
                            else if (r.TextIs("refusal"))
                            {
                                r.Read();
                                if (r.TokenType == JsonTokenType.String) refused = r.GetString();
                                else if (r.TokenType != JsonTokenType.Null) return false;
                            }
                            else
                            {
                                r.Read();
                                r.Skip();
                            }
                        }
                    }
                    else if (r.TextIs("finish_reason"))
                    {
                        if (seenFinish) return false;
                        seenFinish = true;
                        r.Read();
                        // The common values without a new string per line.
                        if (r.TokenType == JsonTokenType.String) reason = r.TextIs("stop") ? "stop" : r.TextIs("length") ? "length" : r.GetString();
                        else if (r.TokenType != JsonTokenType.Null) return false;
                    }
                    else if (r.TextIs("text"))
                    {
                        if (seenText) return false;
                        seenText = true;
                        r.Read();
                        if (r.TokenType == JsonTokenType.String) text = r.GetString();
                        else if (r.TokenType != JsonTokenType.Null) return false;
                    }
                    else
                    {
                        r.Read();
                        r.Skip();
                    }
                }
                output = hasMessage ? content : text;
                finish = reason;
                refusal = hasMessage ? refused : null;
            }
            return true;
        }

        [MethodImpl(Hot.Path)]
        private static bool FastUsage(ref JsonLineReader r, ref FastLine s)
        {
            int seen = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                int flag = r.TextIs("prompt_tokens") ? 1 : r.TextIs("input_tokens") ? 2 : r.TextIs("completion_tokens") ? 4
                    : r.TextIs("output_tokens") ? 8 : r.TextIs("total_tokens") ? 16 : 0;
                bool details = flag == 0 && (r.TextIs("prompt_tokens_details") || r.TextIs("input_tokens_details")
                    || r.TextIs("completion_tokens_details") || r.TextIs("output_tokens_details"));
                r.Read();
                if (details && r.TokenType == JsonTokenType.StartObject)
                {
                    if (!FastUsageDetails(ref r, ref s)) return false;
                    continue;
                }
                if (flag == 0)
                {
                    r.Skip();
                    continue;
                }
                if ((seen & flag) != 0) return false;
                seen |= flag;
                var value = ReadLong(ref r);
                switch (flag)
                {
                    case 1: s.PromptTokens = value; break;
                    case 2: s.InputTokens = value; break;
                    case 4: s.CompletionTokens = value; break;
                    case 8: s.OutputTokens = value; break;
                    default: s.TotalTokens = value; break;
                }
            }
            return true;
        }

        /// <summary>The cached_tokens and reasoning_tokens of a usage details object (the other counts are skipped).</summary>
        [MethodImpl(Hot.Path)]
        private static bool FastUsageDetails(ref JsonLineReader r, ref FastLine s)
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                int flag = r.TextIs("cached_tokens") ? 1 : r.TextIs("reasoning_tokens") ? 2 : 0;
                r.Read();
                if (flag == 0)
                {
                    r.Skip();
                    continue;
                }
                var value = ReadLong(ref r);
                if (flag == 1) { if (s.CachedTokens.HasValue) return false; s.CachedTokens = value ?? 0; }
                else { if (s.ReasoningTokens.HasValue) return false; s.ReasoningTokens = value ?? 0; }
            }
            return true;
        }

        /// <summary>An error object's code, type and message, when each is a string or null (else false: the slow path reads raw text).</summary>
        [MethodImpl(Hot.Path)]
        private static bool FastError(ref JsonLineReader r, out string? code, out string? type, out string? message)
        {
            code = type = message = null;
            int seen = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                int flag = r.TextIs("code") ? 1 : r.TextIs("type") ? 2 : r.TextIs("message") ? 4 : 0;
                r.Read();
                if (flag == 0)
                {
                    r.Skip();
                    continue;
                }
                if ((seen & flag) != 0) return false;
                seen |= flag;
                string? value;
                if (r.TokenType == JsonTokenType.String) value = r.GetString();
                else if (r.TokenType == JsonTokenType.Null) value = null;
                else return false;
                if (flag == 1) code = value;
                else if (flag == 2) type = value;
                else message = value;
            }
            return true;
        }

        /// <summary>As JsonRead.Long: a number (truncated when not whole), a string of digits, else null.</summary>
        [MethodImpl(Hot.Path)]
        private static long? ReadLong(ref JsonLineReader r)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.Number:
                    return r.TryGetInt64(out var n) ? n : (long)r.GetDouble();
                case JsonTokenType.String:
                    return long.TryParse(r.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (long?)null;
                default:
                    r.Skip();
                    return null;
            }
        }

        [ThreadStatic] private static byte[]? _utf8;

        // The model of the last body the byte path read on this thread: consecutive lines name the same one, so they
        // share one string (the document path shares one through ResultLines.ReadModel).
        [ThreadStatic] private static string? _lastModel;

        /// <summary>The line as UTF-8 in a buffer kept per thread.</summary>
        [MethodImpl(Hot.Path)]
        private static byte[] Utf8Buffer(string line, out int length)
        {
            int max = Encoding.UTF8.GetMaxByteCount(line.Length);
            var buffer = _utf8;
            if (buffer == null || buffer.Length < max)
            {
                buffer = new byte[Math.Max(max, 4096)];
                if (max <= 1 << 20) _utf8 = buffer;   // keep a buffer for ordinary lines only
            }
            length = Encoding.UTF8.GetBytes(line, 0, line.Length, buffer, 0);
            return buffer;
        }

        /// <summary>The assistant text of a chat completion, a Responses API answer, or a legacy completion.</summary>
        public static string? ReadOutput(JsonElement body)
        {
            var choices = body.Prop("choices");
            if (choices != null && choices.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.Value.EnumerateArray())
                {
                    var message = choice.Prop("message");
                    if (message != null)
                    {
                        var content = message.Value.Prop("content");
                        if (content == null) return null;
                        return content.Value.ValueKind == JsonValueKind.String ? content.Value.GetString() : JoinText(content.Value);
                    }
                    return choice.Str("text");
                }
                return null;
            }
            var output = body.Prop("output");
            if (output != null && output.Value.ValueKind == JsonValueKind.Array)
            {
                // Responses (spec §11.3): the output_text parts of the message items; reasoning items are not the answer.
                var sb = new StringBuilder();
                foreach (var item in output.Value.EnumerateArray())
                {
                    var type = item.Str("type");
                    if (type != null && type != "message") continue;
                    var content = item.Prop("content");
                    if (content != null) sb.Append(JoinText(content.Value));
                }
                return sb.ToString();
            }
            return body.Str("output_text");
        }

        /// <summary>
        /// How the answer ended (spec §11.1, §11.3): the first choice's finish_reason and refusal, or a Response's status,
        /// incomplete_details and refusal parts. A refusal makes the result Failed (refusal); a cut answer is marked truncated;
        /// a Response with status failed is Failed with its error's code and message; one incomplete for another reason than
        /// max_output_tokens (content_filter) is Failed with that reason as its code, as chat's finish_reason content_filter is.
        /// </summary>
        public static void ReadEnd(JsonElement body, IrisBatchResult result)
        {
            string? refusal = null;
            var choices = body.Prop("choices");
            if (choices != null && choices.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.Value.EnumerateArray())
                {
                    result.StopReason = choice.Str("finish_reason");
                    result.Truncated = result.StopReason == "length";
                    var message = choice.Prop("message");
                    if (message != null && message.Value.Prop("refusal")?.ValueKind == JsonValueKind.String) refusal = message.Value.Str("refusal");
                    break;
                }
                EndChat(result, refusal);
                return;
            }
            if (body.Str("object") != "response" && body.Prop("output")?.ValueKind != JsonValueKind.Array)
            {
                result.FailIfTruncatedAndEmpty();
                return;
            }
            var status = body.Str("status");
            var reason = body.Prop("incomplete_details")?.Str("reason");
            result.StopReason = reason ?? status;
            result.Truncated = status == "incomplete" && (reason == null || reason == "max_output_tokens");
            var output = body.Prop("output");
            if (output != null && output.Value.ValueKind == JsonValueKind.Array)
                foreach (var item in output.Value.EnumerateArray())
                {
                    var content = item.Prop("content");
                    if (item.Str("type") != "message" || content == null || content.Value.ValueKind != JsonValueKind.Array) continue;
                    foreach (var part in content.Value.EnumerateArray())
                        if (part.Str("type") == "refusal") refusal = (refusal == null ? "" : refusal + "\n") + part.Str("refusal");
                }
            if (status == "failed")
            {
                var error = body.Prop("error");
                result.FailStopped(error?.Str("code") ?? "failed", error?.Str("message"));
            }
            else if (refusal != null) result.Refuse(refusal);
            else if (status == "incomplete" && !result.Truncated) result.FailStopped(reason!);   // content_filter: withheld, not cut at the limit
            else result.FailIfTruncatedAndEmpty();
        }

        /// <summary>
        /// How a chat answer ends (both parsers): a refusal is Failed (refusal); finish_reason
        /// content_filter (spec §11.1) is Failed (content_filter), keeping whatever text came; an empty cut answer is truncated.
        /// </summary>
        private static void EndChat(IrisBatchResult result, string? refusal)
        {
            if (refusal != null) result.Refuse(refusal);
            else if (result.StopReason == "content_filter") result.FailStopped("content_filter");
            else result.FailIfTruncatedAndEmpty();
        }

        private static string JoinText(JsonElement parts)
        {
            if (parts.ValueKind != JsonValueKind.Array) return parts.ValueKind == JsonValueKind.String ? parts.GetString() ?? "" : parts.GetRawText();
            var sb = new StringBuilder();
            foreach (var part in parts.EnumerateArray())
            {
                var text = part.Str("text");
                if (text != null) sb.Append(text);
            }
            return sb.ToString();
        }
    }
}
