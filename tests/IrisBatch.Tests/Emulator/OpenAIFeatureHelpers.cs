using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>Runs one OpenAI-shaped batch to the end on an instant emulator and returns every result line by custom_id.</summary>
internal static class FeatureBatch
{
    public static EmulatorOptions Instant => new() { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 };

    public static string Line(string customId, JsonObject body, string url = EmulatorApi.Chat) =>
        new JsonObject { ["custom_id"] = customId, ["method"] = "POST", ["url"] = url, ["body"] = body }.ToJsonString();

    public static JsonObject ChatBody(string model, string userText, Action<JsonObject>? extra = null)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = userText }),
        };
        extra?.Invoke(body);
        return body;
    }

    public static JsonObject ResponsesBody(string model, string userText, Action<JsonObject>? extra = null)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["input"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = userText }),
            }),
        };
        extra?.Invoke(body);
        return body;
    }

    /// <summary>Uploads, creates, waits for a terminal status; returns the batch and its output and error lines by custom_id.</summary>
    public static async Task<(JsonElement Batch, Dictionary<string, JsonElement> Lines)> RunAsync(
        EmulatorApi api, string endpoint, params string[] lines)
    {
        string fileId = await api.UploadAsync(Lines.Jsonl(lines));
        var created = await api.CreateBatchAsync(fileId, endpoint);
        string id = created.GetProperty("id").GetString()!;
        var batch = await api.WaitForStatusAsync(id, "completed", "failed");
        var result = new Dictionary<string, JsonElement>();
        foreach (string file in new[] { "output_file_id", "error_file_id" })
            if (EmulatorApi.Str(batch, file) is { } fid)
                foreach (var l in await api.DownloadLinesAsync(fid)) result[l.GetProperty("custom_id").GetString()!] = l;
        return (batch, result);
    }

    public static JsonElement Body(JsonElement line) => line.GetProperty("response").GetProperty("body");

    public static int Status(JsonElement line) => line.GetProperty("response").GetProperty("status_code").GetInt32();

    /// <summary>Asserts a failed line: 400, the OpenAI envelope, and returns its error object.</summary>
    public static JsonElement AssertRejected(JsonElement line, string? param = null, string? code = null)
    {
        Assert.Equal(400, Status(line));
        var error = EmulatorApi.AssertEnvelope(Body(line));
        if (param is not null) Assert.Equal(param, error.GetProperty("param").GetString());
        if (code is not null) Assert.Equal(code, error.GetProperty("code").GetString());
        return error;
    }

    public static JsonElement Message(JsonElement line) => Body(line).GetProperty("choices")[0].GetProperty("message");

    public static string FinishReason(JsonElement line) => Body(line).GetProperty("choices")[0].GetProperty("finish_reason").GetString()!;

    public static JsonObject StrictSchema(string name, JsonObject schema) => new()
    {
        ["type"] = "json_schema",
        ["json_schema"] = new JsonObject { ["name"] = name, ["strict"] = true, ["schema"] = schema },
    };

    /// <summary>A schema with every kind of value: strings (plain, enum, format), numbers, integers, booleans, arrays, nested and nullable.</summary>
    public static JsonObject ProductSchema() => JsonNode.Parse("""
        {"type":"object","properties":{
          "name":{"type":"string"},
          "category":{"type":"string","enum":["toys","food","tools"]},
          "price":{"type":"number","minimum":1,"maximum":5},
          "stock":{"type":"integer","minimum":10,"maximum":20},
          "active":{"type":"boolean"},
          "tags":{"type":"array","items":{"type":"string"},"minItems":2,"maxItems":4},
          "dims":{"type":"object","properties":{"w":{"type":"integer"},"h":{"type":["number","null"]}},"required":["w","h"],"additionalProperties":false},
          "note":{"type":["string","null"]},
          "released":{"type":"string","format":"date"},
          "code":{"anyOf":[{"type":"string","pattern":"^[0-9]+$"},{"type":"null"}]}
        },"required":["name","category","price","stock","active","tags","dims","note","released","code"],"additionalProperties":false}
        """)!.AsObject();
}
