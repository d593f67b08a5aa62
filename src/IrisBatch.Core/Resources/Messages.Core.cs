using System;
using System.Collections.Generic;

namespace IrisBatch
{
    /// <summary>
    /// The core's messages (issue 15): HTTP failures, embedding, image, schema and template errors, the -WhatIf notes
    /// and the submission and journal errors, from Resources/Messages.resx like the rest of <see cref="Messages"/>.
    /// </summary>
    public static partial class Messages
    {
        // The HTTP pipeline. "what" is the call, e.g. "create batch".

        public static string NoSuchBatch(string provider, string batchId, string authority, string? requestId) =>
            Format(nameof(NoSuchBatch), provider, batchId, authority, RequestIdNote(requestId));

        /// <summary>" (request id req_1)", or "" when the provider sent none.</summary>
        private static string RequestIdNote(string? requestId) => requestId == null ? "" : Format(nameof(RequestIdNote), requestId);

        public static string NotJson(string provider, string what, string? requestId) => Format(nameof(NotJson), provider, what, RequestIdNote(requestId));

        public static string ListWithoutItems(string provider, string what, string field) => Format(nameof(ListWithoutItems), provider, what, field);

        public static string ListCursorStuck(string provider, int page) => Format(nameof(ListCursorStuck), provider, page);

        public static string ListIncomplete(string provider, int page, int listed) => Format(nameof(ListIncomplete), provider, page, listed);

        public static string CallOfBatch(string what, string batchId) => Format(nameof(CallOfBatch), what, batchId);

        public static string BodyCutShort(string provider, long actual, long expected, string what, string? requestId) =>
            Format(nameof(BodyCutShort), provider, actual, expected, what, RequestIdNote(requestId));

        public static string HttpError(string provider, string what, int status, string? code, string? message, string? requestId) =>
            Format(nameof(HttpError), provider, what, status, code != null ? Format("HttpErrorCode", code) : "", message, RequestIdNote(requestId));

        public static string RetryIn(int attempt, int retries, TimeSpan delay, string? reason) =>
            Format(nameof(RetryIn), attempt, retries, Seconds(delay), reason ?? Text("UnknownFailure"));

        public static string Calling(string provider, string what) => Format(nameof(Calling), provider, what);

        public static string AttemptTimeout(string provider, string what, TimeSpan timeout) => Format(nameof(AttemptTimeout), provider, what, timeout.TotalSeconds);

        public static string OverallTimeout(string provider, string what, TimeSpan budget) => Format(nameof(OverallTimeout), provider, what, budget.TotalSeconds);

        public static string Unreachable(string provider, string authority, string what, string error) => Format(nameof(Unreachable), provider, authority, what, error);

        public static string CallFailed(string provider, string what, string error) => Format(nameof(CallFailed), provider, what, error);

        // A result's own errors.

        public static string Refused() => Text(nameof(Refused));

        /// <summary>An answer cut at the token limit: <paramref name="stopReason"/> is the provider's word for it (length, max_tokens).</summary>
        public static string Truncated(string stopReason) => Format(nameof(Truncated), stopReason);

        /// <summary>An answer the provider stopped for a reason other than the token limit (content_filter), or a Response that failed with no error of its own.</summary>
        public static string Stopped(string reason) => Format(nameof(Stopped), reason);

        // Embeddings.

        public static string NoEmbeddingBatches(string provider) => Format(nameof(NoEmbeddingBatches), Providers.ProviderNames.Display(provider));

        public static string EmbeddingInputEmpty() => Text(nameof(EmbeddingInputEmpty));

        public static string EmbeddingInputTooLong(string model, int tokens, int max) => Format(nameof(EmbeddingInputTooLong), model, tokens, max);

        /// <summary>-Dimensions on a provider whose embedding body has no field IrisBatch knows for it (Mistral, spec §12).</summary>
        public static string NoDimensions(string provider) => Format(nameof(NoDimensions), provider);

        public static string EmbeddingBodyInputs(int count) => Format(nameof(EmbeddingBodyInputs), count);

        public static string FixedDimensions(string model) => Format(nameof(FixedDimensions), model);

        public static string TooManyDimensions(string model, int max, int dimensions) => Format(nameof(TooManyDimensions), model, max, dimensions);

        public static string VectorLengthDiffers(string customId, int length, int earlier) => Format(nameof(VectorLengthDiffers), customId, length, earlier);

        // Requests: images, endpoints, schemas, templates.

        public static string ImageEmpty() => Text(nameof(ImageEmpty));

        public static string ImageUrlInvalid(string text) => Format(nameof(ImageUrlInvalid), text);

        public static string ImageUrlNotHttps(string url) => Format(nameof(ImageUrlNotHttps), url);

        public static string ImagePathInvalid(string text, string error) => Format(nameof(ImagePathInvalid), text, Inner(error));

        public static string ImageFileMissing(string path) => Format(nameof(ImageFileMissing), path);

        public static string ImageFileTooBig(string path, long bytes, long maxMegabytes) => Format(nameof(ImageFileTooBig), path, bytes, maxMegabytes);

        public static string ImageFileUnreadable(string path, string error) => Format(nameof(ImageFileUnreadable), path, Inner(error));

        public static string ImageNotAnImage(string path) => Format(nameof(ImageNotAnImage), path);

        public static string NoResponsesEndpoint(string provider) => Format(nameof(NoResponsesEndpoint), Providers.ProviderNames.Display(provider));

        public static string NoImageUrls(string provider, string url) => Format(nameof(NoImageUrls), provider, url);

        public static string ImageTooBigFor(string path, long bytes, long maxMegabytes, string provider) => Format(nameof(ImageTooBigFor), path, bytes, maxMegabytes, provider);

