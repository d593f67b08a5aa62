using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;

namespace IrisBatch.Data
{
    /// <summary>
    /// Whether a model name is one IrisBatch knows (Data/models.json, read through <see cref="ModelCatalog"/>): listed for
    /// its provider, or a dated snapshot of a listed name (gpt-4o-mini-2024-07-18, claude-sonnet-4-20250514). A
    /// misspelt name is never taken for another one; the nearest known names are offered instead.
    /// </summary>
    public static class ModelNames
    {
        private static readonly Regex DateSuffix = new Regex(@"^(?<base>.+?)-(?:\d{4}-\d{2}-\d{2}|\d{8})$", RegexOptions.CultureInvariant);

        /// <summary>The name without a dated-snapshot suffix (-YYYY-MM-DD or -YYYYMMDD), or null when it has none.</summary>
        public static string? WithoutDate(string model)
        {
            // Asked for every request written, nearly always of the same model: the last answer is kept.
            var last = Volatile.Read(ref _lastUndated);
            if (last != null && string.Equals(last.Model, model, StringComparison.Ordinal)) return last.Result;
            var m = DateSuffix.Match(model ?? "");
            var undated = m.Success ? m.Groups["base"].Value : null;
            Volatile.Write(ref _lastUndated, new Undated { Model = model ?? "", Result = undated });
            return undated;
        }

        /// <summary>A name and its answer, replaced whole (never changed once published), so a reader sees a matching pair.</summary>
        private sealed class Undated
        {
            public string Model = "";
            public string? Result;
        }

        private static Undated? _lastUndated;

        /// <summary>The names the provider's list holds (every provider's for Mock, which answers any of them).</summary>
        public static IReadOnlyList<string> KnownFor(string provider)
        {
            var own = ModelCatalog.For(provider);
            if (own.Count > 0 && !string.Equals(provider, "Mock", StringComparison.OrdinalIgnoreCase)) return own;
            return own.Concat(ModelCatalog.All().Select(x => x.Model)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        }

        /// <summary>Listed for the provider, or a dated snapshot of a listed name (a listed name may itself carry a date).</summary>
        public static bool IsKnown(string provider, string model)
        {
            if (string.IsNullOrWhiteSpace(model)) return false;
            var known = KnownFor(provider);
            if (Contains(known, model)) return true;
            var undated = WithoutDate(model);
            if (undated == null) return false;
            if (Contains(known, undated)) return true;
            // claude-sonnet-4-20250514 is listed: claude-sonnet-4-20250901 is a snapshot of the same name.
            return known.Any(k => string.Equals(WithoutDate(k), undated, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>The listed names nearest to <paramref name="model"/>, nearest first.</summary>
        public static IReadOnlyList<string> Nearest(string provider, string model, int max = 3) =>
            NearestNames.Find(model, KnownFor(provider), max);

        /// <summary>Whether models.json lists the model (or the name it is a dated snapshot of) as a reasoning model; for Mock, as OpenAI does.</summary>
        public static bool IsReasoning(string provider, string model) => Listed(provider, model, m => m.IsReasoning);

        /// <summary>Whether the model's reasoning tokens are billed as output (<see cref="ModelInfo.BillsReasoning"/>), as <see cref="IsReasoning"/> looks it up.</summary>
        public static bool BillsReasoning(string provider, string model) => Listed(provider, model, m => m.BillsReasoning);

        private static bool Listed(string provider, string model, Func<ModelInfo, bool> says)
        {
            var lists = string.Equals(provider, "Mock", StringComparison.OrdinalIgnoreCase) ? new[] { provider, "OpenAI" } : new[] { provider };
            foreach (var p in lists)
            {
                if (ModelCatalog.Find(p, model) is { } m && says(m)) return true;
                if (WithoutDate(model) is string undated && ModelCatalog.Find(p, undated) is { } u && says(u)) return true;
            }
            return false;
        }

        /// <summary>What models.json says of the model, or of the name it is a dated snapshot of (o4-mini-2025-04-16); null when neither is listed.</summary>
        public static ModelInfo? Find(string provider, string model) =>
            ModelCatalog.Find(provider, model) ?? (WithoutDate(model) is string undated ? ModelCatalog.Find(provider, undated) : null);

        private static bool Contains(IReadOnlyList<string> names, string name)
        {
            foreach (var n in names) if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }
    }
}
