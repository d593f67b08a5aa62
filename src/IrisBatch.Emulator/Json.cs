using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

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

    public static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Options));

    public static IResult Result(JsonNode node, int statusCode = StatusCodes.Status200OK) => new JsonNodeResult(node, statusCode);

    /// <summary>Writes a JSON body with Content-Length set.</summary>
    private sealed class JsonNodeResult(JsonNode node, int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            byte[] bytes = Utf8(node);
            context.Response.StatusCode = statusCode;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = bytes.Length;
            return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
        }
    }
}
