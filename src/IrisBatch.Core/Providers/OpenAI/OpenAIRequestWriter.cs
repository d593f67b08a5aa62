using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IrisBatch.Requests;

namespace IrisBatch.Providers.OpenAI
{
    /// <summary>Writes a neutral request as an OpenAI batch input line (spec §1.7, §11): chat completions or Responses.</summary>
    public static class OpenAIRequestWriter
    {
        public const string ResponsesEndpoint = "/v1/responses";
        /// <summary>OpenAI's limit per image (spec §11.2).</summary>
        public const long MaxImageBytes = 20L * 1024 * 1024;

        /// <summary>OpenAI's limits per request (spec §11.2): 500 images, and 50 MB of them in all.</summary>
        public const int MaxImages = 500;
        public const long MaxImageBytesPerRequest = 50L * 1024 * 1024;

        /// <summary>
        /// One line. <paramref name="catalogProvider"/> is the models.json provider the model's family is looked up
        /// under; <paramref name="responsesEndpoint"/> the line url of a Responses request.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public static void Write(Utf8JsonWriter w, IrisBatchRequest r, string endpoint, string catalogProvider = "OpenAI", string responsesEndpoint = ResponsesEndpoint)
        {
            var extra = BodyFields.For(r.BodyJson);
            RequestFeatures.CheckReasoningModel(r, catalogProvider, extra);
            if (!RequestFeatures.IsPlain(r))
            {
                RequestFeatures.CheckImages(r, catalogProvider, true, MaxImageBytes);
                RequestFeatures.CheckImageCount(r, catalogProvider, MaxImages, MaxImageBytesPerRequest);
                // OpenAI and Azure refuse an effort on a plain chat model (spec §11.3: reasoning is "gpt-5 and o-series models
                // only"). Not for the Mock (it answers any model) nor Groq, whose models.json list has no families.
                if (catalogProvider == "OpenAI" || catalogProvider == "AzureOpenAI")
                {
                    RequestFeatures.CheckStillImages(r, catalogProvider);
                    RequestFeatures.CheckEffortTaken(r, catalogProvider, catalogProvider);
                    // The schema goes out with "strict": true, whose rules the service holds it to (spec §11.1).
                    bool writesSchema = r.Endpoint == RequestEndpoint.Responses ? WritesFormat(r, extra) : r.Schema != null && !extra.Has("response_format");
                    if (writesSchema && SchemaLimits.OpenAIStrict(r.Schema!) is string problem)
                        throw RequestFeatures.RowError(r, Messages.OpenAIStrictSchema(catalogProvider, problem), "schema");
                }
            }
            bool responses = r.Endpoint == RequestEndpoint.Responses;
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WriteString("method", "POST");
            w.WriteString("url", responses ? responsesEndpoint : endpoint);
            w.WritePropertyName("body");
            w.WriteStartObject();
            if (!extra.Has("model")) w.WriteString("model", r.Model);
            if (responses) WriteResponsesBody(w, r, extra);
            else
            {
                if (!extra.Has("messages")) WriteMessages(w, r);
                // max_completion_tokens on every chat line: reasoning models refuse max_tokens, and the others take
                // both (spec §11.4); a -Body max_tokens is the user's own choice and is sent as given.
                if (r.MaxTokens.HasValue && !extra.Has("max_tokens") && !extra.Has("max_completion_tokens")) w.WriteNumber("max_completion_tokens", r.MaxTokens.Value);
                if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
                if (r.ReasoningEffort != null && !extra.Has("reasoning_effort")) w.WriteString("reasoning_effort", r.ReasoningEffort);
                // A -Body response_format is a format of the user's own (its type says which), so it is sent as given:
                // IrisBatch's json_schema would not fit a json_object one.
                if (r.Schema != null && !extra.Has("response_format")) WriteResponseFormat(w, r);
            }
            if (responses)
                extra.WriteAll(w, WritesEffort(r, extra) ? extra.ObjectField("reasoning") : null, WritesFormat(r, extra) ? extra.ObjectField("text") : null);
            else extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        /// <summary>Chat's response_format: {"type":"json_schema","json_schema":{"name","strict":true,"schema"}} (spec §11.1).</summary>
        public static void WriteResponseFormat(Utf8JsonWriter w, IrisBatchRequest r)
        {
            w.WritePropertyName("response_format");
            w.WriteStartObject();
            w.WriteString("type", "json_schema");
            w.WritePropertyName("json_schema");
            w.WriteStartObject();
            w.WriteString("name", r.SchemaName ?? SchemaBuilder.DefaultName);
            w.WriteBoolean("strict", true);
            w.WritePropertyName("schema");
            w.WriteRawValue(r.Schema!);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        /// <summary>
        /// Whether a Responses line carries -Schema's text.format: a -Body text object gets it unless it has a format of
        /// its own; a -Body text that is not an object is the user's own and is sent as given.
        /// </summary>
        private static bool WritesFormat(IrisBatchRequest r, BodyFields extra) =>
            r.Schema != null && extra.HasRoomIn("text", "format");

        /// <summary>Whether a Responses line carries -ReasoningEffort's reasoning.effort, on the same rule as text.format.</summary>
        private static bool WritesEffort(IrisBatchRequest r, BodyFields extra) =>
            r.ReasoningEffort != null && extra.HasRoomIn("reasoning", "effort");

        /// <summary>
        /// A Responses body (spec §11.3): system messages as instructions, the others as input messages with
        /// input_text and input_image parts, max_output_tokens (at least 16), reasoning.effort and text.format.
        /// A -Body reasoning or text object gets IrisBatch's effort or format unless it has its own (which wins).
        /// </summary>
        private static void WriteResponsesBody(Utf8JsonWriter w, IrisBatchRequest r, BodyFields extra)
        {
            if (!extra.Has("instructions"))
            {
                var system = new StringBuilder();
                foreach (var m in r.Messages)
                    if ((m.Role == "system" || m.Role == "developer") && m.Content != null)
                    {
                        if (system.Length > 0) system.Append("\n\n");
                        system.Append(m.Content);
                    }
                if (system.Length > 0) w.WriteString("instructions", system.ToString());
            }
            if (!extra.Has("input"))
            {
                int last = LastUserMessage(r);
                w.WritePropertyName("input");
                w.WriteStartArray();
                for (int i = 0; i < r.Messages.Count; i++)
                {
                    var m = r.Messages[i];
                    if ((m.Role == "system" || m.Role == "developer") && m.Content != null) continue;
                    w.WriteStartObject();
                    w.WriteString("role", m.Role);
                    if (m.ContentJson != null)
                    {
                        w.WritePropertyName("content");
                        w.WriteRawValue(m.ContentJson);
                    }
                    else if (m.Role == "assistant") w.WriteString("content", m.Content ?? "");
                    else
                    {
                        w.WritePropertyName("content");
                        w.WriteStartArray();
                        w.WriteStartObject();
                        w.WriteString("type", "input_text");
                        w.WriteString("text", m.Content ?? "");
                        w.WriteEndObject();
                        if (i == last)
                            foreach (var image in r.Images)
                            {
                                w.WriteStartObject();
                                w.WriteString("type", "input_image");
                                w.WriteString("image_url", image.AsUrl());
                                w.WriteString("detail", "auto");
                                w.WriteEndObject();
                            }
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.MaxTokens.HasValue && !extra.Has("max_output_tokens"))
            {
                if (r.MaxTokens.Value < 16)
                    throw RequestFeatures.RowError(r, Messages.ResponsesMaxTokens(r.MaxTokens.Value), "max_output_tokens");
                w.WriteNumber("max_output_tokens", r.MaxTokens.Value);
            }
            if (r.Temperature.HasValue && !extra.Has("temperature")) w.WriteNumber("temperature", r.Temperature.Value);
            if (WritesEffort(r, extra))
            {
                w.WritePropertyName("reasoning");
                w.WriteStartObject();
                w.WriteString("effort", r.ReasoningEffort);
                extra.WriteFieldsOf(w, extra.ObjectField("reasoning"));
                w.WriteEndObject();
            }
            if (WritesFormat(r, extra))
            {
                w.WritePropertyName("text");
                w.WriteStartObject();
                w.WritePropertyName("format");
                w.WriteStartObject();
                w.WriteString("type", "json_schema");
                w.WriteString("name", r.SchemaName ?? SchemaBuilder.DefaultName);
                w.WriteBoolean("strict", true);
                w.WritePropertyName("schema");
                w.WriteRawValue(r.Schema!);
                w.WriteEndObject();
                extra.WriteFieldsOf(w, extra.ObjectField("text"));
                w.WriteEndObject();
            }
        }

        /// <summary>The index of the last user message (where images go), or -1.</summary>
        public static int LastUserMessage(IrisBatchRequest r)
        {
            for (int i = r.Messages.Count - 1; i >= 0; i--)
                if (r.Messages[i].Role == "user") return i;
            return -1;
        }

        [MethodImpl(Hot.Path)]
        public static void WriteMessages(Utf8JsonWriter w, IrisBatchRequest r)
        {
            int withImages = r.Images.Count > 0 ? LastUserMessage(r) : -1;
            w.WritePropertyName("messages");
            w.WriteStartArray();
            for (int i = 0; i < r.Messages.Count; i++)
            {
                var m = r.Messages[i];
                w.WriteStartObject();
                w.WriteString("role", m.Role);
                if (i == withImages && m.ContentJson == null) WriteContentWithImages(w, m, r);
                else WriteContent(w, m);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        /// <summary>Chat content parts: the text, then each image as an image_url part (a URL or a data: URL; spec §11.2).</summary>
        private static void WriteContentWithImages(Utf8JsonWriter w, ChatMessage m, IrisBatchRequest r)
        {
            w.WritePropertyName("content");
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", m.Content ?? "");
            w.WriteEndObject();
            foreach (var image in r.Images)
            {
                w.WriteStartObject();
                w.WriteString("type", "image_url");
                w.WritePropertyName("image_url");
                w.WriteStartObject();
                w.WriteString("url", image.AsUrl());
                w.WriteEndObject();
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
