using System;
using System.Collections.Generic;
using System.Text.Json;

namespace IrisBatch.Emulator.Ollama;

/// <summary>
/// Spec §11 on Ollama's two chat routes: <c>format</c> ("json" or a JSON schema), <c>images</c> (raw base64, no data URL),
/// <c>think</c>, <c>options.num_predict</c> on <c>/api/chat</c>; <c>response_format</c>, base64 <c>image_url</c> parts,
/// <c>reasoning_effort</c> and <c>max_tokens</c> on <c>/v1/chat/completions</c>. A broken rule is a 400 in the route's own error shape.
/// </summary>
internal static class OllamaRequests
{
    private static readonly string[] ThinkLevels = { "low", "medium", "high", "max" };

    public static FakeRequest Native(JsonElement root, List<FakeMessage> messages)
    {
        string? problem = null;
        JsonElement? schema = null;
        bool jsonMode = false;
        if (root.TryGetProperty("format", out var format) && format.ValueKind != JsonValueKind.Null)
        {
            if (format.ValueKind == JsonValueKind.String && format.GetString() == "json") jsonMode = true;
            else if (format.ValueKind == JsonValueKind.String && format.GetString()!.Length == 0) { }
            else if (format.ValueKind == JsonValueKind.Object) schema = format.Clone();
            else problem = $"invalid format: {format.GetRawText()}; expected \"json\" or a valid JSON Schema";
        }
        string? effort = null;
        if (root.TryGetProperty("think", out var think) && think.ValueKind != JsonValueKind.Null)
        {
            if (think.ValueKind == JsonValueKind.True) effort = "medium";
            else if (think.ValueKind == JsonValueKind.String && Array.IndexOf(ThinkLevels, think.GetString()) >= 0) effort = think.GetString();
            else if (think.ValueKind != JsonValueKind.False)
                problem ??= $"invalid think value: {think.GetRawText()} (must be \"low\", \"medium\", \"high\", \"max\", true, or false)";
        }
        int? max = null;
        if (root.TryGetProperty("options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("num_predict", out var np) && np.TryGetInt32(out int n) && n > 0)
            max = n;
        int images = 0;
        if (root.TryGetProperty("messages", out var ms) && ms.ValueKind == JsonValueKind.Array)
            foreach (var msg in ms.EnumerateArray())
            {
                if (msg.ValueKind != JsonValueKind.Object || !msg.TryGetProperty("images", out var imgs) || imgs.ValueKind == JsonValueKind.Null) continue;
                if (imgs.ValueKind != JsonValueKind.Array)
                {
                    problem ??= "json: cannot unmarshal into Go struct field Message.messages.images of type []api.ImageData";
                    continue;
                }
                foreach (var img in imgs.EnumerateArray())
                {
                    images++;
                    if (img.ValueKind != JsonValueKind.String)
                    {
                        problem ??= "json: cannot unmarshal into Go struct field Message.messages.images of type api.ImageData";
                        continue;
                    }
                    problem ??= Image(img.GetString()!);
                }
            }
        return new FakeRequest(messages)
        {
            Schema = schema,
            JsonMode = jsonMode,
            ReasoningEffort = effort,
            MaxOutputTokens = max,
            Rejection = problem is null ? null : new FakeRejection(problem, null, null),
            ImageParts = images,
        };
    }

    /// <summary>A raw base64 image as Go decodes <c>[]byte</c>: bad base64 names the first bad byte; bytes that are no image are refused.</summary>
    private static string? Image(string b64)
    {
        if (Images.Decode(b64) is not { } bytes)
        {
            int at = 0;
            while (at < b64.Length && (char.IsAsciiLetterOrDigit(b64[at]) || b64[at] is '+' or '/')) at++;
            return $"illegal base64 data at input byte {at}";
        }
        return Images.Sniff(bytes) is null ? "failed to process inputs: image: unknown format" : null;
    }

    public static FakeRequest V1(JsonElement root, List<FakeMessage> messages)
    {
        string? problem = null;
        JsonElement? schema = null;
        bool jsonMode = false;
        if (root.TryGetProperty("response_format", out var rf) && rf.ValueKind == JsonValueKind.Object
            && rf.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
        {
            switch (type.GetString())
            {
                case "json_object": jsonMode = true; break;
                case "json_schema":
                    if (rf.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object
                        && js.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object) schema = s.Clone();
                    else problem = "invalid response_format: json_schema.schema is required";
                    break;
                case "text": break;
                default: problem = $"invalid response format type: {type.GetString()}"; break;
            }
        }
        string? effort = null;
        if (root.TryGetProperty("reasoning_effort", out var re) && re.ValueKind == JsonValueKind.String)
        {
            if (Array.IndexOf(new[] { "low", "medium", "high", "none" }, re.GetString()) < 0)
                problem ??= $"invalid reasoning_effort: {re.GetString()}";
            else if (re.GetString() != "none") effort = re.GetString();
        }
        int? max = null;
        foreach (string name in new[] { "max_completion_tokens", "max_tokens" })
            if (root.TryGetProperty(name, out var mt) && mt.TryGetInt32(out int n) && n > 0) max ??= n;
        int images = 0;
        if (root.TryGetProperty("messages", out var ms) && ms.ValueKind == JsonValueKind.Array)
            foreach (var msg in ms.EnumerateArray())
            {
                if (msg.ValueKind != JsonValueKind.Object || !msg.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array) continue;
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var pt) || pt.GetString() != "image_url") continue;
                    images++;
                    string url = part.TryGetProperty("image_url", out var iu)
                        ? iu.ValueKind == JsonValueKind.String ? iu.GetString()! : iu.ValueKind == JsonValueKind.Object && iu.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : ""
                        : "";
                    if (!Images.TryParseDataUrl(url, out _, out string payload)) problem ??= "invalid image input";
                    else problem ??= Image(payload);
                }
            }
        return new FakeRequest(messages)
        {
            Schema = schema,
            JsonMode = jsonMode,
            ReasoningEffort = effort,
            MaxOutputTokens = max,
            Rejection = problem is null ? null : new FakeRejection(problem, null, null),
            ImageParts = images,
        };
    }
}
