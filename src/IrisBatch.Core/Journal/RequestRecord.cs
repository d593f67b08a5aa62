using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using IrisBatch.Providers;

namespace IrisBatch.Journal
{
    /// <summary>The provider-neutral journal line of one request, with its input row: what results are joined to.</summary>
    public static class RequestRecord
    {
        [MethodImpl(Hot.Path)]
        public static void Write(Utf8JsonWriter w, IrisBatchRequest r)
        {
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WriteNumber("row", r.RowNumber);
            w.WriteString("model", r.Model);
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
            if (r.MaxTokens.HasValue) w.WriteNumber("max_tokens", r.MaxTokens.Value);
            if (r.Temperature.HasValue) w.WriteNumber("temperature", r.Temperature.Value);
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
            w.WriteEndObject();
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
            return new IrisBatchRequest
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
        }
    }
}
