using System.Text.Json;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Requests;

namespace IrisBatch.Providers.Xai
{
    /// <summary>Writes a neutral request as an xAI batch request item {batch_request_id, batch_request: {chat_get_completion}} (spec §5).</summary>
    public static class XaiRequestWriter
    {
        /// <summary>xAI's limit per image (spec §11.2).</summary>
        public const long MaxImageBytes = 20L * 1024 * 1024;

        public static void Write(Utf8JsonWriter w, IrisBatchRequest r)
        {
            var extra = BodyFields.For(r.BodyJson);
            if (!RequestFeatures.IsPlain(r))
            {
                RequestFeatures.CheckEndpoint(r, "Xai", false);
                RequestFeatures.CheckImages(r, "Xai", true, MaxImageBytes);
                // xAI reads jpg/jpeg and png only (spec §11.2): a gif or webp file would fail at the service a day later.
                RequestFeatures.CheckImageTypes(r, "Xai", "image/jpeg", "image/png");
            }
            // xAI's schema rules (spec §11.1): allOf with one subschema only, $ref inside the schema only; else every line fails.
            if (r.Schema != null && !extra.Has("response_format") && SchemaLimits.Xai(r.Schema) is string schemaProblem)
                throw RequestFeatures.RowError(r, Messages.XaiSchema(schemaProblem), "schema");
            long start = w.BytesCommitted + w.BytesPending;
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
            // xAI takes low or high (spec §11.4); response_format as in chat completions (spec §11.1).
            if (r.ReasoningEffort != null && !extra.Has("reasoning_effort")) w.WriteString("reasoning_effort", RequestFeatures.XaiEffort(r.ReasoningEffort));
            if (r.Schema != null && !extra.Has("response_format")) OpenAIRequestWriter.WriteResponseFormat(w, r);
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            // A request goes whole into one add-requests call, which takes at most 25 MB (spec §5): a larger one (a big
            // image, under the 20 MiB image limit but a third more as base64) could never be added, and the call would
            // fail the whole submission after its batch was made.
            long size = w.BytesCommitted + w.BytesPending - start;
            if (size + XaiProvider.AddCallEnvelopeBytes > XaiProvider.MaxAddCallBytes)
                throw RequestFeatures.RowError(r, Messages.XaiRequestTooLarge(size, XaiProvider.MaxAddCallBytes), "batch_request");
        }
    }
}
