using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IrisBatch.Providers.OpenAI
{
    /// <summary>Writes a neutral request as an OpenAI batch input line (spec §1.7).</summary>
    public static class OpenAIRequestWriter
    {
        [MethodImpl(Hot.Path)]
        public static void Write(Utf8JsonWriter w, IrisBatchRequest r, string endpoint)
        {
            var extra = BodyFields.For(r.BodyJson);
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WriteString("method", "POST");
            w.WriteString("url", endpoint);
            w.WritePropertyName("body");
            w.WriteStartObject();
            if (!extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("messages")) WriteMessages(w, r);
            if (r.MaxTokens.HasValue && !extra.Has("max_tokens") && !extra.Has("max_completion_tokens")) w.WriteNumber("max_tokens", r.MaxTokens.Value);
            if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        [MethodImpl(Hot.Path)]
        public static void WriteMessages(Utf8JsonWriter w, IrisBatchRequest r)
        {
            w.WritePropertyName("messages");
            w.WriteStartArray();
            foreach (var m in r.Messages)
            {
                w.WriteStartObject();
                w.WriteString("role", m.Role);
                WriteContent(w, m);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        [MethodImpl(Hot.Path)]
        public static void WriteContent(Utf8JsonWriter w, ChatMessage m)
        {
            if (m.ContentJson != null)
            {
                w.WritePropertyName("content");
                w.WriteRawValue(m.ContentJson, skipInputValidation: false);
            }
            else if (m.Content != null) w.WriteString("content", m.Content);
            else w.WriteNull("content");
        }
    }
}
