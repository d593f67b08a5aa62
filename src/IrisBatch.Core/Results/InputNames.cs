using System;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IrisBatch.Jsonl;

namespace IrisBatch.Results
{
    /// <summary>
    /// Reads journal input rows into <see cref="InputValues"/> for flat rows, on the threads that read the results.
    /// Nearly every row has the names of the row before: the last names are kept (as UTF-8 too), so a row of the same
    /// shape compares bytes, makes no name strings, and shares the one names array. One per read, shared by its threads
    /// (the last names are swapped whole, so a thread sees either the old or the new ones, both valid).
    /// </summary>
    internal sealed class InputNames
    {
        private sealed class Last
        {
            public Last(string[] names)
            {
                Names = names;
                Utf8 = new byte[names.Length][];
                for (int i = 0; i < names.Length; i++) Utf8[i] = Encoding.UTF8.GetBytes(names[i]);
            }

            public string[] Names { get; }
            public byte[][] Utf8 { get; }
        }

        private volatile Last? _last;
        private static readonly object True = true, False = false;

        /// <summary>
        /// The input object the reader is on (its start), read to its end; null when a value is an object or an array
        /// or a number beyond a double's range (the caller reads the row as JSON text instead, from where it was). Values
        /// are as a JSON reader gives them: strings, long where the number is whole and fits, else double, booleans, null.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public InputValues? Read(ref JsonLineReader r)
        {
            if (r.TokenType != JsonTokenType.StartObject) return null;
            var last = _last;
            bool same = last != null;
            var values = new object?[last != null ? last.Names.Length : 8];
            string[]? names = null;   // this row's names, once they differ from the last row's
            int k = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (!same || k >= last!.Utf8.Length || !r.ValueTextEquals(last.Utf8[k]))
                {
                    if (same)
                    {
                        same = false;
                        names = new string[Math.Max(values.Length, k + 1)];
                        Array.Copy(last!.Names, names, k);
                    }
                    names ??= new string[values.Length];
                    if (k >= names.Length) Array.Resize(ref names, Math.Max(4, names.Length * 2));
                    names[k] = r.GetString()!;
                }
                r.Read();
                object? value;
                switch (r.TokenType)
                {
                    case JsonTokenType.String: value = r.GetString(); break;
                    case JsonTokenType.Number:
                        if (r.TryGetInt64(out var l)) value = l;
                        else
                        {
                            double d = r.GetDouble();
                            // Beyond a double's range: not kept as values, whose JSON (InputValues.ToJson) could not say it.
                            if (double.IsInfinity(d)) return null;
                            value = d;
                        }
                        break;
                    case JsonTokenType.True: value = True; break;
                    case JsonTokenType.False: value = False; break;
                    case JsonTokenType.Null: value = null; break;
                    default: return null;   // an object or an array: not a plain row
                }
                if (k >= values.Length) Array.Resize(ref values, Math.Max(4, values.Length * 2));
                values[k++] = value;
            }
            if (r.TokenType != JsonTokenType.EndObject) return null;
            if (same && k == last!.Names.Length)
            {
                if (values.Length != k) Array.Resize(ref values, k);
                return new InputValues(last.Names, values);
            }
            if (same)
            {
                // Fewer names than the last row, all of them its first ones.
                names = new string[k];
                Array.Copy(last!.Names, names, k);
            }
            names ??= new string[0];
            if (names.Length != k) Array.Resize(ref names, k);
            if (values.Length != k) Array.Resize(ref values, k);
            _last = new Last(names);
            return new InputValues(names, values);
        }
    }
}
