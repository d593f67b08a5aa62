using System;
using System.Collections.Generic;
using System.Linq;

namespace IrisBatch
{
    /// <summary>"Did you mean ...?": the known names nearest to a mistyped one, by edit distance (case-insensitive).</summary>
    public static class NearestNames
    {
        /// <summary>
        /// Up to <paramref name="max"/> candidates nearest to <paramref name="name"/>, nearest first (ties by name). Always
        /// suggests something when there are candidates: a row's few columns or the known models are short lists.
        /// </summary>
        /// <param name="preferShared">
        /// Put first the candidates that hold the name whole (or it them), or start with the same 3 letters: a row's
        /// column "book_title" is a better guess for {title} than "size", which is fewer edits away. Off for model
        /// names, which mostly share their family's prefix anyway.
        /// </param>
        public static IReadOnlyList<string> Find(string name, IEnumerable<string> candidates, int max = 3, bool preferShared = false)
        {
            if (string.IsNullOrEmpty(name)) return Array.Empty<string>();
            var lower = name.ToLowerInvariant();
            return candidates
                .Where(c => !string.IsNullOrEmpty(c))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(c => (Name: c, Lower: c.ToLowerInvariant()))
                .Select(c => (c.Name, Shared: preferShared && Shares(lower, c.Lower), Distance: Distance(lower, c.Lower)))
                .OrderBy(x => x.Shared ? 0 : 1).ThenBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.OrdinalIgnoreCase)
                .Take(max)
                .Select(x => x.Name)
                .ToArray();
        }

        /// <summary>Whether one name holds the other (at least 2 letters) or both start with the same 3 letters; both lower case.</summary>
        public static bool Shares(string a, string b)
        {
            var (shorter, longer) = a.Length <= b.Length ? (a, b) : (b, a);
            if (shorter.Length >= 2 && longer.IndexOf(shorter, StringComparison.Ordinal) >= 0) return true;
            return shorter.Length >= 3 && string.CompareOrdinal(a, 0, b, 0, 3) == 0;
        }

        /// <summary>Levenshtein distance, with a swap of two neighbours counted as one edit.</summary>
        public static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    int v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.Min(v, d[i - 2, j - 2] + 1);
                    d[i, j] = v;
                }
            }
            return d[a.Length, b.Length];
        }
    }
}
