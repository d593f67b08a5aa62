using System;
using System.Text.RegularExpressions;

namespace IrisBatch.Http
{
    /// <summary>Removes an API key, whole or in part, from any text that may reach the user.</summary>
    public sealed class Redactor
    {
        private readonly string? _secret;

        public Redactor(string? secret)
        {
            _secret = string.IsNullOrEmpty(secret) ? null : secret;
        }

        /// <summary>Whether there is a key to protect (none for Ollama and the mock).</summary>
        public bool HasSecret => _secret != null;

        public string Redact(string? text)
        {
            if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
            if (_secret == null) return text!;
            var result = text!.Replace(_secret, "***");
            if (_secret.Length < 8) return result;
            // Providers echo keys partially ("sk-abc...wxyz"): hide any run of 6+ characters the key contains.
            return Regex.Replace(result, @"[A-Za-z0-9_\-]{6,}", m =>
                _secret.IndexOf(m.Value, StringComparison.Ordinal) >= 0 ? "***" : m.Value);
        }
    }
}
