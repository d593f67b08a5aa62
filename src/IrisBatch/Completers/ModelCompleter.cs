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
    /// tooltip. The provider is -Provider when the command has it, else the -Provider of a later command in the same
    /// pipeline (Submit-IrisBatch), else $env:IRISBATCH_PROVIDER; with none of them, every provider's models.
    /// </summary>
    public sealed class ModelCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = Completion.Typed(wordToComplete);
            var provider = fakeBoundParameters != null && fakeBoundParameters.Contains("Provider") ? Convert.ToString(fakeBoundParameters["Provider"], CultureInfo.InvariantCulture) : null;
            if (string.IsNullOrWhiteSpace(provider)) provider = ProviderLaterInPipeline(commandAst);
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

        /// <summary>
        /// The provider a later command of the same pipeline names as a constant (New-IrisBatchRequest -Model x |
        /// Submit-IrisBatch -Provider Anthropic), or null.
        /// </summary>
        private static string? ProviderLaterInPipeline(CommandAst? commandAst)
        {
            if (!(commandAst?.Parent is PipelineAst pipeline)) return null;
            bool after = false;
            foreach (var element in pipeline.PipelineElements)
            {
                if (ReferenceEquals(element, commandAst)) { after = true; continue; }
                if (!after || !(element is CommandAst command)) continue;
                try
                {
                    var bound = StaticParameterBinder.BindCommand(command, resolve: true);
                    if (bound.BoundParameters.TryGetValue("Provider", out var value) && value.ConstantValue is string name && !string.IsNullOrWhiteSpace(name))
                        return name;
                }
                catch (Exception) { /* a command that cannot be bound statically says nothing */ }
            }
            return null;
        }

        private static string Describe(string provider, string model, Estimates.PriceTable? prices)
        {
            var input = prices?.Estimate(model, 1_000_000, 0);
            var output = prices?.Estimate(model, 0, 1_000_000);
            return Messages.CompleteModel(model, provider, input, output, prices?.Currency);
        }
    }
}
