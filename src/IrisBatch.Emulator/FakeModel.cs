using System;
using System.Collections.Generic;
using System.Text.Json;

namespace IrisBatch.Emulator;

/// <summary>A chat message reduced to what the fake model reads: its role and its text.</summary>
public readonly record struct FakeMessage(string Role, string Text);

public enum FakeOutcome
{
    Ok,
    /// <summary>The last user message contains "[fail]", or the request broke a rule of the service (<see cref="FakeAnswer.Rejection"/>): HTTP 400.</summary>
    Fail400,
    /// <summary>The last user message contains "[fail500]": an HTTP 500-style request failure.</summary>
    Fail500,
}

/// <summary>How a successful answer ended.</summary>
public enum FakeFinish
{
    /// <summary>Complete (OpenAI "stop", Responses "completed", Anthropic "end_turn", Gemini "STOP").</summary>
    Stop,
    /// <summary>Cut at the token limit ("[truncate]", or the answer did not fit the request's max tokens).</summary>
    Length,
    /// <summary>The model refused ("[refuse]").</summary>
    Refusal,
    /// <summary>
    /// Stopped by the service's content filter ("[content-filter]", OpenAI and Azure only: spec §11.1 finish_reason
    /// content_filter, §11.3 incomplete_details.reason content_filter); <see cref="FakeAnswer.Content"/> is the part
    /// written before the stop.
    /// </summary>
    ContentFilter,
}

/// <summary>A rule of the real service the request broke: answered as a 400 in the provider's error shape, on its own line.</summary>
public sealed record FakeRejection(string Message, string? Param, string? Code, string Type = "invalid_request_error");

/// <summary>What a request asks of the fake model beyond its messages (spec §11).</summary>
public sealed class FakeRequest
{
    public FakeRequest(IReadOnlyList<FakeMessage> messages) => Messages = messages;

    public IReadOnlyList<FakeMessage> Messages { get; }

    /// <summary>A JSON Schema (or Gemini's proto Schema) the answer must fit; null for free text.</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>JSON mode without a schema (json_object, Ollama "json", Gemini application/json without a schema).</summary>
    public bool JsonMode { get; init; }

    /// <summary>The reasoning effort in force ("none", "minimal", "low", "medium", "high", "xhigh", "max"), or null when the model does not reason.</summary>
    public string? ReasoningEffort { get; init; }

    /// <summary>A cap on reasoning tokens (Anthropic budget_tokens, Gemini thinkingBudget), or null.</summary>
    public int? ReasoningBudget { get; init; }

    /// <summary>The request's output token limit (reasoning included), or null.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Set when the request breaks a rule: the answer is a 400 failure.</summary>
    public FakeRejection? Rejection { get; init; }

    /// <summary>Image parts in the request (counted in the stats).</summary>
    public int ImageParts { get; init; }

    public int ImageUrlParts { get; init; }

    /// <summary>
    /// Whether the surface has a content filter that can stop an answer (OpenAI's and Azure's): only then does
    /// "[content-filter]" act; the other providers' specs name no such stop, so there the marker is plain text.
    /// </summary>
    public bool ContentFilter { get; set; }
}

public sealed record FakeAnswer(string Content, int PromptTokens, int CompletionTokens, FakeOutcome Outcome)
{
    public int TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>How the answer ended (only meaningful when <see cref="Outcome"/> is Ok).</summary>
    public FakeFinish Finish { get; init; } = FakeFinish.Stop;

    /// <summary>The refusal text when <see cref="Finish"/> is Refusal (then <see cref="Content"/> is empty).</summary>
    public string? Refusal { get; init; }

    /// <summary>Reasoning (thinking) tokens; part of <see cref="CompletionTokens"/>.</summary>
    public int ReasoningTokens { get; init; }

    /// <summary>Tokens of the visible answer: <see cref="CompletionTokens"/> less <see cref="ReasoningTokens"/>.</summary>
    public int VisibleTokens => CompletionTokens - ReasoningTokens;

    /// <summary>Why the request failed with a 400, when a service rule (not "[fail]") failed it.</summary>
    public FakeRejection? Rejection { get; init; }

    /// <summary>The request this answers (for result bodies that echo a setting).</summary>
    public FakeRequest? Request { get; init; }

