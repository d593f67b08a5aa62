using System;
using System.Text;
using System.Text.Json;
using IrisBatch.Http;

namespace IrisBatch.Providers.Gemini
{
    /// <summary>Decodes Gemini's batch Operation, result lines and error envelope (spec §4), in camelCase or snake_case.</summary>
    public static class GeminiJson
    {
        /// <summary>A field by its camelCase name, or its snake_case twin (proto JSON accepts both).</summary>
        public static JsonElement? Field(this JsonElement e, string camel)
        {
            var v = e.Prop(camel);
            if (v != null) return v;
            var snake = new StringBuilder();
            foreach (var c in camel)
            {
                if (char.IsUpper(c)) { snake.Append('_'); snake.Append(char.ToLowerInvariant(c)); }
                else snake.Append(c);
            }
            return e.Prop(snake.ToString());
        }

        public static string? FieldStr(this JsonElement e, string camel)
        {
            var v = e.Field(camel);
            if (v == null) return null;
            return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : v.Value.GetRawText();
        }

        public static BatchStatus MapState(string? state)
        {
            var s = (state ?? "").ToUpperInvariant();
            if (s.StartsWith("BATCH_STATE_")) s = s.Substring("BATCH_STATE_".Length);
            else if (s.StartsWith("JOB_STATE_")) s = s.Substring("JOB_STATE_".Length);
            switch (s)
            {
                case "RUNNING": return BatchStatus.InProgress;
                case "SUCCEEDED": return BatchStatus.Completed;
                case "FAILED": return BatchStatus.Failed;
                case "CANCELLED": return BatchStatus.Cancelled;
                case "CANCELLING": return BatchStatus.Cancelling;
                case "EXPIRED": return BatchStatus.Expired;
                case "PENDING": case "QUEUED": case "UNSPECIFIED": case "": return BatchStatus.Pending;
                default: return BatchStatus.Unknown;
            }
        }

        /// <summary>
        /// A model as the user names it (gemini-2.5-flash), from Gemini's resource name (models/gemini-2.5-flash): the
        /// batch's Model reads as it was asked for, and a batch submitted elsewhere and adopted is priced by it (prices.json
        /// names models without the prefix).
        /// </summary>
        public static string? ModelId(string? name) =>
            name != null && name.StartsWith("models/", StringComparison.Ordinal) ? name.Substring("models/".Length) : name;

        public static IrisBatchInfo ReadOperation(JsonElement op, Uri baseUri)
        {
            var meta = op.Field("metadata") ?? op;
            var b = new IrisBatchInfo
            {
                Id = op.FieldStr("name") ?? meta.FieldStr("name") ?? "",
                Provider = "Gemini",
                BaseUri = baseUri.AbsoluteUri.TrimEnd('/'),
                ProviderStatus = meta.FieldStr("state"),
                Model = ModelId(meta.FieldStr("model")),
                CreatedAt = meta.Time("createTime") ?? meta.Time("create_time"),
                CompletedAt = meta.Time("endTime") ?? meta.Time("end_time"),
                Endpoint = "batchGenerateContent",
            };
            b.Status = MapState(b.ProviderStatus);
            if ((meta.Str("@type") ?? "").IndexOf("EmbedContentBatch", StringComparison.Ordinal) >= 0) b.Endpoint = "asyncBatchEmbedContent";
            var display = meta.FieldStr("displayName");
            if (display != null) GeminiNames.Apply(b, display);
            var stats = meta.Field("batchStats");
            if (stats != null)
            {
                b.Total = stats.Value.Long("requestCount") ?? stats.Value.Long("request_count") ?? 0;
                b.Succeeded = stats.Value.Long("successfulRequestCount") ?? stats.Value.Long("successful_request_count") ?? 0;
                b.Failed = stats.Value.Long("failedRequestCount") ?? stats.Value.Long("failed_request_count") ?? 0;
            }
            b.InputFileId = meta.Field("inputConfig")?.FieldStr("fileName");
            var output = meta.Field("output") ?? op.Field("response");
            if (output != null) b.OutputFileId = output.Value.FieldStr("responsesFile");
            var error = op.Field("error");
            if (error != null)
                b.Errors = new[] { new BatchValidationError { Code = error.Value.FieldStr("status") ?? error.Value.FieldStr("code"), Message = error.Value.FieldStr("message") } };
            // A long-running Operation that is done is over whatever its metadata says (spec §4: done, then error or
            // response): one done with no state it names would otherwise read as Pending, and a wait would never end.
            // (A state it does name but IrisBatch does not know stays Unknown, which a wait warns about and polls on.)
            if (op.Prop("done")?.ValueKind == JsonValueKind.True && string.IsNullOrEmpty(b.ProviderStatus))
            {
                if (error != null) b.Status = BatchStatus.Failed;
                else if (op.Field("response") != null) b.Status = BatchStatus.Completed;
            }
            return b;
        }

