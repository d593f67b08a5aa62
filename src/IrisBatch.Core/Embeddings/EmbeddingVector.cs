using System;
using System.Buffers;
using System.Buffers.Text;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using IrisBatch.Jsonl;

namespace IrisBatch.Embeddings
{
    /// <summary>
    /// Embedding vectors as the wire carries them (spec §11.5): a JSON list of numbers, or a base64 string of
    /// little-endian float32 (OpenAI's encoding_format "base64", a quarter of the text and no number parsing);
    /// and the compact JSON array IrisBatch writes into CSV cells.
    /// </summary>
    public static class EmbeddingVector
    {
        /// <summary>A vector from a JSON list of numbers or a base64 string; null for anything else.</summary>
        public static float[]? Read(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return FromBase64(value.GetString());
                case JsonValueKind.Array:
                    var vector = new float[value.GetArrayLength()];
                    int i = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Number) return null;
                        vector[i++] = item.GetSingle();
                    }
                    return vector;
                default:
                    return null;
            }
        }

        /// <summary>
        /// A vector at the reader's current token (a string or the start of an array), leaving the reader on the
        /// token's end; null (reader skipped past the value) when it is neither.
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static float[]? Read(ref JsonLineReader r)
        {
            if (r.TokenType == JsonTokenType.String)
            {
                if (r.ValueIsEscaped) return FromBase64(r.GetString());
                return FromBase64Utf8(r.ValueSpan);
            }
            if (r.TokenType != JsonTokenType.StartArray)
            {
                r.Skip();
                return null;
            }
            var buffer = _listBuffer ??= new float[4096];
            int n = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (r.TokenType != JsonTokenType.Number)
                {
                    r.Skip();
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray) r.Skip();
                    return null;
                }
                if (n == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                    _listBuffer = buffer;
                }
                buffer[n++] = r.GetSingle();
            }
            var vector = new float[n];
            Array.Copy(buffer, vector, n);
            return vector;
        }

        [ThreadStatic] private static float[]? _listBuffer;

        /// <summary>Decodes base64 little-endian float32; null when the text is not base64 of whole floats.</summary>
        public static float[]? FromBase64(string? text)
        {
            if (text == null) return null;
            byte[] bytes;
            try { bytes = Convert.FromBase64String(text); }
            catch (FormatException) { return null; }
            return FromBytes(bytes, bytes.Length);
        }

        [MethodImpl(Hot.Path)]
        private static float[]? FromBase64Utf8(ReadOnlySpan<byte> utf8)
        {
            int max = Base64.GetMaxDecodedFromUtf8Length(utf8.Length);
            var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(max, 4));
            try
            {
                if (Base64.DecodeFromUtf8(utf8, bytes, out _, out int written) != OperationStatus.Done) return null;
                return FromBytes(bytes, written);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        private static float[]? FromBytes(byte[] bytes, int length)
        {
            if (length % 4 != 0) return null;
            var vector = new float[length / 4];
            Buffer.BlockCopy(bytes, 0, vector, 0, length);
            if (!BitConverter.IsLittleEndian) ReverseEach(vector);
            return vector;
        }

        /// <summary>The vector as base64 of little-endian float32 (what the wire carries with encoding_format base64).</summary>
        public static string ToBase64(float[] vector)
        {
            var bytes = new byte[vector.Length * 4];
            Buffer.BlockCopy(vector, 0, bytes, 0, bytes.Length);
            if (!BitConverter.IsLittleEndian) ReverseWords(bytes);
            return Convert.ToBase64String(bytes);
        }

        /// <summary>
        /// The vector as a compact JSON array ("[0.0123,-0.5,...]", no spaces), each number the shortest text that
        /// reads back as the same float32: what a CSV cell holds, and ConvertFrom-Json or json.loads read.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public static string ToJson(float[] vector)
        {
            // Utf8Formatter writes each float's shortest round-trip text straight into one buffer (no string per
            // number, no JSON writer): formatting 1,536 numbers per result is most of the work of a CSV of vectors.
            var buffer = _jsonBuffer;
            int needed = 2 + vector.Length * 16;
            if (buffer == null || buffer.Length < needed) _jsonBuffer = buffer = new byte[Math.Max(needed, 1 << 14)];
            int at = 0;
            buffer[at++] = (byte)'[';
            for (int i = 0; i < vector.Length; i++)
            {
                if (i > 0) buffer[at++] = (byte)',';
                float f = vector[i];
                if (float.IsNaN(f) || float.IsInfinity(f))
                {
                    // JSON has no NaN; no provider sends one
                    buffer[at++] = (byte)'n'; buffer[at++] = (byte)'u'; buffer[at++] = (byte)'l'; buffer[at++] = (byte)'l';
                    continue;
                }
                if (!Utf8Formatter.TryFormat(f, new Span<byte>(buffer, at, buffer.Length - at), out int written))
                    return ToJsonSlow(vector);
                at += written;
            }
            buffer[at++] = (byte)']';
            return Encoding.ASCII.GetString(buffer, 0, at);
        }

        [ThreadStatic] private static byte[]? _jsonBuffer;

        /// <summary>The same text through a JSON writer: for a number Utf8Formatter could not fit (it always fits in 16 bytes).</summary>
        private static string ToJsonSlow(float[] vector)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartArray();
                foreach (var f in vector)
                {
                    if (float.IsNaN(f) || float.IsInfinity(f)) writer.WriteNullValue();
                    else writer.WriteNumberValue(f);
                }
                writer.WriteEndArray();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        /// <summary>Reads a compact JSON array back (the CSV cell), for tests and for users' scripts.</summary>
        public static float[]? FromJson(string? json)
        {
            if (string.IsNullOrWhiteSpace(json)) return null;
            using var doc = JsonDocument.Parse(json!);
            return Read(doc.RootElement);
        }

        private static void ReverseEach(float[] vector)
        {
            var bytes = MemoryMarshal.AsBytes(vector.AsSpan());
            for (int i = 0; i < bytes.Length; i += 4) bytes.Slice(i, 4).Reverse();
        }

        private static void ReverseWords(byte[] bytes)
        {
            for (int i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
        }
    }
}
