using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace IrisBatch.Providers
{
    /// <summary>What a provider accepts in one batch.</summary>
    public sealed class ProviderLimits
    {
        public long MaxRequestsPerBatch { get; set; }
        public long MaxBytesPerBatch { get; set; }
        /// <summary>
        /// Bytes the batch's request body adds around its spooled lines (each line counted with its newline), so that the
        /// body, not only its lines, stays within <see cref="MaxBytesPerBatch"/> and -MaxBytesPerBatch. 0 for an uploaded
        /// file, which is the lines themselves; Anthropic's inline create call is {"requests":[line,line]}.
        /// </summary>
        public long EnvelopeBytes { get; set; }
        /// <summary>True when every request of one batch must name the same model (OpenAI, Azure).</summary>
        public bool OneModelPerBatch { get; set; }
        public int MaxMetadataPairs { get; set; }
        public int MaxMetadataKeyLength { get; set; }
        public int MaxMetadataValueLength { get; set; }
        /// <summary>The shortest metadata value the provider takes (Mistral: 1, spec §12.3; the others take empty values).</summary>
        public int MinMetadataValueLength { get; set; }
        /// <summary>
        /// Whether the provider runs embedding batches (spec §11.5). A capability flag: a provider that adds them
        /// later is this one line (and its request writer). Without it, an Embeddings request is
        /// IrisBatch.UnsupportedEndpoint before anything is sent.
        /// </summary>
        public bool EmbeddingBatches { get; set; }
        /// <summary>Embedding inputs in all per batch (OpenAI: 50,000, §1.9), a limit of its own beside the requests'.</summary>
        public long MaxEmbeddingInputsPerBatch { get; set; } = long.MaxValue;
        /// <summary>
        /// The shortest and longest time the provider's batch window may be set to (Submit-IrisBatch -CompletionWindow);
        /// both null where the provider has no such setting (CompletionWindows.cs).
        /// </summary>
        public TimeSpan? MinCompletionWindow { get; set; }
        public TimeSpan? MaxCompletionWindow { get; set; }
    }

    /// <summary>A spooled batch ready to go: the provider-format request lines on disk, and what describes it.</summary>
    public sealed class BatchSubmission
    {
        public string InputPath { get; set; } = "";
        public long RequestCount { get; set; }
        public long Bytes { get; set; }
        public string Model { get; set; } = "";
        public string? Name { get; set; }
        public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();
        /// <summary>Identifies this batch across retries and restarts; sent in the batch metadata.</summary>
        public string IdempotencyKey { get; set; } = "";
        public string? SetId { get; set; }
        /// <summary>True when the batch's requests are embedding requests (one endpoint per batch).</summary>
        public bool Embeddings { get; set; }
        /// <summary>The input file uploaded for this submission, once the journal knows it.</summary>
        public string? InputFileId { get; set; }
        /// <summary>The batch window asked for with -CompletionWindow (whole hours), or null for the provider's default.</summary>
        public TimeSpan? CompletionWindow { get; set; }

        /// <summary>What a journaled, spooled batch sends: its input file and what describes it.</summary>
        public static BatchSubmission From(Journal.JournalEntry entry, string inputPath) => new BatchSubmission
        {
            InputPath = inputPath,
            RequestCount = entry.RequestCount,
            Bytes = entry.Bytes,
            Model = entry.Model,
            Name = entry.Name,
            Metadata = entry.Metadata,
            IdempotencyKey = entry.IdempotencyKey,
            SetId = entry.SetId,
            Embeddings = entry.Embeddings,
            InputFileId = entry.InputFileId,
            CompletionWindow = entry.CompletionWindowHours.HasValue ? TimeSpan.FromHours(entry.CompletionWindowHours.Value) : (TimeSpan?)null,
        };
    }

    /// <summary>What a provider can do beyond the common protocol (asked instead of testing its type).</summary>
    [Flags]
    public enum ProviderCapabilities
    {
        None = 0,
        /// <summary>Lists its batches, so a create whose answer was lost can be looked for.</summary>
        ListsBatches = 1,
        /// <summary>Lists its batches newest first (a look-up may stop at the first page older than the window).</summary>
        ListsNewestFirst = 2,
        /// <summary>No batch API: IrisBatch runs the requests itself, in whichever process waits (see <see cref="IBatchProvider.Executor"/>).</summary>
        RunsItsOwnRequests = 4,
        /// <summary>Lives in this process and the journal folder (the mock): polling costs nothing.</summary>
        InProcess = 8,
        /// <summary>
        /// Its batches echo nothing of a submission but the request count (Anthropic): the batches it lists just before
        /// a create are noted, so that a look-up after a lost answer never adopts one of them alone for the one it made.
        /// </summary>
        MatchesOnCountOnly = 16,
    }

    public sealed class BatchPage
    {
        public IReadOnlyList<IrisBatchInfo> Batches { get; set; } = new IrisBatchInfo[0];
        public bool HasMore { get; set; }
        /// <summary>The cursor for the next page.</summary>
        public string? Next { get; set; }
    }

    /// <summary>
    /// One provider's batch protocol, in the shape of petal-labs/iris's BatchProvider (create, status, results,
    /// list, cancel), split so the journal can record each step: upload, then create.
    /// Implementations throw <see cref="IrisBatchException"/> (NotFound for unknown ids).
    /// </summary>
    public interface IBatchProvider
    {
        string Name { get; }
        Uri BaseUri { get; }
        /// <summary>Where this provider's batches live, as the journal and IrisBatchInfo.BaseUri record it (several servers for Ollama).</summary>
        string Location { get; }
        ProviderLimits Limits { get; }
        /// <summary>What this provider can do beyond the common protocol.</summary>
        ProviderCapabilities Capabilities { get; }
        /// <summary>
        /// Runs the batch's requests in this process (a provider with no batch API: Ollama), or null. Not null exactly
        /// when <see cref="Capabilities"/> has <see cref="ProviderCapabilities.RunsItsOwnRequests"/>.
        /// </summary>
        IExecutingProvider? Executor { get; }

        /// <summary>Writes one request as the provider wants it in its input (one JSONL line).</summary>
        void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request);

        /// <summary>Uploads the spooled input when the provider takes files; returns the file id, or null for inline providers.</summary>
        Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct);

        /// <summary>The id of an input file uploaded earlier for this idempotency key, or null (nothing is uploaded twice).</summary>
        Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct);

        /// <summary>
        /// True when <paramref name="batch"/>, listed by <see cref="ListAsync"/>, could be the one a create call of
        /// <paramref name="submission"/> made: it matches everything the provider echoes back (the idempotency key in
        /// metadata or display name, the input file <paramref name="inputFileId"/>, the request count, the model or endpoint).
        /// The time window and the journal's own batches are checked by the caller (Submission/CreatedBatchLocator).
        /// </summary>
        bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch);

        /// <summary>
        /// Finishes a batch an earlier create call of this submission made, found by the look-up or named by
        /// -AdoptBatchId: xAI adds the requests that did not arrive; the others return it as it is.
        /// </summary>
        Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct);

        /// <summary>Creates the batch (from the uploaded file, or inline from the spool). Not retried blindly: see BatchSubmitter.</summary>
        Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct);

        Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct);

        /// <summary>One page of batches, newest first. <paramref name="after"/> is the cursor of the previous page.</summary>
        Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct);

        Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct);

        /// <summary>Downloads every result file of a terminal batch into <paramref name="directory"/>; returns the paths written.</summary>
        Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct);

        /// <summary>Turns one result line into a result (Failed with code invalid_result_line when it cannot be read).</summary>
        IrisBatchResult ParseResultLine(string line, long lineNumber);

        /// <summary>What <see cref="DeleteAsync"/> can delete here: files, the batch itself, both, or nothing.</summary>
        RemoteCleanup Cleanup { get; }

        /// <summary>
        /// Deletes one file of a batch, or an ended batch, as <see cref="Cleanup"/> allows (use <see cref="RemoteDelete"/>).
        /// True when deleted; false when it was already gone, which is not an error.
        /// </summary>
        Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct);
    }

    /// <summary>
    /// A provider that can read its common result lines from their UTF-8 bytes, without decoding each line to text
    /// and encoding it back for the JSON reader. Optional: <see cref="IBatchProvider.ParseResultLine"/> reads any line.
    /// </summary>
    public interface IUtf8ResultLines
    {
        /// <summary>The result of the line in <paramref name="bytes"/>, or null to have the line read as text instead.</summary>
        IrisBatchResult? TryParseResultLine(byte[] bytes, int start, int length);
    }
}
