using IrisBatch.Journal;

namespace IrisBatch.Estimates
{
    /// <summary>A batch's cost as Get-IrisBatchStatus shows it: the sum of its collected results, beside the provider's own usage.</summary>
    public static class BatchCost
    {
        /// <summary>
        /// Sets the batch's Cost from the journal (once its results are collected) and its ProviderCost from the usage
        /// the provider reports (at the entry's model, else at the model its collected results said answered); returns a
        /// warning when the two usages disagree, else null.
        /// </summary>
        public static string? Fill(IrisBatchInfo batch, JournalEntry? entry, CostCalculator costs)
        {
            if (entry != null && entry.ResultsCollected)
            {
                batch.Collected = true;
                batch.Cost = entry.Cost;
            }
            if (batch.Usage == null) return null;
            var model = !string.IsNullOrEmpty(entry?.Model) ? entry!.Model : batch.Model;
            // On Azure the model is a deployment name, with no price: the model its results said answered prices it.
            batch.ProviderCost = costs.CostOf(batch.Usage, model, batch.Provider, entry?.ResponseModel);
            var ours = entry?.ResultUsage;
            if (entry == null || !entry.ResultsCollected || ours == null) return null;
            var theirs = batch.Usage;
            if (Agree(ours, theirs)) return null;
            return Messages.CostDisagrees(batch.Id, batch.Provider, theirs, batch.ProviderCost, ours, batch.Cost);
        }

        /// <summary>
        /// Whether two usages bill the same: every kind of token that has its own price (input, cached input, output,
        /// reasoning) counts the same. The total is left out: it follows from the others.
        /// </summary>
        public static bool Agree(TokenUsage a, TokenUsage b) =>
            a.InputTokens == b.InputTokens && a.CachedTokens == b.CachedTokens
            && a.OutputTokens == b.OutputTokens && a.ReasoningTokens == b.ReasoningTokens;
    }
}
