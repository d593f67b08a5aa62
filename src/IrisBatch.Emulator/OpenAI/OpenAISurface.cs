using System;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>
/// One mount of the OpenAI Files+Batches protocol: its path prefix, how it authenticates, the rules batches are created
/// under, how its batch objects are shaped, and how it answers an unknown URL. OpenAI's own surface is /v1;
/// <c>--openai-prefix</c> adds OpenAI-compatible hosts, and Azure adds its two (Azure/AzureRoutes.cs).
/// All surfaces share one store of files and batches.
/// </summary>
internal sealed record OpenAISurface(
    string Prefix,
    Func<HttpContext, IResult?> Authenticate,
    BatchRules Rules,
    Func<JsonObject, JsonObject>? ShapeBatch = null,
    Func<HttpContext, IResult>? UnknownUrl = null)
{
    public JsonObject Shape(JsonObject batch) => ShapeBatch is null ? batch : ShapeBatch(batch);

    /// <summary>The surface's own store of batches (Groq's service is not OpenAI's); null: the OpenAI store shared with Azure.</summary>
    public BatchStore? Batches { get; init; }

    /// <summary>What the surface's Files API takes and answers (default OpenAI's).</summary>
    public FileRules Files { get; init; } = FileRules.OpenAI;

    /// <summary>
    /// True: GET /batches takes no limit/after and answers <c>{object, data}</c>, with <c>paging.next_cursor</c> and
    /// <c>?cursor=</c> past <see cref="CursorPageSize"/> batches and <c>?id=</c> look-ups (Groq, spec §13.5).
    /// </summary>
    public bool CursorList { get; init; }

    public const int CursorPageSize = 100;

    public BatchStore Store(EmulatorState state) => Batches ?? state.OpenAIBatches;
}

/// <summary>What a surface's Files API takes and how its file objects and lists look.</summary>
internal sealed record FileRules
{
    public static readonly FileRules OpenAI = new() { Account = Accounts.OpenAI };

    /// <summary>The account its files belong to (<see cref="StoredFile.Account"/>); a file of another is not found.</summary>
    public string Account { get; init; } = "";

    /// <summary>The purposes an upload may name.</summary>
    public string[] Purposes { get; init; } = { "assistants", "batch", "fine-tune", "vision", "user_data", "evals" };

    /// <summary>Whether an upload takes expires_after[anchor|seconds] (not Groq).</summary>
    public bool UploadExpiry { get; init; } = true;

    /// <summary>The largest batch input file (OpenAI 200 MB; Groq 100 MB).</summary>
    public long MaxBatchFileBytes { get; init; } = FilesRoutes.MaxBatchFileBytes;

    /// <summary>Whether GET /files pages with limit/order/after and answers first_id/last_id/has_more (OpenAI; Groq takes no parameters).</summary>
    public bool PagedList { get; init; } = true;

    /// <summary>Whether file objects carry the deprecated status, status_details and expires_at (OpenAI; not Groq).</summary>
    public bool StatusFields { get; init; } = true;

    /// <summary>A new id for an uploaded file (default "file-" and 22 letters or digits).</summary>
    public Func<string>? NewId { get; init; }

    /// <summary>How long an uploaded file answers <c>pending</c> before <c>processed</c> (Azure, --azure-file-processing-ms).</summary>
    public TimeSpan ProcessingTime { get; init; }
}

/// <summary>What a surface accepts when a batch is created, and how its batches and result lines look.</summary>
/// <param name="MaxRequests">Requests per input file (OpenAI 50,000; Azure 100,000).</param>
/// <param name="UnversionedPaths">Whether the batch endpoint and the lines' url may omit the /v1 (Azure: "/chat/completions").</param>
/// <param name="Embeddings">Whether /v1/embeddings batches are served (Azure: "currently not supported", spec §11.5).</param>
internal sealed record BatchRules(int MaxRequests, bool UnversionedPaths, bool Embeddings = true)
{
    public static readonly BatchRules OpenAI = new(50_000, false) { ContentFilter = true, Account = Accounts.OpenAI };
    public static readonly BatchRules Azure = new(100_000, true, Embeddings: false) { ContentFilter = true, Account = Accounts.OpenAI };

    /// <summary>
    /// The account of its input and result files (<see cref="StoredFile.Account"/>): a create naming another account's
    /// file is refused as an unknown file, and result files are written to this one. Empty: not checked.
    /// </summary>
    public string Account { get; init; } = "";

