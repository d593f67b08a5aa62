using System;
using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace IrisBatch.Estimates
{
    /// <summary>
    /// Counts the input tokens of a request: with OpenAI's own tokenizer (o200k_base or cl100k_base) for OpenAI
    /// models, else a documented estimate of one token per four characters. Adds OpenAI's chat overhead
    /// (3 tokens a message, 3 to prime the answer).
    /// </summary>
    public sealed class TokenCounter
    {
        private static readonly ConcurrentDictionary<string, Tokenizer?> Tokenizers = new ConcurrentDictionary<string, Tokenizer?>();
        private readonly Tokenizer? _tokenizer;

        private TokenCounter(Tokenizer? tokenizer, string method)
        {
            _tokenizer = tokenizer;
            Method = method;
        }

        /// <summary>How tokens are counted: "o200k_base", "cl100k_base" or "estimate (characters / 4)".</summary>
        public string Method { get; }

        public bool IsExact => _tokenizer != null;

        public static TokenCounter For(string model)
        {
            var encoding = EncodingFor(model);
            if (encoding == null) return new TokenCounter(null, "estimate (characters / 4)");
            var tokenizer = Tokenizers.GetOrAdd(encoding, e =>
            {
                try { return TiktokenTokenizer.CreateForEncoding(e); }
                catch (Exception) { return null; }
            });
            return tokenizer == null ? new TokenCounter(null, "estimate (characters / 4)") : new TokenCounter(tokenizer, encoding);
        }

        /// <summary>The tiktoken encoding of an OpenAI model, or null for other providers' models.</summary>
        public static string? EncodingFor(string model)
        {
            var m = (model ?? "").ToLowerInvariant();
            if (m.StartsWith("gpt-4o") || m.StartsWith("gpt-4.1") || m.StartsWith("gpt-4.5") || m.StartsWith("gpt-5") ||
                m.StartsWith("o1") || m.StartsWith("o3") || m.StartsWith("o4") || m.StartsWith("chatgpt-4o") || m.StartsWith("gpt-oss"))
                return "o200k_base";
            if (m.StartsWith("gpt-4") || m.StartsWith("gpt-3.5") || m.StartsWith("text-embedding-3") || m.StartsWith("text-embedding-ada"))
                return "cl100k_base";
            return null;
        }

        public int CountText(string? text)
        {
            if (string.IsNullOrEmpty(text)) return 0;
            return _tokenizer != null ? _tokenizer.CountTokens(text!) : (text!.Length + 3) / 4;
        }

        public long Count(IrisBatchRequest request)
        {
            if (request.IsEmbedding) return CountText(request.Prompt);   // one input, no chat overhead
            long total = 3;
            foreach (var m in request.Messages)
                total += 3 + CountText(m.Role) + CountText(m.Content ?? m.ContentJson);
            // Images by the provider's documented formula, or its stated approximation (ImageInput.EstimateTokens).
            foreach (var image in request.Images) total += image.EstimateTokens(request.Model);
            return total;
        }
    }
}
