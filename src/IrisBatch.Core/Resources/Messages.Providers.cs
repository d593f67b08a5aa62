using System;
using System.Collections.Generic;
using IrisBatch.Providers;

namespace IrisBatch
{
    /// <summary>
    /// The providers' messages (issue 15): choosing a provider, its address and key, completion windows, remote
    /// clean-up, the request writers' row errors and the Ollama executor's lines, from Resources/Messages.resx.
    /// The providers' own words (an error message they send) are passed through as values, never translated here.
    /// </summary>
    public static partial class Messages
    {
        public static string UnknownProvider(string? name, IEnumerable<string> known) => Format(nameof(UnknownProvider), name, string.Join(", ", known));

        public static string OneBaseUri(string provider) => Format(nameof(OneBaseUri), provider);
        public static string MixedServers(string compatible, string native) => Format(nameof(MixedServers), compatible, native);

        public static string NoDefaultAddress(string provider, string variable) => Format(nameof(NoDefaultAddress), provider, variable);

        public static string NotHttpUri(string? text, string provider) => Format(nameof(NotHttpUri), text, provider);

        public static string NoApiKey(string provider, string variable) => Format(nameof(NoApiKey), provider, variable);

        public static string PlainHttpKey(string authority) => Format(nameof(PlainHttpKey), authority);

        public static string NotImplemented(string provider) => Format(nameof(NotImplemented), provider);

        public static string NoCompletionWindow(string provider) => Format(nameof(NoCompletionWindow), provider);

        /// <summary>A window that is not whole hours (<paramref name="wholeHours"/> false) or outside the provider's range.</summary>
        public static string WindowRefused(string window, string provider, string least, string most, bool wholeHours)
        {
            var takes = least == most ? Format("WindowOnly", least) : Format("WindowRange", least, most);
            return wholeHours ? Format("WindowOutside", window, provider, takes) : Format("WindowNotWholeHours", window, provider, takes);
        }

        public static string NoDelete(string provider, string item) => Format(nameof(NoDelete), provider, item);

        /// <summary>"input file f1", "output file f2", "error file f3", "batch b1".</summary>
        public static string RemoteItem(RemoteKind kind, string id) => kind switch
        {
            RemoteKind.InputFile => Format("RemoteInputFile", id),
            RemoteKind.OutputFile => Format("RemoteOutputFile", id),
            RemoteKind.ErrorFile => Format("RemoteErrorFile", id),
            _ => Format("RemoteBatch", id),
        };

        /// <param name="fromBody">Thinking is turned on by -Body's thinking, not by -ReasoningEffort.</param>
        public static string ThinkingNoTemperature(string model, bool fromBody) => Format(nameof(ThinkingNoTemperature), model, ThinkingSource(fromBody));
        public static string ThinkingNoTopK(string model, bool fromBody) => Format(nameof(ThinkingNoTopK), model, ThinkingSource(fromBody));
        public static string ThinkingTopP(string model, bool fromBody) => Format(nameof(ThinkingTopP), model, ThinkingSource(fromBody));
        public static string ThinkingForcedTool(string model, bool fromBody, string type) => Format(nameof(ThinkingForcedTool), model, ThinkingSource(fromBody), type);
        private static string ThinkingSource(bool fromBody) => fromBody ? Text("ThinkingFromBody") : "-ReasoningEffort";

        public static string ThinkingBudget(int maxTokens) => Format(nameof(ThinkingBudget), maxTokens);

        public static string OpenAIStrictSchema(string provider, string problem) => Format(nameof(OpenAIStrictSchema), provider, problem);
        public static string XaiSchema(string problem) => Format(nameof(XaiSchema), problem);
        public static string XaiRequestTooLarge(long bytes, long limit) => Format(nameof(XaiRequestTooLarge), bytes, limit);

        public static string AnthropicSchemaOptional(int count, int max) => Format(nameof(AnthropicSchemaOptional), count, max);
        public static string AnthropicSchemaUnions(int count, int max) => Format(nameof(AnthropicSchemaUnions), count, max);
        public static string AnthropicPrefill(bool schema) => Format(nameof(AnthropicPrefill), schema ? "-Schema" : Text("AnthropicPrefillThinking"));

        public static string NoResultsUrl(string batchId) => Format(nameof(NoResultsUrl), batchId);

