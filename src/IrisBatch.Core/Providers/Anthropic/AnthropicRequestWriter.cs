using System.Text;
using System.Text.Json;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Anthropic
{
    /// <summary>Writes a neutral request as one item of a Message Batch: {custom_id, params} (spec §3.3).</summary>
    public static class AnthropicRequestWriter
    {
        /// <summary>Anthropic requires max_tokens; this is used when neither -MaxTokens nor -Body gives one.</summary>
        public const int DefaultMaxTokens = 1024;

        public static void Write(Utf8JsonWriter w, IrisBatchRequest r)
        {
            var extra = BodyFields.For(r.BodyJson);
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WritePropertyName("params");
            w.WriteStartObject();
            if (!extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("max_tokens")) w.WriteNumber("max_tokens", r.MaxTokens ?? DefaultMaxTokens);
            if (!extra.Has("system"))
            {
                var system = new StringBuilder();
                foreach (var m in r.Messages)
                    if (m.Role == "system" && m.Content != null)
                    {
                        if (system.Length > 0) system.Append("\n\n");
                        system.Append(m.Content);
                    }
                if (system.Length > 0) w.WriteString("system", system.ToString());
            }
            if (!extra.Has("messages"))
            {
                w.WritePropertyName("messages");
                w.WriteStartArray();
                foreach (var m in r.Messages)
                {
                    if (m.Role == "system") continue;
                    w.WriteStartObject();
                    w.WriteString("role", m.Role);
                    OpenAIRequestWriter.WriteContent(w, m);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }
}
