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
                    Messages.NoEmbeddingBatches(provider.Name))
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
            if (max == 0) return Messages.FixedDimensions(model);
            if (dimensions > max)
                return Messages.TooManyDimensions(model, max.Value, dimensions);
            return null;
        }
    }
}
