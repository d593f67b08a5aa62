using System;
using System.Linq;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>The Batch object (spec §1.5): every field present, null where unset, unix-second timestamps.</summary>
internal static class BatchJson
{
    public static string Status(BatchPhase phase) => phase switch
    {
        BatchPhase.Validating => "validating",
        BatchPhase.Failed => "failed",
        BatchPhase.InProgress => "in_progress",
        BatchPhase.Finalizing => "finalizing",
        BatchPhase.Completed => "completed",
        BatchPhase.Cancelling => "cancelling",
        BatchPhase.Cancelled => "cancelled",
        BatchPhase.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(phase)),
    };

    public static JsonObject Build(OpenAIBatch b, TimelineSnapshot s)
    {
        var (completed, failed) = s.Total > 0 ? b.Counts(s.Done) : (0, 0);
        if (s.Phase == BatchPhase.Expired) failed += s.Total - s.Done;

        JsonNode? errors = null;
        if (s.Phase == BatchPhase.Failed && b.Validation is { } v)
        {
            errors = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(v.Errors.Select(e => (JsonNode)new JsonObject
                {
                    ["code"] = e.Code,
                    ["message"] = e.Message,
                    ["param"] = null,
                    ["line"] = e.Line,
                }).ToArray()),
            };
        }

        // The usage of spec §1.5, summed over the requests that succeeded (their result lines' usage, §11.6); Groq's
        // view drops it (§13.4), Mistral's and Together's job objects have none.
        JsonNode? usage = null;
        if (s.Phase is BatchPhase.Completed or BatchPhase.Cancelled or BatchPhase.Expired)
        {
            var (input, output) = s.Total > 0 ? b.Tokens(s.Done) : (0, 0);
            usage = new JsonObject
            {
                ["input_tokens"] = input,
                ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = s.Total > 0 ? b.CachedTokens(s.Done) : 0 },
                ["output_tokens"] = output,
                ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = s.Total > 0 ? b.ReasoningTokens(s.Done) : 0 },
                ["total_tokens"] = input + output,
            };
        }

        JsonObject? metadata = null;
        if (b.Metadata is { } md)
        {
            metadata = new JsonObject();
            foreach (var (k, val) in md) metadata[k] = val;
        }

        var created = b.Timeline.CreatedAt;
        return new JsonObject
        {
            ["id"] = b.Id,
            ["object"] = "batch",
            ["endpoint"] = b.Endpoint,
            ["model"] = s.InProgressAt is not null ? b.Validation?.Model : null,
            ["errors"] = errors,
            ["input_file_id"] = b.InputFileId,
            ["completion_window"] = b.CompletionWindow,
            ["status"] = Status(s.Phase),
            ["output_file_id"] = b.OutputFileId,
            ["error_file_id"] = b.ErrorFileId,
            ["created_at"] = created.ToUnixTimeSeconds(),
            ["in_progress_at"] = Unix(s.InProgressAt),
            // Created plus the batch's window: "24h" at OpenAI and Azure, up to "7d" at Groq (§13.3).
            ["expires_at"] = (created + TimeSpan.FromHours(CreateBatchRequest.WindowHours(b.CompletionWindow) ?? 24)).ToUnixTimeSeconds(),
            ["finalizing_at"] = Unix(s.FinalizingAt),
            ["completed_at"] = Unix(s.CompletedAt),
            ["failed_at"] = Unix(s.FailedAt),
            ["expired_at"] = Unix(s.ExpiredAt),
            ["cancelling_at"] = Unix(s.CancellingAt),
            ["cancelled_at"] = Unix(s.CancelledAt),
            ["request_counts"] = new JsonObject { ["total"] = s.Total, ["completed"] = completed, ["failed"] = failed },
            ["usage"] = usage,
            ["metadata"] = metadata,
        };
    }

    private static long? Unix(DateTimeOffset? t) => t?.ToUnixTimeSeconds();
}
