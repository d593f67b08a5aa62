using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IrisBatch.Jsonl;
using IrisBatch.Embeddings;
using IrisBatch.Requests;
using IrisBatch.Results;

namespace IrisBatch.Conversion
{
    /// <summary>
    /// Builds the flat rows of <c>Get-IrisBatchResult -IncludeInput</c>: the input's columns (renamed Input_X where they
    /// clash with ours), the schema's top-level properties (prefixed Parsed_ where they clash), then CustomId, Status,
    /// Output, ErrorCode, ErrorMessage, Cost (and Embedding). Rows come by the hundred thousand and nearly all have the columns
    /// of the row before: the columns of the last row are kept (its input names as UTF-8, their column names, the schema
    /// columns), so a row of the same shape reads its names by comparing bytes, with no lookups and no renaming, and adds
    /// its properties as PowerShell's Import-Csv does, without checking each again (the first row of a shape was added
    /// with every check, so later rows with the same names cannot fail one). One builder per command, on its thread.
    /// </summary>
    internal sealed class FlatRows
    {
        private static readonly string[] OurColumns = { "CustomId", "Status", "Output", "ErrorCode", "ErrorMessage", "Cost", "Embedding" };

        /// <summary>The prefix of a schema column whose name is already an input column or one of ours.</summary>
        internal const string ParsedPrefix = "Parsed_";

        private readonly bool _plainRows;
        private Shape? _shape;

        /// <param name="plainRows">
        /// Whether rows rebuilt from JSON have only the JSON's properties (no type data adds properties to every
        /// PSCustomObject): then the columns come straight from the request's input JSON; else from its input object.
        /// </param>
        public FlatRows(bool plainRows) => _plainRows = plainRows;

        /// <summary>The columns of the rows built last: valid once a row of this shape was added with every check.</summary>
        private sealed class Shape
        {
            public Shape(byte[][] inputNames, string[] inputColumns, string? schema, string[] schemaColumns, bool embedding, string[]? sourceNames = null)
            {
                SourceNames = sourceNames;
                InputNames = inputNames;
                InputColumns = inputColumns;
                Schema = schema;
                SchemaColumns = schemaColumns;
                Embedding = embedding;
            }

            /// <summary>The names array of the input values the shape was made from (rows that share it have its names).</summary>
            public string[]? SourceNames { get; }
            public byte[][] InputNames { get; }
            public string[] InputColumns { get; }
            public string? Schema { get; }
            public string[] SchemaColumns { get; }
            public bool Embedding { get; }

            public bool Fits(string? schema, bool embedding) =>
                Embedding == embedding && (ReferenceEquals(Schema, schema) || string.Equals(Schema, schema, StringComparison.Ordinal));
        }

        /// <summary>
        /// A new PSCustomObject with room for <c>n</c> properties: PowerShell 7's PSObject(int), as Import-Csv makes its
        /// rows (its member table made at its size, where PSObject() makes one when the first property is added, through
        /// a table keyed by the object, and grows it); PSObject() where there is none (Windows PowerShell 5.1).
        /// </summary>
        private static readonly Func<int, PSObject> NewRow = RowMaker();

        private static Func<int, PSObject> RowMaker()
        {
            var ctor = typeof(PSObject).GetConstructor(new[] { typeof(int) });
            if (ctor == null) return _ => new PSObject();
            var n = Expression.Parameter(typeof(int), "n");
            return Expression.Lambda<Func<int, PSObject>>(Expression.New(ctor, n), n).Compile();
        }

        /// <summary>
        /// The row of a result; with <paramref name="embeddingColumn"/> (a batch of embeddings is read), every row has an
        /// Embedding column. A row whose input is not plain JSON is built from the input object, made by
        /// <paramref name="buildInput"/> from the request's InputJson.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public PSObject Build(IrisBatchResult result, bool embeddingColumn, Func<string?, object?> buildInput)
        {
            var request = result.Request;
            var schema = request?.Schema;
            bool embedding = embeddingColumn || result.Embedding != null;
            var shape = _shape != null && _shape.Fits(schema, embedding) ? _shape : null;
            var values = _plainRows ? request?.InputValues : null;
            if (values != null) return BuildFromValues(result, values, schema, embedding, shape);
            var json = _plainRows ? request?.InputJson : null;

            PSObject? row = null;
            List<string>? names = null;   // this row's input names, when it is not of the known shape
            bool known = false;
            if (!string.IsNullOrEmpty(json))
            {
                row = NewRow(shape != null ? shape.InputColumns.Length + shape.SchemaColumns.Length + OurColumns.Length : 16);
                if (!TryAddInput(ref row, json!, shape, out known, out names)) row = null;
            }
            if (row == null)
            {
                // The long way, as before: the input object's properties, each added with every check.
                result.DeferInputFromRequest(buildInput);
                row = new PSObject();
                if (result.Input is PSObject input)
                {
                    // The input's own properties: a member that type data adds to every object, the row has too.
                    var own = new List<PSPropertyInfo>();
                    foreach (var p in input.Properties)
                        if (p.IsInstance) own.Add(p);
                    var ownNames = new string[own.Count];
                    for (int i = 0; i < own.Count; i++) ownNames[i] = own[i].Name;
                    var ownColumns = InputColumns(ownNames);
                    for (int i = 0; i < own.Count; i++) row.Properties.Add(new PSNoteProperty(ownColumns[i], own[i].Value));
                }
                AddSchemaColumns(row, result, schema, null, false);
                AddOurs(row, result, embedding, false);
                return row;
            }

            string[]? schemaColumns = AddSchemaColumns(row, result, schema, known ? shape!.SchemaColumns : null, known);
            AddOurs(row, result, embedding, known);
            if (!known) Remember(names!, schema, schemaColumns, embedding, null);
            return row;
        }

