using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace IrisBatch.Emulator;

/// <summary>JSON output shared by every provider surface.</summary>
internal static class Json
{
    /// <summary>Compact, and leaves non-ASCII text readable (prompts echo back into result files).</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = Options.Encoder };

    /// <summary>
    /// Writes through the writer's options only: a node's own values (<see cref="Gemini.InlineEmbedResponses"/>) carry
    /// their own type info, which serializer options without a resolver would replace.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, JsonNode node) => node.WriteTo(writer);

    public static byte[] Utf8(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) Write(writer, node);
        return buffer.WrittenSpan.ToArray();
    }

    public static IResult Result(JsonNode node, int statusCode = StatusCodes.Status200OK) => new JsonNodeResult(node, statusCode);

    /// <summary>Bodies up to this size are built in memory; larger ones (a Gemini Operation with inline vectors) go through a temp file.</summary>
    private const int MemoryThreshold = 1 << 20;

    /// <summary>
    /// Writes a JSON body with Content-Length set. The node is written through a buffer that spills to a temp file,
    /// so a body with values written as they are read (<see cref="Gemini.InlineEmbedResponses"/>) is never held whole.
    /// </summary>
    private sealed class JsonNodeResult(JsonNode node, int statusCode) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            await using var buffer = new FileBufferingWriteStream(MemoryThreshold);
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) Write(writer, node);
            context.Response.StatusCode = statusCode;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = buffer.Length;
            await buffer.DrainBufferAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