        public static string ImageTypeRefused(string provider, string? mediaType, string path, IReadOnlyList<string> types) =>
            Format(nameof(ImageTypeRefused), provider, mediaType, path, string.Join(", ", types));

        public static string ImageAnimated(string provider, string path) => Format(nameof(ImageAnimated), provider, path);

        public static string TooManyImages(int count, int max, string provider) => Format(nameof(TooManyImages), count, max, provider);

        public static string ImagesTooBigInAll(long bytes, long maxMegabytes, string provider) => Format(nameof(ImagesTooBigInAll), bytes, maxMegabytes, provider);

        public static string ImageTooManyPixels(string path, int width, int height, int maxSide, string provider) =>
            Format(nameof(ImageTooManyPixels), path, width, height, maxSide, provider);

        public static string ImageTooManyPixelsForMany(string path, int width, int height, int maxSide, int many, string provider) =>
            Format(nameof(ImageTooManyPixelsForMany), path, width, height, maxSide, many, provider);

        public static string RequestRowError(long row, string customId, string error) => Format(nameof(RequestRowError), row, customId, error);

        public static string NothingUploaded(string error) => Format(nameof(NothingUploaded), error);

        public static string SchemaNotJson(string origin, string error) => Format(nameof(SchemaNotJson), origin, error);

        public static string SchemaNotObject(string origin) => Format(nameof(SchemaNotObject), origin);

        /// <summary>A root that is not "type": "object": <paramref name="found"/> is the type as JSON, or null when it has none.</summary>
        public static string SchemaNotObjectType(string origin, string? found) => Format(nameof(SchemaNotObjectType), origin, found ?? Text("SchemaNoType"));

        public static string SchemaNoProperties(string origin) => Format(nameof(SchemaNoProperties), origin);

        public static string SchemaTypeNotClass(string type) => Format(nameof(SchemaTypeNotClass), type);

        public static string SchemaTypeRecursive(string type, string where) => Format(nameof(SchemaTypeRecursive), type, where);

        public static string SchemaTypeEmpty(string type, string where) => Format(nameof(SchemaTypeEmpty), type, where);

        public static string SchemaTypeUnstated(string where, string type) => Format(nameof(SchemaTypeUnstated), where, type);

        public static string SchemaFromText() => Text(nameof(SchemaFromText));

        public static string SchemaFromFile(string path) => Format(nameof(SchemaFromFile), path);

        public static string SchemaFromHashtable() => Text(nameof(SchemaFromHashtable));

        public static string TemplateUnclosed(int position) => Format(nameof(TemplateUnclosed), position);

        public static string TemplateMalformed(int position) => Format(nameof(TemplateMalformed), position);

        public static string TemplateLoneBrace(int position) => Format(nameof(TemplateLoneBrace), position);

        // Estimates: the -WhatIf notes under the table, and cost checks.

        /// <summary>"Prices: batch prices of 2025-08-01 (source)." with how old they are when stale (<paramref name="staleDays"/>).</summary>
        public static string PricesOf(string taken, string source, int? staleDays) =>
            Format(nameof(PricesOf), taken.Length > 0 ? taken : Text("PricesUnknownDate"), source, staleDays.HasValue ? Format("PricesStale", staleDays.Value) : Text("PricesFresh"));

        public static string OutputEstimated() => Text(nameof(OutputEstimated));

        public static string EmbeddingsNoOutput(string model, double? price, string currency) =>
            Format(nameof(EmbeddingsNoOutput), model, price.HasValue ? Format("EmbeddingsPriced", Amount(price.Value), currency) : Text("EmbeddingsUnpriced"));

        public static string ReasoningNote() => Text(nameof(ReasoningNote));

        public static string UnknownNote() => Text(nameof(UnknownNote));

        public static string CostDisagrees(string batchId, string provider, TokenUsage theirs, decimal? providerCost, TokenUsage ours, decimal? cost) =>
            Format(nameof(CostDisagrees), batchId, provider,
                theirs.InputTokens, theirs.CachedTokens, theirs.OutputTokens, theirs.ReasoningTokens, Amount(providerCost),
                ours.InputTokens, ours.CachedTokens, ours.OutputTokens, ours.ReasoningTokens, Amount(cost));

        public static string PriceTableUnreadable(string path, string error) => Format(nameof(PriceTableUnreadable), path, error);

        // Submission and the journal.

        public static string TooManyToLookUp(string provider, int batches) => Format(nameof(TooManyToLookUp), provider, batches);

        public static string RowOverTokenBudget(long row, string customId, long tokens, long budget) => Format(nameof(RowOverTokenBudget), row, customId, tokens, budget);

        public static string RowOverByteLimit(long row, string customId, long bytes, long limit, string provider) => Format(nameof(RowOverByteLimit), row, customId, bytes, limit, provider);

        public static string RowInputJsonInvalid(long row, string customId, string error) => Format(nameof(RowInputJsonInvalid), row, customId, Inner(error));

        public static string InvalidId(string? id, string what) => Format(nameof(InvalidId), id, what);

        public static string JournalRequestUnreadable(string path, long offset, string error) => Format(nameof(JournalRequestUnreadable), path, offset, error);
        public static string JournalEntryUnreadable(string path, string error) => Format(nameof(JournalEntryUnreadable), path, error);

        /// <summary>Submit-IrisBatch: the journal's record of an earlier submission of the same requests is unreadable.</summary>
        public static string EarlierSubmissionUnreadable(long requests, string path, string error) => Format(nameof(EarlierSubmissionUnreadable), requests, path, error);

        public static string JournalValueInvalid(string property, string kind) => Format(nameof(JournalValueInvalid), property, kind);
    }
}
