using IrisBatch.Journal;

namespace IrisBatch.Estimates
{
    /// <summary>A batch's cost as Get-IrisBatchStatus shows it: the sum of its collected results, beside the provider's own usage.</summary>
    public static class BatchCost
    {
        /// <summary>
        /// Sets the batch's Cost from the journal (once its results are collected) and its ProviderCost from the usage
        /// the provider reports; returns a warning when the two usages disagree, else null.
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
            batch.ProviderCost = costs.CostOf(batch.Usage, model, batch.Provider);
            var ours = entry?.ResultUsage;
            if (entry == null || !entry.ResultsCollected || ours == null) return null;
            var theirs = batch.Usage;
            if (ours.InputTokens == theirs.InputTokens && ours.OutputTokens == theirs.OutputTokens) return null;
            return $"Batch {batch.Id}: {batch.Provider} reports {theirs.InputTokens:N0} input and {theirs.OutputTokens:N0} output tokens " +
                $"(${batch.ProviderCost:0.######}), but its results add up to {ours.InputTokens:N0} input and {ours.OutputTokens:N0} output tokens " +
                $"(${batch.Cost:0.######}). Cost is the sum of the results; ProviderCost is the provider's figure.";
        }
    }
}
