using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace IrisBatch.Estimates
{
    /// <summary>
    /// What Submit-IrisBatch -WhatIf shows: a compact table with one row per batch (model, requests, bytes of its input
    /// file, input tokens, estimated output tokens, estimated cost), one total line, then the date of the prices. PowerShell-free text.
    /// </summary>
    public sealed class CostPreview
    {
        /// <summary>Prices older than this may have changed: the preview says so.</summary>
        public const int StaleAfterDays = 90;

        private readonly List<Row> _rows = new List<Row>();
        private readonly PriceTable? _prices;

        public CostPreview(PriceTable? prices)
        {
            _prices = prices;
        }

        public sealed class Row
        {
            public string Provider { get; set; } = "";
            public string Model { get; set; } = "";
            public long Requests { get; set; }
            /// <summary>The size of the batch's input file as it would be uploaded (shown once per batch).</summary>
            public long Bytes { get; set; }
            public long InputTokens { get; set; }
            public long OutputTokens { get; set; }
            /// <summary>Null when the price table has no price for the model.</summary>
            public double? Cost { get; set; }
            /// <summary>A reasoning model: its estimated output leaves reasoning tokens out.</summary>
            public bool Reasoning { get; set; }
            /// <summary>An embedding batch: no output tokens, priced at the model's embedding batch price per input token.</summary>
            public bool Embeddings { get; set; }
            /// <summary>
            /// The next line of the same batch, one of a batch whose requests name several models (a line per model):
            /// it shows no batch number of its own.
            /// </summary>
            public bool SameBatch { get; set; }
        }

        public IReadOnlyList<Row> Rows => _rows;

        public void Add(Row row) => _rows.Add(row);

        /// <summary>How old the prices are on <paramref name="today"/>, in days; null when their date is not known.</summary>
        public int? PriceAgeDays(DateTime today) =>
            _prices?.TakenDate is DateTime taken ? (int)Math.Floor((today.Date - taken.Date).TotalDays) : (int?)null;

        /// <summary>The lines to show, for a terminal of any width (the model column is as wide as the longest model).</summary>
        public IReadOnlyList<string> Render(DateTime today)
        {
            var inv = CultureInfo.InvariantCulture;
            var currency = _prices?.Currency ?? "USD";
            bool several = _rows.Select(r => r.Provider).Distinct().Count() > 1;
            string ModelText(Row r) => (several ? r.Provider + " " : "") + r.Model;
            string Cost(double? c) => c.HasValue ? CostText(c.Value) : "unknown";

            var headers = new[] { "Batch", "Model", "Requests", "Bytes", "Input tokens", "Est. output tokens", $"Est. cost ({currency})" };
            var cells = new List<string[]>();
            int n = 0;
            foreach (var r in _rows)
            {
                if (!r.SameBatch) n++;
                cells.Add(new[]
                {
                    r.SameBatch ? "" : n.ToString(inv), ModelText(r), r.Requests.ToString("N0", inv), r.SameBatch ? "" : r.Bytes.ToString("N0", inv),
                    r.InputTokens.ToString("N0", inv),
                    r.OutputTokens.ToString("N0", inv) + (r.Reasoning ? " *" : ""), Cost(r.Cost),
                });
            }
            bool anyUnknown = _rows.Any(r => !r.Cost.HasValue);
            double known = _rows.Where(r => r.Cost.HasValue).Sum(r => r.Cost!.Value);
            var total = new[]
            {
                "Total", "", _rows.Sum(r => r.Requests).ToString("N0", inv), _rows.Where(r => !r.SameBatch).Sum(r => r.Bytes).ToString("N0", inv),
                _rows.Sum(r => r.InputTokens).ToString("N0", inv),
                _rows.Sum(r => r.OutputTokens).ToString("N0", inv) + (_rows.Any(r => r.Reasoning) ? " *" : ""),
                anyUnknown ? (_rows.All(r => !r.Cost.HasValue) ? "unknown" : Cost(known) + " + unknown") : Cost(known),
            };

            var widths = headers.Select(h => h.Length).ToArray();
            foreach (var row in cells.Concat(new[] { total }))
                for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
            string Line(string[] row)
            {
                var sb = new StringBuilder();
                for (int i = 0; i < row.Length; i++)
                {
                    if (i > 0) sb.Append(' ');
                    sb.Append(i == 1 || (i == 0 && row[0] == "Total") ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
                }
                return sb.ToString().TrimEnd();
            }

            var lines = new List<string> { "", Line(headers), Line(widths.Select(w => new string('-', w)).ToArray()) };
            foreach (var row in cells) lines.Add(Line(row));
            lines.Add(Line(total));
            lines.Add("");
            if (_prices != null)
            {
                var age = PriceAgeDays(today);
                lines.Add(Messages.PricesOf(_prices.Taken, _prices.Source, age.HasValue && age.Value > StaleAfterDays ? age : null));
            }
            if (_rows.Any(r => !r.Embeddings))
                lines.Add(Messages.OutputEstimated());
            foreach (var model in _rows.Where(r => r.Embeddings).Select(r => r.Model).Distinct())
            {
                double input = 0;
                bool priced = _prices != null && _prices.TryGet(model, out input, out _);
                lines.Add(Messages.EmbeddingsNoOutput(model, priced ? input : null, currency));
            }
            if (_rows.Any(r => r.Reasoning))
                lines.Add(Messages.ReasoningNote());
            if (anyUnknown)
                lines.Add(Messages.UnknownNote());
            return lines;
        }

        /// <summary>
        /// A cost in the table: 1,234.57 from 100 up, 0.1234 under it, as the column has always read; an amount under 0.01,
        /// which four decimals would round to 0.0000 or to one or two digits, keeps its significant digits (0.000002925, as
        /// -MaxCost's message gives it), with at least four decimals so it lines up with the others.
        /// </summary>
        internal static string CostText(double cost)
        {
            var inv = CultureInfo.InvariantCulture;
            if (cost >= 100) return cost.ToString("N2", inv);
            if (cost >= 0.01 || cost == 0) return cost.ToString("0.0000", inv);
            var text = Messages.Amount(cost);
            int dot = text.IndexOf('.');
            if (dot < 0 || text.IndexOfAny(new[] { 'E', 'e' }) >= 0) return text;
            int decimals = text.Length - dot - 1;
            return decimals < 4 ? text + new string('0', 4 - decimals) : text;
        }
    }
}
