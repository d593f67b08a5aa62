using System;
using System.Linq;
using System.Text.Json.Nodes;
using IrisBatch.Emulator.OpenAI;

namespace IrisBatch.Emulator.Mistral;

/// <summary>Mistral's BatchJob (spec §12.4) and file objects (§12.2), built from the engine's state.</summary>
internal static class MistralJson
{
    public static string Status(BatchPhase phase) => phase switch
    {
        BatchPhase.Validating => "QUEUED",
        BatchPhase.InProgress or BatchPhase.Finalizing => "RUNNING",
        BatchPhase.Completed => "SUCCESS",
        BatchPhase.Failed => "FAILED",
        BatchPhase.Expired => "TIMEOUT_EXCEEDED",
        BatchPhase.Cancelling => "CANCELLATION_REQUESTED",
        BatchPhase.Cancelled => "CANCELLED",
        _ => throw new ArgumentOutOfRangeException(nameof(phase)),
    };

    public static JsonObject Job(OpenAIBatch b, TimelineSnapshot s)
    {
        var (succeeded, failed) = s.Total > 0 ? b.Counts(s.Done) : (0, 0);
        var errors = new JsonArray();
        if (s.Phase == BatchPhase.Failed && b.Validation is { } v)
            foreach (var g in v.Errors.GroupBy(e => e.Code))
                errors.Add(new JsonObject { ["message"] = g.First().Message, ["count"] = g.Count() });
        JsonObject? metadata = null;
        if (b.Metadata is { } md)
        {
            metadata = new JsonObject();
            foreach (var (k, val) in md) metadata[k] = val;
        }
        DateTimeOffset? ended = s.CompletedAt ?? s.FailedAt ?? s.CancelledAt ?? s.ExpiredAt;
        return new JsonObject
        {
            ["id"] = b.Id,
            ["object"] = "batch",
            ["input_files"] = new JsonArray(b.InputFileId),
            ["metadata"] = metadata,
            ["endpoint"] = b.Endpoint,
            ["model"] = b.JobModel,
            ["agent_id"] = null,
            ["output_file"] = b.OutputFileId,
            ["error_file"] = b.ErrorFileId,
            ["errors"] = errors,
            ["outputs"] = null,
            ["status"] = Status(s.Phase),
            ["created_at"] = b.Timeline.CreatedAt.ToUnixTimeSeconds(),
            ["total_requests"] = s.Total,
            ["completed_requests"] = s.Done,
            ["succeeded_requests"] = succeeded,
            ["failed_requests"] = failed,
            ["started_at"] = s.InProgressAt?.ToUnixTimeSeconds(),
            ["completed_at"] = ended?.ToUnixTimeSeconds(),
        };
    }

    /// <summary>
    /// A successful request's body as Mistral writes it (spec §12.6; the SDK's ChatCompletionResponse, UsageInfo and
    /// EmbeddingResponse): a chat message is {role, content, tool_calls} with no refusal or annotations, a choice has no
    /// logprobs, there is no system_fingerprint, and usage is prompt_tokens, completion_tokens and total_tokens only (no
    /// cached or reasoning details); an embedding list has an id and completion_tokens 0. A refusal, which Mistral has no
    /// field for, is left as the emulator's [refuse] marker makes it.
    /// </summary>
    public static JsonObject Success(JsonObject body)
    {
        body.Remove("system_fingerprint");
        if (body["choices"] is JsonArray choices)
            foreach (var choice in choices.OfType<JsonObject>())
            {
                choice.Remove("logprobs");
                if (choice["message"] is JsonObject message)
                {
                    message.Remove("annotations");
                    if (message["refusal"] is null) message.Remove("refusal");
                    message["tool_calls"] = null;
                }
            }
        if (body["usage"] is JsonObject usage)
        {
            usage.Remove("prompt_tokens_details");
            usage.Remove("completion_tokens_details");
            usage["completion_tokens"] ??= 0;
        }
        if (body["object"]?.GetValue<string>() == "list") body.Insert(0, "id", Ids.Hex("", 32));
        return body;
    }

    /// <summary>batch_request for uploads of purpose batch, batch_result / batch_error for the files a job wrote.</summary>
    public static string SampleType(StoredFile f) =>
        f.IsResult ? (f.Filename.EndsWith("_error.jsonl", StringComparison.Ordinal) ? "batch_error" : "batch_result")
        : f.Purpose == "batch" ? "batch_request" : "instruct";

    public static JsonObject File(StoredFile f) => new()
    {
        ["id"] = f.Id,
        ["object"] = "file",
        ["bytes"] = f.Bytes,
        ["created_at"] = f.CreatedAt.ToUnixTimeSeconds(),
        ["filename"] = f.Filename,
        ["purpose"] = f.Purpose,
        ["sample_type"] = SampleType(f),
        ["source"] = f.IsResult ? "mistral" : "upload",
        ["num_lines"] = LineCounts.Of(f),
        ["mimetype"] = "application/jsonl",
        ["signature"] = null,
        ["expires_at"] = f.ExpiresAt?.ToUnixTimeSeconds(),
        ["visibility"] = "workspace",
    };
}