    /// <summary>
    /// Embedding inputs summed over all requests of a /v1/embeddings batch (OpenAI: 50,000, spec §1.9, §11.5); null for
    /// no such limit (Mistral: §12.6 gives requests, bytes and inline limits only).
    /// </summary>
    public int? MaxEmbeddingInputs { get; init; } = EmbeddingRequests.MaxInputsPerBatch;

    /// <summary>Whether answers can be stopped by a content filter ("[content-filter]"; OpenAI and Azure, spec §11.1, §11.3).</summary>
    public bool ContentFilter { get; init; }

    /// <summary>
    /// The model that answers a request naming <c>model</c>, as its result body's <c>model</c> says (Azure: the model
    /// behind the deployment, spec §2); null: the model named.
    /// </summary>
    public Func<string, string>? AnsweringModel { get; init; }

    /// <summary>
    /// The model rules a request is read by (reasoning models refusing max_tokens and sampling parameters, spec §11.4;
    /// images, schemas). Azure applies the rules of the model behind the deployment (<see cref="AnsweringModel"/>), not
    /// of the deployment's name.
    /// </summary>
    public OpenAIRequests.Dialect Dialect { get; init; } = OpenAIRequests.Dialect.OpenAI;

    /// <summary>The endpoints a batch may name (null: OpenAI's list, <see cref="CreateBatchRequest.Endpoints"/>).</summary>
    public string[]? Endpoints { get; init; }

    /// <summary>The completion_window range in hours (OpenAI and Azure: only 24; Groq 24 to 168).</summary>
    public int MinWindowHours { get; init; } = 24;
    public int MaxWindowHours { get; init; } = 24;

    /// <summary>Whether create takes output_expires_after (OpenAI, Azure; not Groq).</summary>
    public bool OutputExpiry { get; init; } = true;

    /// <summary>Lines are <c>{custom_id, method, url, body}</c> (OpenAI, Groq) or only <c>{custom_id, body}</c> (Mistral, Together).</summary>
    public bool BodyOnlyLines { get; init; }

    /// <summary>Whether every line of a file must name the same model (OpenAI's rule; Groq's guide mixes them).</summary>
    public bool OneModelPerFile { get; init; } = true;

    /// <summary>Whether the model may be left out of each body because the job names it (Mistral).</summary>
    public bool ModelOnJob { get; init; }

    /// <summary>Whether custom_id may be missing (Mistral's schema): the line's 0-based index stands in for it.</summary>
    public bool CustomIdOptional { get; init; }

    /// <summary>The longest custom_id (Together: 64); null for no rule.</summary>
    public int? MaxCustomIdLength { get; init; }

    /// <summary>How result lines look: OpenAI's (with request_id), Mistral's (without), or Together's (no id, error lines without response).</summary>
    public ResultLineStyle LineStyle { get; init; } = ResultLineStyle.OpenAI;

    /// <summary>The purpose of the output and error files (OpenAI batch_output; Mistral batch; Together batch-generated).</summary>
    public string OutputPurpose { get; init; } = "batch_output";

    /// <summary>A new id for an output or error file (default "file-" and 22 letters or digits).</summary>
    public Func<string>? NewFileId { get; init; }

    /// <summary>How a request that failed is answered in its result line's body (default OpenAI's error envelope).</summary>
    public Func<FakeAnswer, JsonObject>? FailureBody { get; init; }

    /// <summary>Reshapes a successful request's body (default OpenAI's as built): Mistral's bodies lack OpenAI's extras.</summary>
    public Func<JsonObject, JsonObject>? SuccessBody { get; init; }

    /// <summary>The provider's view of a batch at one instant (default OpenAI's Batch object, <see cref="BatchJson.Build"/>).</summary>
    public Func<OpenAIBatch, TimelineSnapshot, JsonObject>? View { get; init; }

    /// <summary>The /v1 form of an endpoint or url under these rules; the fake model and response bodies go by it.</summary>
    public string Canonical(string path) =>
        UnversionedPaths && path.StartsWith('/') && !path.StartsWith("/v1/", StringComparison.Ordinal) ? "/v1" + path : path;
}

internal enum ResultLineStyle
{
    OpenAI,
    Mistral,
    Together,
}

/// <summary>The accounts files are kept apart by (<see cref="StoredFile.Account"/>): Azure shares OpenAI's store.</summary>
internal static class Accounts
{
    public const string OpenAI = "openai", Groq = "groq", Mistral = "mistral", Together = "together";
}
