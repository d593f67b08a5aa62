using System.Text.Json;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Ollama
{
    /// <summary>
    /// The two chat shapes a server without a batch API speaks (spec §6): Ollama's native /api/chat
    /// (stream false, options.num_predict) and the OpenAI-compatible /v1/chat/completions (vLLM, llama.cpp, LM Studio).
    /// The spool line is {"custom_id", "body"} with the body ready for the server's shape.
    /// </summary>
    public static class OllamaWire
    {
        public static void WriteLine(Utf8JsonWriter w, IrisBatchRequest r, bool openAICompatible)
        {
            var extra = BodyFields.For(r.BodyJson);
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WritePropertyName("body");
            w.WriteStartObject();
            if (!extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("messages")) OpenAIRequestWriter.WriteMessages(w, r);
            if (!extra.Has("stream")) w.WriteBoolean("stream", false);
            if (openAICompatible)
            {
                if (r.MaxTokens.HasValue && !extra.Has("max_tokens")) w.WriteNumber("max_tokens", r.MaxTokens.Value);
                if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            }
            else if ((r.MaxTokens.HasValue || r.Temperature.HasValue) && !extra.Has("options"))
            {
                w.WritePropertyName("options");
                w.WriteStartObject();
                if (r.MaxTokens.HasValue) w.WriteNumber("num_predict", r.MaxTokens.Value);
                if (r.Temperature.HasValue) w.WriteNumber("temperature", r.Temperature.Value);
                w.WriteEndObject();
            }
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        /// <summary>The answer of one call: the text and token counts, from either shape.</summary>
        public static (string? Text, TokenUsage? Usage) ReadAnswer(JsonElement body)
        {
            var message = body.Prop("message");
            if (message != null)
            {
                long input = body.Long("prompt_eval_count") ?? 0, output = body.Long("eval_count") ?? 0;
                return (message.Value.Str("content"), new TokenUsage { InputTokens = input, OutputTokens = output, TotalTokens = input + output });
            }
            return (OpenAIResultParser.ReadOutput(body), ResultLines.ReadUsage(body.Prop("usage")));
        }

        /// <summary>One line of the executed-results file: {"custom_id","ok","output","usage","server"} or {"custom_id","ok":false,"error"}.</summary>
        public static IrisBatchResult ParseResult(string line, long lineNumber) => ResultLines.Parse(line, lineNumber, root =>
            {
                var id = root.Str("custom_id");
                if (id == null) return ResultLines.Unreadable(line, lineNumber, "it has no custom_id.");
                var r = new IrisBatchResult { CustomId = id, RawResponse = line };
                if (root.Prop("ok")?.ValueKind == JsonValueKind.True)
                {
                    r.Status = ResultStatus.Succeeded;
                    r.Output = root.Str("output");
                    r.Usage = ResultLines.ReadUsage(root.Prop("usage"));
                }
                else
                {
                    var e = root.Prop("error");
                    r.Status = ResultStatus.Failed;
                    r.Error = new ResultError { Code = e?.Str("code"), Message = e?.Str("message"), HttpStatus = (int?)e?.Long("http_status") };
                }
                return r;
            });
    }
}