    /// <summary>Input tokens a batch-level usage counts for this line beyond its own usage ("[usage-drift]"); normally 0.</summary>
    public int BatchUsageDrift { get; init; }

    /// <summary>The part of <see cref="PromptTokens"/> read from the prompt cache ("[cached]", "[cached-drift]"); normally 0.</summary>
    public int CachedTokens { get; init; }

    /// <summary>Cached tokens a batch-level usage counts for this line beyond its own usage ("[cached-drift]"); normally 0.</summary>
    public int BatchCachedDrift { get; init; }

    /// <summary>
    /// The part of <see cref="PromptTokens"/> written to the prompt cache ("[cache-write]", "[cache-write-1h]"), in the
    /// usage that reports cache writes (Anthropic's); normally 0.
    /// </summary>
    public int CacheWriteTokens { get; init; }

    /// <summary>Whether <see cref="CacheWriteTokens"/> went to the 1-hour cache ("[cache-write-1h]") rather than the 5-minute one.</summary>
    public bool CacheWrite1h { get; init; }
}

/// <summary>
/// The deterministic model behind every provider surface (documented in README.md):
/// the answer is "Echo: " + the text of the last user message, or JSON that fits the request's schema (<see cref="SchemaAnswer"/>);
/// prompt tokens = whitespace-separated words over all messages; completion tokens = words in the answer plus reasoning tokens.
/// Markers in the last user message: "[fail500]" / "[fail]" fail the request; "[invalid-json]" answers text that is not JSON;
/// "[truncate]" cuts the answer in half with the provider's length reason; "[refuse]" refuses; "[content-filter]" (OpenAI
/// and Azure) stops the answer half way with the content filter's reason; "[usage-drift]" answers
/// normally, but the batch-level usage of a provider that reports one (OpenAI's, Azure's) counts <see cref="UsageDriftTokens"/>
/// more input tokens for the line than its own usage says (a provider whose two figures disagree). "[cached]" answers
/// normally with half the prompt's tokens (rounded down) read from the prompt cache, in the usage that has a cached count
/// (OpenAI-shaped chat and Responses bodies, spec §11.6) and so in the OpenAI/Azure batch object's usage; "[cached-drift]"
/// does the same, but that batch-level usage counts the whole prompt as cached for the line (the two disagree on cached tokens).
/// "[cache-write]" answers normally with half the prompt's tokens (rounded down) written to the 5-minute prompt cache, and
/// "[cache-write-1h]" to the 1-hour one, in the usage that reports cache writes (Anthropic's cache_creation_input_tokens and
/// cache_creation split; with "[cached]" the other half is read from the cache).
/// </summary>
public static class FakeModel
{
    public const string AnswerPrefix = "Echo: ";
    public const string FailMarker = "[fail]";
    public const string Fail500Marker = "[fail500]";
    public const string InvalidJsonMarker = "[invalid-json]";
    public const string TruncateMarker = "[truncate]";
    public const string RefuseMarker = "[refuse]";
    public const string ContentFilterMarker = "[content-filter]";
    public const string UsageDriftMarker = "[usage-drift]";
    public const int UsageDriftTokens = 1000;
    public const string CachedMarker = "[cached]";
    public const string CachedDriftMarker = "[cached-drift]";
    public const string CacheWriteMarker = "[cache-write]";
    public const string CacheWrite1hMarker = "[cache-write-1h]";
    public const string RefusalText = "I'm sorry, but I can't help with that request.";
    public const string InvalidJsonPrefix = "Sure! Here is the answer, in plain words rather than JSON: ";

    public static FakeAnswer Answer(IReadOnlyList<FakeMessage> messages) => Answer(new FakeRequest(messages));

