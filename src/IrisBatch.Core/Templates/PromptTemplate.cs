using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;

namespace IrisBatch.Templates
{
    /// <summary>
    /// A template with {PropertyName} placeholders; "{{" and "}}" stand for literal braces.
    /// Parsed once, expanded per row without re-parsing.
    /// </summary>
    public sealed class PromptTemplate
    {
        private readonly string[] _literals;   // literal text before each placeholder, and after the last
        private readonly string[] _names;      // placeholder names

        private PromptTemplate(string text, string[] literals, string[] names)
        {
            Text = text;
            _literals = literals;
            _names = names;
        }

        public string Text { get; }
        public IReadOnlyList<string> Placeholders => _names;

        public static PromptTemplate Parse(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            var literals = new List<string>();
            var names = new List<string>();
            var current = new StringBuilder();
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '{')
                {
                    if (i + 1 < text.Length && text[i + 1] == '{') { current.Append('{'); i++; continue; }
                    int close = text.IndexOf('}', i + 1);
                    if (close < 0)
                        throw new FormatException(Messages.TemplateUnclosed(i + 1));
                    var name = text.Substring(i + 1, close - i - 1).Trim();
                    if (name.Length == 0 || name.IndexOf('{') >= 0)
                        throw new FormatException(Messages.TemplateMalformed(i + 1));
                    literals.Add(current.ToString());
                    current.Clear();
                    names.Add(name);
                    i = close;
                }
                else if (c == '}')
                {
                    if (i + 1 < text.Length && text[i + 1] == '}') { current.Append('}'); i++; continue; }
                    throw new FormatException(Messages.TemplateLoneBrace(i + 1));
                }
                else
                {
                    current.Append(c);
                }
            }
            literals.Add(current.ToString());
            return new PromptTemplate(text, literals.ToArray(), names.ToArray());
        }

        /// <summary>
        /// Expands the template. <paramref name="lookup"/> returns false when the row has no such property;
        /// then <paramref name="missing"/> names it and the result is null.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public string? Expand(TryLookup lookup, out string? missing)
        {
            missing = null;
            if (_names.Length == 0) return _literals[0];
            var sb = new StringBuilder(Text.Length + 64);
            for (int i = 0; i < _names.Length; i++)
            {
                sb.Append(_literals[i]);
                if (!lookup(_names[i], out var value))
                {
                    missing = _names[i];
                    return null;
                }
                sb.Append(value);
            }
            sb.Append(_literals[_names.Length]);
            return sb.ToString();
        }

        public delegate bool TryLookup(string name, out string? value);

        public override string ToString() => Text;
    }
}
