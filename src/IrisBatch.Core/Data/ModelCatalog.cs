using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace IrisBatch.Data
{
    /// <summary>
    /// The models each provider is known to accept in a batch (Data/models.json, embedded), for -Model completion.
    /// Names only suggest: any model name can be given.
    /// </summary>
    public static class ModelCatalog
    {
        private static readonly Lazy<Dictionary<string, string[]>> Models = new Lazy<Dictionary<string, string[]>>(Load);

        /// <summary>The date the list was taken.</summary>
        public static string Taken { get; private set; } = "";

        /// <summary>A provider's models, newest first; for an unknown provider, nothing.</summary>
        public static IReadOnlyList<string> For(string provider) =>
            Models.Value.TryGetValue(provider, out var list) ? list : new string[0];

        /// <summary>Every provider's models, each once, in the order of the file.</summary>
        public static IReadOnlyList<(string Provider, string Model)> All() =>
            Models.Value.SelectMany(kv => kv.Value.Select(m => (kv.Key, m))).GroupBy(x => x.m, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToArray();

        private static Dictionary<string, string[]> Load()
        {
            var result = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("IrisBatch.Data.models.json");
            if (stream == null) return result;
            using var reader = new StreamReader(stream);
            using var doc = JsonDocument.Parse(reader.ReadToEnd());
            if (doc.RootElement.TryGetProperty("taken", out var taken)) Taken = taken.GetString() ?? "";
            foreach (var p in doc.RootElement.GetProperty("providers").EnumerateObject())
                result[p.Name] = p.Value.EnumerateArray().Select(e => e.GetString() ?? "").Where(s => s.Length > 0).ToArray();
            return result;
        }
    }
}
