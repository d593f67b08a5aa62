using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using IrisBatch.Data;
using IrisBatch.Providers;

namespace IrisBatch.Completers
{
    /// <summary>
    /// -Model: the models the provider is known to accept in a batch (Data/models.json), with their batch price as
    /// tooltip. The provider is -Provider when the command has it, else $env:IRISBATCH_PROVIDER; with neither, every
    /// provider's models.
    /// </summary>
    public sealed class ModelCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = Completion.Typed(wordToComplete);
            var provider = fakeBoundParameters != null && fakeBoundParameters.Contains("Provider") ? Convert.ToString(fakeBoundParameters["Provider"], CultureInfo.InvariantCulture) : null;
            if (string.IsNullOrWhiteSpace(provider)) provider = Environment.GetEnvironmentVariable(ProviderFactory.ProviderVariable);
            var models = new List<(string Provider, string Model)>();
            if (!string.IsNullOrWhiteSpace(provider))
                foreach (var m in ModelCatalog.For(provider!.Trim())) models.Add((provider.Trim(), m));
            else
                models.AddRange(ModelCatalog.All());

            Estimates.PriceTable? prices = null;
            try { prices = Estimates.PriceTable.Load(); } catch (Exception) { /* a broken override table must not break completion */ }
            foreach (var (p, model) in models)
            {
                if (!Completion.Matches(model, typed)) continue;
                yield return Completion.Result(model, Describe(p, model, prices));
            }
        }

        private static string Describe(string provider, string model, Estimates.PriceTable? prices)
        {
            var input = prices?.Estimate(model, 1_000_000, 0);
            var output = prices?.Estimate(model, 0, 1_000_000);
            return Messages.CompleteModel(model, provider, input, output, prices?.Currency);
        }
    }
}
