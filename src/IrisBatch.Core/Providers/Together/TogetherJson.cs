using System;
using System.Text.Json;

namespace IrisBatch.Providers.Together
{
    /// <summary>Decodes Together's BatchJob (spec §14.4): UPPERCASE statuses, RFC 3339 times, a progress percentage and no counts.</summary>
    public static class TogetherJson
    {
        /// <summary>VALIDATING, IN_PROGRESS, CANCELING (legacy SDK; also read as CANCELLING), COMPLETED, FAILED, EXPIRED, CANCELLED.</summary>
        public static BatchStatus MapStatus(string? status)
        {
            switch ((status ?? "").Trim().ToUpperInvariant())
            {
                case "VALIDATING": return BatchStatus.Pending;
                case "IN_PROGRESS": return BatchStatus.InProgress;
                case "CANCELING":
                case "CANCELLING": return BatchStatus.Cancelling;
                case "COMPLETED": return BatchStatus.Completed;
                case "FAILED": return BatchStatus.Failed;
                case "EXPIRED": return BatchStatus.Expired;
                case "CANCELLED":
                case "CANCELED": return BatchStatus.Cancelled;
                default: return BatchStatus.Unknown;
            }
        }

        public static IrisBatchInfo ReadBatch(JsonElement e, string location)
        {
            var b = new IrisBatchInfo
            {
                Id = e.Str("id") ?? "",
                Provider = "Together",
                BaseUri = location,
                ProviderStatus = e.Str("status"),
                Endpoint = e.Str("endpoint"),
                Model = e.Str("model_id"),
                InputFileId = e.Str("input_file_id"),
                OutputFileId = e.Str("output_file_id"),
                ErrorFileId = e.Str("error_file_id"),
                CreatedAt = e.Time("created_at"),
                CompletedAt = e.Time("completed_at"),
                ExpiresAt = e.Time("job_deadline"),
            };
            b.Status = MapStatus(b.ProviderStatus);
            var error = e.Str("error");
            if (!string.IsNullOrEmpty(error)) b.Errors = new[] { new BatchValidationError { Code = "job_error", Message = error } };
            return b;
        }

        /// <summary>The job's progress, 0 to 100 (null when absent).</summary>
        public static double? Progress(JsonElement e)
        {
            var p = e.Prop("progress");
            if (p == null) return null;
            if (p.Value.ValueKind == JsonValueKind.Number) return p.Value.GetDouble();
            if (p.Value.ValueKind == JsonValueKind.String && double.TryParse(p.Value.GetString(), System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out var d)) return d;
            return null;
        }

        /// <summary>
        /// The honest counts of a job that reports only a percentage: the requests finished so far are
        /// floor(progress × total / 100), all shown as Succeeded while it runs (Together does not say how many failed until
        /// the error file exists); a finished job's counts are the lines of its output and error files.
        /// </summary>
        public static void ApplyCounts(IrisBatchInfo b, long? total, double? progress, long? outputLines, long? errorLines)
        {
            if (total.HasValue) b.Total = total.Value;
            if (b.IsComplete && (outputLines.HasValue || errorLines.HasValue || b.OutputFileId == null && b.ErrorFileId == null))
            {
                b.Succeeded = outputLines ?? 0;
                b.Failed = errorLines ?? 0;
                return;
            }
            if (total.HasValue && progress.HasValue)
                b.Succeeded = (long)Math.Floor(Math.Max(0, Math.Min(100, progress.Value)) * total.Value / 100.0);
        }
    }
}
