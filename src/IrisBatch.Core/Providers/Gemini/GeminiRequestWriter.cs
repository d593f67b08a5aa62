using System.Text.Json;
using IrisBatch.Data;
using IrisBatch.Requests;

namespace IrisBatch.Providers.Gemini
{
    /// <summary>
    /// Writes a neutral request as a Gemini file-mode line {"key", "request": GenerateContentRequest} (spec §4):
    /// user/assistant turns become contents with roles user/model, system prompts go to systemInstruction,
    /// -MaxTokens and -Temperature to generationConfig; -Body fields are added to the request verbatim.
    /// </summary>
    public static class GeminiRequestWriter
    {
        public static void Write(Utf8JsonWriter w, IrisBatchRequest r)
        {
            w.WriteStartObject();
            w.WriteString("key", r.CustomId);
            w.WritePropertyName("request");
            WriteRequest(w, r);
            w.WriteEndObject();
        }

        /// <summary>Gemini's limit for inline data (the whole inline batch is at most 20 MB; spec §11.2).</summary>
        public const long MaxImageBytes = 20L * 1024 * 1024;

        public static void WriteRequest(Utf8JsonWriter w, IrisBatchRequest r)
        {
            var extra = BodyFields.For(r.BodyJson);
            bool plain = RequestFeatures.IsPlain(r);
            if (!plain)
            {
                RequestFeatures.CheckEndpoint(r, "Gemini", false);
                // Gemini takes files uploaded to its own Files API by URI, not web URLs (spec §11.2).
                RequestFeatures.CheckImages(r, "Gemini", false, MaxImageBytes);
                RequestFeatures.CheckImageTypes(r, "Gemini", "image/png", "image/jpeg", "image/webp");
                RequestFeatures.CheckEffortTaken(r, "Gemini", "Gemini");
            }
            int withImages = r.Images.Count > 0 ? OpenAI.OpenAIRequestWriter.LastUserMessage(r) : -1;
            w.WriteStartObject();
            if (!extra.Has("contents"))
            {
                w.WritePropertyName("contents");
                w.WriteStartArray();
                for (int i = 0; i < r.Messages.Count; i++)
                {
                    var m = r.Messages[i];
                    if (m.Role == "system") continue;
                    w.WriteStartObject();
                    w.WriteString("role", m.Role == "assistant" ? "model" : "user");
                    WriteParts(w, m, i == withImages ? r : null);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (!extra.Has("systemInstruction") && !extra.Has("system_instruction"))
            {
                bool any = false;
                foreach (var m in r.Messages) if (m.Role == "system") any = true;
                if (any)
                {
                    w.WritePropertyName("systemInstruction");
                    w.WriteStartObject();
                    w.WritePropertyName("parts");
                    w.WriteStartArray();
                    foreach (var m in r.Messages)
                        if (m.Role == "system")
                        {
                            w.WriteStartObject();
                            w.WriteString("text", m.Content ?? m.ContentJson ?? "");
                            w.WriteEndObject();
                        }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
            }
            // A -Body generationConfig (either spelling) gets the parameters' fields it lacks: its own fields win, and
            // -MaxTokens, -Temperature, -Schema and -ReasoningEffort are not dropped for the sake of, say, a topP. A
            // generationConfig that is not an object is the user's own and is sent as given.
            string? userConfig = extra.ObjectField("generationConfig", "generation_config");
            bool ownConfig = userConfig == null && (extra.Has("generationConfig") || extra.Has("generation_config"));
            bool maxTokens = r.MaxTokens.HasValue && !extra.HasIn(userConfig, "maxOutputTokens", "max_output_tokens");
            bool temperature = r.Temperature.HasValue && !extra.HasIn(userConfig, "temperature");
            bool schema = r.Schema != null && !extra.HasIn(userConfig, "responseJsonSchema", "response_json_schema", "responseSchema", "response_schema");
            bool mimeType = schema && !extra.HasIn(userConfig, "responseMimeType", "response_mime_type");
            // Likewise a thinkingConfig in it (its includeThoughts, say) gets the effort's budget or level unless it has one.
            var userThinking = extra.ObjectIn(userConfig, out string? thinkingName, "thinkingConfig", "thinking_config");
            bool thinking = r.ReasoningEffort != null && (userThinking is { } ut
                ? !BodyFields.HasAny(ut, "thinkingBudget", "thinking_budget", "thinkingLevel", "thinking_level")
                : !extra.HasIn(userConfig, "thinkingConfig", "thinking_config"));
            if (!ownConfig && (userConfig != null || maxTokens || temperature || schema || thinking))
            {
                w.WritePropertyName(userConfig ?? "generationConfig");
                w.WriteStartObject();
                if (maxTokens) w.WriteNumber("maxOutputTokens", r.MaxTokens!.Value);
                if (temperature) w.WriteNumber("temperature", r.Temperature!.Value);
                // JSON mode with the plain JSON Schema (spec §11.1: responseJsonSchema rather than the proto responseSchema).
                if (mimeType) w.WriteString("responseMimeType", "application/json");
                if (schema)
                {
                    w.WritePropertyName("responseJsonSchema");
                    w.WriteRawValue(r.Schema!);
                }
                if (thinking)
                {
                    // Gemini 2.5 takes a budget, newer models a level (spec §11.4); models.json says which.
                    w.WritePropertyName(thinkingName ?? "thinkingConfig");
                    w.WriteStartObject();
                    if (RequestFeatures.GeminiTakesBudget(r.Model)) w.WriteNumber("thinkingBudget", RequestFeatures.GeminiBudget(r.ReasoningEffort!));
                    else w.WriteString("thinkingLevel", r.ReasoningEffort!.ToUpperInvariant());
                    if (userThinking is { } own) foreach (var p in own.EnumerateObject()) p.WriteTo(w);
                    w.WriteEndObject();
                }
                extra.WriteFieldsOf(w, userConfig, thinking ? thinkingName : null);
                w.WriteEndObject();
            }
            extra.WriteAll(w, userConfig);
            w.WriteEndObject();
        }

        private static void WriteParts(Utf8JsonWriter w, ChatMessage m, IrisBatchRequest? images)
        {
            w.WritePropertyName("parts");
            if (m.ContentJson != null)
            {
                // Structured content is taken as Gemini parts already.
                w.WriteRawValue(m.ContentJson);
                return;
            }
            w.WriteStartArray();
            if (images != null)
                foreach (var image in images.Images)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("inlineData");
                    w.WriteStartObject();
                    w.WriteString("mimeType", image.MediaType);
                    w.WriteString("data", image.Data);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
            w.WriteStartObject();
            w.WriteString("text", m.Content ?? "");
            w.WriteEndObject();
            w.WriteEndArray();
        }
    }
}
