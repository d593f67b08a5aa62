using System;
using System.Runtime.CompilerServices;
using System.Collections.Generic;

namespace IrisBatch.Estimates
{
    /// <summary>
    /// What results actually cost: each result's own usage at its model's batch prices (prices.json). Input tokens
    /// neither read from nor written to the cache at the input price, cached ones at the cached price, ones written to
    /// the cache at the cache-write price (5-minute, or 1-hour where the usage says so), output tokens not spent reasoning at
    /// the output price, reasoning ones at the reasoning price. A request that failed, expired or was cancelled costs
    /// 0. A model with no price is priced by the model the result line says answered (Azure: the model behind a
    /// deployment); with neither priced the cost is unknown (null), and <see cref="TakeNewUnpriced"/> names each such model once.
    /// Also sums what it was given, so a batch's cost is the sum of its results' costs.
    /// </summary>
    public sealed class CostCalculator
    {
        private readonly PriceTable _prices;
        private readonly Dictionary<string, ModelPrice?> _byModel = new Dictionary<string, ModelPrice?>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _unpriced = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _newUnpriced = new List<string>();
        private readonly object _gate = new object();

        public CostCalculator(PriceTable prices)
        {
            _prices = prices;
        }

        /// <summary>The shipped table, or the override of $env:IRISBATCH_PRICES.</summary>
        public static CostCalculator Default() => new CostCalculator(PriceTable.Load());

        /// <summary>Whether a provider bills at all (Ollama runs on the user's own machines).</summary>
        public static bool Bills(string? provider) => !string.Equals(provider, "Ollama", StringComparison.OrdinalIgnoreCase);

        /// <summary>The cost of tokens at a model's prices: usage x price per million, each kind of token at its own price.</summary>
        [MethodImpl(Hot.Path)]
        public static decimal Of(TokenUsage usage, ModelPrice price)
        {
            long input = Math.Max(0, usage.InputTokens);
            long cached = Math.Min(Math.Max(0, usage.CachedTokens), input);
            long written = Math.Min(Math.Max(0, usage.CacheWriteTokens), input - cached);
            long written1h = Math.Min(Math.Max(0, usage.CacheWrite1hTokens), written);
            long reasoning = Math.Min(Math.Max(0, usage.ReasoningTokens), Math.Max(0, usage.OutputTokens));
            decimal perMillion = (usage.InputTokens - cached - written) * price.Input + cached * price.CachedInput
                + (written - written1h) * price.CacheWrite + written1h * price.CacheWrite1h
                + (usage.OutputTokens - reasoning) * price.Output + reasoning * price.Reasoning;
            return perMillion / 1_000_000m;
        }

        /// <summary>
        /// The cost of one result of <paramref name="model"/> at <paramref name="provider"/>: 0 unless it succeeded,
        /// null when neither the model nor the one the result line says answered (<see cref="IrisBatchResult.ResponseModel"/>,
        /// on Azure the model behind the deployment the request named) has a price (a result without usage costs 0).
        /// </summary>
        [MethodImpl(Hot.Path)]
        public decimal? CostOf(IrisBatchResult result, string? model, string? provider)
        {
            if (result.Status != ResultStatus.Succeeded || !Bills(provider)) return 0m;
            // What the provider says it billed (xAI's cost_in_usd_ticks) is the cost; the price table only estimates it.
            if (result.BilledCost is decimal billed) return billed;
            var price = PriceOf(model ?? "", result.ResponseModel);
            if (price == null) return null;
            return result.Usage == null ? 0m : Of(result.Usage, price);
        }

        /// <summary>
        /// The cost of a usage total (a batch's, as its provider reports it), or null when neither the model nor
        /// <paramref name="reported"/> (the model its results said answered: on Azure the one behind the deployment) has a price.
        /// </summary>
        public decimal? CostOf(TokenUsage usage, string? model, string? provider, string? reported = null)
        {
            if (!Bills(provider)) return 0m;
            var price = PriceOf(model ?? "", reported);
            return price == null ? (decimal?)null : Of(usage, price);
        }

        /// <summary>A model's prices (looked up once per model), or null; a model first found without one is remembered.</summary>
        public ModelPrice? PriceOf(string model) => PriceOf(model, null);

        /// <summary>
        /// The prices of <paramref name="model"/>, else of <paramref name="reported"/> (the model the provider says
        /// answered), or null; a model found without either is remembered once, named as given (with the reported one).
        /// </summary>
        public ModelPrice? PriceOf(string model, string? reported)
        {
            lock (_gate)
            {
                var price = Lookup(model);
                if (price != null) return price;
                if (!string.IsNullOrEmpty(reported))
                {
                    price = Lookup(reported!);
                    if (price != null) return price;
                }
                if (_unpriced.Add(model)) _newUnpriced.Add(Messages.UnpricedModel(model, reported));
                return null;
            }
        }

        private ModelPrice? Lookup(string model)
        {
            if (_byModel.TryGetValue(model, out var known)) return known;
            var price = _prices.Find(model);
            _byModel[model] = price;
            return price;
        }

        /// <summary>
        /// The models found without a price since the last call, each once in this calculator's life, as the Unpriced
        /// warning names them (<see cref="Messages.UnpricedModel"/>).
        /// </summary>
        public IReadOnlyList<string> TakeNewUnpriced()
        {
            lock (_gate)
            {
                var list = _newUnpriced.ToArray();
                _newUnpriced.Clear();
                return list;
            }
        }

        /// <summary>Where the prices came from (for messages).</summary>
        public string Source => _prices.Source;
    }

    /// <summary>
    /// A running total of results: the usage of every answer the provider gave (what its batch-level usage counts) and
    /// their cost (null once any result's cost is unknown).
    /// </summary>
    public sealed class CostTotal
    {
        public TokenUsage Usage { get; } = new TokenUsage();
        public decimal? Cost { get; private set; } = 0m;
        public long Count { get; private set; }
        public long Succeeded { get; private set; }
        /// <summary>The first model a result's line said answered (<see cref="IrisBatchResult.ResponseModel"/>), or null.</summary>
        public string? ResponseModel { get; private set; }

        public void Add(IrisBatchResult result)
        {
            Count++;
            if (ResponseModel == null) ResponseModel = result.ResponseModel;
            if (result.Status == ResultStatus.Succeeded) Succeeded++;
            // The provider's batch-level usage counts every answer it gave, also one IrisBatch reports Failed (a
            // refusal, a content filter, an empty truncated answer, JSON that does not fit the schema), so the usage
            // compared with it does too; a request the provider failed, expired or cancelled has no usage. Cost stays
            // 0 for every Failed row.
            var u = result.Usage;
            if (u != null && (result.Status == ResultStatus.Succeeded || result.Status == ResultStatus.Failed))
            {
                Usage.InputTokens += u.InputTokens;
                Usage.OutputTokens += u.OutputTokens;
                Usage.TotalTokens += u.TotalTokens;
                Usage.CachedTokens += u.CachedTokens;
                Usage.ReasoningTokens += u.ReasoningTokens;
                Usage.CacheWriteTokens += u.CacheWriteTokens;
                Usage.CacheWrite1hTokens += u.CacheWrite1hTokens;
            }
            if (Cost.HasValue) Cost = result.Cost.HasValue ? Cost + result.Cost.Value : null;
        }
    }
}
