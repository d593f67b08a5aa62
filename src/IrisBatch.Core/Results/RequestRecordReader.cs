using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IrisBatch.Journal;
using IrisBatch.Jsonl;

namespace IrisBatch.Results
{
    /// <summary>
    /// Reads a journal request record (the line <see cref="RequestRecord.Write"/> wrote) straight from its UTF-8
    /// bytes in one forward pass: the same request as <see cref="RequestRecord.Read"/>, without decoding the line to
    /// a string and building a document for it (one per result, the largest cost of reading results). Anything it
    /// does not expect (a root that is not an object, messages that are not an array, bad JSON) is left to
    /// <see cref="RequestRecord.Read"/>, so the answer, or the error, is the same.
    /// </summary>
    internal static class RequestRecordReader
    {
        /// <param name="flat">
        /// For flat rows (<c>-IncludeInput</c>), which show the input's values and not the messages: the input row is
        /// read into <see cref="IrisBatchRequest.InputValues"/> with these names (its JSON text decoded only if asked for),
        /// and the messages are left out (<see cref="IrisBatchRequest.MessagesLeftOut"/>).
        /// </param>
        [MethodImpl(Hot.Path)]
        public static IrisBatchRequest Read(byte[] bytes, int start, int length, InputNames? flat = null)
        {
            try
            {
                return ReadFast(new Line(bytes, start, length), flat);
            }
            catch (Exception)
            {
                return RequestRecord.Read(JsonlReader.Decode(bytes, start, length));
            }
        }