        private static readonly string[] RpcCodes =
        {
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        };

        /// <summary>The canonical name of a gRPC status code (3 → INVALID_ARGUMENT); HTTP-like numbers are kept as they are.</summary>
        public static string? RpcCodeName(long? code) =>
            code == null ? null : code >= 0 && code < RpcCodes.Length ? RpcCodes[code.Value] : code.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public static ProviderErrorInfo? ParseError(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return null;
            using var doc = JsonDocument.Parse(body);
            var error = doc.RootElement.Prop("error");
            if (error == null) return null;
            var info = new ProviderErrorInfo { Message = error.Value.Str("message"), Type = error.Value.Str("status"), Code = error.Value.Str("status") };
            var details = error.Value.Prop("details");
            if (details != null && details.Value.ValueKind == JsonValueKind.Array)
                foreach (var d in details.Value.EnumerateArray())
                    if (d.Str("reason") == "API_KEY_INVALID") info.Code = "API_KEY_INVALID";
            if (info.Message != null && info.Message.IndexOf("API key not valid", StringComparison.OrdinalIgnoreCase) >= 0) info.Code = "API_KEY_INVALID";
            return info;
        }

        /// <summary>One result line: {"key", "response"} or {"key", "error"} (file mode); inline results are written in the same shape.</summary>
        /// <summary>The first element of an array, or null.</summary>
        private static JsonElement? FirstOf(JsonElement? array)
        {
            if (array == null || array.Value.ValueKind != JsonValueKind.Array) return null;
            foreach (var e in array.Value.EnumerateArray()) return e;
            return null;
        }

        /// <summary>The finish reasons that mean the answer was withheld (spec §11.1 FinishReason).</summary>
        private static bool IsBlock(string? reason) =>
            reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" || reason == "PROHIBITED_CONTENT" || reason == "SPII" || reason == "IMAGE_SAFETY";

