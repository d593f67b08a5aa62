using System;
using System.Collections.Generic;
using System.Linq;

namespace IrisBatch.Emulator;

/// <summary>What the emulator knows of an OpenAI-family model (spec §11.4): a row of <see cref="ModelTraits.OpenAI"/>.</summary>
/// <param name="Prefix">Matches a model (or an Azure deployment named after its model) that starts with it; the longest match wins.</param>
/// <param name="Reasoning">A reasoning model: refuses max_tokens and non-default sampling parameters.</param>
/// <param name="Efforts">The reasoning_effort values it takes (empty: it takes no reasoning_effort).</param>
/// <param name="SamplingWithEffortNone">temperature/top_p/logprobs are allowed when reasoning effort is "none" (GPT-5.1 and later).</param>
/// <param name="JsonSchema">Takes response_format json_schema.</param>
/// <param name="Vision">Takes image inputs.</param>
/// <param name="Thinks">Reports reasoning tokens without a requested effort (default: as <paramref name="Reasoning"/>).</param>
public sealed record OpenAIModelTraits(string Prefix, bool Reasoning, string[] Efforts, bool SamplingWithEffortNone = false, bool JsonSchema = true, bool Vision = true, bool? Thinks = null)
{
    public bool ReportsReasoning => Thinks ?? Reasoning;

    /// <summary>The effort a reasoning model uses when the request names none.</summary>
    public string DefaultEffort => Efforts.Contains("medium") ? "medium" : Efforts.FirstOrDefault() ?? "medium";
}

/// <summary>
/// Model data the emulator's rules go by, kept as data (spec §11.4): which models reason, which efforts they take, which
/// take JSON schemas and images. An unknown model is an ordinary chat model that takes everything.
/// </summary>
public static class ModelTraits
{
    private static readonly string[] OSeries = { "low", "medium", "high" };
    private static readonly string[] Gpt5 = { "minimal", "low", "medium", "high" };
    private static readonly string[] Gpt51 = { "none", "low", "medium", "high", "xhigh" };

    /// <summary>The OpenAI (and Azure) table. Order does not matter: the longest matching prefix wins.</summary>
    public static readonly IReadOnlyList<OpenAIModelTraits> OpenAI = new OpenAIModelTraits[]
    {
        new("gpt-5", true, Gpt5),
        new("gpt-5-chat", false, Array.Empty<string>()),
        new("gpt-5.", true, Gpt51, SamplingWithEffortNone: true),
        new("o1", true, OSeries),
        new("o1-mini", true, Array.Empty<string>(), JsonSchema: false, Vision: false),
        new("o1-preview", true, Array.Empty<string>(), JsonSchema: false, Vision: false),
        new("o3", true, OSeries),
        new("o3-mini", true, OSeries, Vision: false),
        new("o4-mini", true, OSeries),
        new("codex-mini", true, OSeries),
        new("gpt-3.5", false, Array.Empty<string>(), JsonSchema: false, Vision: false),
        new("gpt-4-", false, Array.Empty<string>(), JsonSchema: false),
        new("gpt-4-0", false, Array.Empty<string>(), JsonSchema: false, Vision: false),
        new("gpt-4o-2024-05-13", false, Array.Empty<string>(), JsonSchema: false),
    };

    private static readonly OpenAIModelTraits Ordinary = new("", false, Array.Empty<string>());

    public static OpenAIModelTraits ForOpenAI(string model)
    {
        if (model == "gpt-4") return new OpenAIModelTraits("gpt-4", false, Array.Empty<string>(), JsonSchema: false, Vision: false);
        OpenAIModelTraits best = Ordinary;
        foreach (var t in OpenAI)
            if (model.StartsWith(t.Prefix, StringComparison.Ordinal) && t.Prefix.Length > best.Prefix.Length) best = t;
        return best;
    }

    /// <summary>
    /// xAI (spec §11.4, per-model acceptance unverified): every grok model takes <c>reasoning_effort</c> low|high and
    /// ordinary sampling parameters; grok-3-mini, grok-4 and grok-code think (report reasoning tokens), except "non-reasoning" variants.
    /// </summary>
    public static OpenAIModelTraits ForXai(string model)
    {
        bool thinks = (model.StartsWith("grok-3-mini", StringComparison.Ordinal) || model.StartsWith("grok-4", StringComparison.Ordinal)
            || model.StartsWith("grok-code", StringComparison.Ordinal)) && !model.Contains("non-reasoning", StringComparison.Ordinal);
        return new OpenAIModelTraits("grok", false, new[] { "low", "high" }, Thinks: thinks);
    }

    /// <summary>
    /// Groq (spec §13 names none of this; groq-sdk 1.6.0's docstring of reasoning_effort is the source): openai/gpt-oss-20b
    /// and -120b take low, medium and high and think; qwen3 models take none (and "default", which the shared enum here does
    /// not hold) and think; every other model refuses reasoning_effort. OpenAI's model names mean nothing at Groq.
    /// </summary>
    public static OpenAIModelTraits ForGroq(string model)
    {
        if (model.StartsWith("openai/gpt-oss", StringComparison.Ordinal)) return new OpenAIModelTraits("openai/gpt-oss", false, OSeries, Thinks: true);
        if (model.StartsWith("qwen/qwen3", StringComparison.Ordinal)) return new OpenAIModelTraits("qwen/qwen3", false, new[] { "none" }, Thinks: true);
        return Ordinary;
    }

    /// <summary>The effort values of the shared ReasoningEffort enum (spec §11.4).</summary>
    public static readonly string[] EffortEnum = { "none", "minimal", "low", "medium", "high", "xhigh", "max" };

    /// <summary>Quoted and joined as the service lists values: 'a', 'b', and 'c'.</summary>
    public static string QuoteList(IReadOnlyList<string> values) => values.Count switch
    {
        0 => "",
        1 => $"'{values[0]}'",
        2 => $"'{values[0]}' and '{values[1]}'",
        _ => string.Join(", ", values.Take(values.Count - 1).Select(v => $"'{v}'")) + $", and '{values[^1]}'",
    };
}
