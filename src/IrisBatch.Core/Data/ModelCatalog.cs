using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace IrisBatch.Data
{
    /// <summary>What models.json says of one model.</summary>
    public sealed class ModelInfo
    {
        public ModelInfo(string name, string? family, string? thinking, IReadOnlyList<string>? efforts = null, bool samplingAtEffortNone = false)
        {
            Name = name;
            Family = family;
            Thinking = thinking;
            Efforts = efforts;
            SamplingAtEffortNone = samplingAtEffortNone;
        }

        public string Name { get; }
        /// <summary>"reasoning" (OpenAI o-series, gpt-5), "thinking" (extended thinking on request), or null (plain chat).</summary>
        public string? Family { get; }
        /// <summary>How a Gemini model takes a thinking setting: "budget" (thinkingBudget) or null (thinkingLevel).</summary>
        public string? Thinking { get; }

        /// <summary>The reasoning_effort values the model takes ("efforts"), or null where the file does not say.</summary>
        public IReadOnlyList<string>? Efforts { get; }

        /// <summary>
        /// "sampling": "effort-none": temperature and top_p are taken at reasoning effort none only (gpt-5.1, gpt-5.2; spec
        /// §11.4), where other reasoning models take them at their default, 1, only.
        /// </summary>
        public bool SamplingAtEffortNone { get; }

        /// <summary>A reasoning model: max_completion_tokens, reasoning effort, no temperature or top_p.</summary>
        public bool IsReasoning => string.Equals(Family, "reasoning", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// A model that reasons before it answers, its reasoning tokens billed as output (spec §11.4): a reasoning model,
        /// or one that takes reasoning_effort ("efforts") though it keeps the chat parameters (Groq's gpt-oss and qwen3).
        /// An output estimate from -MaxTokens leaves those tokens out, so -WhatIf notes it.
        /// </summary>
        public bool BillsReasoning => IsReasoning || Efforts != null;
    }

    /// <summary>
    /// The models each provider is known to accept in a batch (Data/models.json, embedded), for -Model completion,
    /// with each model's family (which models are reasoning models is data, not code). Names only suggest: any model
    /// name can be given, and a model not listed is sent as written, as a plain chat model.
    /// </summary>
    public static class ModelCatalog
    {
        private static readonly Lazy<Dictionary<string, ModelInfo[]>> Models = new Lazy<Dictionary<string, ModelInfo[]>>(Load);

        /// <summary>The date the list was taken.</summary>
        public static string Taken { get; private set; } = "";

        /// <summary>A provider's models, newest first; for an unknown provider, nothing.</summary>
        public static IReadOnlyList<string> For(string provider) =>
            Models.Value.TryGetValue(provider, out var list) ? list.Select(m => m.Name).ToArray() : new string[0];

        /// <summary>Every provider's models, each once, in the order of the file.</summary>
        public static IReadOnlyList<(string Provider, string Model)> All() =>
            Models.Value.SelectMany(kv => kv.Value.Select(m => (kv.Key, m.Name))).GroupBy(x => x.Item2, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToArray();

        /// <summary>What the file says of a provider's model (names compare case-insensitively), or null when it is not listed.</summary>
        public static ModelInfo? Find(string provider, string? model)
        {
            if (string.IsNullOrEmpty(model) || !ByName.Value.TryGetValue(provider, out var models)) return null;
            return models.TryGetValue(model!, out var m) ? m : null;
        }

        // Looked up for every request written: one dictionary per provider.
        private static readonly Lazy<Dictionary<string, Dictionary<string, ModelInfo>>> ByName = new Lazy<Dictionary<string, Dictionary<string, ModelInfo>>>(() =>
        {
            var result = new Dictionary<string, Dictionary<string, ModelInfo>>(StringComparer.OrdinalIgnoreCase);
            foreach (var kv in Models.Value)
            {
                var byName = new Dictionary<string, ModelInfo>(StringComparer.OrdinalIgnoreCase);
                foreach (var m in kv.Value) if (!byName.ContainsKey(m.Name)) byName.Add(m.Name, m);
                result[kv.Key] = byName;
            }
            return result;
        });

        /// <summary>Whether the provider's model is listed as a reasoning model.</summary>
        public static bool IsReasoning(string provider, string? model) => Find(provider, model)?.IsReasoning == true;

        private static Dictionary<string, ModelInfo[]> Load()
        {
            using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("IrisBatch.Data.models.json");
            if (stream == null) return new Dictionary<string, ModelInfo[]>(StringComparer.OrdinalIgnoreCase);
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), out var taken, t => Taken = t);
        }

        /// <summary>Reads the file: each provider's list holds objects {"name", "family"?, "thinking"?, "efforts"?, "sampling"?} or plain names.</summary>
        internal static Dictionary<string, ModelInfo[]> Parse(string json, out string taken, Action<string>? setTaken = null)
        {
            var result = new Dictionary<string, ModelInfo[]>(StringComparer.OrdinalIgnoreCase);
            using var doc = JsonDocument.Parse(json);
            taken = doc.RootElement.TryGetProperty("taken", out var t) ? t.GetString() ?? "" : "";
            setTaken?.Invoke(taken);
            foreach (var p in doc.RootElement.GetProperty("providers").EnumerateObject())
            {
                var list = new List<ModelInfo>();
                foreach (var e in p.Value.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.String)
                    {
                        var name = e.GetString();
                        if (!string.IsNullOrEmpty(name)) list.Add(new ModelInfo(name!, null, null));
                    }
                    else if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString()!.Length > 0)
                    {
                        list.Add(new ModelInfo(n.GetString()!, Text(e, "family"), Text(e, "thinking"), Texts(e, "efforts"),
                            string.Equals(Text(e, "sampling"), "effort-none", StringComparison.OrdinalIgnoreCase)));
                    }
                }
                result[p.Name] = list.ToArray();
            }
            return result;
        }

        private static string[]? Texts(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
                ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray()
                : null;

        private static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
