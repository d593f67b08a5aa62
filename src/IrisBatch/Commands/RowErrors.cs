using System.Management.Automation;

namespace IrisBatch.Commands
{
    /// <summary>
    /// Writes a cmdlet's per-row errors so that one that repeats is written once in full (its first row) and then once
    /// as a summary with the count and the first row numbers (<see cref="RepeatedErrors"/>), not once per row. Good rows
    /// are not held back: only errors are counted. Call <see cref="WriteSummaries"/> from EndProcessing.
    /// </summary>
    internal sealed class RowErrors
    {
        private readonly Cmdlet _cmdlet;
        private readonly RepeatedErrors _counts = new RepeatedErrors();

        public RowErrors(Cmdlet cmdlet)
        {
            _cmdlet = cmdlet;
        }

        /// <summary>How many rows failed in all.</summary>
        public long Total => _counts.Total;

        /// <summary>
        /// Reports that <paramref name="row"/> failed. <paramref name="key"/> says which errors are "the same" (for
        /// example the missing property's name), <paramref name="description"/> says it without naming the row, and
        /// <paramref name="message"/> is the first row's full error.
        /// </summary>
        public void Write(string errorId, FailureKind kind, string key, string description, string message, long row, object? target)
        {
            if (_counts.IsFirst(errorId, kind, key, description, row))
                _cmdlet.WriteError(ErrorMapper.Create(errorId, kind, message, target));
        }

        /// <summary>Writes one summary error per kind of error that failed more than one row.</summary>
        public void WriteSummaries()
        {
            foreach (var ex in _counts.SummaryExceptions())
                _cmdlet.WriteError(ErrorMapper.ToRecord(ex, ex.Target));
        }
    }
}
