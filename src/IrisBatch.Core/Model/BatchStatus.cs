namespace IrisBatch
{
    /// <summary>Provider-neutral batch status. Only Completed, Failed, Cancelled and Expired are terminal.</summary>
    public enum BatchStatus
    {
        Pending,
        InProgress,
        Finalizing,
        Completed,
        Failed,
        Cancelling,
        Cancelled,
        Expired,
        /// <summary>A status word outside the provider's documented set: not finished, and reported with a warning naming it.</summary>
        Unknown,
    }

    /// <summary>The outcome of one request of a batch.</summary>
    public enum ResultStatus
    {
        Succeeded,
        Failed,
        Expired,
        Cancelled,
    }

    public static class BatchStatusExtensions
    {
        /// <summary>True for the states a batch never leaves. Cancelling is not terminal.</summary>
        public static bool IsTerminal(this BatchStatus status) =>
            status == BatchStatus.Completed || status == BatchStatus.Failed ||
            status == BatchStatus.Cancelled || status == BatchStatus.Expired;
    }
}
