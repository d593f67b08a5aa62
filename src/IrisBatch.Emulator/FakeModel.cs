using System;
using System.Collections.Generic;

namespace IrisBatch.Emulator;

/// <summary>A chat message reduced to what the fake model reads: its role and its text.</summary>
public readonly record struct FakeMessage(string Role, string Text);

public enum FakeOutcome
{
    Ok,
    /// <summary>The last user message contains "[fail]": an HTTP 400-style request failure.</summary>
    Fail400,
    /// <summary>The last user message contains "[fail500]": an HTTP 500-style request failure.</summary>
    Fail500,
}

public sealed record FakeAnswer(string Content, int PromptTokens, int CompletionTokens, FakeOutcome Outcome)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>
/// The deterministic model behind every provider surface (documented in README.md):
/// the answer is "Echo: " + the text of the last user message; prompt tokens = whitespace-separated words over all
/// messages; completion tokens = words in the answer; "[fail500]" / "[fail]" in the last user message make the request fail.
/// </summary>
public static class FakeModel
{
    public const string AnswerPrefix = "Echo: ";
    public const string FailMarker = "[fail]";
    public const string Fail500Marker = "[fail500]";

    public static FakeAnswer Answer(IReadOnlyList<FakeMessage> messages)
    {
        string lastUser = "";
        int prompt = 0;
        foreach (var m in messages)
        {
            prompt += CountWords(m.Text);
            if (m.Role == "user") lastUser = m.Text;
        }
        var outcome = lastUser.Contains(Fail500Marker, StringComparison.Ordinal) ? FakeOutcome.Fail500
            : lastUser.Contains(FailMarker, StringComparison.Ordinal) ? FakeOutcome.Fail400
            : FakeOutcome.Ok;
        string content = AnswerPrefix + lastUser;
        return new FakeAnswer(content, prompt, CountWords(content), outcome);
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
