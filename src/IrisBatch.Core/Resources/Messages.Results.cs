namespace IrisBatch
{
    /// <summary>
    /// The messages of reading results (issue 15): a result's error text when the provider gave none of its own, and why
    /// an answer or a journaled request cannot be read. From Resources/Messages.resx like the rest of <see cref="Messages"/>.
    /// </summary>
    public static partial class Messages
    {
        public static string ResultBatchCancelled() => Text(nameof(ResultBatchCancelled));

        public static string ResultBatchExpired() => Text(nameof(ResultBatchExpired));

        public static string ResultMissing(string provider, string? providerStatus) => Format(nameof(ResultMissing), provider, providerStatus);

        public static string BatchFailedValidation() => Text(nameof(BatchFailedValidation));

        public static string BatchFailedValidationWith(string first) => Format(nameof(BatchFailedValidationWith), first);

        public static string SchemaInvalidOutput(string problem) => Format(nameof(SchemaInvalidOutput), problem);

        public static string SchemaAnswerNotObject(string kind) => Format(nameof(SchemaAnswerNotObject), kind);

        public static string JsonLineInvalid(long at, string what) => Format(nameof(JsonLineInvalid), at, what);

        public static string JsonLineNotString() => Text(nameof(JsonLineNotString));

        public static string JsonLineNotNumber() => Text(nameof(JsonLineNotNumber));

        public static string JsonLineNumberRange(string type) => Format(nameof(JsonLineNumberRange), type);

        public static string JsonLineBadUtf8() => Text(nameof(JsonLineBadUtf8));

        public static string KeepLocalDownloading(string batchId, string dir) => Format(nameof(KeepLocalDownloading), batchId, dir);

        public static string RemoveBatchNotFound(string batchId, string provider, string location, bool inputFile) =>
            Format(nameof(RemoveBatchNotFound), batchId, provider, location, inputFile ? Text("RemoveBatchNotFoundInput") : "");

        public static string RemoveAfterWithStatus() => Text(nameof(RemoveAfterWithStatus));

        public static string RequestsMissing(string batchId, string path, long read, long submitted, bool notRemoved)
        {
            var text = Format(nameof(RequestsMissing), batchId, path, read, submitted);
            return notRemoved ? Format("RequestsMissingNotRemoved", text) : text;
        }

        public static string RequestRecordNotObject() => Text(nameof(RequestRecordNotObject));

        public static string RequestRecordNotOneObject() => Text(nameof(RequestRecordNotOneObject));

        public static string RequestRecordMessagesNotArray() => Text(nameof(RequestRecordMessagesNotArray));
    }
}
