using System;
using System.Management.Automation;

namespace IrisBatch.Completers
{
    /// <summary>What every completer needs: the word typed so far without its quotes, and results quoted when they must be.</summary>
    internal static class Completion
    {
        /// <summary>The typed word without an opening (or closing) quote.</summary>
        public static string Typed(string? wordToComplete)
        {
            var word = wordToComplete ?? "";
            if (word.Length > 0 && (word[0] == '\'' || word[0] == '"')) word = word.Substring(1);
            if (word.Length > 0 && (word[word.Length - 1] == '\'' || word[word.Length - 1] == '"')) word = word.Substring(0, word.Length - 1);
            return word;
        }

        public static bool Matches(string candidate, string typed) =>
            candidate.StartsWith(typed, StringComparison.OrdinalIgnoreCase);

        public static CompletionResult Result(string text, string tooltip)
        {
            var completion = text.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', ';', '&', '|', '{', '}', ',' }) >= 0
                ? "'" + text.Replace("'", "''") + "'" : text;
            return new CompletionResult(completion, text, CompletionResultType.ParameterValue, string.IsNullOrEmpty(tooltip) ? text : tooltip);
        }
    }
}
