using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using IrisBatch.Journal;

namespace IrisBatch.Completers
{
    /// <summary>-SetId: the sets (submissions) in the journal, newest first, with their name and number of batches as tooltip.</summary>
    public sealed class SetIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = Completion.Typed(wordToComplete);
            var order = new List<string>();
            var batches = new Dictionary<string, List<JournalEntry>>(StringComparer.Ordinal);
            foreach (var e in BatchIdCompleter.Entries())
            {
                if (string.IsNullOrEmpty(e.SetId) || e.BatchId == null || !Completion.Matches(e.SetId!, typed)) continue;
                if (!batches.TryGetValue(e.SetId!, out var list))
                {
                    batches[e.SetId!] = list = new List<JournalEntry>();
                    order.Add(e.SetId!);
                }
                list.Add(e);
            }
            foreach (var set in order)
            {
                var first = batches[set][0];
                yield return Completion.Result(set, Messages.CompleteSet(first.Name, batches[set].Count, first.Provider));
            }
        }
    }
}
