using System.Text.Json.Serialization;

namespace IrisBatch.Journal
{
    /// <summary>
    /// The journal entry's JSON, generated at build time: the same JSON as reflection with WriteIndented and string
    /// enums, without the reflection and code generation that cost tens of milliseconds in every fresh session (each
    /// cmdlet reads or writes the journal before its first row or result).
    /// </summary>
    [JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true)]
    [JsonSerializable(typeof(JournalEntry))]
    internal partial class JournalJson : JsonSerializerContext
    {
    }
}
