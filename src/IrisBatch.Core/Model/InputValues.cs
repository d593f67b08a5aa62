namespace IrisBatch
{
    /// <summary>
    /// A request's input row already read from the journal into its property names and values, for the flat rows of
    /// <c>Get-IrisBatchResult -IncludeInput</c>: the values as a JSON reader gives them (strings, long or double,
    /// booleans, null), read on the reading threads instead of again from <see cref="IrisBatchRequest.InputJson"/> on the
    /// pipeline's. Rows with the same names, in the same order, share one <see cref="Names"/> array, so that a reader can
    /// tell a row of the shape before it by reference.
    /// </summary>
    internal sealed class InputValues
    {
        public InputValues(string[] names, object?[] values)
        {
            Names = names;
            Values = values;
        }

        public string[] Names { get; }
        public object?[] Values { get; }
    }
}
