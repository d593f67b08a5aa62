using System;
using System.Text;
using System.Text.Json;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Requests;

namespace IrisBatch.Providers.Anthropic
{
    /// <summary>Writes a neutral request as one item of a Message Batch: {custom_id, params} (spec §3.3, §11).</summary>
    public static class AnthropicRequestWriter
    {
        /// <summary>Anthropic requires max_tokens; this is used when neither -MaxTokens nor -Body gives one.</summary>
        public const int DefaultMaxTokens = 1024;
        /// <summary>Anthropic's limit per image (spec §11.2).</summary>
        public const long MaxImageBytes = 5L * 1024 * 1024;

        /// <summary>Anthropic's limits per request (spec §11.2): 100 images; 8000 pixels a side, 2000 above 20 images.</summary>
        public const int MaxImages = 100, MaxImageSide = 8000, ManyImages = 20, MaxImageSideWhenMany = 2000;

        /// <summary>Whether -Body turns extended thinking on: a thinking object whose type is enabled or adaptive.</summary>
        private static bool BodyThinks(BodyFields extra)
        {
            var thinking = extra.Get("thinking");
            if (thinking == null || thinking.Value.ValueKind != JsonValueKind.Object) return false;
            var type = thinking.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return type == "enabled" || type == "adaptive";
        }

        /// <summary>
        /// Thinking is "not compatible with temperature or top_k modifications as well as forced tool use", and takes top_p
        /// only from 0.95 to 1 (spec §11.4): such a row is refused here, not on every line a day later (-Body's values win, as they are written).
        /// </summary>
        private static void CheckThinkingSampling(IrisBatchRequest r, BodyFields extra, bool fromBody)
        {
            if (RequestFeatures.NonDefaultTemperature(r.Temperature, extra, out _))
                throw RequestFeatures.RowError(r, Messages.ThinkingNoTemperature(r.Model, fromBody), "temperature");
            var topK = extra.Get("top_k");
            if (topK != null && topK.Value.ValueKind != JsonValueKind.Null)
                throw RequestFeatures.RowError(r, Messages.ThinkingNoTopK(r.Model, fromBody), "top_k");
            var topP = extra.Get("top_p");
            if (topP != null && topP.Value.ValueKind != JsonValueKind.Null &&
                !(topP.Value.ValueKind == JsonValueKind.Number && topP.Value.GetDouble() >= 0.95 && topP.Value.GetDouble() <= 1))
                throw RequestFeatures.RowError(r, Messages.ThinkingTopP(r.Model, fromBody), "top_p");
            // Nor with "forced tool use" (tool_choice any or tool).
            var toolChoice = extra.Get("tool_choice");
            if (toolChoice != null && toolChoice.Value.ValueKind == JsonValueKind.Object && toolChoice.Value.TryGetProperty("type", out var tct)
                && tct.ValueKind == JsonValueKind.String && (tct.GetString() == "any" || tct.GetString() == "tool"))
                throw RequestFeatures.RowError(r, Messages.ThinkingForcedTool(r.Model, fromBody, tct.GetString()!), "tool_choice");
        }

        /// <summary>Whether the last message written (system messages go to "system") is the assistant's.</summary>
        private static bool EndsWithAssistant(IrisBatchRequest r)
        {
            for (int i = r.Messages.Count - 1; i >= 0; i--)
                if (r.Messages[i].Role != "system") return r.Messages[i].Role == "assistant";
            return false;
        }

        /// <summary>Spec §11.1: at most 24 optional and 16 union-typed parameters over a request's schemas, else a 400 on every line.</summary>
        private static void CheckSchemaLimits(IrisBatchRequest r)
        {
            var (optional, unions) = SchemaLimits.AnthropicCounts(r.Schema!);
            if (optional > SchemaLimits.AnthropicMaxOptional)
                throw RequestFeatures.RowError(r, Messages.AnthropicSchemaOptional(optional, SchemaLimits.AnthropicMaxOptional), "schema");
            if (unions > SchemaLimits.AnthropicMaxUnions)
                throw RequestFeatures.RowError(r, Messages.AnthropicSchemaUnions(unions, SchemaLimits.AnthropicMaxUnions), "schema");
        }

