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

        private static readonly System.Text.RegularExpressions.Regex RowPrefix =
            new System.Text.RegularExpressions.Regex(@"^(Row|Request) \d+( \('[^']*'\))?:? ?", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        private static readonly System.Text.RegularExpressions.Regex Values =
            new System.Text.RegularExpressions.Regex(@"'[^']*'|\d[\d,.]*", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>
        /// Reports a per-row exception whose message names the row ("Row 12 ('id'): ..."): errors with the same id and
        /// the same words once the row, quoted values and numbers are left out count as the same.
        /// </summary>
        public void Write(IrisBatchException ex, long row, object? target)
        {
            var description = RowPrefix.Replace(ex.Message, "");
            var key = Values.Replace(description, "#");
            if (_counts.IsFirst(ex.ErrorId, ex.Kind, key, description, row))
                _cmdlet.WriteError(ErrorMapper.ToRecord(ex, target));
        }

        /// <summary>The text with its quoted values and numbers left out: a key under which the same error of different rows counts once.</summary>
        public static string WithoutValues(string text) => Values.Replace(text, "#");

        private static readonly System.Text.RegularExpressions.Regex Quoted =
            new System.Text.RegularExpressions.Regex("'[^']*' ?", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>The text with its quoted values (and the space after each) left out: a summary of rows that failed the same way.</summary>
        public static string WithoutQuoted(string text) => Quoted.Replace(text, "");

        /// <summary>Writes one summary error per kind of error that failed more than one row.</summary>
        public void WriteSummaries()
        {
            foreach (var ex in _counts.SummaryExceptions())
                _cmdlet.WriteError(ErrorMapper.ToRecord(ex, ex.Target));
        }
    }
}