        public static IrisBatchResult ParseResult(string line, long lineNumber) => ResultLines.Parse(line, lineNumber, root =>
            {
                var key = root.Str("key") ?? root.Field("metadata")?.Str("key");
                if (root.ValueKind != JsonValueKind.Object || key == null)
                    return ResultLines.Unreadable(line, lineNumber, Messages.LineNoField("key"));
                var r = new IrisBatchResult { CustomId = key, RawResponse = line };
                var error = root.Field("error");
                if (error != null)
                {
                    r.Status = ResultStatus.Failed;
                    // The error is a google.rpc.Status: "code" is a gRPC code (3 = INVALID_ARGUMENT), not an HTTP status.
                    var rpc = error.Value.Long("code");
                    r.Error = new ResultError
                    {
                        Code = error.Value.FieldStr("status") ?? RpcCodeName(rpc),
                        Message = error.Value.FieldStr("message"),
                        HttpStatus = rpc >= 100 ? (int?)rpc : null,
                    };
                    return r;
                }
                var response = root.Field("response");
                if (response == null) return ResultLines.Unreadable(line, lineNumber, Messages.LineNeither("response", "error"));
                r.Status = ResultStatus.Succeeded;
                // GenerateContentResponse.modelVersion: the model that answered (spec §4).
                r.ResponseModel = ResultLines.ReadModel(response.Value.Prop("modelVersion") ?? response.Value.Prop("model_version"));
                var embedding = response.Value.Field("embedding") ?? FirstOf(response.Value.Field("embeddings"));
                if (embedding != null)
                {
                    // An embedding batch's answer (spec §11.5): {"embedding":{"values":[…]},"tokenCount"?}. The file form's line is
                    // [unverified] there: batchEmbedContents' {"embeddings":[{"values":[…]}]} (one content per request, so one
                    // vector) is read too, rather than taken for a chat answer with no text.
                    var values = embedding.Value.Field("values");
                    r.Embedding = values == null ? null : Embeddings.EmbeddingVector.Read(values.Value);
                    if (r.Embedding == null) return ResultLines.Unreadable(line, lineNumber, Messages.LineNoVector());
                    var tokens = response.Value.Long("tokenCount") ?? response.Value.Long("token_count");
                    if (tokens != null) r.Usage = new TokenUsage { InputTokens = tokens.Value, TotalTokens = tokens.Value };
                    return r;
                }
                var text = new StringBuilder();
                var candidates = response.Value.Field("candidates");
                if (candidates != null && candidates.Value.ValueKind == JsonValueKind.Array)
                    foreach (var c in candidates.Value.EnumerateArray())
                    {
                        var parts = c.Field("content")?.Field("parts");
                        if (parts != null && parts.Value.ValueKind == JsonValueKind.Array)
                            foreach (var p in parts.Value.EnumerateArray())
                                if (p.Prop("thought")?.ValueKind != JsonValueKind.True) text.Append(p.Str("text"));   // thoughts are not the answer (spec §11.1)
                        r.StopReason = c.FieldStr("finishReason");
                        r.Truncated = r.StopReason == "MAX_TOKENS";
                        break;
                    }
                r.Output = text.ToString();
                // A blocked answer (finishReason SAFETY and the like with no text) or a blocked prompt (no candidates,
                // promptFeedback.blockReason) is Gemini's refusal (spec §11.1).
                var blocked = response.Value.Field("promptFeedback")?.FieldStr("blockReason");
                if (r.Output.Length == 0 && (blocked != null || IsBlock(r.StopReason)))
                    r.Refuse(blocked != null ? Messages.GeminiBlocked("blockReason", blocked) : Messages.GeminiBlocked("finishReason", r.StopReason));
                else r.FailIfTruncatedAndEmpty();
                var usage = response.Value.Field("usageMetadata");
                if (usage != null)
                {
                    // Tool-use prompt tokens are counted apart from the prompt (spec §11.6: the total adds them), and billed as input.
                    long input = (usage.Value.Long("promptTokenCount") ?? usage.Value.Long("prompt_token_count") ?? 0)
                        + (usage.Value.Long("toolUsePromptTokenCount") ?? usage.Value.Long("tool_use_prompt_token_count") ?? 0);
                    long output = usage.Value.Long("candidatesTokenCount") ?? usage.Value.Long("candidates_token_count") ?? 0;
                    // Thoughts are counted apart from candidates, and billed as output; cached tokens are part of the prompt.
                    long thoughts = usage.Value.Long("thoughtsTokenCount") ?? usage.Value.Long("thoughts_token_count") ?? 0;
                    r.Usage = new TokenUsage
                    {
                        InputTokens = input, OutputTokens = output + thoughts, ReasoningTokens = thoughts,
                        CachedTokens = usage.Value.Long("cachedContentTokenCount") ?? usage.Value.Long("cached_content_token_count") ?? 0,
                        TotalTokens = usage.Value.Long("totalTokenCount") ?? usage.Value.Long("total_token_count") ?? input + output + thoughts,
                    };
                }
                return r;
            });
    }

    /// <summary>
    /// Gemini keeps no batch metadata but a display name: IrisBatch writes "name [irisbatch:key]" there, so the
    /// name shows in Google's tools and the idempotency key can be found again.
    /// </summary>
    public static class GeminiNames
    {
        public static string Compose(string? name, string key) => string.IsNullOrEmpty(name) ? $"[irisbatch:{key}]" : $"{name} [irisbatch:{key}]";

        public static void Apply(IrisBatchInfo b, string displayName)
        {
            int at = displayName.LastIndexOf("[irisbatch:", StringComparison.Ordinal);
            if (at < 0 || !displayName.EndsWith("]", StringComparison.Ordinal)) { b.Name = displayName; return; }
            b.IdempotencyKey = displayName.Substring(at + 11, displayName.Length - at - 12);
            var name = displayName.Substring(0, at).TrimEnd();
            b.Name = name.Length == 0 ? null : name;
        }
    }
}
