using System;
using System.Collections.Generic;
using System.Linq;

namespace IrisBatch
{
    /// <summary>
    /// The cmdlets' row errors and hints, cost-estimate text, progress texts and completer tooltips (issue 15), from
    /// Resources/Messages.resx like the rest of <see cref="Messages"/>.
    /// </summary>
    public static partial class Messages
    {
        // New-IrisBatchRequest: one row's errors and the hints that follow them.

        public static string RowError(long row, string error) => Format(nameof(RowError), row, error);

        public static string RowNoModel() => Text(nameof(RowNoModel));

        public static string RowNoPrompt() => Text(nameof(RowNoPrompt));

        /// <summary>A -Model script block that gave nothing for a row.</summary>
        public static string ModelScriptGaveNone() => Text(nameof(ModelScriptGaveNone));

        /// <summary>A -Model script block that gave several names for a row (<paramref name="names"/> null: the summary of repeats).</summary>
        public static string ModelScriptGaveSeveral(string? names) =>
            Format(nameof(ModelScriptGaveSeveral), names == null ? "" : Format("ModelScriptNames", names));

        public static string CustomIdFromColumn(string column) => Format(nameof(CustomIdFromColumn), column);

        /// <summary>A sampling parameter given for a reasoning model: from -Temperature, or from -Body.</summary>
        public static string ReasoningSampling(string model, string parameter, bool fromTemperature) =>
            Format(nameof(ReasoningSampling), model, parameter,
                fromTemperature ? Text("ReasoningSamplingFromTemperature") : Format("ReasoningSamplingFromBody", parameter));

        /// <summary>A sampling parameter given for gpt-5.1 or gpt-5.2 at a reasoning effort other than none.</summary>
        public static string ReasoningSamplingAtEffortNone(string model, string parameter, bool fromTemperature) =>
            Format(nameof(ReasoningSamplingAtEffortNone), model, parameter,
                fromTemperature ? Text("ReasoningSamplingFromTemperature") : Format("ReasoningSamplingFromBody", parameter));

        /// <summary>A -Body parameter a reasoning model refuses (spec §11.4): max_tokens, penalties, logprobs, logit_bias.</summary>
        public static string ReasoningBodyParameter(string model, string parameter) =>
            parameter == "max_tokens" ? Format("ReasoningNoMaxTokens", model) : Format(nameof(ReasoningBodyParameter), model, parameter);

        /// <summary>A reasoning effort the model does not take (models.json "efforts").</summary>
        public static string EffortNotTaken(string model, string effort, IReadOnlyList<string> efforts) =>
            Format(nameof(EffortNotTaken), model, effort, string.Join(", ", efforts));

        public static string NothingOfRowSent(string error) => Format(nameof(NothingOfRowSent), error);

        /// <summary>A custom id that is not valid, as the row's error (<paramref name="summary"/> false) or as the summary of repeats.</summary>
        public static string CustomIdFromScript(string customId, bool summary) =>
            summary ? Format("CustomIdFromScriptReason", Text("CustomIdRule")) : Format(nameof(CustomIdFromScript), customId, Text("CustomIdRule"));

        public static string CustomIdDefault(string customId, bool summary) =>
            summary ? Format("CustomIdDefaultReason", Text("CustomIdRule")) : Format(nameof(CustomIdDefault), customId, Text("CustomIdRule"));

        public static string CustomIdColumn(string customId, string column, bool boundByName, bool summary)
        {
            var bound = boundByName ? Text("CustomIdBoundByName") : "";
            return summary ? Format("CustomIdColumnReason", column, bound, Text("CustomIdRule"))
                : Format(nameof(CustomIdColumn), customId, column, bound, Text("CustomIdRule"));
        }

        public static string MessageNoRole(int message) => Format(nameof(MessageNoRole), message);

        public static string ParameterProblem(string parameter, string problem) => Format(nameof(ParameterProblem), parameter, problem);

        public static string ScriptBlockFailed(string parameter, string error) => Format(nameof(ScriptBlockFailed), parameter, error);

        public static string MissingProperty(string placeholder, string parameter) => Format(nameof(MissingProperty), placeholder, parameter);

        /// <summary>The hint after MissingProperty: the input is a scalar of <paramref name="scalarType"/>, has no properties, or has these (with the nearest).</summary>
        /// <summary>After MissingProperty: the row's properties and the nearest ones (nearest first; up to 3).</summary>
        public static string MissingPropertyHint(string? scalarType, IReadOnlyList<string> names, IReadOnlyList<string>? nearest) =>
            scalarType != null ? Format("MissingPropertyScalar", scalarType)
            : names.Count == 0 ? Text("MissingPropertyNone")
            : Format("MissingPropertyNames", string.Join(", ", names), MissingPropertyNear(nearest));

        private static string MissingPropertyNear(IReadOnlyList<string>? nearest) =>
            nearest == null || nearest.Count == 0 ? ""
            : nearest.Count == 1 ? Format("MissingPropertyNear", nearest[0])
            : Format("MissingPropertyNearMore", nearest[0], string.Join(" or ", nearest.Skip(1).Select(n => "{" + n + "}")));

