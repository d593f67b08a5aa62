using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using IrisBatch.Requests;

namespace IrisBatch.Results
{
    /// <summary>
    /// The results of requests that had a -Schema (spec §11.1): a cut answer is Failed (truncated), one that is not a
    /// JSON object is Failed (invalid_output, the text kept in Output), and a good one gets Parsed, built when first read.
    /// </summary>
    public static class StructuredOutput
    {
        private static readonly JsonSerializerOptions TypedOptions = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
        };

        /// <summary>
        /// Checks the result of a request with a schema. <paramref name="toObject"/> makes the PowerShell object of a JSON
        /// text (and of a type, where the schema came from one and the JSON serializer cannot fill it).
        /// </summary>
        public static void Check(IrisBatchResult result, IrisBatchRequest? request, Func<string, Type?, object?> toObject)
        {
            if (request?.Schema == null || result.Status != ResultStatus.Succeeded) return;
            if (result.Truncated)
            {
                result.FailTruncated();
                return;
            }
            var text = result.Output;
            var problem = Problem(text);
            if (problem != null)
            {
                result.Status = ResultStatus.Failed;
                result.Error = new ResultError { Code = "invalid_output", Message = Messages.SchemaInvalidOutput(problem) };
                return;
            }
            var typeName = request.SchemaType;
            result.DeferParsed(new Lazy<object?>(() => Build(text!, typeName, toObject)));
        }

        /// <summary>What is wrong with an answer that should be one JSON object, or null when nothing is.</summary>
        internal static string? Problem(string? text)
        {
            if (string.IsNullOrWhiteSpace(text)) return "it is empty.";
            try
            {
                using var doc = JsonDocument.Parse(text!);
                return doc.RootElement.ValueKind == JsonValueKind.Object ? null : Messages.SchemaAnswerNotObject(doc.RootElement.ValueKind.ToString().ToLowerInvariant());
            }
            catch (JsonException ex)
            {
                return "it is not valid JSON (" + ex.Message + ").";
            }
        }

        private static object? Build(string text, string? typeName, Func<string, Type?, object?> toObject)
        {
            var type = SchemaTypes.Find(typeName);
            if (type != null)
            {
                try
                {
                    var typed = JsonSerializer.Deserialize(text, type, TypedOptions);
                    if (typed != null) return typed;
                }
                catch (Exception ex) when (ex is JsonException || ex is NotSupportedException || ex is InvalidOperationException || ex is ArgumentException) { }
            }
            return toObject(text, type);
        }

        /// <summary>
        /// The values of the schema's top-level properties in an answer, for columns: strings, numbers and booleans as
        /// they are, arrays and objects as compact JSON text, null where the answer lacks one (or is not JSON).
        /// </summary>
        public static object?[] Columns(string? output, IReadOnlyList<string> names)
        {
            var values = new object?[names.Count];
            if (string.IsNullOrEmpty(output) || names.Count == 0) return values;
            try
            {
                using var doc = JsonDocument.Parse(output!);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return values;
                for (int i = 0; i < names.Count; i++)
                    if (doc.RootElement.TryGetProperty(names[i], out var v)) values[i] = Value(v);
            }
            catch (JsonException) { }
            return values;
        }

        private static object? Value(JsonElement v)
        {
            switch (v.ValueKind)
            {
                case JsonValueKind.String: return v.GetString();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Null:
                case JsonValueKind.Undefined: return null;
                case JsonValueKind.Number:
                    if (v.TryGetInt64(out var l)) return l;
                    return v.GetDouble();
                default:
                    using (var ms = new MemoryStream())
                    {
                        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) v.WriteTo(w);
                        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
                    }
            }
        }
    }
}
