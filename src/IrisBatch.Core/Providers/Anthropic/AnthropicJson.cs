using System;
using System.Text;
using System.Text.Json;
using IrisBatch.Http;

namespace IrisBatch.Providers.Anthropic
{
    /// <summary>Decodes Anthropic's MessageBatch (spec §3.4), result lines (§3.5) and error envelope (§3.1).</summary>
    public static class AnthropicJson
    {
        public static IrisBatchInfo ReadBatch(JsonElement e, Uri baseUri)
        {
            var status = e.Str("processing_status");
            var b = new IrisBatchInfo
            {
                Id = e.Str("id") ?? "",
                Provider = "Anthropic",
                BaseUri = baseUri.AbsoluteUri.TrimEnd('/'),
                ProviderStatus = status,
                CreatedAt = e.Time("created_at"),
                ExpiresAt = e.Time("expires_at"),
                CompletedAt = e.Time("ended_at"),
                Endpoint = "/v1/messages/batches",
                ResultsUrl = e.Str("results_url"),
            };
            bool cancelInitiated = e.Prop("cancel_initiated_at") != null;
            switch ((status ?? "").ToLowerInvariant())
            {
                case "in_progress": b.Status = BatchStatus.InProgress; break;
                case "canceling": b.Status = BatchStatus.Cancelling; break;
                case "ended": b.Status = cancelInitiated ? BatchStatus.Cancelled : BatchStatus.Completed; break;
                default: b.Status = BatchStatus.Unknown; break;
            }
            var counts = e.Prop("request_counts");
            if (counts != null)
            {
                var c = counts.Value;
                long processing = c.Long("processing") ?? 0, succeeded = c.Long("succeeded") ?? 0, errored = c.Long("errored") ?? 0,
                     canceled = c.Long("canceled") ?? 0, expired = c.Long("expired") ?? 0;
                b.Total = processing + succeeded + errored + canceled + expired;
                b.Succeeded = succeeded;
                b.Failed = errored + canceled + expired;
            }
            return b;
        }

        public static ProviderErrorInfo? ParseError(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return null;
            using var doc = JsonDocument.Parse(body);
            var error = doc.RootElement.Prop("error");
            if (error == null) return null;
            var type = error.Value.Str("type");
            return new ProviderErrorInfo { Message = error.Value.Str("message"), Type = type, Code = type };
        }

        public static IrisBatchResult ParseResult(string line, long lineNumber) => ResultLines.Parse(line, lineNumber, root =>
            {
                var id = root.Str("custom_id");
                var result = root.Prop("result");
                if (root.ValueKind != JsonValueKind.Object || id == null || result == null)
                    return ResultLines.Unreadable(line, lineNumber, Messages.LineNoFields("custom_id", "result"));
                var r = new IrisBatchResult { CustomId = id, RawResponse = line };
                switch (result.Value.Str("type"))
                {
                    case "succeeded":
                        r.Status = ResultStatus.Succeeded;
                        var message = result.Value.Prop("message");
                        if (message != null)
                        {
                            r.Output = JoinText(message.Value.Prop("content"));
                            r.Usage = ReadUsage(message.Value.Prop("usage"));
                            r.ResponseModel = ResultLines.ReadModel(message.Value.Prop("model"));   // spec §3.5
                            // spec §11.1: max_tokens = cut, refusal = no answer
                            r.StopReason = message.Value.Str("stop_reason");
                            r.Truncated = r.StopReason == "max_tokens";
                            if (r.StopReason == "refusal") r.Refuse(r.Output);
                            else r.FailIfTruncatedAndEmpty();
                        }
                        return r;
                    case "errored":
                        var inner = result.Value.Prop("error")?.Prop("error");
                        r.Status = ResultStatus.Failed;
                        r.Error = new ResultError
                        {
                            Code = inner?.Str("type") ?? "errored",
                            Type = inner?.Str("type"),
                            Message = inner?.Str("message") ?? Messages.RequestErrored(),
                        };
                        return r;
                    case "canceled":
                        r.Status = ResultStatus.Cancelled;
                        r.Error = new ResultError { Code = "canceled", Message = Messages.CancelledBeforeRun() };
                        return r;
                    case "expired":
                        r.Status = ResultStatus.Expired;
                        r.Error = new ResultError { Code = "expired", Message = Messages.ExpiredBeforeRun() };
                        return r;
                    default:
                        return ResultLines.Unreadable(line, lineNumber, Messages.LineUnknownType(result.Value.Str("type")));
                }
            });

        private static string? JoinText(JsonElement? content)
        {
            if (content == null) return null;
            if (content.Value.ValueKind == JsonValueKind.String) return content.Value.GetString();
            if (content.Value.ValueKind != JsonValueKind.Array) return null;
            var sb = new StringBuilder();
            foreach (var block in content.Value.EnumerateArray())
                if (block.Str("type") == "text") sb.Append(block.Str("text"));
            return sb.ToString();
        }

        /// <summary>
        /// Anthropic's usage (spec §11.6), in IrisBatch's terms: input counts cache writes and reads too (input_tokens
        /// leaves them out), cached = cache reads, cache writes = cache_creation_input_tokens (else the sum of
        /// cache_creation's split), of which cache_creation.ephemeral_1h_input_tokens were written for 1 hour (the rest
        /// for 5 minutes, the default); output_tokens includes thinking_tokens.
        /// </summary>
        internal static TokenUsage? ReadUsage(JsonElement? usage)
        {
            var u = ResultLines.ReadUsage(usage);
            if (u == null) return null;
            var e = usage!.Value;
            long? total = e.Long("cache_creation_input_tokens");
            long read = e.Long("cache_read_input_tokens") ?? 0, written5m = 0, written1h = 0;
            var split = e.Prop("cache_creation");
            if (split != null && split.Value.ValueKind == JsonValueKind.Object)
            {
                written5m = split.Value.Long("ephemeral_5m_input_tokens") ?? 0;
                written1h = split.Value.Long("ephemeral_1h_input_tokens") ?? 0;
            }
            long written = total ?? written5m + written1h;
            u.InputTokens += written + read;
            u.CachedTokens = read;
            u.CacheWriteTokens = written;
            u.CacheWrite1hTokens = Math.Min(written1h, written);
            u.TotalTokens = u.InputTokens + u.OutputTokens;
            var details = e.Prop("output_tokens_details");
            if (details != null && details.Value.ValueKind == JsonValueKind.Object) u.ReasoningTokens = details.Value.Long("thinking_tokens") ?? 0;
            return u;
        }
    }
}