        /// <summary>The shape of a row just added with every check: rows with these names can skip the checks from now on.</summary>
        private void Remember(IReadOnlyList<string> names, string? schema, string[]? schemaColumns, bool embedding, string[]? sourceNames)
        {
            var utf8 = new byte[names.Count][];
            var columns = InputColumns(names);
            for (int i = 0; i < names.Count; i++) utf8[i] = Encoding.UTF8.GetBytes(names[i]);
            _shape = new Shape(utf8, columns, schema, schemaColumns ?? Array.Empty<string>(), embedding, sourceNames);
        }

        /// <summary>
        /// The row of a result whose input row the reading threads already read into values: its names are the known
        /// shape's when they are the same array (no comparing at all), else each is added with every check, as
        /// <see cref="TryAddInput"/> adds a row of a new shape.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private PSObject BuildFromValues(IrisBatchResult result, InputValues values, string? schema, bool embedding, Shape? shape)
        {
            var names = values.Names;
            var items = values.Values;
            bool known = shape != null && ReferenceEquals(shape.SourceNames, names);
            var row = NewRow(known ? names.Length + shape!.SchemaColumns.Length + OurColumns.Length : 16);
            if (known)
            {
                var columns = shape!.InputColumns;
                for (int i = 0; i < columns.Length; i++) Put(row, new PSNoteProperty(columns[i], items[i]), true);
            }
            else
            {
                var columns = InputColumns(names);
                for (int i = 0; i < names.Length; i++) Put(row, new PSNoteProperty(columns[i], items[i]), false);
            }
            string[]? schemaColumns = AddSchemaColumns(row, result, schema, known ? shape!.SchemaColumns : null, known);
            AddOurs(row, result, embedding, known);
            if (!known) Remember(names, schema, schemaColumns, embedding, names);
            return row;
        }

