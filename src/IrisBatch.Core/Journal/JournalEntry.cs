using System;
using System.Collections.Generic;

namespace IrisBatch.Journal
{
    /// <summary>How far a submission got: each step is journaled before the next network call.</summary>
    public enum SubmissionState
    {
        Spooled,
        Uploaded,
        Created,
    }

    /// <summary>The local record of one batch: where it lives (never the key), what was sent, what happened.</summary>
    public sealed class JournalEntry
    {
        public string SubmissionId { get; set; } = "";
        public string? SetId { get; set; }
        public string Provider { get; set; } = "";
        public string BaseUri { get; set; } = "";
        public string Model { get; set; } = "";
        public string? Name { get; set; }
        public Dictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();
        public string IdempotencyKey { get; set; } = "";
        /// <summary>Submit-IrisBatch -CompletionWindow in hours, or null for the provider's default.</summary>
        public int? CompletionWindowHours { get; set; }
        /// <summary>A hash of the requests, model and provider: the same submission run again has the same one.</summary>
        public string? Fingerprint { get; set; }
        public SubmissionState State { get; set; }
        public string? InputFileId { get; set; }
        public string? BatchId { get; set; }
        public long RequestCount { get; set; }
        public long Bytes { get; set; }
        public long InputTokens { get; set; }
        /// <summary>True when a request of the batch asks for structured output (-Schema): its results are checked as JSON.</summary>
        public bool Structured { get; set; }
        public DateTimeOffset SpooledAt { get; set; }
        public List<StateChange> History { get; set; } = new List<StateChange>();
        public BatchStatus? LastStatus { get; set; }
        public string? LastProviderStatus { get; set; }
        public DateTimeOffset? LastCheckedAt { get; set; }
        /// <summary>True once the results of a terminal batch are downloaded into the journal.</summary>
        public bool ResultsDownloaded { get; set; }
        public bool ResultsCollected { get; set; }
        /// <summary>What the collected results cost in USD (the sum of their Cost); null when a price is unknown.</summary>
        public decimal? Cost { get; set; }
        /// <summary>The usage of the collected results, summed.</summary>
        public TokenUsage? ResultUsage { get; set; }
        /// <summary>
        /// The model the collected results' lines say answered (<see cref="IrisBatchResult.ResponseModel"/>, the first
        /// one named); on Azure the model behind the deployment <see cref="Model"/> names. The provider's batch-level usage
        /// is priced by it when <see cref="Model"/> has no price. Null until results naming one are collected.
        /// </summary>
        public string? ResponseModel { get; set; }
        /// <summary>
        /// Requests that succeeded, and that did not (failed, expired, cancelled): as the provider last counted them,
        /// then, once the results are collected, as they came.
        /// </summary>
        public long? Succeeded { get; set; }
        public long? Failed { get; set; }
        /// <summary>When Remove-IrisBatch -KeepLocal deleted the batch's files at the provider (the results stay here).</summary>
        public DateTimeOffset? RemoteRemovedAt { get; set; }
        /// <summary>
        /// The errors the batch object listed (a batch that failed validation: they are its requests' results) when
        /// Remove-IrisBatch -KeepLocal deleted it at the provider, where they can no longer be asked for; null when none.
        /// </summary>
        public List<BatchValidationError>? BatchErrors { get; set; }
        /// <summary>True for a batch of embedding requests (spec §11.5): its create call and results differ from chat's.</summary>
        public bool Embeddings { get; set; }
        /// <summary>
        /// Every model of a batch whose requests name more than one (Anthropic, xAI and Ollama take a model per
        /// request), in the order they first came; null when all name <see cref="Model"/>. Each result is then priced
        /// at its own request's model.
        /// </summary>
        public List<string>? Models { get; set; }
        /// <summary>
        /// The batches a provider that matches on the request count alone (Anthropic) listed just before the first create
        /// call, that a look-up could otherwise take for this one: a lone candidate among them is not this submission's
        /// (the create made nothing); beside another candidate, the look-up stays uncertain and asks.
        /// </summary>
        public List<string>? ListedBeforeCreate { get; set; }
    }

    public sealed class StateChange
    {
        public DateTimeOffset At { get; set; }
        /// <summary>The step's stable text form, as on disk (see <see cref="JournalSteps"/>).</summary>
        public string State { get; set; } = "";
        /// <summary>The step, typed; <see cref="JournalStep.Unknown"/> for words this version does not know.</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public JournalStep Step => JournalSteps.Parse(State);
        public string? Detail { get; set; }
    }
}
