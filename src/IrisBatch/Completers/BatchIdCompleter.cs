using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using IrisBatch.Journal;
using IrisBatch.Lifecycle;

namespace IrisBatch.Completers
{
    /// <summary>-Id: the batch ids in the journal, newest first, with their name, last known status and provider as tooltip.</summary>
    public sealed class BatchIdCompleter : IArgumentCompleter
    {
        /// <summary>Enough to choose from; the journal may hold thousands.</summary>
        private const int MaxResults = 100;

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = Completion.Typed(wordToComplete);
            int n = 0;
            foreach (var e in Entries())
            {
                if (e.BatchId == null || !Completion.Matches(e.BatchId, typed)) continue;
                yield return Completion.Result(e.BatchId, Describe(e));
                if (++n >= MaxResults) yield break;
            }
        }

        /// <summary>The journal's entries, newest first; none when there is no journal or it cannot be read.</summary>
        internal static IReadOnlyList<JournalEntry> Entries() => LocalListing.DefaultNewestFirst();

        internal static string Describe(JournalEntry e)
        {
            var status = e.LastStatus?.ToString() ?? e.State.ToString();
            var when = e.SpooledAt.LocalDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            return Messages.CompleteBatch(e.Name, status, e.RequestCount, e.Model, e.Provider, when);
        }
    }
}