        /// <summary>
        /// Adds the properties of the input JSON object (as <see cref="PSConvert.FromJson"/> would make them). With a
        /// known <paramref name="shape"/>, names equal to its own, in its order, take its columns and skip the checks
        /// (<paramref name="known"/> says whether all did); otherwise every name is read and checked, and returned in
        /// <paramref name="names"/>, and the row is built again from them once all are known (a name's column depends on
        /// the others: see <see cref="InputColumns"/>). False when the text is not one JSON object (the caller starts over
        /// the long way).
        /// </summary>
        [MethodImpl(Hot.Path)]
        private static bool TryAddInput(ref PSObject row, string json, Shape? shape, out bool known, out List<string>? names)
        {
            known = false;
            names = null;
            List<object?>? values = null;   // the values of names, once the row is not of the known shape
            var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
            try
            {
                int length = Encoding.UTF8.GetBytes(json, 0, json.Length, buffer, 0);
                var r = new JsonLineReader(buffer, 0, length);
                if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
                int k = 0;
                bool same = shape != null;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (same && k < shape!.InputNames.Length && r.ValueTextEquals(shape.InputNames[k]))
                    {
                        r.Read();
                        Put(row, new PSNoteProperty(shape.InputColumns[k], PSConvert.ReadJsonValue(ref r)), true);
                    }
                    else
                    {
                        if (same)
                        {
                            // Not the known shape after all: the names so far were its own, in order.
                            same = false;
                            TakeKnown(row, shape!, k, out names, out values);
                        }
                        names ??= new List<string>();
                        values ??= new List<object?>();
                        names.Add(r.GetString()!);
                        r.Read();
                        values.Add(PSConvert.ReadJsonValue(ref r));
                    }
                    k++;
                }
                if (r.TokenType != JsonTokenType.EndObject || r.Read()) return false;
                if (same && k != shape!.InputNames.Length)
                {
                    same = false;
                    TakeKnown(row, shape, k, out names, out values);
                }
                known = same;
                names ??= new List<string>();
                if (!known)
                {
                    // Named now that every name is known, each added with every check.
                    if (values == null || values.Count > 0) row = NewRow(16);
                    var columns = InputColumns(names);
                    for (int i = 0; i < columns.Length; i++) Put(row, new PSNoteProperty(columns[i], values![i]), false);
                }
                return true;
            }
            catch (JsonException)
            {
                return false;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>The first <paramref name="k"/> names of the known shape, and their values already added to the row.</summary>
        private static void TakeKnown(PSObject row, Shape shape, int k, out List<string> names, out List<object?> values)
        {
            names = new List<string>(shape.InputNames.Length + 1);
            values = new List<object?>(shape.InputNames.Length + 1);
            for (int i = 0; i < k; i++)
            {
                names.Add(Encoding.UTF8.GetString(shape.InputNames[i]));
                values.Add(row.Properties[shape.InputColumns[i]].Value);
            }
        }

        /// <summary>
        /// The schema's top-level properties as columns: strings, numbers and booleans as they are, arrays and objects
        /// as compact JSON text; empty for a failed result, so every row has the same columns. Returns the column names.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private static string[]? AddSchemaColumns(PSObject row, IrisBatchResult result, string? schema, string[]? columns, bool known)
        {
            if (schema == null) return null;
            var names = SchemaBuilder.TopLevelProperties(schema);
            if (names.Count == 0) return Array.Empty<string>();
            var values = result.Status == ResultStatus.Succeeded ? StructuredOutput.Columns(result.Output, names) : new object?[names.Count];
            if (columns == null || columns.Length != names.Count)
            {
                known = false;
                var taken = new HashSet<string>(OurColumns, StringComparer.OrdinalIgnoreCase);
                foreach (var p in row.Properties) taken.Add(p.Name);
                columns = Unique(names, taken, ParsedPrefix);
            }
            for (int i = 0; i < columns.Length; i++) Put(row, new PSNoteProperty(columns[i], values[i]), known);
            return columns;
        }

        [MethodImpl(Hot.Path)]
        private static void AddOurs(PSObject row, IrisBatchResult result, bool embedding, bool known)
        {
            Put(row, new PSNoteProperty("CustomId", result.CustomId), known);
            Put(row, new PSNoteProperty("Status", StatusText(result.Status)), known);
            Put(row, new PSNoteProperty("Output", result.Output), known);
            Put(row, new PSNoteProperty("ErrorCode", result.Error?.Code), known);
            Put(row, new PSNoteProperty("ErrorMessage", result.Error?.Message), known);
            Put(row, new PSNoteProperty("Cost", result.Cost), known);   // USD from the row's usage; empty without a price
            if (embedding) Put(row, new PSNoteProperty("Embedding", result.Embedding == null ? null : EmbeddingVector.ToJson(result.Embedding)), known);
        }

        /// <summary>
        /// Adds a column: one of a known shape (its name added to a row of this shape before, with every check) straight
        /// to the row's member table (<see cref="KnownMembers"/>), where PowerShell lets it; any other with every check.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Put(PSObject row, PSNoteProperty property, bool known)
        {
            if (known && KnownMembers.Add is { } add) add(row, property);
            else row.Properties.Add(property, known);
        }

        // Enum.GetNames lists the names in value order, and ResultStatus's values are 0, 1, 2, ...
        private static readonly string[] StatusNames = Enum.GetNames(typeof(ResultStatus));

        /// <summary>A status's name: one string per status, looked up by its value (not made again for each row).</summary>
        private static string StatusText(ResultStatus status) =>
            (uint)status < (uint)StatusNames.Length ? StatusNames[(int)status] : status.ToString();

        /// <summary>
        /// The columns of the input's names: each its own name, but Input_X for X one of our columns (or named like an
        /// earlier input column but for case), with more Input_ in front while another column has that name, so no value
        /// takes another's place: CustomId and Input_CustomId give Input_Input_CustomId and Input_CustomId.
        /// </summary>
        internal static string[] InputColumns(IReadOnlyList<string> names)
        {
            var taken = new HashSet<string>(OurColumns, StringComparer.OrdinalIgnoreCase);
            return Unique(names, taken, "Input_");
        }

        /// <summary>
        /// Column names for <paramref name="names"/>, none in <paramref name="taken"/> (case-insensitively, as PowerShell
        /// names properties) nor twice: a name that is free keeps it, and the others get <paramref name="prefix"/> in front
        /// until they are free. Names that keep theirs are chosen first, so a prefixed name never takes one of theirs.
        /// </summary>
        private static string[] Unique(IReadOnlyList<string> names, HashSet<string> taken, string prefix)
        {
            var columns = new string[names.Count];
            for (int i = 0; i < names.Count; i++)
                if (taken.Add(names[i])) columns[i] = names[i];
            for (int i = 0; i < names.Count; i++)
            {
                if (columns[i] != null) continue;
                var column = prefix + names[i];
                while (!taken.Add(column)) column = prefix + column;
                columns[i] = column;
            }
            return columns;
        }
    }
}
