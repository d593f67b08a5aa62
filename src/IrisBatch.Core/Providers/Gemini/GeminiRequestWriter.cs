using System.Text.Json;

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

        public static void WriteRequest(Utf8JsonWriter w, IrisBatchRequest r)
        {
            var extra = BodyFields.For(r.BodyJson);
            w.WriteStartObject();
            if (!extra.Has("contents"))
            {
                w.WritePropertyName("contents");
                w.WriteStartArray();
                foreach (var m in r.Messages)
                {
                    if (m.Role == "system") continue;
                    w.WriteStartObject();
                    w.WriteString("role", m.Role == "assistant" ? "model" : "user");
                    WriteParts(w, m);
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
            if ((r.MaxTokens.HasValue || r.Temperature.HasValue) && !extra.Has("generationConfig") && !extra.Has("generation_config"))
            {
                w.WritePropertyName("generationConfig");
                w.WriteStartObject();
                if (r.MaxTokens.HasValue) w.WriteNumber("maxOutputTokens", r.MaxTokens.Value);
                if (r.Temperature.HasValue) w.WriteNumber("temperature", r.Temperature.Value);
                w.WriteEndObject();
            }
            extra.WriteAll(w);
            w.WriteEndObject();
        }

        private static void WriteParts(Utf8JsonWriter w, ChatMessage m)
        {
            w.WritePropertyName("parts");
            if (m.ContentJson != null)
            {
                // Structured content is taken as Gemini parts already.
                w.WriteRawValue(m.ContentJson);
                return;
            }
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("text", m.Content ?? "");
            w.WriteEndObject();
            w.WriteEndArray();
        }
    }
}
