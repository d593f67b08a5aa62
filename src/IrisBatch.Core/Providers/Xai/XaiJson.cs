using System;
using System.Text.Json;
using IrisBatch.Http;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Xai
{
    /// <summary>Decodes xAI's batch object (no status string: done when num_pending is 0), result items and errors (spec §5).</summary>
    public static class XaiJson
    {
        /// <summary>xAI's unit of cost: 1 USD = 10^10 ticks (spec §11.6).</summary>
        public const decimal TicksPerUsd = 10_000_000_000m;

        public static IrisBatchInfo ReadBatch(JsonElement e, Uri baseUri)
        {
            var state = e.Prop("state");
            long total = state?.Long("num_requests") ?? 0, pending = state?.Long("num_pending") ?? 0,
                 success = state?.Long("num_success") ?? 0, error = state?.Long("num_error") ?? 0, cancelled = state?.Long("num_cancelled") ?? 0;
            bool cancelRequested = e.Prop("cancel_time") != null;
            var b = new IrisBatchInfo
            {
                Id = e.Str("batch_id") ?? e.Str("id") ?? "",
                Provider = "Xai",
                BaseUri = baseUri.AbsoluteUri.TrimEnd('/'),
                CreatedAt = e.Time("create_time"),
                ExpiresAt = e.Time("expire_time"),
                Total = total,
                Succeeded = success,
                Failed = error + cancelled,
                Endpoint = "chat_get_completion",
                ProviderStatus = $"pending {pending} of {total}",
            };
            var name = e.Str("name");
            if (name != null) Gemini.GeminiNames.Apply(b, name);
            // Cancelled with nothing pending is over, an empty container too (it will never get a request to finish).
            if (pending == 0 && (total > 0 || cancelRequested)) b.Status = cancelRequested ? BatchStatus.Cancelled : BatchStatus.Completed;
            else if (cancelRequested) b.Status = BatchStatus.Cancelling;
            else if (total == 0) b.Status = BatchStatus.Pending;
            else b.Status = BatchStatus.InProgress;
            return b;
        }

        public static ProviderErrorInfo? ParseError(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return null;
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var error = root.Prop("error");
            string? message = error == null ? root.Str("message")
                : error.Value.ValueKind == JsonValueKind.String ? error.Value.GetString() : error.Value.Str("message");
            var info = new ProviderErrorInfo { Message = message, Code = root.Str("code") ?? error?.Str("code") };
            if (message != null && message.IndexOf("API key", StringComparison.OrdinalIgnoreCase) >= 0 &&
                (message.IndexOf("Incorrect", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("invalid", StringComparison.OrdinalIgnoreCase) >= 0))
                info.Code = "incorrect_api_key";
            return info;
        }

        public static IrisBatchResult ParseResult(string line, long lineNumber) => ResultLines.Parse(line, lineNumber, root =>
            {
                var id = root.Str("batch_request_id");
                if (root.ValueKind != JsonValueKind.Object || id == null) return ResultLines.Unreadable(line, lineNumber, Messages.LineNoField("batch_request_id"));
                var r = new IrisBatchResult { CustomId = id, RawResponse = line };
                var message = root.Str("error_message") ?? root.Prop("batch_result")?.Str("error_message");
                if (message != null)
                {
                    r.Status = message.IndexOf("cancel", StringComparison.OrdinalIgnoreCase) >= 0 ? ResultStatus.Cancelled : ResultStatus.Failed;
                    r.Error = new ResultError { Code = r.Status == ResultStatus.Cancelled ? "cancelled" : "error", Message = message };
                    return r;
                }
                var completion = root.Prop("batch_result")?.Prop("response")?.Prop("chat_get_completion");
                if (completion == null) return ResultLines.Unreadable(line, lineNumber, Messages.LineNeither("result", "error_message"));
                r.Status = ResultStatus.Succeeded;
                r.Output = OpenAIResultParser.ReadOutput(completion.Value);
                r.Usage = ResultLines.ReadUsage(completion.Value.Prop("usage"));
                r.ResponseModel = ResultLines.ReadModel(completion.Value.Prop("model"));   // the completion's own model (spec §5)
                // xAI's reasoning_tokens are not part of completion_tokens (spec §11.6): output counts them, as elsewhere.
                if (r.Usage != null) r.Usage.OutputTokens += r.Usage.ReasoningTokens;
                // cost_in_usd_ticks: "the actual amount billed, after all applicable discounts", 1 USD = 10^10 ticks (spec §11.6).
                var ticks = completion.Value.Prop("usage")?.Long("cost_in_usd_ticks");
                if (ticks != null) r.BilledCost = ticks.Value / TicksPerUsd;
                OpenAIResultParser.ReadEnd(completion.Value, r);
                return r;
            });
    }
}