        public static void Write(Utf8JsonWriter w, IrisBatchRequest r)
        {
            var extra = BodyFields.For(r.BodyJson);
            bool plain = RequestFeatures.IsPlain(r);
            // A -Body output_config object (its effort, say) gets -Schema's format unless it has a format of its own;
            // one that is not an object is the user's own and is sent as given.
            string? userConfig = extra.ObjectField("output_config");
            bool schema = r.Schema != null && extra.HasRoomIn("output_config", "format");
            int? budget = null;
            int maxTokens = r.MaxTokens ?? DefaultMaxTokens;
            if (!plain)
            {
                RequestFeatures.CheckEndpoint(r, "Anthropic", false);
                RequestFeatures.CheckImages(r, "Anthropic", true, MaxImageBytes);
                RequestFeatures.CheckImageCount(r, "Anthropic", MaxImages);
                RequestFeatures.CheckImagePixels(r, "Anthropic", MaxImageSide, ManyImages, MaxImageSideWhenMany);
                if (schema) CheckSchemaLimits(r);
                if (r.ReasoningEffort != null && !extra.Has("thinking"))
                {
                    // Extended thinking (spec §11.4): a budget of at least 1,024 tokens, below max_tokens.
                    CheckThinkingSampling(r, extra, false);
                    int wanted = RequestFeatures.AnthropicBudget(r.ReasoningEffort);
                    if (!r.MaxTokens.HasValue) maxTokens = wanted + DefaultMaxTokens;
                    budget = Math.Min(wanted, maxTokens - 1);
                    if (budget < 1024)
                        throw RequestFeatures.RowError(r, Messages.ThinkingBudget(maxTokens), "max_tokens");
                }
            }
            // Thinking turned on by -Body's own thinking ({"type":"enabled"|"adaptive"}) refuses the same as ours.
            bool bodyThinks = BodyThinks(extra);
            if (bodyThinks) CheckThinkingSampling(r, extra, true);
            // Structured outputs and thinking take no assistant prefill (spec §11.1, §11.4): a 400 on the line a day later.
            if ((schema || budget.HasValue || bodyThinks) && !extra.Has("messages") && EndsWithAssistant(r))
                throw RequestFeatures.RowError(r, Messages.AnthropicPrefill(schema), "messages");
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WritePropertyName("params");
            w.WriteStartObject();
            if (!extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("max_tokens")) w.WriteNumber("max_tokens", maxTokens);
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
                int withImages = r.Images.Count > 0 ? OpenAIRequestWriter.LastUserMessage(r) : -1;
                w.WritePropertyName("messages");
                w.WriteStartArray();
                for (int i = 0; i < r.Messages.Count; i++)
                {
                    var m = r.Messages[i];
                    if (m.Role == "system") continue;
                    w.WriteStartObject();
                    w.WriteString("role", m.Role);
                    if (i == withImages && m.ContentJson == null) WriteContentWithImages(w, m, r);
                    else OpenAIRequestWriter.WriteContent(w, m);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            if (budget.HasValue)
            {
                w.WritePropertyName("thinking");
                w.WriteStartObject();
                w.WriteString("type", "enabled");
                w.WriteNumber("budget_tokens", budget.Value);
                w.WriteEndObject();
            }
            if (schema)
            {
                w.WritePropertyName("output_config");
                w.WriteStartObject();
                w.WritePropertyName("format");
                w.WriteStartObject();
                w.WriteString("type", "json_schema");
                w.WritePropertyName("schema");
                w.WriteRawValue(AnthropicSchema.ForAnthropic(r.Schema!));   // what the subset lacks moved into descriptions
                w.WriteEndObject();
                extra.WriteFieldsOf(w, userConfig);
                w.WriteEndObject();
            }
            extra.WriteAll(w, schema ? userConfig : null);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        /// <summary>Image blocks (base64 source with its media type, or url source), then the text (spec §11.2).</summary>
        private static void WriteContentWithImages(Utf8JsonWriter w, ChatMessage m, IrisBatchRequest r)
        {
            w.WritePropertyName("content");
            w.WriteStartArray();
            foreach (var image in r.Images)
            {
                w.WriteStartObject();
                w.WriteString("type", "image");
                w.WritePropertyName("source");
                w.WriteStartObject();
                if (image.IsUrl)
                {
                    w.WriteString("type", "url");
                    w.WriteString("url", image.Url);
                }
                else
                {
                    w.WriteString("type", "base64");
                    w.WriteString("media_type", image.MediaType);
                    w.WriteString("data", image.Data);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", m.Content ?? "");
            w.WriteEndObject();
            w.WriteEndArray();
        }
    }
}
