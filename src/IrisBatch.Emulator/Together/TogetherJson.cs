using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.Together;

/// <summary>Together's BatchJob (spec §14.4), FileResponse (§14.2) and error bodies (§14.1), built from the engine's state.</summary>
internal static class TogetherJson
{
    public static string Status(BatchPhase phase) => phase switch
    {
        BatchPhase.Validating => "VALIDATING",
        BatchPhase.InProgress or BatchPhase.Finalizing => "IN_PROGRESS",
        BatchPhase.Completed => "COMPLETED",
        BatchPhase.Failed => "FAILED",
        BatchPhase.Expired => "EXPIRED",
        // No cancelling state in the new SDK's enum; the legacy SDK's CANCELING (one L) is the one Together has shown.
        BatchPhase.Cancelling => "CANCELING",
        BatchPhase.Cancelled => "CANCELLED",
        _ => throw new ArgumentOutOfRangeException(nameof(phase)),
    };

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static JsonObject Job(OpenAIBatch b, TimelineSnapshot s)
    {
        double progress = s.Phase == BatchPhase.Completed ? 100.0 : s.Total > 0 ? Math.Round(100.0 * s.Done / s.Total, 2) : 0.0;
        string? error = s.Phase == BatchPhase.Failed && b.Validation is { } v && v.Errors.Count > 0
            ? string.Join("; ", v.Errors.Take(5).Select(e => e.Message)) + (v.Errors.Count > 5 ? $" (and {v.Errors.Count - 5} more)" : "")
            : null;
        DateTimeOffset? ended = s.CompletedAt ?? s.FailedAt ?? s.CancelledAt ?? s.ExpiredAt;
        var job = new JsonObject
        {
            ["id"] = b.Id,
            ["user_id"] = "user_emulator",
            ["input_file_id"] = b.InputFileId,
            ["file_size_bytes"] = b.InputBytes,
            ["status"] = Status(s.Phase),
            ["job_deadline"] = Time(b.Timeline.CreatedAt + TimeSpan.FromHours(24)),
            ["created_at"] = Time(b.Timeline.CreatedAt),
            ["endpoint"] = b.Endpoint,
            ["progress"] = progress,
            ["model_id"] = b.JobModel ?? b.Validation?.Model,
            ["output_file_id"] = b.OutputFileId,
            ["error_file_id"] = b.ErrorFileId,
            ["error"] = error,
            ["completed_at"] = ended is { } t ? Time(t) : null,
        };
        if (b.Priority is { } p) job["priority"] = p;
        return job;
    }

    /// <summary>FileResponse, with its capitalised keys.</summary>
    public static JsonObject File(StoredFile f) => new()
    {
        ["id"] = f.Id,
        ["object"] = "file",
        ["created_at"] = f.CreatedAt.ToUnixTimeSeconds(),
        ["filename"] = f.Filename,
        ["bytes"] = f.Bytes,
        ["purpose"] = f.Purpose,
        ["FileType"] = f.Filename.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "csv"
            : f.Filename.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? "parquet" : "jsonl",
        ["Processed"] = true,
        ["LineCount"] = LineCounts.Of(f),
    };

    /// <summary>The batch routes' BatchErrorResponse: <c>{"error": "&lt;string&gt;"}</c>.</summary>
    public static IResult BatchError(int status, string message) => Json.Result(new JsonObject { ["error"] = message }, status);

    /// <summary>The general ErrorData envelope <c>{"error": {message, type, param, code}}</c> (files, authentication).</summary>
    public static IResult Error(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null) =>
        Json.Result(OpenAIErrors.Envelope(message, type, param, code), status);
}
