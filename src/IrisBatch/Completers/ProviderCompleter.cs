using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using IrisBatch.Providers;

namespace IrisBatch.Completers
{
    /// <summary>-Provider: the providers ProviderFactory knows, with where each reads its key and address.</summary>
    public sealed class ProviderCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = Completion.Typed(wordToComplete);
            foreach (var name in ProviderFactory.Names)
            {
                if (!Completion.Matches(name, typed)) continue;
                var info = ProviderFactory.Describe(name);
                var where = info.DefaultBaseUri.Length > 0 ? info.DefaultBaseUri : "$env:" + info.BaseUriVariable;
                yield return Completion.Result(name, Messages.CompleteProvider(name, where, info.ApiKeyVariable));
            }
        }
    }
}
