using System;

namespace IrisBatch.Http
{
    /// <summary>A provider answered with an error status. Carries what the retry policy needs.</summary>
    public sealed class ApiException : IrisBatchException
    {
        public ApiException(string errorId, FailureKind kind, string message, Exception? inner = null)
            : base(errorId, kind, message, inner)
        {
        }

        public bool Retryable { get; set; }
        /// <summary>
        /// The call may have acted although the server refused it (a later step of a create that already made the batch):
        /// never <see cref="ApiClient.IsDefinitive"/>, so the caller looks before trying again.
        /// </summary>
        public bool MayHaveActed { get; set; }
        public TimeSpan? RetryAfter { get; set; }
        /// <summary>When the provider said to try again, where its Retry-After was too long to wait for here.</summary>
        public DateTimeOffset? RetryAt { get; set; }
        /// <summary>The provider's own message from its error envelope (already free of secrets), without IrisBatch's framing.</summary>
        public string? ProviderMessage { get; set; }

        /// <summary>This 404 as the error every provider reports for an unknown batch id (IrisBatch.NotFound, target the id).</summary>
        public IrisBatchException AsNotFound(string provider, Uri baseUri, string id) =>
            new IrisBatchException(ErrorIds.NotFound, FailureKind.NotFound,
                Messages.NoSuchBatch(provider, id, baseUri.GetLeftPart(UriPartial.Authority), RequestId), this)
            { Target = id, HttpStatus = HttpStatus, RequestId = RequestId };
    }

    /// <summary>A provider's error body, decoded from its own envelope.</summary>
    public sealed class ProviderErrorInfo
    {
        public string? Message { get; set; }
        public string? Type { get; set; }
        public string? Code { get; set; }
        public string? Param { get; set; }
    }
}
