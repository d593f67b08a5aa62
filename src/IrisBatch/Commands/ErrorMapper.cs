using System;
using System.Management.Automation;

namespace IrisBatch.Commands
{
    /// <summary>The one place that turns failures into ErrorRecords with stable ids ("IrisBatch.NotFound") and categories.</summary>
    internal static class ErrorMapper
    {
        public const string Prefix = "IrisBatch.";

        public static ErrorRecord ToRecord(Exception ex, object? target)
        {
            if (ex is AggregateException agg && agg.InnerExceptions.Count == 1) ex = agg.InnerExceptions[0];
            if (ex is IrisBatchException ib)
            {
                var record = new ErrorRecord(ex, Prefix + ib.ErrorId, Category(ib.Kind), ib.Target ?? target);
                var action = RecommendedAction(ib.ErrorId, ex.Message);
                if (action != null) record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = action };
                return record;
            }
            return new ErrorRecord(ex, Prefix + "Unexpected", ErrorCategory.NotSpecified, target);
        }

        public static bool IsSetupProblem(Exception ex)
        {
            if (!(ex is IrisBatchException ib)) return false;
            switch (ib.ErrorId)
            {
                case ErrorIds.MissingApiKey:
                case ErrorIds.Unauthorized:
                case ErrorIds.PermissionDenied:
                case ErrorIds.InsecureEndpoint:
                case ErrorIds.UnknownProvider:
                case ErrorIds.QuotaExceeded:
                    return true;
                default:
                    return false;
            }
        }

        public static ErrorRecord Create(string errorId, FailureKind kind, string message, object? target) =>
            ToRecord(new IrisBatchException(errorId, kind, message) { Target = target }, target);

        public static ErrorCategory Category(FailureKind kind)
        {
            switch (kind)
            {
                case FailureKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                case FailureKind.InvalidData: return ErrorCategory.InvalidData;
                case FailureKind.NotFound: return ErrorCategory.ObjectNotFound;
                case FailureKind.Unauthorized: return ErrorCategory.AuthenticationError;
                case FailureKind.PermissionDenied: return ErrorCategory.PermissionDenied;
                case FailureKind.ResourceUnavailable: return ErrorCategory.ResourceUnavailable;
                case FailureKind.QuotaExceeded: return ErrorCategory.QuotaExceeded;
                case FailureKind.Timeout: return ErrorCategory.OperationTimeout;
                case FailureKind.InvalidOperation: return ErrorCategory.InvalidOperation;
                case FailureKind.ConnectionError: return ErrorCategory.ConnectionError;
                default: return ErrorCategory.InvalidResult;
            }
        }

        /// <summary>
        /// The fix PowerShell shows as "Recommendation:", unless the message already says it (then it would be printed
        /// twice, issue 16): each fix comes with the words that show a message already gives it.
        /// </summary>
        private static string? RecommendedAction(string errorId, string message)
        {
            var action = Messages.RecommendedAction(errorId);
            if (action == null) return null;
            string saidBy;
            switch (errorId)
            {
                case ErrorIds.MissingApiKey: saidBy = "-ApiKey"; break;
                case ErrorIds.Unauthorized: saidBy = "check the API key"; break;
                case ErrorIds.NotComplete: saidBy = "Wait-IrisBatch"; break;
                case ErrorIds.WaitTimeout: saidBy = "wait again"; break;
                default: saidBy = "add credit"; break;
            }
            return message.IndexOf(saidBy, StringComparison.OrdinalIgnoreCase) >= 0 ? null : action;
        }
    }
}
