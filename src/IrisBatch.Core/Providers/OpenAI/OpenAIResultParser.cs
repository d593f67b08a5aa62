using System;
using System.Text;
using System.Text.Json;

namespace IrisBatch.Providers.OpenAI
{
    /// <summary>Reads one line of an OpenAI output or error file (spec §1.8).</summary>
    public static class OpenAIResultParser
    {
        public static IrisBatchResult Parse(string line, long lineNumber)
        {
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException ex) { return ResultLines.Unreadable(line, lineNumber, ex.Message); }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || root.Str("custom_id") == null)
                    return ResultLines.Unreadable(line, lineNumber, "it has no custom_id.");
                var result = new IrisBatchResult { CustomId = root.Str("custom_id")!, RawResponse = line };
                var error = root.Prop("error");
                var response = root.Prop("response");
                int? status = (int?)response?.Long("status_code");
                var body = response?.Prop("body");
                if (error != null)
                {
                    var code = error.Value.Str("code");
                    result.Error = new ResultError { Code = code, Message = error.Value.Str("message"), HttpStatus = status };
                    result.Status = code == "batch_expired" ? ResultStatus.Expired
                        : code == "batch_cancelled" || code == "batch_canceled" ? ResultStatus.Cancelled
                        : ResultStatus.Failed;
                    return result;
                }
                if (status == null)
                    return ResultLines.Unreadable(line, lineNumber, "it has neither a response nor an error.");
                if (status >= 200 && status < 300)
                {
                    result.Status = ResultStatus.Succeeded;
                    if (body != null)
                    {
                        result.Output = ReadOutput(body.Value);
                        result.Usage = ResultLines.ReadUsage(body.Value.Prop("usage"));
                    }
                    return result;
                }
                var envelope = body?.Prop("error");
                result.Status = ResultStatus.Failed;
                result.Error = new ResultError
                {
                    HttpStatus = status,
                    Code = envelope?.Str("code") ?? envelope?.Str("type") ?? "http_" + status,
                    Type = envelope?.Str("type"),
                    Message = envelope?.Str("message") ?? $"The request failed with HTTP status {status}.",
                };
                return result;
            }
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
                var sb = new StringBuilder();
                foreach (var item in output.Value.EnumerateArray())
                {
                    var content = item.Prop("content");
                    if (content != null) sb.Append(JoinText(content.Value));
                }
                return sb.ToString();
            }
            return body.Str("output_text");
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
