using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace IrisBatch.Estimates
{
    /// <summary>
    /// One model's batch prices in USD per million tokens, with the date they were taken and where from. Cached input
    /// and cache writes fall back to the input price (a 1-hour cache write to the 5-minute one), reasoning to the output
    /// price, when the table does not list them.
    /// </summary>
    public sealed class ModelPrice
    {
        public string Model { get; set; } = "";
        public decimal Input { get; set; }
        public decimal CachedInput { get; set; }
        public decimal Output { get; set; }
        public decimal Reasoning { get; set; }
        /// <summary>Input tokens written to the prompt cache for 5 minutes (Anthropic's default); the input price when the table does not list it.</summary>
        public decimal CacheWrite { get; set; }
        /// <summary>Input tokens written to the prompt cache for 1 hour; the 5-minute cache-write price when the table does not list it.</summary>
        public decimal CacheWrite1h { get; set; }
        public string Taken { get; set; } = "";
        public string Source { get; set; } = "";
        /// <summary>The date (yyyy-MM-dd) its provider retired the model, when the table says so; null for a model in service.</summary>
        public string? Retired { get; set; }
    }

    /// <summary>Batch prices per model (USD per million tokens), shipped as data with the date they were taken; users can override it.</summary>
    public sealed class PriceTable
    {
        public const string OverrideVariable = "IRISBATCH_PRICES";

        private readonly Dictionary<string, ModelPrice> _prices = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);

        public string Taken { get; private set; } = "";
        public string Source { get; private set; } = "";
        public string Currency { get; private set; } = "USD";

        /// <summary>The table from <paramref name="path"/>, else $env:IRISBATCH_PRICES, else the one shipped in the module.</summary>
        public static PriceTable Load(string? path = null)
        {
            path ??= Environment.GetEnvironmentVariable(OverrideVariable);
            if (!string.IsNullOrWhiteSpace(path))
            {
                try { return Parse(File.ReadAllText(path), path!); }
                catch (Exception ex) when (ex is IOException || ex is JsonException || ex is UnauthorizedAccessException)
                {
                    throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument, Messages.PriceTableUnreadable(path!, ex.Message), ex) { Target = path };
                }
            }
            using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("IrisBatch.Estimates.prices.json")
                ?? throw new InvalidOperationException("The shipped price table is missing from the assembly.");
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), "shipped with IrisBatch");
        }

        public static PriceTable Parse(string json, string source)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var table = new PriceTable
            {
                Taken = root.TryGetProperty("taken", out var t) ? t.GetString() ?? "" : "",
                Currency = root.TryGetProperty("currency", out var c) ? c.GetString() ?? "USD" : "USD",
                Source = source,
            };
            foreach (var m in root.GetProperty("models").EnumerateObject())
            {
                var name = m.Name.ToLowerInvariant();
                var input = m.Value.GetProperty("input").GetDecimal();
                var output = m.Value.GetProperty("output").GetDecimal();
                var cacheWrite = Price(m.Value, "cache_write") ?? input;
                table._prices[name] = new ModelPrice
                {
                    Model = m.Name,
                    Input = input,
                    Output = output,
                    CachedInput = m.Value.TryGetProperty("cached_input", out var ci) && ci.ValueKind == JsonValueKind.Number ? ci.GetDecimal() : input,
                    Reasoning = m.Value.TryGetProperty("reasoning", out var re) && re.ValueKind == JsonValueKind.Number ? re.GetDecimal() : output,
                    CacheWrite = cacheWrite,
                    CacheWrite1h = Price(m.Value, "cache_write_1h") ?? cacheWrite,
                    Taken = m.Value.TryGetProperty("taken", out var tk) ? tk.GetString() ?? table.Taken : table.Taken,
                    Source = m.Value.TryGetProperty("source", out var sr) ? sr.GetString() ?? source : source,
                    Retired = m.Value.TryGetProperty("retired", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : null,
                };
            }
            return table;
        }

        private static decimal? Price(JsonElement model, string name) =>
            model.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDecimal() : (decimal?)null;

        /// <summary>The models the table prices.</summary>
        public IReadOnlyCollection<string> Models => _prices.Keys;

        /// <summary>The date the table's prices were taken, when <see cref="Taken"/> is one (yyyy-MM-dd).</summary>
        public DateTime? TakenDate =>
            DateTime.TryParseExact(Taken, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d : (DateTime?)null;

        /// <summary>The batch price of a model (per million input and output tokens), matched like <see cref="Find"/>.</summary>
        public bool TryGet(string model, out double inputPerMillion, out double outputPerMillion)
        {
            var price = Find(model);
            inputPerMillion = price == null ? 0 : (double)price.Input;
            outputPerMillion = price == null ? 0 : (double)price.Output;
            return price != null;
        }

        /// <summary>
        /// A model's full batch prices: its own name, or the name it is a dated snapshot of (gpt-4o-mini-2024-07-18 is
        /// priced as gpt-4o-mini, claude-sonnet-4-20250514 as claude-sonnet-4); never a prefix (issue 16): gpt-4o-mni has
        /// no price rather than the price of gpt-4o. Null when the table has none.
        /// </summary>
        public ModelPrice? Find(string model)
        {
            if (string.IsNullOrEmpty(model)) return null;
            var m = model.ToLowerInvariant();
            if (_prices.TryGetValue(m, out var price)) return price;
            var undated = Data.ModelNames.WithoutDate(m);
            return undated != null && _prices.TryGetValue(undated, out price) ? price : null;
        }

        /// <summary>Every listed price, in no particular order.</summary>
        public IEnumerable<ModelPrice> All => _prices.Values;

        /// <summary>Estimated cost of a batch, or null when the model has no price.</summary>
        public double? Estimate(string model, long inputTokens, long outputTokens)
        {
            if (!TryGet(model, out var input, out var output)) return null;
            return (inputTokens * input + outputTokens * output) / 1_000_000.0;
        }
    }
}
