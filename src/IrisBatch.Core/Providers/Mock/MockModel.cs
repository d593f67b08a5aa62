using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace IrisBatch.Providers.Mock
{
    /// <summary>One request line of a mock batch, reduced to what the mock model reads.</summary>
    public sealed class MockRequest
    {
        public string CustomId { get; set; } = "";
        public string? Model { get; set; }
        /// <summary>The text of the last user message ("" when there is none).</summary>
        public string LastUser { get; set; } = "";
        /// <summary>Whitespace-separated words over the text of all messages.</summary>
        public int PromptTokens { get; set; }
        /// <summary>An embeddings line (body.input): the answer is <see cref="MockModel.Vector"/> of the input.</summary>
        public bool Embedding { get; set; }
        /// <summary>The embedding's body.dimensions, when given.</summary>
        public int? Dimensions { get; set; }
        /// <summary>The JSON schema of a structured-output request (response_format json_schema), or null.</summary>
        public string? Schema { get; set; }
    }

    /// <summary>
    /// The mock's model, the same rule as the emulator's fake model: the answer is "Echo: " + the text of the last
    /// user message; prompt tokens are the words of all messages, completion tokens the words of the answer.
    /// Markers in the last user message: [fail] fails the request (HTTP 400, code emulated_failure), [fail500]
    /// fails it with HTTP 500. Two more markers there decide the whole batch: [expire] (it expires half way) and
    /// [invalid] (it fails validation, naming the line).
    /// </summary>
    public static class MockModel
    {
        public const string AnswerPrefix = "Echo: ";
        public const string FailMarker = "[fail]";
        public const string Fail500Marker = "[fail500]";
        public const string ExpireMarker = "[expire]";
        public const string InvalidMarker = "[invalid]";

        public static string Answer(string lastUser) => AnswerPrefix + lastUser;

        /// <summary>Vector length of an embedding when the request gives no dimensions.</summary>
        public const int DefaultDimensions = 8;

        /// <summary>
        /// The mock's embedding of a text: <paramref name="dimensions"/> floats in [-1, 1), the same for the same text
        /// every time (a 64-bit FNV-1a hash of its UTF-16 code units seeds a xorshift generator). Tests compare results with it.
        /// </summary>
        public static float[] Vector(string text, int dimensions = DefaultDimensions)
        {
            ulong state = 14695981039346656037UL;
            foreach (char c in text ?? "")
            {
                state ^= c;
                state *= 1099511628211UL;
            }
            if (state == 0) state = 1;
            var vector = new float[Math.Max(1, dimensions)];
            for (int i = 0; i < vector.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                vector[i] = (float)((state >> 40) / (double)(1UL << 24) * 2.0 - 1.0);
            }
            return vector;
        }

        public static bool Fails(string lastUser) =>
            lastUser.IndexOf(FailMarker, StringComparison.Ordinal) >= 0 || lastUser.IndexOf(Fail500Marker, StringComparison.Ordinal) >= 0;

        /// <summary>
        /// The answer to a structured-output request: compact JSON that fits the schema, every property in order:
        /// a string is "Echo: " + the prompt, an enum its first value, a number or integer 0, a boolean false, an array empty.
        /// </summary>
        public static string SchemaAnswer(string schema, string lastUser)
        {
            using var doc = JsonDocument.Parse(schema);
            using var ms = new System.IO.MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) WriteValue(w, doc.RootElement, Answer(lastUser), 0);
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        private static void WriteValue(Utf8JsonWriter w, JsonElement schema, string text, int depth)
        {
            var en = schema.Prop("enum");
            if (en != null && en.Value.ValueKind == JsonValueKind.Array && en.Value.GetArrayLength() > 0)
            {
                en.Value[0].WriteTo(w);
                return;
            }
            var typeElement = schema.Prop("type");
            string? type = typeElement?.ValueKind == JsonValueKind.String ? typeElement.Value.GetString()
                : typeElement?.ValueKind == JsonValueKind.Array && typeElement.Value.GetArrayLength() > 0 ? typeElement.Value[0].GetString() : null;
            var props = schema.Prop("properties");
            if ((type == "object" || props != null) && depth < 16)
            {
                w.WriteStartObject();
                if (props != null && props.Value.ValueKind == JsonValueKind.Object)
                    foreach (var p in props.Value.EnumerateObject())
                    {
                        w.WritePropertyName(p.Name);
                        WriteValue(w, p.Value, text, depth + 1);
                    }
                w.WriteEndObject();
            }
            else if (type == "array") { w.WriteStartArray(); w.WriteEndArray(); }
            else if (type == "number" || type == "integer") w.WriteNumberValue(0);
            else if (type == "boolean") w.WriteBooleanValue(false);
            else if (type == "null") w.WriteNullValue();
            else w.WriteStringValue(text);
        }

        /// <summary>Reads one OpenAI batch input line (custom_id, body.model, body.messages).</summary>
        public static MockRequest Read(string line)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var request = new MockRequest { CustomId = root.Str("custom_id") ?? "" };
            var body = root.Prop("body");
            if (body == null) return request;
            request.Model = body.Value.Str("model");
            var input = body.Value.Prop("input");
            if (input != null)
            {
                request.Embedding = true;
                request.LastUser = input.Value.ValueKind == JsonValueKind.String ? input.Value.GetString() ?? "" : input.Value.GetRawText();
                request.PromptTokens = CountWords(request.LastUser);
                request.Dimensions = (int?)body.Value.Long("dimensions");
                return request;
            }
            var schema = body.Value.Prop("response_format")?.Prop("json_schema")?.Prop("schema");
            if (schema != null && schema.Value.ValueKind == JsonValueKind.Object) request.Schema = schema.Value.GetRawText();
            var messages = body.Value.Prop("messages");
            if (messages == null || messages.Value.ValueKind != JsonValueKind.Array) return request;
            foreach (var m in messages.Value.EnumerateArray())
            {
                var text = TextOf(m.Prop("content"));
                request.PromptTokens += CountWords(text);
                if (m.Str("role") == "user") request.LastUser = text;
            }
            return request;
        }

        /// <summary>String content as is; array content as its parts' text joined with no separator.</summary>
        private static string TextOf(JsonElement? content)
        {
            if (content == null) return "";
            var c = content.Value;
            if (c.ValueKind == JsonValueKind.String) return c.GetString() ?? "";
            if (c.ValueKind != JsonValueKind.Array) return "";
            var sb = new StringBuilder();
            foreach (var part in c.EnumerateArray())
            {
                var text = part.Str("text");
                if (text != null) sb.Append(text);
            }
            return sb.ToString();
        }

        public static int CountWords(string text)
        {
            int n = 0;
            bool inWord = false;
            foreach (char ch in text)
            {
                bool ws = char.IsWhiteSpace(ch);
                if (!ws && !inWord) n++;
                inWord = !ws;
            }
            return n;
        }

        /// <summary>Writes the result line of a request that ran: a chat completion, or the failure its marker asks for.</summary>
        public static void WriteResult(Utf8JsonWriter w, MockRequest r, long index, string batchId, long createdAt)
        {
            w.WriteStartObject();
            w.WriteString("id", $"batch_req_{batchId}_{index + 1}");
            w.WriteString("custom_id", r.CustomId);
            w.WritePropertyName("response");
            w.WriteStartObject();
            bool fail500 = r.LastUser.IndexOf(Fail500Marker, StringComparison.Ordinal) >= 0;
            bool fail = fail500 || r.LastUser.IndexOf(FailMarker, StringComparison.Ordinal) >= 0;
            w.WriteNumber("status_code", fail500 ? 500 : fail ? 400 : 200);
            w.WriteString("request_id", $"req_mock_{index + 1}");
            w.WritePropertyName("body");
            w.WriteStartObject();
            if (fail)
            {
                w.WritePropertyName("error");
                w.WriteStartObject();
                w.WriteString("message", $"The mock provider failed this request because its prompt contains {(fail500 ? Fail500Marker : FailMarker)}.");
                w.WriteString("type", fail500 ? "server_error" : "invalid_request_error");
                if (fail500) w.WriteNull("param"); else w.WriteString("param", "messages");
                if (fail500) w.WriteNull("code"); else w.WriteString("code", "emulated_failure");
                w.WriteEndObject();
            }
            else if (r.Embedding)
            {
                w.WriteString("object", "list");
                w.WritePropertyName("data");
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", 0);
                w.WriteString("embedding", Embeddings.EmbeddingVector.ToBase64(Vector(r.LastUser, r.Dimensions ?? DefaultDimensions)));
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteString("model", r.Model ?? "");
                w.WritePropertyName("usage");
                w.WriteStartObject();
                w.WriteNumber("prompt_tokens", r.PromptTokens);
                w.WriteNumber("total_tokens", r.PromptTokens);
                w.WriteEndObject();
            }
            else
            {
                var answer = r.Schema != null ? SchemaAnswer(r.Schema, r.LastUser) : Answer(r.LastUser);
                int completion = CountWords(answer);
                w.WriteString("id", $"chatcmpl-mock-{index + 1}");
                w.WriteString("object", "chat.completion");
                w.WriteNumber("created", createdAt);
                w.WriteString("model", r.Model ?? "");
                w.WritePropertyName("choices");
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WritePropertyName("message");
                w.WriteStartObject();
                w.WriteString("role", "assistant");
                w.WriteString("content", answer);
                w.WriteEndObject();
                w.WriteString("finish_reason", "stop");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WritePropertyName("usage");
                w.WriteStartObject();
                w.WriteNumber("prompt_tokens", r.PromptTokens);
                w.WriteNumber("completion_tokens", completion);
                w.WriteNumber("total_tokens", r.PromptTokens + completion);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteNull("error");
            w.WriteEndObject();
        }

        /// <summary>Writes the error line of a request that never ran because the batch expired.</summary>
        public static void WriteExpired(Utf8JsonWriter w, MockRequest r, long index, string batchId)
        {
            w.WriteStartObject();
            w.WriteString("id", $"batch_req_{batchId}_{index + 1}");
            w.WriteString("custom_id", r.CustomId);
            w.WriteNull("response");
            w.WritePropertyName("error");
            w.WriteStartObject();
            w.WriteString("code", "batch_expired");
            w.WriteString("message", "This request could not be executed before the completion window expired.");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        /// <summary>Decides, from the input lines, which requests fail and whether the batch expires or is refused.</summary>
        public static void Inspect(IEnumerable<(MockRequest Request, long Line)> requests, MockBatchState state)
        {
            long index = 0;
            foreach (var (r, line) in requests)
            {
                if (state.Model == null && !string.IsNullOrEmpty(r.Model)) state.Model = r.Model;
                if (Fails(r.LastUser)) state.FailedLines.Add(index);
                if (r.LastUser.IndexOf(ExpireMarker, StringComparison.Ordinal) >= 0) state.Expire = true;
                if (r.LastUser.IndexOf(InvalidMarker, StringComparison.Ordinal) >= 0 && state.Invalid.Count < 1000)
                    state.Invalid.Add(new MockInvalidLine { Line = line, CustomId = r.CustomId });
                index++;
            }
            state.Total = index;
        }
    }
}
