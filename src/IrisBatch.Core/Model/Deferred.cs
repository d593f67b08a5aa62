using System;

namespace IrisBatch
{
    /// <summary>
    /// A property's value: set directly, or made the first time it is read (a Lazy, so once and thread-safe, and every
    /// read sees the same object). Results and requests are made by the hundred thousand and most pipelines read few
    /// of their properties; what is costly to make (a request from its journal line, an input row from its JSON, a raw
    /// line from its file) is deferred. A mutable struct: keep it in a field and call it there, never copy it.
    /// </summary>
    internal struct Deferred<T>
    {
        private T _value;
        private Lazy<T>? _make;

        public T Value => _make != null ? _make.Value : _value;

        /// <summary>Whether the value is still to be made (or was made by a Lazy rather than set).</summary>
        public bool IsDeferred => _make != null;

        /// <summary>The Lazy that makes the value, or null when it was set.</summary>
        public Lazy<T>? Maker => _make;

        public void Set(T value)
        {
            _value = value;
            _make = null;
        }

        public void Defer(Lazy<T> make)
        {
            _value = default!;
            _make = make;
        }
    }
}
