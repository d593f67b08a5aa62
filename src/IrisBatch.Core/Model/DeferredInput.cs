using System;

namespace IrisBatch
{
    /// <summary>
    /// An input row kept as the JSON the journal holds and turned into an object the first time something reads it:
    /// a result and its request share one, so both see the same object. Building a PowerShell object per result costs
    /// more than reading the result line, and most pipelines never look at the row (Measure-Object, Where-Object on
    /// Status, Select-Object Output); those that do get the same object as before, built once.
    /// </summary>
    internal sealed class DeferredInput
    {
        private readonly string _json;
        private readonly object _gate = new object();
        private volatile Func<string, object?>? _build;
        private object? _value;

        public DeferredInput(string json, Func<string, object?> build)
        {
            _json = json;
            _build = build;
        }

        public object? Value
        {
            get
            {
                if (_build != null)
                {
                    lock (_gate)
                    {
                        var build = _build;
                        if (build != null)
                        {
                            _value = build(_json);
                            _build = null;
                        }
                    }
                }
                return _value;
            }
        }
    }
}
