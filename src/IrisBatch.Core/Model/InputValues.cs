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

        /// <summary>
        /// The row as a JSON object, the same object as the one it was read from (names in order; numbers whole as
        /// written, else the double's shortest round-trip form; the reader leaves out rows with a number beyond a
        /// double's range, so every double here is finite).
        /// </summary>
        public string ToJson()
        {
            var buffer = new System.IO.MemoryStream();
            using (var w = new System.Text.Json.Utf8JsonWriter(buffer, Jsonl.JsonlWriter.Options))
            {
                w.WriteStartObject();
                for (int i = 0; i < Names.Length; i++)
                {
                    w.WritePropertyName(Names[i]);
                    switch (Values[i])
                    {
                        case null: w.WriteNullValue(); break;
                        case string text: w.WriteStringValue(text); break;
                        case long whole: w.WriteNumberValue(whole); break;
                        case double number: w.WriteNumberValue(number); break;
                        case bool flag: w.WriteBooleanValue(flag); break;
                        default: throw new System.InvalidOperationException("An input value of type " + Values[i]!.GetType().Name + " is not a plain JSON value.");
                    }
                }
                w.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }
}
