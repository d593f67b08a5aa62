using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Text.Json;
using IrisBatch.Conversion;
using IrisBatch.Jsonl;
using IrisBatch.Requests;

namespace IrisBatch.Commands
{
    /// <summary>
    /// What New-IrisBatchRequest -Schema was given, as one normalised JSON schema with its name and, for a class or
    /// .NET type, the type's full name: a hashtable (or any IDictionary), a JSON string, the path of a .json file, or a type.
    /// </summary>
    internal sealed class SchemaArgument
    {
        private SchemaArgument(string schema, string name, string? typeName)
        {
            Schema = schema;
            Name = name;
            TypeName = typeName;
        }

        public string Schema { get; }
        public string Name { get; }
        public string? TypeName { get; }

        /// <summary>Reads the argument; throws IrisBatchException InvalidSchema saying what is wrong.</summary>
        public static SchemaArgument From(object value, PSCmdlet cmdlet)
        {
            if (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) value = pso.BaseObject;
            switch (value)
            {
                case Type type:
                    return new SchemaArgument(SchemaBuilder.FromType(type), SchemaBuilder.CleanName(type.Name), type.FullName ?? type.Name);
                case string text:
                {
                    var trimmed = text.Trim();
                    if (trimmed.StartsWith("{") || trimmed.StartsWith("["))
                        return FromJson(trimmed, Messages.SchemaFromText(), null);
                    string path;
                    try { path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(trimmed); }
                    catch (Exception ex) when (!(ex is PipelineStoppedException)) { throw Invalid(Messages.SchemaNeither(trimmed, ex.Message)); }
                    if (!File.Exists(path)) throw Invalid(Messages.SchemaFileMissing(path));
                    string json;
                    try { json = File.ReadAllText(path); }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { throw Invalid(Messages.SchemaFileUnreadable(path, ex.Message)); }
                    return FromJson(json, Messages.SchemaFromFile(path), Path.GetFileNameWithoutExtension(path));
                }
                case null:
                    throw Invalid(Messages.SchemaEmpty());
                default:
                    if (value is IDictionary || value is PSObject)
                    {
                        using var ms = new MemoryStream();
                        using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options)) PSConvert.Write(w, value, -64);   // schemas nest deeper than rows
                        return FromJson(System.Text.Encoding.UTF8.GetString(ms.ToArray()), Messages.SchemaFromHashtable(), null);
                    }
                    throw Invalid(Messages.SchemaWrongType(value.GetType().Name));
            }
        }

        private static SchemaArgument FromJson(string json, string origin, string? fallbackName)
        {
            var schema = SchemaBuilder.FromJson(json, origin, out var name);
            if (name == SchemaBuilder.DefaultName && fallbackName != null) name = SchemaBuilder.CleanName(fallbackName);
            return new SchemaArgument(schema, name, null);
        }

        private static IrisBatchException Invalid(string message) =>
            new IrisBatchException(ErrorIds.InvalidSchema, FailureKind.InvalidArgument, Messages.NothingUploaded(message));
    }
}
