using System.Runtime.CompilerServices;
using System.Text.Json;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Requests;

namespace IrisBatch.Providers.Mistral
{
    /// <summary>
    /// Writes a neutral request as a <c>{"custom_id", "body"}</c> line, no method or url: Mistral's (spec §12.3, the model
    /// on the job, not in the body) and Together's (§14.3, the model in each body). The body is a chat completion with
    /// max_tokens, temperature and a schema as response_format json_schema; images, -ReasoningEffort and the Responses
    /// endpoint are refused before anything is uploaded (not sent in a form these services may not read).
    /// </summary>
    public static class MistralRequestWriter
    {
        [MethodImpl(Hot.Path)]
        public static void Write(Utf8JsonWriter w, IrisBatchRequest r, bool modelInBody, string provider)
        {
            var extra = BodyFields.For(r.BodyJson);
            if (!RequestFeatures.IsPlain(r)) Check(r, provider);
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WritePropertyName("body");
            w.WriteStartObject();
            if (modelInBody && !extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("messages")) OpenAIRequestWriter.WriteMessages(w, r);
            if (r.MaxTokens.HasValue && !extra.Has("max_tokens")) w.WriteNumber("max_tokens", r.MaxTokens.Value);
            if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            if (r.Schema != null && !extra.Has("response_format")) OpenAIRequestWriter.WriteResponseFormat(w, r);
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private static void Check(IrisBatchRequest r, string provider)
        {
            RequestFeatures.CheckEndpoint(r, provider, false);
            if (r.ReasoningEffort != null)
                throw RequestFeatures.RowError(r, Messages.NoReasoningEffort(provider), "reasoning_effort");
            if (r.Images.Count > 0)
                throw RequestFeatures.RowError(r, Messages.NoImages(provider), "image");
        }
    }
}