        public static string PlainHttpResults(string authority, string batchId) => Format(nameof(PlainHttpResults), authority, batchId);

        public static string ResponsesMaxTokens(int maxTokens) => Format(nameof(ResponsesMaxTokens), maxTokens);

        public static string NoReasoningEffort(string provider) => Format(nameof(NoReasoningEffort), provider);

        /// <summary>-ReasoningEffort on a model models.json knows as a plain chat model (gpt-4o-mini, gemini-2.0-flash).</summary>
        public static string NoReasoningModel(string model, string provider) => Format(nameof(NoReasoningModel), model, provider);

        public static string NoImages(string provider) => Format(nameof(NoImages), provider);

        public static string MistralIdNotUuid(string id, string authority) => Format(nameof(MistralIdNotUuid), id, authority);

        public static string NoLocalBatch(string batchId, string journal) => Format(nameof(NoLocalBatch), batchId, journal);

        public static string UploadNoFileId(string provider) => Format(nameof(UploadNoFileId), provider);

        public static string CreateNoBatchId(string provider) => Format(nameof(CreateNoBatchId), provider);

        public static string StatusNoBatchId(string provider, string batchId) => Format(nameof(StatusNoBatchId), provider, batchId);

        public static string FileNotProcessed(string provider, string fileId, string status, string? details) =>
            Format(nameof(FileNotProcessed), provider, fileId, status, string.IsNullOrWhiteSpace(details) ? "" : details!.Trim() + " ");

        public static string FileStillProcessing(string provider, string fileId, string status, TimeSpan waited) =>
            Format(nameof(FileStillProcessing), provider, fileId, status, waited.TotalSeconds);

        public static string FileProcessingWait(string provider, string fileId, string status, TimeSpan delay) =>
            Format(nameof(FileProcessingWait), provider, fileId, status, delay.TotalSeconds);

        public static string UploadNoUrl() => Text(nameof(UploadNoUrl));
        public static string XaiAddIncomplete(string batchId, long added, long total, string error) => Format(nameof(XaiAddIncomplete), batchId, added, total, error);

        public static string UploadNoFileName() => Text(nameof(UploadNoFileName));

        public static string BodyNotObject() => Text(nameof(BodyNotObject));

        public static string LineUnreadable(long line, string reason) => Format(nameof(LineUnreadable), line, reason);

        public static string OllamaWatching() => Text(nameof(OllamaWatching));

        public static string OllamaRunning(int requests, int servers, int atATime) => Format(nameof(OllamaRunning), requests, servers, atATime);

        public static string OllamaNoServer(int attempts, string error) => Format(nameof(OllamaNoServer), attempts, error);

        public static string OllamaRetry(string customId, string server, string error, TimeSpan delay) => Format(nameof(OllamaRetry), customId, server, error, Seconds(delay));

        public static string OllamaUnreachable(string servers, string error) => Format(nameof(OllamaUnreachable), servers, error);

        public static string OllamaStopped(string batchId, string error) => Format(nameof(OllamaStopped), batchId, error);

        // Results: a request's error where the provider gave no words of its own, and why a line is unreadable.

        public static string RequestErrored() => Text(nameof(RequestErrored));

        public static string CancelledBeforeRun() => Text(nameof(CancelledBeforeRun));

        public static string ExpiredBeforeRun() => Text(nameof(ExpiredBeforeRun));

        public static string RequestFailedStatus(int? status) => Format(nameof(RequestFailedStatus), status);

        /// <summary>A provider's message with how often it said it (Mistral's errors array).</summary>
        public static string TimesRepeated(string? message, long count) => Format(nameof(TimesRepeated), message, count);

        /// <summary>Gemini's refusal: <paramref name="field"/> is blockReason or finishReason.</summary>
        public static string GeminiBlocked(string field, string? value) => Format(nameof(GeminiBlocked), field, value);

        public static string LineNoField(string field) => Format(nameof(LineNoField), field);

        public static string LineNoFields(string field, string other) => Format(nameof(LineNoFields), field, other);

        public static string LineNeither(string field, string other) => Format(nameof(LineNeither), field, other);

        public static string LineUnknownType(string? type) => Format(nameof(LineUnknownType), type);

        public static string LineNoVector() => Text(nameof(LineNoVector));

        public static string TogetherWarning(string warning) => Format(nameof(TogetherWarning), warning);
    }
}
