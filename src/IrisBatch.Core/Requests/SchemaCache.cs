using System;
using System.Collections.Concurrent;

namespace IrisBatch.Requests
{
    /// <summary>
    /// What was worked out from a schema text, once per text: every row of a batch carries the same schema, usually the
    /// same string, so the last one asked for is answered by reference before the text is hashed and looked up.
    /// </summary>
    internal sealed class SchemaCache<T>
    {
        private sealed class Last
        {
            public Last(string schema, T value)
            {
                Schema = schema;
                Value = value;
            }

            public string Schema { get; }
            public T Value { get; }
        }

        private readonly ConcurrentDictionary<string, T> _made = new ConcurrentDictionary<string, T>(StringComparer.Ordinal);
        private volatile Last? _last;

        public T Get(string schema, Func<string, T> make)
        {
            var last = _last;
            if (last != null && ReferenceEquals(last.Schema, schema)) return last.Value;
            var value = _made.GetOrAdd(schema, make);
            _last = new Last(schema, value);
            return value;
        }
    }
}
