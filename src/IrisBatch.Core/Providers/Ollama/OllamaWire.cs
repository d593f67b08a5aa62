using System.Text.Json;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Requests;

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
            if (!RequestFeatures.IsPlain(r))
            {
                RequestFeatures.CheckEndpoint(r, "Ollama", false);
                // Native /api/chat takes base64 images only (spec §11.2); an OpenAI-compatible server takes image_url parts.
                RequestFeatures.CheckImages(r, "Ollama", openAICompatible, ImageInput.MaxFileBytes);
            }
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WritePropertyName("body");
            w.WriteStartObject();
            if (!extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("messages"))
            {
                if (openAICompatible || r.Images.Count == 0) OpenAIRequestWriter.WriteMessages(w, r);
                else WriteNativeMessages(w, r);
            }
            if (!extra.Has("stream")) w.WriteBoolean("stream", false);
            if (openAICompatible)
            {
                if (r.ReasoningEffort != null && !extra.Has("reasoning_effort")) w.WriteString("reasoning_effort", r.ReasoningEffort);
                if (r.Schema != null && !extra.Has("response_format")) OpenAIRequestWriter.WriteResponseFormat(w, r);
            }
            else
            {
                // Native: "format" takes the JSON schema, "think" low/medium/high (spec §11.1, §11.4).
                if (r.Schema != null && !extra.Has("format"))
                {
                    w.WritePropertyName("format");
                    w.WriteRawValue(r.Schema);
                }
                if (r.ReasoningEffort != null && !extra.Has("think")) w.WriteString("think", RequestFeatures.OllamaThink(r.ReasoningEffort));
            }
            string? mergedOptions = null;
            if (openAICompatible)
            {
                if (r.MaxTokens.HasValue && !extra.Has("max_tokens")) w.WriteNumber("max_tokens", r.MaxTokens.Value);
                if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            }
            else
            {
                // A -Body options object (its top_k, say) gets num_predict and temperature unless it has them itself,
                // which win; options that are not an object are the user's own and are sent as given.
                string? userOptions = extra.ObjectField("options");
                bool numPredict = r.MaxTokens.HasValue && extra.HasRoomIn("options", "num_predict");
                bool temperature = r.Temperature.HasValue && extra.HasRoomIn("options", "temperature");
                if (numPredict || temperature)
                {
                    w.WritePropertyName("options");
                    w.WriteStartObject();
                    if (numPredict) w.WriteNumber("num_predict", r.MaxTokens!.Value);
                    if (temperature) w.WriteNumber("temperature", r.Temperature!.Value);
                    extra.WriteFieldsOf(w, userOptions);
                    w.WriteEndObject();
                    mergedOptions = userOptions;
                }
            }
            extra.WriteAll(w, mergedOptions);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        /// <summary>Native messages, the last user message with "images": [base64...] (spec §11.2).</summary>
        private static void WriteNativeMessages(Utf8JsonWriter w, IrisBatchRequest r)
        {
            int withImages = OpenAIRequestWriter.LastUserMessage(r);
            w.WritePropertyName("messages");
            w.WriteStartArray();
            for (int i = 0; i < r.Messages.Count; i++)
            {
                var m = r.Messages[i];
                w.WriteStartObject();
                w.WriteString("role", m.Role);
                OpenAIRequestWriter.WriteContent(w, m);
                if (i == withImages)
                {
                    w.WritePropertyName("images");
                    w.WriteStartArray();
                    foreach (var image in r.Images) w.WriteStringValue(image.Data);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
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

        /// <summary>Why the answer ended: native done_reason (stop, length), or the OpenAI-compatible first choice's finish_reason.</summary>
        public static string? StopReasonOf(JsonElement body)
        {
            var done = body.Str("done_reason");
            if (done != null) return done;
            var choices = body.Prop("choices");
            if (choices != null && choices.Value.ValueKind == JsonValueKind.Array)
                foreach (var c in choices.Value.EnumerateArray()) return c.Str("finish_reason");
            return null;
        }

        /// <summary>One line of the executed-results file: {"custom_id","ok","output","usage","server"} or {"custom_id","ok":false,"error"}.</summary>
        public static IrisBatchResult ParseResult(string line, long lineNumber) => ResultLines.Parse(line, lineNumber, root =>
            {
                var id = root.Str("custom_id");
                if (id == null) return ResultLines.Unreadable(line, lineNumber, Messages.LineNoField("custom_id"));
                var r = new IrisBatchResult { CustomId = id, RawResponse = line };
                if (root.Prop("ok")?.ValueKind == JsonValueKind.True)
                {
                    r.Status = ResultStatus.Succeeded;
                    r.Output = root.Str("output");
                    r.Usage = ResultLines.ReadUsage(root.Prop("usage"));
                    var embedding = root.Prop("embedding");
                    if (embedding != null) r.Embedding = Embeddings.EmbeddingVector.Read(embedding.Value);
                    r.StopReason = root.Str("stop_reason");
                    r.Truncated = r.StopReason == "length";
                    r.FailIfTruncatedAndEmpty();
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
