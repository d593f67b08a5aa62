using System;
using System.Collections.Generic;
using System.Text.Json;
using IrisBatch.Http;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Mistral
{
    /// <summary>Decodes Mistral's BatchJob (spec §12.4), its three error shapes (§12.1) and its result lines (§12.6).</summary>
    public static class MistralJson
    {
        /// <summary>QUEUED, RUNNING, CANCELLATION_REQUESTED, SUCCESS, FAILED, TIMEOUT_EXCEEDED, CANCELLED; anything else is Unknown (not terminal).</summary>
        public static BatchStatus MapStatus(string? status, bool started)
        {
            switch ((status ?? "").Trim().ToUpperInvariant())
            {
                case "QUEUED": return BatchStatus.Pending;
                case "RUNNING": return BatchStatus.InProgress;
                case "CANCELLATION_REQUESTED": return BatchStatus.Cancelling;
                case "SUCCESS": return BatchStatus.Completed;
                case "FAILED": return BatchStatus.Failed;
                case "TIMEOUT_EXCEEDED": return BatchStatus.Expired;
                case "CANCELLED": return BatchStatus.Cancelled;
                default: return BatchStatus.Unknown; // the SDK's enum is open: not finished, and said so
            }
        }

        public static IrisBatchInfo ReadBatch(JsonElement e, string location)
        {
            var b = new IrisBatchInfo
            {
                Id = e.Str("id") ?? "",
                Provider = "Mistral",
                BaseUri = location,
                ProviderStatus = e.Str("status"),
                Endpoint = e.Str("endpoint"),
                Model = e.Str("model"),
                OutputFileId = e.Str("output_file"),
                ErrorFileId = e.Str("error_file"),
                CreatedAt = e.Time("created_at"),
                CompletedAt = e.Time("completed_at"),
                Total = e.Long("total_requests") ?? 0,
                Succeeded = e.Long("succeeded_requests") ?? 0,
                Failed = e.Long("failed_requests") ?? 0,
            };
            b.Status = MapStatus(b.ProviderStatus, e.Prop("started_at") != null);
            var inputs = e.Prop("input_files");
            if (inputs != null && inputs.Value.ValueKind == JsonValueKind.Array)
                foreach (var f in inputs.Value.EnumerateArray())
                    if (f.ValueKind == JsonValueKind.String) { b.InputFileId = f.GetString(); break; }
            var errors = e.Prop("errors");
            if (errors != null && errors.Value.ValueKind == JsonValueKind.Array)
            {
                var list = new List<BatchValidationError>();
                foreach (var item in errors.Value.EnumerateArray())
                {
                    var count = item.Long("count") ?? 1;
                    var message = item.Str("message");
                    list.Add(new BatchValidationError { Code = "job_error", Message = count > 1 ? Messages.TimesRepeated(message, count) : message });
                }
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

        /// <summary>
        /// The application error <c>{"object": "error", "message", "type", "param", "code"}</c>, the validation error
        /// <c>{"detail": [{"loc", "msg", "type"}]}</c> (422) and the gateway's <c>{"message": "Unauthorized"}</c> (401).
        /// </summary>
        public static ProviderErrorInfo? ParseError(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return null;
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.Prop("detail") == null && root.Prop("error") != null) return OpenAIJson.ParseError(body);
            return ReadError(root);
        }

        /// <summary>
        /// One of Mistral's error objects: FastAPI's <c>detail</c> (a list of <c>{loc, msg}</c>, read as "body.field: msg; …",
        /// or a plain string) or the application error's <c>message</c>, <c>type</c>, <c>code</c> and <c>param</c>. Used for
        /// API answers and for the body of a failed request in a result line alike, so both read the same.
        /// </summary>
        public static ProviderErrorInfo ReadError(JsonElement root)
        {
            var detail = root.Prop("detail");
            if (detail != null && detail.Value.ValueKind == JsonValueKind.Array)
            {
                var parts = new List<string>();
                string? param = null;
                foreach (var d in detail.Value.EnumerateArray())
                {
                    if (d.ValueKind != JsonValueKind.Object)
                    {
                        parts.Add(d.ValueKind == JsonValueKind.String ? d.GetString()! : d.GetRawText());
                        continue;
                    }
                    var loc = d.Prop("loc");
                    var where = loc != null && loc.Value.ValueKind == JsonValueKind.Array ? string.Join(".", Items(loc.Value)) : null;
                    param ??= where;
                    parts.Add((where == null ? "" : where + ": ") + d.Str("msg"));
                }
                return new ProviderErrorInfo { Message = string.Join("; ", parts), Type = "validation_error", Code = "validation_error", Param = param };
            }
            return new ProviderErrorInfo
            {
                Message = root.Str("message") ?? (detail != null && detail.Value.ValueKind == JsonValueKind.String ? detail.Value.GetString() : null),
                Type = root.Str("type"),
                Code = root.Str("code"),
                Param = root.Str("param"),
            };
        }

        private static IEnumerable<string> Items(JsonElement array)
        {
            foreach (var item in array.EnumerateArray()) yield return item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();
        }

        /// <summary>
        /// OpenAI's line envelope without request_id (spec §12.6). A failed request's body is one of Mistral's error objects
        /// (message at the top, not under "error", or a 422's detail list), read as API errors are; a non-HTTP failure
        /// comes as "error".
        /// </summary>
        public static IrisBatchResult ParseResult(string line, long lineNumber)
        {
            var result = OpenAIResultParser.Parse(line, lineNumber);
            if (result.Status != ResultStatus.Failed || result.Error == null || result.Error.HttpStatus == null || result.Error.Code == "invalid_result_line") return result;
            return ResultLines.Parse(line, lineNumber, root =>
            {
                var body = root.Prop("response")?.Prop("body");
                if (body == null || body.Value.ValueKind != JsonValueKind.Object || body.Value.Prop("error") != null) return result;
                var info = ReadError(body.Value);
                if (info.Message != null) result.Error.Message = info.Message;
                var code = info.Code ?? info.Type;
                if (code != null) result.Error.Code = code;
                result.Error.Type = info.Type ?? result.Error.Type;
                return result;
            });
        }
    }
}
