using System;

namespace IrisBatch
{
    /// <summary>What kind of failure, so the cmdlet layer can pick an error category.</summary>
    public enum FailureKind
    {
        InvalidArgument,
        InvalidData,
        NotFound,
        Unauthorized,
        PermissionDenied,
        ResourceUnavailable,
        QuotaExceeded,
        Timeout,
        InvalidOperation,
        ConnectionError,
        ProviderError,
    }

    /// <summary>
    /// Every failure the core reports. <see cref="ErrorId"/> is the stable id without the "IrisBatch." prefix
    /// (e.g. "NotFound"); provider details (HTTP status, code, request id) are kept, and so is the inner exception.
    /// Messages never contain an API key.
    /// </summary>
    public class IrisBatchException : Exception
    {
        public IrisBatchException(string errorId, FailureKind kind, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
        }

        public string ErrorId { get; }
        public FailureKind Kind { get; }
        /// <summary>What the error is about: a batch id, a custom id, a row number.</summary>
        public object? Target { get; set; }
        public int? HttpStatus { get; set; }
        public string? ProviderCode { get; set; }
        public string? ProviderType { get; set; }
        public string? RequestId { get; set; }
    }

    public static class ErrorIds
    {
        public const string InvalidRequest = "InvalidRequest";
        public const string DuplicateCustomId = "DuplicateCustomId";
        public const string EmptyInput = "EmptyInput";
        public const string MissingApiKey = "MissingApiKey";
        public const string Unauthorized = "Unauthorized";
        public const string PermissionDenied = "PermissionDenied";
        public const string NotFound = "NotFound";
        public const string WaitTimeout = "WaitTimeout";
        public const string NotComplete = "NotComplete";
        public const string RateLimited = "RateLimited";
        public const string QuotaExceeded = "QuotaExceeded";
        public const string ProviderError = "ProviderError";
        public const string BadRequest = "BadRequest";
        public const string ConnectionFailed = "ConnectionFailed";
        public const string Timeout = "Timeout";
        public const string InvalidMetadata = "InvalidMetadata";
        public const string UnknownProvider = "UnknownProvider";
        public const string InvalidId = "InvalidId";
        public const string InsecureEndpoint = "InsecureEndpoint";
        public const string InvalidResponse = "InvalidResponse";
        public const string Journal = "JournalError";
        public const string CostLimitExceeded = "CostLimitExceeded";
        public const string UnknownPrice = "UnknownPrice";
        public const string InvalidSchema = "InvalidSchema";
        public const string UnsupportedFeature = "UnsupportedFeature";
        public const string UnsupportedEndpoint = "UnsupportedEndpoint";
        /// <summary>Remove-IrisBatch: the batch's results were never collected (pass -Force to remove it anyway).</summary>
        public const string NotCollected = "NotCollected";
        /// <summary>An ambiguous create left more than one batch that could be this submission's: nothing adopted, nothing created.</summary>
        public const string SubmissionUncertain = "SubmissionUncertain";
        /// <summary>
        /// Every create call of a submission failed ambiguously (the last too), and looking for the batch found none, or
        /// failed: it may or may not exist at the provider. Nothing was sent again; the next run looks before creating.
        /// </summary>
        public const string CreateUnconfirmed = "CreateUnconfirmed";
        /// <summary>
        /// Every upload call of a submission failed ambiguously (the last too), and looking for the file found none, or
        /// failed: it may or may not be stored at the provider. Nothing was sent again; the next run looks before uploading.
        /// </summary>
        public const string UploadUnconfirmed = "UploadUnconfirmed";
        /// <summary>-AdoptBatchId named a batch that cannot be this submission's.</summary>
        public const string AdoptRefused = "AdoptRefused";
        /// <summary>The journal folder cannot be written (read-only, full disk, permission).</summary>
        public const string JournalUnavailable = "JournalUnavailable";
        /// <summary>Parameters that do not go together (e.g. -SystemPrompt with -Endpoint Embeddings).</summary>
        public const string InvalidParameter = "InvalidParameter";
        public const string InvalidCompletionWindow = "InvalidCompletionWindow";
        /// <summary>
        /// The journal's requests file of a batch submitted from it is gone: its results were read without their requests
        /// (the provider's order, no input columns, unreported requests not listed).
        /// </summary>
        public const string RequestsMissing = "RequestsMissing";
    }
}
