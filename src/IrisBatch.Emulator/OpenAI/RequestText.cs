using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>Reduces an OpenAI request body to the messages the fake model reads, per batch endpoint.</summary>
internal static class RequestText
{
    public static List<FakeMessage> Messages(string endpoint, JsonElement body)
    {
        var messages = new List<FakeMessage>();
        switch (endpoint)
        {
            case "/v1/chat/completions":
                if (body.TryGetProperty("messages", out var ms) && ms.ValueKind == JsonValueKind.Array)
                    foreach (var m in ms.EnumerateArray()) AddMessage(messages, m);
                break;
            case "/v1/responses":
                if (body.TryGetProperty("instructions", out var ins) && ins.ValueKind == JsonValueKind.String)
                    messages.Add(new FakeMessage("system", ins.GetString()!));
                if (body.TryGetProperty("input", out var input))
                {
                    if (input.ValueKind == JsonValueKind.String) messages.Add(new FakeMessage("user", input.GetString()!));
                    else if (input.ValueKind == JsonValueKind.Array)
                        foreach (var item in input.EnumerateArray()) AddMessage(messages, item);
                }
                break;
            default:
                // completions, embeddings, moderations, images, videos: the prompt or input is one user message.
                foreach (string field in new[] { "prompt", "input" })
                    if (body.TryGetProperty(field, out var p))
                    {
                        messages.Add(new FakeMessage("user", StringOrStrings(p)));
                        break;
                    }
                break;
        }
        return messages;
    }

    /// <summary>Number of inputs of an embeddings request (an array is one input per item).</summary>
    public static int InputCount(JsonElement body) =>
        body.TryGetProperty("input", out var i) && i.ValueKind == JsonValueKind.Array ? i.GetArrayLength() : 1;

    private static void AddMessage(List<FakeMessage> messages, JsonElement m)
    {
        if (m.ValueKind != JsonValueKind.Object) return;
        if (!m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String) return;
        string text = m.TryGetProperty("content", out var c) ? ContentText(c) : "";
        messages.Add(new FakeMessage(role.GetString()!, text));
    }

    /// <summary>String content as is; an array of parts as the concatenation of the parts' "text" strings.</summary>
    public static string ContentText(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) return "";
        var sb = new StringBuilder();
        foreach (var part in content.EnumerateArray())
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                sb.Append(t.GetString());
        return sb.ToString();
    }

    private static string StringOrStrings(JsonElement p)
    {
        if (p.ValueKind == JsonValueKind.String) return p.GetString()!;
        if (p.ValueKind != JsonValueKind.Array) return "";
        var parts = new List<string>();
        foreach (var item in p.EnumerateArray())
            if (item.ValueKind == JsonValueKind.String) parts.Add(item.GetString()!);
        return string.Join("\n", parts);
    }
}
