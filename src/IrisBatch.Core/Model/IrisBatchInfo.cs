using System;
using System.Collections.Generic;

namespace IrisBatch
{
    /// <summary>A validation error the provider reported for the batch's input (with the input line).</summary>
    public sealed class BatchValidationError
    {
        public string? Code { get; set; }
        public string? Message { get; set; }
        public string? Param { get; set; }
        public long? Line { get; set; }
        public override string ToString() => Line.HasValue ? $"line {Line}: {Code}: {Message}" : $"{Code}: {Message}";
    }

    /// <summary>The state of one provider batch, and where it lives, so later commands need nothing else.</summary>
    public sealed class IrisBatchInfo
    {
        public string Id { get; set; } = "";
        public string Provider { get; set; } = "";
        public string BaseUri { get; set; } = "";
        public BatchStatus Status { get; set; }
        /// <summary>The provider's own status word.</summary>
        public string? ProviderStatus { get; set; }
        public bool IsComplete => Status.IsTerminal();
        public long Total { get; set; }
        public long Succeeded { get; set; }
        public long Failed { get; set; }
        /// <summary>Requests finished so far (succeeded + failed).</summary>
        public long Processed => Succeeded + Failed;
        public DateTimeOffset? CreatedAt { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }
        public DateTimeOffset? ExpiresAt { get; set; }
        public string? Endpoint { get; set; }
        public string? Model { get; set; }
        public string? Name { get; set; }
        public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();
        public string? InputFileId { get; set; }
        public string? OutputFileId { get; set; }
        public string? ErrorFileId { get; set; }
        /// <summary>Where the results are (Anthropic's results_url), when the provider says.</summary>
        public string? ResultsUrl { get; set; }
        public IReadOnlyList<BatchValidationError> Errors { get; set; } = new BatchValidationError[0];
        /// <summary>The id shared by the batches of one submission.</summary>
        public string? SetId { get; set; }
        /// <summary>
        /// The journal's record of this batch (its folder's name), when the journal has one. A submission that never got
        /// a batch (Get-IrisBatchStatus -Local lists it with no Id) is named by it alone: Remove-IrisBatch -SubmissionId.
        /// </summary>
        public string? SubmissionId { get; set; }

        /// <summary>A journal submission that never got a batch (Get-IrisBatchStatus -Local lists it with no Id): named by its SubmissionId alone.</summary>
        internal bool IsSubmissionWithoutBatch => Id.Length == 0 && !string.IsNullOrEmpty(SubmissionId);
        /// <summary>The key that makes re-submitting the same batch safe.</summary>
        public string? IdempotencyKey { get; set; }
        /// <summary>The batch's usage as the provider reports it (OpenAI, Azure), when it does.</summary>
        public TokenUsage? Usage { get; set; }
        /// <summary>What the batch cost in USD: the sum of its results' Cost, once they are collected; null before, or when a price is unknown.</summary>
        public decimal? Cost { get; set; }
        /// <summary>The provider's batch-level <see cref="Usage"/> at the same prices, where the provider reports it.</summary>
        public decimal? ProviderCost { get; set; }
        /// <summary>Whether the journal holds this batch's results (Get-IrisBatchResult collected them).</summary>
        public bool Collected { get; set; }

        public double PercentComplete => Total <= 0 ? (IsComplete ? 100 : 0) : Math.Min(100.0, 100.0 * Processed / Total);

        /// <summary>
        /// The key this batch was submitted or fetched with, kept in memory only (never shown, serialized or journaled)
        /// so the next command in the pipeline can reach the batch without asking again.
        /// </summary>
        internal System.Security.SecureString? Credential { get; set; }

        public override string ToString() => Id;
    }
}
