using System.Text.Json;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Xai
{
    /// <summary>Writes a neutral request as an xAI batch request item {batch_request_id, batch_request: {chat_get_completion}} (spec §5).</summary>
    public static class XaiRequestWriter
    {
        public static void Write(Utf8JsonWriter w, IrisBatchRequest r)
        {
            var extra = BodyFields.For(r.BodyJson);
            w.WriteStartObject();
            w.WriteString("batch_request_id", r.CustomId);
            w.WritePropertyName("batch_request");
            w.WriteStartObject();
            w.WritePropertyName("chat_get_completion");
            w.WriteStartObject();
            if (!extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("messages")) OpenAIRequestWriter.WriteMessages(w, r);
            if (r.MaxTokens.HasValue && !extra.Has("max_tokens")) w.WriteNumber("max_tokens", r.MaxTokens.Value);
            if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }
}