        /// <summary>One warning per column that was empty: how often, and the first rows.</summary>
        public static string EmptyColumn(string column, long count, long rows, IReadOnlyList<string> listed) =>
            Format(nameof(EmptyColumn), column, count, rows, string.Join(", ", listed) + (count > listed.Count ? Format("AndMoreRows", count - listed.Count) : ""));

        public static string DimensionsWithoutEmbeddings() => Text(nameof(DimensionsWithoutEmbeddings));

        public static string ChatOnlyForEmbeddings(IReadOnlyList<string> parameters) =>
            parameters.Count == 1 ? Format(nameof(ChatOnlyForEmbeddings), parameters[0]) : Format("ChatOnlyForEmbeddingsMany", string.Join(", ", parameters));

        public static string DimensionsProblem(string problem) => Format(nameof(DimensionsProblem), problem);

        // Submit-IrisBatch -WhatIf: the estimate of one part.

        /// <summary>", 1,234 input tokens (method), estimated cost 0.01 USD at batch prices of 2025-08-01"; a null cost is unknown.</summary>
        public static string EstimateText(long inputTokens, string method, double? cost, string currency, double? embeddingPrice, string taken) =>
            Format(nameof(EstimateText), inputTokens, method,
                cost.HasValue
                    ? Format("EstimateCost", Amount(cost.Value), currency,
                        embeddingPrice.HasValue ? Format("EstimateEmbeddingPrice", Amount(embeddingPrice.Value), currency) : Text("EstimateBatchPrices"), taken)
                    : Text("EstimateUnknown"));

        // Progress bars.

        public static string ProgressSpooling(long rows, long bytes) => Format(nameof(ProgressSpooling), rows, bytes);

        public static string ProgressPreparing() => Text(nameof(ProgressPreparing));

        public static string ProgressUploading(int batch, int batches, long requests) => Format("ProgressUploadingRequests", batch, batches, requests);

        public static string ProgressUploadingBytes(int batch, int batches, long sent, long bytes) => Format(nameof(ProgressUploadingBytes), batch, batches, sent, bytes);

        public static string ProgressWaitingFor(int batches) => Format(nameof(ProgressWaitingFor), batches);

        public static string ProgressBatch(string batchId) => Format(nameof(ProgressBatch), batchId);

        public static string ProgressWaiting() => Text(nameof(ProgressWaiting));

        public static string ProgressBatchState(BatchStatus status, long processed, long total) => Format(nameof(ProgressBatchState), status, processed, total);

        public static string ProgressBatches(int complete, int batches, long processed, long total) => Format(nameof(ProgressBatches), complete, batches, processed, total);

        public static string BatchAndStatus(string batchId, BatchStatus status) => Format(nameof(BatchAndStatus), batchId, status);

        public static string ProgressDownloading(string batchId) => Format(nameof(ProgressDownloading), batchId);

        public static string ProgressDownloadingBytes(string batchId, long bytes) => Format(nameof(ProgressDownloadingBytes), batchId, bytes);

        /// <summary>"Reading the results of batch b1".</summary>
        public static string ProgressReadingBatch(string batchId) => Format("ProgressReading", Format(nameof(ProgressReadingBatch), batchId));

        /// <summary>"Reading the results of 3 batches of set s1".</summary>
        public static string ProgressReadingSet(int batches, string? setId) => Format("ProgressReading", Format(nameof(ProgressReadingSet), batches, setId));

        /// <summary>"10 of 100 results", or "10 results" when the total is not known (0).</summary>
        public static string ProgressResults(long count, long expected) =>
            expected > 0 ? Format(nameof(ProgressResults), count, expected) : Format("ProgressResultsCount", count);

        public static string BatchResultCount(string batchId, long results) => Format(nameof(BatchResultCount), batchId, results);

        public static string VectorFileWithInput() => Text(nameof(VectorFileWithInput));

        public static string VectorFileNotEmbeddings(string batchId, string? endpoint) => Format(nameof(VectorFileNotEmbeddings), batchId, endpoint);

        // Tab-completion tooltips.

        public static string CompleteBatch(string? name, string status, long requests, string model, string provider, string when) =>
            Format(nameof(CompleteBatch), NameOrNone(name), status, requests, model, provider, when);

        public static string CompleteSet(string? name, int batches, string provider) => Format(nameof(CompleteSet), NameOrNone(name), batches, provider);

        /// <summary>A provider: where it sends (<paramref name="where"/>) and the variable of its key (empty: it needs none).</summary>
        public static string CompleteProvider(string provider, string where, string keyVariable) =>
            Format(nameof(CompleteProvider), provider, where, keyVariable.Length > 0 ? Format("CompleteKeyIn", keyVariable) : Text("CompleteNoKey"));

        /// <summary>A model, with its batch prices per million tokens when the price table has them.</summary>
        public static string CompleteModel(string model, string provider, double? input, double? output, string? currency) =>
            Format(nameof(CompleteModel), model, provider, input.HasValue && output.HasValue ? Format("CompleteModelPrice", Amount(input.Value), Amount(output.Value), currency) : "");

        private static string NameOrNone(string? name) => string.IsNullOrEmpty(name) ? Text("CompleteNoName") : name!;
    }
}
