using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace IrisBatch.Emulator.Anthropic;

/// <summary>
/// The spec §11 rules on a Message Batches request's <c>params</c>, checked when the request runs (an <c>errored</c> result
/// with <c>invalid_request_error</c>, as the service's asynchronous params validation): <c>output_config</c> (format,
/// effort), extended thinking (budget, temperature/top_k/top_p), image blocks (§11.2).
/// </summary>
internal static class AnthropicRequests
{
    private static readonly string[] Efforts = { "low", "medium", "high", "xhigh", "max" };
    private static readonly string[] MediaTypes = { "image/jpeg", "image/png", "image/gif", "image/webp" };
    private const string ThinkingDocs = "Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility";

    /// <summary>The beta that makes the legacy top-level <c>output_format</c> a known field (spec §11.1).</summary>
    public const string StructuredOutputsBeta = "structured-outputs-2025-11-13";

    /// <summary>Whether the create call's <c>anthropic-beta</c> header(s) name the structured-outputs beta (comma-separated, as ASDK joins them).</summary>
    public static bool HasStructuredOutputsBeta(IEnumerable<string?> headerValues) =>
        headerValues.Any(v => v is not null && v.Split(',').Any(b => b.Trim() == StructuredOutputsBeta));

    /// <param name="structuredOutputsBeta">The batch was created with <see cref="StructuredOutputsBeta"/>: without it the GA
    /// Messages API does not know <c>output_format</c> and refuses it as an extra input (use <c>output_config.format</c>).</param>
    public static FakeRequest Read(JsonElement ps, List<FakeMessage> messages, bool structuredOutputsBeta = false)
    {
        int maxTokens = ps.TryGetProperty("max_tokens", out var mt) && mt.TryGetInt32(out int m) ? m : int.MaxValue;
        string? problem = null;
        JsonElement? schema = null;
        string? effort = null;
        int? budget = null;
        int images = 0, urlImages = 0;

        if (Present(ps, "output_config", out var oc))
            problem = OutputConfig(oc, ref schema, ref effort);
        if (problem is null && Present(ps, "output_format", out var legacy))
            problem = structuredOutputsBeta ? Format(legacy, "output_format", ref schema) : "output_format: Extra inputs are not permitted";
        bool thinks = false;
        if (problem is null && Present(ps, "thinking", out var thinking))
            problem = Thinking(ps, thinking, maxTokens, ref thinks, ref budget);
        if (problem is null && (schema is not null || thinks) && LastRole(ps) == "assistant")
            problem = schema is not null
                ? "Prefilling the assistant message is not supported with structured outputs (output_config.format): the last message must have role 'user'."
                : "Prefilling the assistant message is not supported when thinking is enabled: the last message must have role 'user'. " + ThinkingDocs;
        if (problem is null && schema is not null && CitationsOn(ps))
            problem = "Citations are not supported with structured outputs (output_config.format): turn citations off on the document blocks or leave the format out.";
        problem ??= ImageBlocks(ps, ref images, ref urlImages);

        return new FakeRequest(messages)
        {
            Schema = schema,
            ReasoningEffort = thinks ? effort ?? "medium" : null,
            ReasoningBudget = budget,
            MaxOutputTokens = maxTokens == int.MaxValue ? null : maxTokens,
            Rejection = problem is null ? null : new FakeRejection(problem, null, null),
            ImageParts = images,
            ImageUrlParts = urlImages,
        };
    }

