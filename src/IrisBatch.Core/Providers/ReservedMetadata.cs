using System;
using System.Collections.Generic;

namespace IrisBatch.Providers
{
    /// <summary>
    /// Metadata keys IrisBatch adds to the batches it creates; they are shown as properties, not in Metadata. The user's
    /// pairs come first: where the provider's limit leaves no room (OpenAI: 16 pairs), IrisBatch's own keys are left out
    /// (the set, then the name, then the key): the journal keeps them, and a lost create is matched by its input file.
    /// So is a value longer than the provider takes (a -Name over 512 characters, or one a -retryN suffix takes over it):
    /// the create call would be refused for it after the upload.
    /// </summary>
    public static class ReservedMetadata
    {
        public const string Name = "irisbatch_name";
        public const string IdempotencyKey = "irisbatch_key";
        public const string SetId = "irisbatch_set";

        public static bool IsReserved(string key) => key.StartsWith("irisbatch_", StringComparison.Ordinal);

        /// <param name="maxPairs">The provider's limit of pairs per batch.</param>
        /// <param name="maxValueLength">The provider's limit of characters per value.</param>
        public static Dictionary<string, string> Compose(BatchSubmission s, int maxPairs = int.MaxValue, int maxValueLength = int.MaxValue)
        {
            var all = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in s.Metadata) all[kv.Key] = kv.Value;
            void Add(string key, string? value)
            {
                if (!string.IsNullOrEmpty(value) && value!.Length <= maxValueLength && all.Count < maxPairs) all[key] = value;
            }
            Add(IdempotencyKey, s.IdempotencyKey);
            Add(Name, s.Name);
            Add(SetId, s.SetId);
            return all;
        }

        /// <summary>Splits provider metadata into the user's pairs and IrisBatch's own.</summary>
        public static void Apply(IrisBatchInfo batch, IEnumerable<KeyValuePair<string, string>> metadata)
        {
            var user = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in metadata)
            {
                if (kv.Key == Name) batch.Name = kv.Value;
                else if (kv.Key == SetId) batch.SetId = kv.Value;
                else if (kv.Key == IdempotencyKey) batch.IdempotencyKey = kv.Value;
                else if (!IsReserved(kv.Key)) user[kv.Key] = kv.Value;
            }
            batch.Metadata = user;
        }
    }
}
