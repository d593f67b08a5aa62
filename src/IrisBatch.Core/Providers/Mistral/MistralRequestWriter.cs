using System.Runtime.CompilerServices;
using System.Text.Json;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Mistral
{
    /// <summary>
    /// Writes a neutral request as a Mistral batch line (spec §12.3): <c>{"custom_id", "body"}</c>, no method or url, and
    /// no model in the body: the model goes on the job (one job per model).
    /// </summary>
    public static class MistralRequestWriter
    {
        [MethodImpl(Hot.Path)]
        public static void Write(Utf8JsonWriter w, IrisBatchRequest r, bool modelInBody)
        {
            var extra = BodyFields.For(r.BodyJson);
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WritePropertyName("body");
            w.WriteStartObject();
            if (modelInBody && !extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("messages")) OpenAIRequestWriter.WriteMessages(w, r);
            if (r.MaxTokens.HasValue && !extra.Has("max_tokens")) w.WriteNumber("max_tokens", r.MaxTokens.Value);
            if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }
}
