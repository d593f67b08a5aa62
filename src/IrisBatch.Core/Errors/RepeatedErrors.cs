using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace IrisBatch
{
    /// <summary>
    /// One kind of per-row error that failed more than one row: the summary a cmdlet writes once, at its end, instead
    /// of one identical error per row. It is the summary error's target.
    /// </summary>
    public sealed class RepeatedError
    {
        internal RepeatedError(string errorId, FailureKind kind, string key, string description, long firstRow)
        {
            ErrorId = errorId;
            Kind = kind;
            Key = key;
            Description = description;
            FirstRow = firstRow;
        }

        /// <summary>The error id without the "IrisBatch." prefix, as the first row's error had it.</summary>
        public string ErrorId { get; }
        public FailureKind Kind { get; }
        /// <summary>What makes two rows' errors "the same" (e.g. "missing-property|Prompt|title").</summary>
        public string Key { get; }
        /// <summary>The failure in words that do not depend on the row.</summary>
        public string Description { get; }
        /// <summary>The row whose error was written in full.</summary>
        public long FirstRow { get; }
        /// <summary>How many rows failed this way, the first one included.</summary>
        public long Count { get; internal set; }
        /// <summary>The first <see cref="RepeatedErrors.RowsListed"/> rows after the first one that failed this way.</summary>
        public IReadOnlyList<long> Rows => _rows;
        internal readonly List<long> _rows = new List<long>();

        /// <summary>How many rows besides the first failed this way.</summary>
        public long Repeats => Count - 1;

        public string Message
        {
            get
            {
                var sb = new StringBuilder();
                sb.Append(Repeats == 1 ? "1 more row" : Repeats.ToString("N0", CultureInfo.InvariantCulture) + " more rows");
                sb.Append(" failed the same way as row ").Append(FirstRow.ToString(CultureInfo.InvariantCulture));
                sb.Append(" (").Append(Count.ToString("N0", CultureInfo.InvariantCulture)).Append(" rows in all): ");
                sb.Append(Description.TrimEnd('.')).Append(". ");
                sb.Append(Repeats > _rows.Count ? "First rows: " : Repeats == 1 ? "Row: " : "Rows: ");
                for (int i = 0; i < _rows.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(_rows[i].ToString(CultureInfo.InvariantCulture));
                }
                if (Repeats > _rows.Count)
                    sb.Append(" and ").Append((Repeats - _rows.Count).ToString("N0", CultureInfo.InvariantCulture)).Append(" more");
                sb.Append('.');
                return sb.ToString();
            }
        }

        public override string ToString() => Message;
    }

    /// <summary>
    /// Counts per-row errors that repeat, so a mistake made on every row is reported once in full (the first row),
    /// then once more as a summary with the count and the first row numbers, not once per row. PowerShell-free: a
    /// cmdlet asks <see cref="IsFirst"/> per failing row, writes the error only when it says so, and writes
    /// <see cref="Summaries"/> at its end. Any per-row error can use it: give the same key to errors that are "the same".
    /// </summary>
    public sealed class RepeatedErrors
    {
        /// <summary>How many row numbers a summary lists.</summary>
        public const int RowsListed = 10;

        private readonly Dictionary<string, RepeatedError> _byKey = new Dictionary<string, RepeatedError>(StringComparer.Ordinal);
        private readonly List<RepeatedError> _inOrder = new List<RepeatedError>();

        /// <summary>
        /// Counts a failure of <paramref name="row"/>. True when it is the first of its <paramref name="key"/>: write its
        /// error in full. False when it repeats an earlier one: it is counted for the summary, write nothing.
        /// </summary>
        /// <param name="description">The failure in words that do not name the row (used by the summary).</param>
        public bool IsFirst(string errorId, FailureKind kind, string key, string description, long row)
        {
            var fullKey = errorId + "\n" + key;
            if (_byKey.TryGetValue(fullKey, out var seen))
            {
                seen.Count++;
                if (seen._rows.Count < RowsListed) seen._rows.Add(row);
                return false;
            }
            var first = new RepeatedError(errorId, kind, key, description, row) { Count = 1 };
            _byKey.Add(fullKey, first);
            _inOrder.Add(first);
            return true;
        }

        /// <summary>How many rows failed in all (every key).</summary>
        public long Total
        {
            get
            {
                long n = 0;
                foreach (var e in _inOrder) n += e.Count;
                return n;
            }
        }

        /// <summary>One entry per kind of error that failed more than one row, in the order they first appeared.</summary>
        public IReadOnlyList<RepeatedError> Summaries()
        {
            var list = new List<RepeatedError>();
            foreach (var e in _inOrder) if (e.Count > 1) list.Add(e);
            return list;
        }

        /// <summary>The summaries as exceptions, ready for the error mapper (their target is the <see cref="RepeatedError"/>).</summary>
        public IEnumerable<IrisBatchException> SummaryExceptions()
        {
            foreach (var e in Summaries())
                yield return new IrisBatchException(e.ErrorId, e.Kind, e.Message) { Target = e };
        }
    }
}
