using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using IrisBatch.Providers;

namespace IrisBatch.Journal
{
    /// <summary>The provider-neutral journal line of one request, with its input row: what results are joined to.</summary>
    public static class RequestRecord
    {
        /// <param name="seq">The request's place in its whole submission (1, 2, ... across every batch of the set), or 0:
        /// what Get-IrisBatchResult orders a set's results by. Written right after custom_id; the messages are written last.</param>
        [MethodImpl(Hot.Path)]
        public static void Write(Utf8JsonWriter w, IrisBatchRequest r, long seq = 0)
        {
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            if (seq > 0) w.WriteNumber("seq", seq);
            w.WriteNumber("row", r.RowNumber);
            w.WriteString("model", r.Model);
            if (r.MaxTokens.HasValue) w.WriteNumber("max_tokens", r.MaxTokens.Value);
            if (r.Temperature.HasValue) w.WriteNumber("temperature", r.Temperature.Value);
            if (r.Endpoint != RequestEndpoint.ChatCompletions) w.WriteString("endpoint", r.Endpoint.ToString());
            if (r.ReasoningEffort != null) w.WriteString("reasoning_effort", r.ReasoningEffort);
            if (r.Schema != null)
            {
                w.WritePropertyName("schema");
                w.WriteRawValue(r.Schema, skipInputValidation: true);   // normalised by SchemaBuilder
                if (r.SchemaName != null) w.WriteString("schema_name", r.SchemaName);
                if (r.SchemaType != null) w.WriteString("schema_type", r.SchemaType);
            }
            if (r.Images.Count > 0) WriteImages(w, r.Images);
            if (r.Dimensions.HasValue) w.WriteNumber("dimensions", r.Dimensions.Value);
            if (r.BodyJson != null)
            {
                w.WritePropertyName("body");
                w.WriteRawValue(r.BodyJson);
            }
            if (r.InputJson != null)
            {
                w.WritePropertyName("input");
                w.WriteRawValue(r.InputJson, skipInputValidation: r.InputJsonIsValid);
            }
            // Last: the rows of -IncludeInput need everything before it and not the messages, so a reader that has the
            // input when it meets the messages stops there (RequestRecordReader). Records written before had the
            // messages before the input, and are read whole.
            w.WritePropertyName("messages");
            w.WriteStartArray();
            foreach (var m in r.Messages)
            {
                w.WriteStartObject();
                w.WriteString("role", m.Role);
                if (m.ContentJson != null)
                {
                    w.WritePropertyName("content_json");
                    w.WriteRawValue(m.ContentJson);
                }
                else w.WriteString("content", m.Content);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static void WriteImages(Utf8JsonWriter w, IReadOnlyList<ImageInput> images)
        {
            w.WritePropertyName("images");
            w.WriteStartArray();
            foreach (var i in images)
            {
                w.WriteStartObject();
                w.WriteString("source", i.Source);
                if (i.IsUrl) w.WriteString("url", i.Url);
                else
                {
                    w.WriteString("media_type", i.MediaType);
                    w.WriteString("data", i.Data);
                    w.WriteNumber("bytes", i.Bytes);
                    w.WriteNumber("width", i.Width);
                    w.WriteNumber("height", i.Height);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        /// <summary>The images of a record's "images" array.</summary>
        internal static ImageInput[] ReadImages(JsonElement list)
        {
            if (list.ValueKind != JsonValueKind.Array) return IrisBatchRequest.NoImages;
            var images = new List<ImageInput>();
            foreach (var i in list.EnumerateArray())
                images.Add(new ImageInput(i.Str("source") ?? "", i.Str("url"), i.Str("media_type"), i.Str("data"),
                    i.Long("bytes") ?? 0, (int)(i.Long("width") ?? 0), (int)(i.Long("height") ?? 0)));
            return images.ToArray();
        }

        /// <summary>Sets the features of §11 (endpoint, effort, schema, images) from a record's properties.</summary>
        internal static void ReadFeatures(JsonElement e, IrisBatchRequest request)
        {
            var endpoint = e.Str("endpoint");
            if (endpoint != null && System.Enum.TryParse<RequestEndpoint>(endpoint, true, out var ep)) request.Endpoint = ep;
            request.ReasoningEffort = e.Str("reasoning_effort");
            var schema = e.Prop("schema");
            if (schema != null)
            {
                request.Schema = schema.Value.GetRawText();
                request.SchemaName = e.Str("schema_name");
                request.SchemaType = e.Str("schema_type");
            }
            var images = e.Prop("images");
            if (images != null) request.Images = ReadImages(images.Value);
        }

        public static IrisBatchRequest Read(string line)
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            var messages = new List<ChatMessage>();
            var list = e.Prop("messages");
            if (list != null)
                foreach (var m in list.Value.EnumerateArray())
                {
                    var contentJson = m.Prop("content_json");
                    messages.Add(new ChatMessage(m.Str("role") ?? "user", m.Str("content"), contentJson?.GetRawText()));
                }
            double? temperature = null;
            var t = e.Prop("temperature");
            if (t != null && t.Value.ValueKind == JsonValueKind.Number) temperature = t.Value.GetDouble();
            var request = new IrisBatchRequest
            {
                CustomId = e.Str("custom_id") ?? "",
                RowNumber = e.Long("row") ?? 0,
                Model = e.Str("model") ?? "",
                Messages = messages,
                MaxTokens = (int?)e.Long("max_tokens"),
                Temperature = temperature,
                BodyJson = e.Prop("body")?.GetRawText(),
                InputJson = e.Prop("input")?.GetRawText(),
            };
            ReadFeatures(e, request);
            request.Dimensions = (int?)e.Long("dimensions");
            return request;
        }
    }
}