    /// <summary>Whether a content block (a document) asks for citations: <c>"citations": {"enabled": true}</c>.</summary>
    private static bool CitationsOn(JsonElement ps)
    {
        if (!ps.TryGetProperty("messages", out var ms) || ms.ValueKind != JsonValueKind.Array) return false;
        foreach (var message in ms.EnumerateArray())
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
                foreach (var block in content.EnumerateArray())
                    if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("citations", out var c) && c.ValueKind == JsonValueKind.Object
                        && c.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.True)
                        return true;
        return false;
    }

    /// <summary>The role of the last message (spec §11.1, §11.4: structured outputs and thinking take no assistant prefill).</summary>
    private static string? LastRole(JsonElement ps)
    {
        if (!ps.TryGetProperty("messages", out var ms) || ms.ValueKind != JsonValueKind.Array || ms.GetArrayLength() == 0) return null;
        var last = ms[ms.GetArrayLength() - 1];
        return last.ValueKind == JsonValueKind.Object && last.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
    }

    private static bool Present(JsonElement o, string name, out JsonElement value) =>
        o.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string? OutputConfig(JsonElement oc, ref JsonElement? schema, ref string? effort)
    {
        if (oc.ValueKind != JsonValueKind.Object) return "output_config: Input should be a valid dictionary";
        foreach (var p in oc.EnumerateObject())
            if (p.Name is not ("format" or "effort")) return $"output_config.{p.Name}: Extra inputs are not permitted";
        if (Present(oc, "effort", out var e))
        {
            if (e.ValueKind != JsonValueKind.String || Array.IndexOf(Efforts, e.GetString()) < 0)
                return "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'";
            effort = e.GetString();
        }
        return Present(oc, "format", out var f) ? Format(f, "output_config.format", ref schema) : null;
    }

    private static string? Format(JsonElement f, string at, ref JsonElement? schema)
    {
        if (f.ValueKind != JsonValueKind.Object) return $"{at}: Input should be a valid dictionary";
        if (!f.TryGetProperty("type", out var type)) return $"{at}.type: Field required";
        if (type.ValueKind != JsonValueKind.String || type.GetString() != "json_schema") return $"{at}.type: Input should be 'json_schema'";
        foreach (var p in f.EnumerateObject())
            if (p.Name is not ("type" or "schema")) return $"{at}.{p.Name}: Extra inputs are not permitted";
        if (!Present(f, "schema", out var s)) return $"{at}.schema: Field required";
        if (s.ValueKind != JsonValueKind.Object) return $"{at}.schema: Input should be a valid dictionary";
        if (JsonSchemaRules.Anthropic(s) is { } problem) return $"{at}.schema: {problem}";
        schema = s.Clone();
        return null;
    }

    private static string? Thinking(JsonElement ps, JsonElement thinking, int maxTokens, ref bool thinks, ref int? budget)
    {
        if (thinking.ValueKind != JsonValueKind.Object) return "thinking: Input should be a valid dictionary";
        string? type = thinking.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "disabled":
                return null;
            case "enabled":
                if (!thinking.TryGetProperty("budget_tokens", out var b)) return "thinking.enabled.budget_tokens: Field required";
                if (!b.TryGetInt32(out int n)) return "thinking.enabled.budget_tokens: Input should be a valid integer";
                if (n < 1024) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
                if (maxTokens <= n)
                    return "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size";
                budget = n;
                thinks = true;
                break;
            case "adaptive":
                thinks = true;
                break;
            default:
                return $"thinking: Input tag '{type}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'";
        }
        if (thinking.TryGetProperty("display", out var d) && d.ValueKind != JsonValueKind.Null && d.GetString() is not ("summarized" or "omitted"))
            return $"thinking.{type}.display: Input should be 'summarized' or 'omitted'";
        if (Present(ps, "temperature", out var temp) && !(temp.ValueKind == JsonValueKind.Number && temp.GetDouble() == 1))
            return "`temperature` may only be set to 1 when thinking is enabled. " + ThinkingDocs;
        if (Present(ps, "top_k", out _))
            return "`top_k` is not supported when thinking is enabled. " + ThinkingDocs;
        if (Present(ps, "top_p", out var tp) && !(tp.ValueKind == JsonValueKind.Number && tp.GetDouble() is >= 0.95 and <= 1))
            return "`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled. " + ThinkingDocs;
        if (Present(ps, "tool_choice", out var tc) && tc.ValueKind == JsonValueKind.Object
            && tc.TryGetProperty("type", out var tct) && tct.ValueKind == JsonValueKind.String && tct.GetString() is "any" or "tool")
            return "Thinking may not be enabled when tool_choice forces tool use. " + ThinkingDocs;
        return null;
    }

    private static string? ImageBlocks(JsonElement ps, ref int images, ref int urlImages)
    {
        if (!ps.TryGetProperty("messages", out var ms) || ms.ValueKind != JsonValueKind.Array) return null;
        var sides = new List<(string At, int Side)>();   // each base64 image's larger side, for the many-image rule
        int i = 0;
        foreach (var message in ms.EnumerateArray())
        {
            int mi = i++;
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array) continue;
            int j = 0;
            foreach (var block in content.EnumerateArray())
            {
                string at = $"messages.{mi}.content.{j++}.image";
                if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var bt) || bt.GetString() != "image") continue;
                if (++images > Images.AnthropicMaxImages) return $"messages: Too many images in request. Max is {Images.AnthropicMaxImages}.";
                if (!block.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object) return $"{at}.source: Field required";
                string? st = source.TryGetProperty("type", out var stEl) && stEl.ValueKind == JsonValueKind.String ? stEl.GetString() : null;
                if (st == "url")
                {
                    urlImages++;
                    if (!source.TryGetProperty("url", out var u) || u.ValueKind != JsonValueKind.String) return $"{at}.source.url.url: Field required";
                    if (!Images.IsHttpOrHttps(u.GetString()!)) return $"{at}.source.url.url: Input should be a valid URL";
                    if (Images.Unreachable(u.GetString()!)) return "Unable to download the file. Please verify the URL and try again.";
                    continue;
                }
                if (st != "base64")
                    return $"{at}.source: Input tag '{st}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'";
                if (!source.TryGetProperty("media_type", out var mtEl) || mtEl.ValueKind != JsonValueKind.String || Array.IndexOf(MediaTypes, mtEl.GetString()) < 0)
                    return $"{at}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'";
                if (!source.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String) return $"{at}.source.base64.data: Field required";
                string text = data.GetString()!;
                if (text.StartsWith("data:", StringComparison.Ordinal) || Images.Decode(text) is not { } bytes)
                    return $"{at}.source.base64.data: The image data is not valid base64.";
                string declared = mtEl.GetString()!;
                string? actual = Images.Sniff(bytes);
                if (actual is null || Array.IndexOf(MediaTypes, actual) < 0) return $"{at}.source.base64.data: Could not process image";
                if (actual != declared) return $"{at}.source.base64.data: Image does not match the provided media type {declared}";
                if (bytes.Length > Images.AnthropicMaxBytes)
                    return $"{at}.source.base64.data: image exceeds 5 MB maximum: {bytes.Length} bytes > {Images.AnthropicMaxBytes} bytes";
                var (width, height) = Images.SizeOf(bytes);
                if (width > Images.AnthropicMaxSide || height > Images.AnthropicMaxSide)
                    return $"{at}.source.base64.data: At least one of the image dimensions exceed max allowed size: {Images.AnthropicMaxSide} pixels";
                sides.Add((at, Math.Max(width, height)));
            }
        }
        // A request of more than 20 images takes smaller ones (spec §11.2: 2000 x 2000).
        if (images > Images.AnthropicManyImages)
            foreach (var (at, side) in sides)
                if (side > Images.AnthropicMaxSideWhenMany)
                    return $"{at}.source.base64.data: At least one of the image dimensions exceed max allowed size for many-image requests: {Images.AnthropicMaxSideWhenMany} pixels";
        return null;
    }
}