        [MethodImpl(Hot.Path)]
        private static IrisBatchRequest ReadFast(Line line, InputNames? flat)
        {
            var r = new JsonLineReader(line.Bytes, line.Start, line.Length);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new FormatException(global::IrisBatch.Messages.RequestRecordNotObject());
            string? customId = null, model = null, body = null, input = null;
            long? row = null, maxTokens = null, dimensions = null;
            RequestEndpoint endpoint = RequestEndpoint.ChatCompletions;
            double? temperature = null;
            List<ChatMessage>? messages = null;
            string? features = null;   // endpoint, effort, schema or images: read from a document (rare, and not on the hot path)
            InputValues? values = null;
            bool messagesLeftOut = false, stopped = false;
            // Each property is read as JsonRead's helpers read it from a document: null is absent, the last one wins.
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.TextIs("custom_id")) { r.Read(); customId = Str(ref r, line); }
                else if (r.TextIs("row")) { r.Read(); row = Long(ref r); }
                else if (r.TextIs("model")) { r.Read(); model = Str(ref r, line); }
                else if (r.TextIs("messages"))
                {
                    if (flat != null && (values != null || input != null))
                    {
                        // The input came first: a record written with its messages last (RequestRecord.Write), so nothing
                        // after them is wanted here. The rest of the line is left unread.
                        messages = null;
                        messagesLeftOut = true;
                        stopped = true;
                        break;
                    }
                    r.Read();
                    if (flat != null)
                    {
                        r.Skip();
                        messages = null;
                        messagesLeftOut = true;
                    }
                    else messages = Messages(ref r, line);
                }
                else if (r.TextIs("max_tokens")) { r.Read(); maxTokens = Long(ref r); }
                else if (r.TextIs("temperature"))
                {
                    r.Read();
                    temperature = r.TokenType == JsonTokenType.Number ? r.GetDouble() : (double?)null;
                    r.Skip();
                }
                else if (r.TextIs("body")) { r.Read(); body = Raw(ref r, line); }
                else if (r.TextIs("input"))
                {
                    r.Read();
                    values = null;
                    input = null;
                    if (flat != null) values = Values(ref r, flat);
                    if (values == null) input = Raw(ref r, line);
                }
                else if (r.TextIs("dimensions")) { r.Read(); dimensions = Long(ref r); }
                else if (r.TextIs("endpoint") && IsEmbeddings(ref r)) endpoint = RequestEndpoint.Embeddings;
                else if (r.TextIs("schema") || r.TextIs("images") || r.TextIs("endpoint") || r.TextIs("reasoning_effort"))
                {
                    features = "yes";
                    r.Read();
                    r.Skip();
                }
                else { r.Read(); r.Skip(); }
            }
            if (!stopped && (r.TokenType != JsonTokenType.EndObject || r.Read())) throw new FormatException(global::IrisBatch.Messages.RequestRecordNotOneObject());
            var request = new IrisBatchRequest
            {
                CustomId = customId ?? "",
                RowNumber = row ?? 0,
                Model = model ?? "",
                Messages = messages ?? (IReadOnlyList<ChatMessage>)IrisBatchRequest.NoMessages,
                MaxTokens = (int?)maxTokens,
                Temperature = temperature,
                BodyJson = body,
                Endpoint = endpoint,
                Dimensions = (int?)dimensions,
            };
            // A value the reader has just walked through.
            if (values != null) request.SetInputValues(values);
            else request.SetValidInputJson(input);
            request.MessagesLeftOut = messagesLeftOut;
            if (features != null)
            {
                using var doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(line.Bytes, line.Start, line.Length));
                RequestRecord.ReadFeatures(doc.RootElement, request);
            }
            return request;
        }

        [MethodImpl(Hot.Path)]
        private static List<ChatMessage>? Messages(ref JsonLineReader r, Line line)
        {
            if (r.TokenType == JsonTokenType.Null) return null;
            if (r.TokenType != JsonTokenType.StartArray) throw new FormatException(global::IrisBatch.Messages.RequestRecordMessagesNotArray());
            var list = new List<ChatMessage>(2);
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                string? role = null, content = null, contentJson = null;
                if (r.TokenType == JsonTokenType.StartObject)
                {
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        if (r.TextIs("role")) { r.Read(); role = Str(ref r, line); }
                        else if (r.TextIs("content")) { r.Read(); content = Str(ref r, line); }
                        else if (r.TextIs("content_json")) { r.Read(); contentJson = Raw(ref r, line); }
                        else { r.Read(); r.Skip(); }
                    }
                }
                else r.Skip();
                list.Add(new ChatMessage(role ?? "user", content, contentJson));
            }
            return list;
        }

        /// <summary>
        /// Whether the endpoint property at the reader is "Embeddings" (read here, on the hot path of embedding results);
        /// leaves the reader on the property name otherwise, for the next reader to read it.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private static bool IsEmbeddings(ref JsonLineReader r)
        {
            var copy = r;
            copy.Read();
            if (copy.TokenType != JsonTokenType.String || !copy.ValueTextEquals(nameof(RequestEndpoint.Embeddings))) return false;
            r = copy;
            return true;
        }

        /// <summary>
        /// The input object read into names and values; null (the reader where it was) when it is not an object of plain
        /// values.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private static InputValues? Values(ref JsonLineReader r, InputNames flat)
        {
            if (r.TokenType != JsonTokenType.StartObject) return null;
            var from = r;
            var values = flat.Read(ref r);
            if (values == null) r = from;
            return values;
        }

        /// <summary>As JsonRead.Str: a string's value, any other value's raw text, null for null.</summary>
        [MethodImpl(Hot.Path)]
        private static string? Str(ref JsonLineReader r, Line line)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.Null: return null;
                case JsonTokenType.String: return r.GetString();
                default: return Raw(ref r, line);
            }
        }

        /// <summary>As JsonElement.GetRawText for a value that is not null (null for null); leaves the reader on its last token.</summary>
        [MethodImpl(Hot.Path)]
        private static string? Raw(ref JsonLineReader r, Line line)
        {
            if (r.TokenType == JsonTokenType.Null) return null;
            int start = (int)r.TokenStartIndex;
            r.Skip();
            int end = (int)r.BytesConsumed;
            return end > start ? Encoding.UTF8.GetString(line.Bytes, line.Start + start, end - start) : string.Empty;
        }

        /// <summary>As JsonRead.Long: a number (truncated when not whole), or a string of digits.</summary>
        [MethodImpl(Hot.Path)]
        private static long? Long(ref JsonLineReader r)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.Number:
                    return r.TryGetInt64(out var n) ? n : (long)r.GetDouble();
                case JsonTokenType.String:
                    return long.TryParse(r.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : (long?)null;
                default:
                    r.Skip();
                    return null;
            }
        }

        /// <summary>The line's bytes (the reader is a ref struct and cannot keep the array itself).</summary>
        private readonly struct Line
        {
            public Line(byte[] bytes, int start, int length)
            {
                Bytes = bytes;
                Start = start;
                Length = length;
            }

            public byte[] Bytes { get; }
            public int Start { get; }
            public int Length { get; }
        }
    }
}
