using System.Text.Json;
using System.Text.RegularExpressions;

namespace IrisBatch.Providers
{
    /// <summary>What every provider does with a result line it cannot read: a Failed result that says which line.</summary>
    public static class ResultLines
    {
        private static readonly Regex CustomIdPattern = new Regex("\"(?:custom_id|key)\"\\s*:\\s*\"([^\"]*)\"", RegexOptions.Compiled);

        public static IrisBatchResult Unreadable(string line, long lineNumber, string reason)
        {
            var m = CustomIdPattern.Match(line);
            return new IrisBatchResult
            {
                CustomId = m.Success ? m.Groups[1].Value : string.Empty,
                Status = ResultStatus.Failed,
                Error = new ResultError
                {
                    Code = "invalid_result_line",
                    Message = Messages.LineUnreadable(lineNumber, reason),
                },
                RawResponse = line,
            };
        }

        /// <summary>Parses one result line and reads it; a line that is not JSON becomes a Failed result naming the line.</summary>
        public static IrisBatchResult Parse(string line, long lineNumber, System.Func<JsonElement, IrisBatchResult> read)
        {
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException ex) { return Unreadable(line, lineNumber, ex.Message); }
            using (doc) return read(doc.RootElement);
        }

        public static TokenUsage? ReadUsage(JsonElement? usage)
        {
            if (usage == null) return null;
            var u = usage.Value;
            long input = u.Long("prompt_tokens") ?? u.Long("input_tokens") ?? 0;
            long output = u.Long("completion_tokens") ?? u.Long("output_tokens") ?? 0;
            var inputDetails = u.Prop("prompt_tokens_details") ?? u.Prop("input_tokens_details");
            var outputDetails = u.Prop("completion_tokens_details") ?? u.Prop("output_tokens_details");
            return new TokenUsage
            {
                InputTokens = input,
                OutputTokens = output,
                TotalTokens = u.Long("total_tokens") ?? input + output,
                CachedTokens = Detail(inputDetails, "cached_tokens"),
                ReasoningTokens = Detail(outputDetails, "reasoning_tokens"),
            };
        }

        // The model of the last line read on this thread: consecutive lines name the same one, so they share one string.
        [System.ThreadStatic] private static string? _lastModel;

        /// <summary>
        /// The model a result line says answered (<see cref="IrisBatchResult.ResponseModel"/>), from a string value, or null
        /// for none or another kind; the same string as the last line's when the name repeats.
        /// </summary>
        public static string? ReadModel(JsonElement? value)
        {
            if (value == null || value.Value.ValueKind != JsonValueKind.String) return null;
            var last = _lastModel;
            if (last != null && value.Value.ValueEquals(last)) return last;
            return _lastModel = value.Value.GetString();
        }

        /// <summary>A count inside a usage details object; absent or null is 0 (spec §11.6: detail counts are nullable).</summary>
        private static long Detail(JsonElement? details, string name) =>
            details != null && details.Value.ValueKind == JsonValueKind.Object ? details.Value.Long(name) ?? 0 : 0;
    }
}
