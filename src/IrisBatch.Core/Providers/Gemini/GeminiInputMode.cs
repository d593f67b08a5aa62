using System.Text.Json;
using IrisBatch.Jsonl;

namespace IrisBatch.Providers.Gemini
{
    /// <summary>
    /// Whether a Gemini batch goes inline (requests in the create call) or through file mode (an uploaded JSONL
    /// input, a responses file to download), spec §4.
    /// <para>
    /// Inline answers come back inside the batch's Operation, twice (metadata.output and response), and every status
    /// poll and the results download fetch and parse the whole Operation. For chat that is about the size of the input;
    /// for embeddings it is not: a 3,072-number vector is ~37 KB of JSON against ~75 bytes of request line, so 3,000
    /// rows make a 221 MB Operation. An embedding batch therefore goes through file mode as soon as its answers are
    /// estimated past <see cref="EmbeddingAnswerLimit"/> (4 MB, an Operation of ~8 MB): its results then come as a
    /// responses file, streamed to disk, and the Operation only names that file.
    /// </para>
    /// </summary>
    public static class GeminiInputMode
    {
        /// <summary>
        /// The whole create call must stay under 20 MB (§4): an inline batch's call (<see cref="InlineBytes"/>) stays
        /// under this, a margin below it.
        /// </summary>
        public const long InlineLimit = 19L * 1000 * 1000;

        /// <summary>
        /// How much longer a request is inline than as its spooled line: {"request":R,"metadata":{"key":"K"}} against
        /// {"key":"K","request":R} (the line's newline becomes the comma between requests).
        /// </summary>
        public const int InlineBytesPerRequest = 13;

        /// <summary>{"batch":{"display_name":"","input_config":{"requests":{"requests":[]}}}} around the requests.</summary>
        private const int EnvelopeBytes = 80;

        /// <summary>Estimated bytes of the (one copy of the) inline answers above which an embedding batch goes through file mode.</summary>
        public const long EmbeddingAnswerLimit = 4L * 1000 * 1000;

        /// <summary>One vector number as JSON text: "-0.012345678," (Gemini writes up to 9 significant digits).</summary>
        public const int BytesPerNumber = 12;

        /// <summary>An answer's envelope: {"response":{"embedding":{"values":[]},"tokenCount":"N"},"metadata":{"key":"…"}}.</summary>
        public const int BytesPerAnswer = 120;

        /// <summary>A vector's length when the request does not ask one: the model's full size, else gemini-embedding-001's.</summary>
        public const int DefaultDimensions = 3072;

        /// <summary>True when the batch goes through the Files API.</summary>
        public static bool UsesFile(BatchSubmission submission) =>
            InlineBytes(submission) >= InlineLimit
            || (submission.Embeddings && EstimatedAnswerBytes(submission, EmbeddingAnswerLimit) >= EmbeddingAnswerLimit);

        /// <summary>
        /// The size of the inline create call, from the spooled lines' bytes: each request is
        /// <see cref="InlineBytesPerRequest"/> longer there, and the call wraps them with the display name. The lines'
        /// bytes alone are not enough: 190,000 requests of 100 bytes would pass 20 MB by their 13 bytes each.
        /// </summary>
        public static long InlineBytes(BatchSubmission submission)
        {
            var name = GeminiNames.Compose(submission.Name, submission.IdempotencyKey);
            long nameBytes = JsonEncodedText.Encode(name, JsonlWriter.Options.Encoder).EncodedUtf8Bytes.Length;
            return submission.Bytes + InlineBytesPerRequest * submission.RequestCount + EnvelopeBytes + nameBytes;
        }

        /// <summary>
        /// The estimated size of an embedding batch's inline answers: for each spooled line, its outputDimensionality
        /// (or the model's full size) x <see cref="BytesPerNumber"/> + <see cref="BytesPerAnswer"/>. Stops reading once
        /// past <paramref name="stopAt"/>: a batch of full-size vectors is decided after ~110 lines.
        /// </summary>
        public static long EstimatedAnswerBytes(BatchSubmission submission, long stopAt = long.MaxValue)
        {
            var max = Embeddings.EmbeddingLimits.MaxDimensions(submission.Model);
            int full = max.HasValue && max.Value > 0 ? max.Value : DefaultDimensions;
            long total = 0;
            foreach (var line in JsonlReader.ReadLines(submission.InputPath))
            {
                total += BytesPerAnswer + (long)BytesPerNumber * DimensionsOf(line.Text, full);
                if (total >= stopAt) break;
            }
            return total;
        }

        private static int DimensionsOf(string line, int full)
        {
            using var doc = JsonDocument.Parse(line);
            if (!doc.RootElement.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object) return full;
            foreach (var name in new[] { "outputDimensionality", "output_dimensionality" })
                if (request.TryGetProperty(name, out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int n) && n > 0)
                    return n;
            return full;
        }
    }
}
