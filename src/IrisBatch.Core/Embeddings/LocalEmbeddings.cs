using System.IO;
using System.Text;
using System.Text.Json;
using IrisBatch.Jsonl;
using IrisBatch.Providers;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Embeddings
{
    /// <summary>
    /// The answers of a server without a batch API to embedding calls: Ollama's /api/embed
    /// ({"embeddings":[[…]],"prompt_eval_count"}) or an OpenAI-compatible /v1/embeddings ({"data":[{"embedding"}],"usage"}),
    /// journaled as one executed line each with the vector in base64 (a quarter of the text, exact floats).
    /// </summary>
    internal static class LocalEmbeddings
    {
        /// <summary>The vector and input tokens of either answer; a null vector when the answer has none.</summary>
        public static (float[]? Vector, long InputTokens) Read(JsonElement body)
        {
            var embeddings = body.Prop("embeddings");
            if (embeddings != null && embeddings.Value.ValueKind == JsonValueKind.Array)
            {
                float[]? vector = null;
                foreach (var item in embeddings.Value.EnumerateArray())
                {
                    vector = EmbeddingVector.Read(item);
                    break;
                }
                return (vector, body.Long("prompt_eval_count") ?? 0);
            }
            var single = body.Prop("embedding");   // the older /api/embeddings shape
            if (single != null) return (EmbeddingVector.Read(single.Value), body.Long("prompt_eval_count") ?? 0);
            var usage = ResultLines.ReadUsage(body.Prop("usage"));
            return (OpenAIResultParser.ReadEmbedding(body), usage?.InputTokens ?? 0);
        }

        /// <summary>
        /// The executed line of one answer: {"custom_id","ok":true,"embedding":"base64","usage",...,"server"}, or a failed
        /// line when the answer carries no vector.
        /// </summary>
        public static string ExecutedLine(string customId, JsonElement body, string server)
        {
            var (vector, tokens) = Read(body);
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options))
            {
                w.WriteStartObject();
                w.WriteString("custom_id", customId);
                w.WriteBoolean("ok", vector != null);
                if (vector != null)
                {
                    w.WriteString("embedding", EmbeddingVector.ToBase64(vector));
                    w.WriteNumber("dimensions", vector.Length);
                    w.WritePropertyName("usage");
                    w.WriteStartObject();
                    w.WriteNumber("input_tokens", tokens);
                    w.WriteNumber("output_tokens", 0);
                    w.WriteNumber("total_tokens", tokens);
                    w.WriteEndObject();
                }
                else
                {
                    w.WritePropertyName("error");
                    w.WriteStartObject();
                    w.WriteString("code", "invalid_response");
                    w.WriteString("message", "The server answered without an embedding vector.");
                    w.WriteEndObject();
                }
                w.WriteString("server", server);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(ms.ToArray());
        }
    }
}
