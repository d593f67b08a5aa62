using System;
using System.Globalization;
using IrisBatch.Providers;

namespace IrisBatch.Embeddings
{
    /// <summary>What embedding requests may ask, per provider and per model (spec §11.5).</summary>
    public static class EmbeddingLimits
    {
        /// <summary>
        /// Refuses an embedding request on a provider without embedding batches (Anthropic, xAI, Azure OpenAI): one
        /// IrisBatch.UnsupportedEndpoint naming the provider, raised while spooling, before any network call.
        /// </summary>
        public static void Check(IBatchProvider provider, IrisBatchRequest request)
        {
            if (!provider.Limits.EmbeddingBatches)
                throw new IrisBatchException(ErrorIds.UnsupportedEndpoint, FailureKind.InvalidArgument,
                    $"{provider.Name} has no embedding batches: -Endpoint Embeddings is for OpenAI, Gemini and Ollama. Nothing was uploaded.")
                { Target = provider.Name };
        }

        /// <summary>
        /// The largest -Dimensions a known embedding model takes, 0 when it takes none (text-embedding-ada-002 has a
        /// fixed length), or null for a model IrisBatch does not know (then the provider decides).
        /// </summary>
        public static int? MaxDimensions(string model)
        {
            var m = (model ?? "").Trim().ToLowerInvariant();
            if (m.StartsWith("models/", StringComparison.Ordinal)) m = m.Substring("models/".Length);
            if (m.StartsWith("text-embedding-3-small", StringComparison.Ordinal)) return 1536;
            if (m.StartsWith("text-embedding-3-large", StringComparison.Ordinal)) return 3072;
            if (m.StartsWith("text-embedding-ada", StringComparison.Ordinal)) return 0;
            if (m.StartsWith("gemini-embedding", StringComparison.Ordinal)) return 3072;
            return null;
        }

        /// <summary>Why the model cannot give vectors of this length, or null when it can (or is not known).</summary>
        public static string? CheckDimensions(string model, int dimensions)
        {
            var max = MaxDimensions(model);
            if (max == null) return null;
            if (max == 0) return $"model '{model}' has a fixed vector length and does not take -Dimensions (only text-embedding-3 and later do).";
            if (dimensions > max)
                return $"model '{model}' gives at most {max.Value.ToString(CultureInfo.InvariantCulture)} dimensions; -Dimensions {dimensions.ToString(CultureInfo.InvariantCulture)} is more.";
            return null;
        }
    }
}
