using System;
using System.Collections.Generic;

namespace IrisBatch.Providers
{
    /// <summary>Metadata keys IrisBatch adds to every batch it creates; they are shown as properties, not in Metadata.</summary>
    public static class ReservedMetadata
    {
        public const string Name = "irisbatch_name";
        public const string IdempotencyKey = "irisbatch_key";
        public const string SetId = "irisbatch_set";

        public static bool IsReserved(string key) => key.StartsWith("irisbatch_", StringComparison.Ordinal);

        public static Dictionary<string, string> Compose(BatchSubmission s)
        {
            var all = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in s.Metadata) all[kv.Key] = kv.Value;
            if (!string.IsNullOrEmpty(s.Name)) all[Name] = s.Name!;
            if (!string.IsNullOrEmpty(s.IdempotencyKey)) all[IdempotencyKey] = s.IdempotencyKey;
            if (!string.IsNullOrEmpty(s.SetId)) all[SetId] = s.SetId!;
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

        /// <summary>How many pairs IrisBatch adds for this submission.</summary>
        public static int CountFor(string? name, string? setId) => 1 + (string.IsNullOrEmpty(name) ? 0 : 1) + (string.IsNullOrEmpty(setId) ? 0 : 1);
    }
}