    public static FakeAnswer Answer(FakeRequest request)
    {
        string lastUser = "";
        int prompt = 0;
        foreach (var m in request.Messages)
        {
            prompt += CountWords(m.Text);
            if (m.Role == "user") lastUser = m.Text;
        }
        var outcome = lastUser.Contains(Fail500Marker, StringComparison.Ordinal) ? FakeOutcome.Fail500
            : lastUser.Contains(FailMarker, StringComparison.Ordinal) ? FakeOutcome.Fail400
            : FakeOutcome.Ok;
        if (request.Rejection is { } rejection)
            return new FakeAnswer("", prompt, 0, FakeOutcome.Fail400) { Rejection = rejection, Request = request };
        if (outcome != FakeOutcome.Ok)
            return new FakeAnswer(AnswerPrefix + lastUser, prompt, 0, outcome) { Request = request };

        int reasoning = request.ReasoningEffort is { } effort ? ReasoningTokens(effort, prompt, request.ReasoningBudget) : 0;
        if (lastUser.Contains(RefuseMarker, StringComparison.Ordinal))
            return new FakeAnswer("", prompt, reasoning + CountWords(RefusalText), outcome)
            { Finish = FakeFinish.Refusal, Refusal = RefusalText, ReasoningTokens = reasoning, Request = request };

        string content = lastUser.Contains(InvalidJsonMarker, StringComparison.Ordinal) ? InvalidJsonPrefix + lastUser
            : request.Schema is { } schema ? SchemaAnswer.Generate(schema, lastUser)
            : request.JsonMode ? JsonSerializer.Serialize(new { answer = AnswerPrefix + lastUser })
            : AnswerPrefix + lastUser;
        var finish = FakeFinish.Stop;
        if (lastUser.Contains(TruncateMarker, StringComparison.Ordinal))
        {
            content = Truncate(content);
            finish = FakeFinish.Length;
        }
        else if (request.ContentFilter && lastUser.Contains(ContentFilterMarker, StringComparison.Ordinal))
        {
            content = Truncate(content);
            finish = FakeFinish.ContentFilter;
        }
        int visible = CountWords(content);
        if (request.MaxOutputTokens is { } max && reasoning + visible > max)
        {
            // The answer does not fit: the service stops at the limit (reasoning first, then as much text as fits).
            finish = FakeFinish.Length;
            reasoning = Math.Min(reasoning, max);
            content = CutToWords(content, max - reasoning);
            visible = CountWords(content);
        }
        bool cachedDrift = lastUser.Contains(CachedDriftMarker, StringComparison.Ordinal);
        int cached = cachedDrift || lastUser.Contains(CachedMarker, StringComparison.Ordinal) ? prompt / 2 : 0;
        bool write1h = lastUser.Contains(CacheWrite1hMarker, StringComparison.Ordinal);
        int written = write1h || lastUser.Contains(CacheWriteMarker, StringComparison.Ordinal) ? prompt / 2 : 0;
        return new FakeAnswer(content, prompt, reasoning + visible, outcome)
        {
            Finish = finish, ReasoningTokens = reasoning, Request = request,
            BatchUsageDrift = lastUser.Contains(UsageDriftMarker, StringComparison.Ordinal) ? UsageDriftTokens : 0,
            CachedTokens = cached,
            BatchCachedDrift = cachedDrift ? prompt - cached : 0,
            CacheWriteTokens = written,
            CacheWrite1h = write1h,
        };
    }

    /// <summary>
    /// Reasoning tokens of a request: a base per effort (none 0, minimal 8, low 16, medium 32, high 64, xhigh 128, max 256)
    /// plus the prompt's words, capped by a budget when one is given.
    /// </summary>
    public static int ReasoningTokens(string effort, int promptTokens, int? budget = null)
    {
        int b = effort switch
        {
            "none" => -1,
            "minimal" => 8,
            "low" => 16,
            "high" => 64,
            "xhigh" => 128,
            "max" => 256,
            _ => 32,
        };
        if (b < 0) return 0;
        int n = b + promptTokens;
        return budget is { } cap ? Math.Max(0, Math.Min(n, cap)) : n;
    }

    /// <summary>The first half of the text (at least one character shorter), so a JSON answer is never complete.</summary>
    public static string Truncate(string content) => content.Length <= 1 ? "" : content[..(content.Length / 2)];

    private static string CutToWords(string text, int words)
    {
        if (words <= 0) return "";
        int n = 0;
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            bool ws = char.IsWhiteSpace(text[i]);
            if (!ws && !inWord && ++n > words) return text[..i].TrimEnd();
            inWord = !ws;
        }
        return text;
    }

    /// <summary>Number of maximal runs of non-whitespace characters.</summary>
    public static int CountWords(string text)
    {
        int n = 0;
        bool inWord = false;
        foreach (char c in text)
        {
            bool ws = char.IsWhiteSpace(c);
            if (!ws && !inWord) n++;
            inWord = !ws;
        }
        return n;
    }
}
