using System;
using System.Collections.Generic;
using System.Text.Json;

namespace IrisBatch.Providers.OpenAI
{
    /// <summary>Decodes OpenAI's batch object (spec §1.5) and error envelope (§1.2), tolerantly (Azure variants, §2).</summary>
    public static class OpenAIJson
    {
        public static BatchStatus MapStatus(string? status)
        {
            switch ((status ?? string.Empty).Trim().Replace("_", "").ToLowerInvariant())
            {
                case "validating": return BatchStatus.Pending;
                case "inprogress": return BatchStatus.InProgress;
                case "finalizing": return BatchStatus.Finalizing;
                case "completed": return BatchStatus.Completed;
                case "failed": return BatchStatus.Failed;
                case "cancelling": return BatchStatus.Cancelling;
                case "cancelled": return BatchStatus.Cancelled;
                case "expired": return BatchStatus.Expired;
                default: return BatchStatus.Unknown;
            }
        }

        public static IrisBatchInfo ReadBatch(JsonElement e, string provider, Uri baseUri)
        {
            var b = new IrisBatchInfo
            {
                Id = e.Str("id") ?? string.Empty,
                Provider = provider,
                BaseUri = baseUri.AbsoluteUri.TrimEnd('/'),
                ProviderStatus = e.Str("status"),
                Endpoint = e.Str("endpoint"),
                Model = e.Str("model"),
                InputFileId = e.Str("input_file_id"),
                OutputFileId = e.Str("output_file_id"),
                ErrorFileId = e.Str("error_file_id"),
                CreatedAt = e.Time("created_at"),
                ExpiresAt = e.Time("expires_at"),
            };
            b.Status = MapStatus(b.ProviderStatus);
            b.CompletedAt = e.Time("completed_at") ?? e.Time("failed_at") ?? e.Time("cancelled_at") ?? e.Time("expired_at");
            var counts = e.Prop("request_counts");
            if (counts != null)
            {
                b.Total = counts.Value.Long("total") ?? 0;
                b.Succeeded = counts.Value.Long("completed") ?? 0;
                b.Failed = counts.Value.Long("failed") ?? 0;
            }
            // The batch's own usage (spec §1.5; Azure's batch object is OpenAI's, §2; Groq's has none, §13.4), read like a
            // result line's so cached and reasoning tokens are priced and compared as the results' are (§11.6).
            var usage = e.Prop("usage");
            if (usage != null && usage.Value.ValueKind == JsonValueKind.Object) b.Usage = ResultLines.ReadUsage(usage);
            // {object: "list", data: [...]} as the spec has it; a bare array as Groq's guide shows it (spec §13.4).
            var errors = e.Prop("errors");
            if (errors != null && errors.Value.ValueKind == JsonValueKind.Object) errors = errors.Value.Prop("data");
            if (errors != null && errors.Value.ValueKind == JsonValueKind.Array)
            {
                var list = new List<BatchValidationError>();
                foreach (var item in errors.Value.EnumerateArray())
                    list.Add(new BatchValidationError { Code = item.Str("code"), Message = item.Str("message"), Param = item.Str("param"), Line = item.Long("line") });
                b.Errors = list;
            }
            var metadata = new List<KeyValuePair<string, string>>();
            var meta = e.Prop("metadata");
            if (meta != null && meta.Value.ValueKind == JsonValueKind.Object)
                foreach (var p in meta.Value.EnumerateObject())
                    metadata.Add(new KeyValuePair<string, string>(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText()));
            ReservedMetadata.Apply(b, metadata);
            return b;
        }

        public static Http.ProviderErrorInfo? ParseError(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return null;
            using var doc = JsonDocument.Parse(body);
            var error = doc.RootElement.Prop("error");
            if (error == null) return null;
            if (error.Value.ValueKind == JsonValueKind.String) return new Http.ProviderErrorInfo { Message = error.Value.GetString() };
            return new Http.ProviderErrorInfo
            {
                Message = error.Value.Str("message"),
                Type = error.Value.Str("type"),
                Code = error.Value.Str("code"),
                Param = error.Value.Str("param"),
            };
        }
    }
}
