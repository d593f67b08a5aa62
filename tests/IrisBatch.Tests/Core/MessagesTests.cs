using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Resources;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace IrisBatch.Tests.Core;

/// <summary>
/// Messages a user reads come from one resource file (issue 15): every key of Resources/Messages.resx is embedded and
/// used by an accessor, every key an accessor names exists, every accessor resolves with its values in, and every
/// accessor is used by the code.
/// </summary>
public sealed class MessagesTests
{
    private static readonly Type Accessor = typeof(Messages);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "build.ps1")) && Directory.Exists(Path.Combine(dir.FullName, "src"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (build.ps1) was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The accessor files: Resources/Messages.cs and its partial parts (Messages.*.cs).</summary>
    private static IReadOnlyList<string> SourcePaths =>
        Directory.GetFiles(Path.Combine(RepoRoot(), "src", "IrisBatch.Core", "Resources"), "Messages*.cs").Select(Path.GetFullPath).ToList();

    private static HashSet<string> FileKeys() =>
        XDocument.Load(Path.Combine(RepoRoot(), "src", "IrisBatch.Core", "Resources", "Messages.resx"))
            .Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> EmbeddedKeys()
    {
        var manager = new ResourceManager("IrisBatch.Resources.Messages", Accessor.Assembly);
        var set = manager.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false);
        Assert.NotNull(set);
        return set!.Cast<DictionaryEntry>().Select(e => (string)e.Key).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<MethodInfo> Accessors() =>
        Accessor.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(string) && m.DeclaringType == Accessor);

    [Fact]
    public void The_build_embeds_every_key_of_the_resource_file()
    {
        var file = FileKeys();
        Assert.True(file.Count >= 50, $"only {file.Count} keys in Messages.resx");
        Assert.Equal(file.OrderBy(k => k, StringComparer.Ordinal), EmbeddedKeys().OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void Every_resource_key_is_used_by_an_accessor_and_every_key_an_accessor_names_exists()
    {
        var source = string.Join("\n", SourcePaths.Select(File.ReadAllText));
        var named = Regex.Matches(source, @"(?:Format|Text)\((?:nameof\((\w+)\)|""(\w+)"")")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToHashSet(StringComparer.Ordinal);
        var keys = EmbeddedKeys();
        Assert.Empty(keys.Except(named));   // a key no accessor uses
        Assert.Empty(named.Except(keys));   // an accessor naming a key the resource file lacks
        Assert.Empty(Regex.Matches(source, @"\$""").Select(m => m.Value));   // no message written as a literal here
    }

    /// <summary>A sample for each parameter type an accessor takes; a new type fails here until it has one.</summary>
    private static IEnumerable<object?> Samples(ParameterInfo p, int index)
    {
        var t = p.ParameterType;
        if (t == typeof(string)) { yield return $"s{index}x"; if (new NullabilityInfoContext().Create(p).WriteState == NullabilityState.Nullable) yield return null; yield break; }
        if (t == typeof(int)) { yield return 1000 + index; yield break; }
        if (t == typeof(int?)) { yield return 1000 + index; yield return null; yield break; }
        if (t == typeof(long)) { yield return 100000L + index; yield break; }
        if (t == typeof(double)) { yield return 1.5 + index; yield break; }
        if (t == typeof(double?)) { yield return 1.5 + index; yield return null; yield break; }
        if (t == typeof(bool)) { yield return true; yield return false; yield break; }
        if (t == typeof(TimeSpan)) { yield return TimeSpan.FromSeconds(2.5); yield break; }
        if (t == typeof(DateTimeOffset)) { yield return new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero); yield break; }
        if (t == typeof(DateTimeOffset?)) { yield return new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero); yield return null; yield break; }
        if (t == typeof(decimal?)) { yield return 1.25m; yield return null; yield break; }
        if (t == typeof(BatchStatus)) { yield return BatchStatus.InProgress; yield break; }
        if (t == typeof(IrisBatchInfo)) { yield return new IrisBatchInfo { Id = "batch_a", Total = 10 }; yield return new IrisBatchInfo { Id = "batch_b", Total = 10, CreatedAt = DateTimeOffset.UtcNow }; yield break; }
        if (t == typeof(IReadOnlyList<IrisBatchInfo>)) { yield return new[] { new IrisBatchInfo { Id = "batch_a", Total = 10 }, new IrisBatchInfo { Id = "batch_b", Total = 10 } }; yield break; }
        if (t == typeof(IReadOnlyList<string>)) { yield return new[] { $"s{index}x" }; yield return new[] { $"s{index}x", "second", "third" }; yield return new string[0]; yield break; }
        if (t == typeof(IEnumerable<string>)) { yield return new[] { $"s{index}x", "more" }; yield break; }
        if (t.IsEnum) { foreach (var v in Enum.GetValues(t)) yield return v; yield break; }
        if (t == typeof(TokenUsage)) { yield return new TokenUsage { InputTokens = 1000, CachedTokens = 400, OutputTokens = 20, ReasoningTokens = 5, TotalTokens = 1020 }; yield return new TokenUsage(); yield break; }
        if (t == typeof(IReadOnlyCollection<string>)) { yield return new[] { $"s{index}x", "more" }; yield return new string[0]; yield break; }
        throw new InvalidOperationException($"Messages.{p.Member.Name}: add a sample for a {t} parameter to MessagesTests.Samples.");
    }

    private static IEnumerable<object?[]> Combinations(ParameterInfo[] parameters, int at = 0)
    {
        if (at == parameters.Length) { yield return new object?[parameters.Length]; yield break; }
        foreach (var value in Samples(parameters[at], at))
            foreach (var rest in Combinations(parameters, at + 1))
            {
                rest[at] = value;
                yield return rest;
            }
    }

    [Fact]
    public void Every_accessor_resolves_with_every_value_it_is_given_in_its_text()
    {
        // RecommendedAction takes an error id, not a value to show: checked for each id below.
        var accessors = Accessors().Where(m => m.Name != nameof(Messages.RecommendedAction)).ToList();
        Assert.True(accessors.Count >= 40, $"only {accessors.Count} accessors");
        foreach (var m in accessors)
        {
            var parameters = m.GetParameters();
            var texts = new List<string>();
            foreach (var args in Combinations(parameters))
            {
                var text = (string?)m.Invoke(null, args);
                Assert.False(string.IsNullOrWhiteSpace(text), $"Messages.{m.Name} is empty");
                Assert.DoesNotMatch(@"\{\d", text!);
                texts.Add(text!);
            }
            for (int i = 0; i < parameters.Length; i++)
                if (parameters[i].ParameterType == typeof(string))
                    Assert.True(texts.Exists(t => t.Contains($"s{i}x")), $"Messages.{m.Name} never shows its parameter '{parameters[i].Name}'");
        }
        Assert.Equal("Wait with Wait-IrisBatch, or pass -Wait.", Messages.RecommendedAction(ErrorIds.NotComplete));
        foreach (var id in new[] { ErrorIds.MissingApiKey, ErrorIds.Unauthorized, ErrorIds.WaitTimeout, ErrorIds.QuotaExceeded })
            Assert.False(string.IsNullOrWhiteSpace(Messages.RecommendedAction(id)), id);
        Assert.Null(Messages.RecommendedAction(ErrorIds.NotFound));
    }

    [Fact]
    public void Every_accessor_is_used_by_the_code()
    {
        var src = Path.Combine(RepoRoot(), "src");
        var code = string.Join("\n", Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !SourcePaths.Contains(Path.GetFullPath(f)))
            .Select(File.ReadAllText));
        var unused = Accessors().Select(m => m.Name).Distinct().Where(n => !code.Contains("Messages." + n + "(")).ToList();
        // Candidate is used inside Messages.cs only (by SubmissionUncertain).
        unused.Remove(nameof(Messages.Candidate));
        Assert.Empty(unused);
    }

    [Fact]
    public void Lists_read_as_a_sentence()
    {
        Assert.Equal("a", Messages.ListOr(new[] { "a" }));
        Assert.Equal("a or b", Messages.ListOr(new[] { "a", "b" }));
        Assert.Equal("a, b or c", Messages.ListOr(new[] { "a", "b", "c" }));
        Assert.Equal("Model 'gpt-5-mni' is not in IrisBatch's list of OpenAI models (models.json). Did you mean gpt-5-mini or gpt-5-nano? It is sent as written.",
            Messages.UnknownModel("gpt-5-mni", "OpenAI", new[] { "gpt-5-mini", "gpt-5-nano" }, unpriced: false));
        Assert.Equal("Model 'x' is not in IrisBatch's list of Ollama models (models.json). It is sent as written; the price table has no price for it, so its cost is unknown (it is not priced as another model).",
            Messages.UnknownModel("x", "Ollama", new string[0], unpriced: true));
        Assert.Equal("1,200 result(s) have no vector and are not in v.npy (a, b and 1,198 more). Get-IrisBatchResult -Status Failed, Cancelled, Expired lists them with their errors.",
            Messages.VectorsSkipped(1200, "v.npy", new[] { "a", "b" }));
    }

    [Fact]
    public void The_cmdlets_row_errors_estimates_progress_and_tooltips_read_as_they_did_as_literals()
    {
        Assert.Equal("Row 7: no model: pass -Model or give the row a 'Model' property.", Messages.RowError(7, Messages.RowNoModel()));
        Assert.Equal("the custom id 'a b' from the input's column 'Email' (bound to -CustomId by name) is not valid: use 1 to 64 letters, digits, '_' or '-'. " +
            "Sanitise it, e.g. -CustomId { $_.Email -replace '[^A-Za-z0-9_-]', '_' }, or take a different column with -CustomId '{OtherColumn}'.",
            Messages.CustomIdColumn("a b", "Email", boundByName: true, summary: false));
        Assert.Equal("the custom id from the input's column 'CustomId' is not valid (use 1 to 64 letters, digits, '_' or '-')",
            Messages.CustomIdColumn("a b", "CustomId", boundByName: false, summary: true));
        Assert.Equal("Each request's custom id comes from the input's 'Id' column, bound to -CustomId by name. Pass -CustomId '{Column}' or a script block to choose another.",
            Messages.CustomIdFromColumn("Id"));
        Assert.Equal("model 'o3' is a reasoning model and takes 'top_p' only at its default, 1: remove the top_p of -Body or set it to 1",
            Messages.ReasoningSampling("o3", "top_p", fromTemperature: false));
        Assert.Equal(" Its properties: name, price. Did you mean {name}?", Messages.MissingPropertyHint(null, new[] { "name", "price" }, new[] { "name" }));
        Assert.Equal(" Its properties: a, b, c, d. Did you mean {b}? Or {a} or {d}?", Messages.MissingPropertyHint(null, new[] { "a", "b", "c", "d" }, new[] { "b", "a", "d" }));
        Assert.Equal(" The input is a Int32, not a row with columns: write {_} for the whole input object as text.", Messages.MissingPropertyHint("Int32", new string[0], null));
        Assert.Equal("The column 'name' was empty in 12 of 1,000 rows (rows 1, 2 and 10 more), which left a hole in those prompts. Pass -AllowEmpty if that is intended.",
            Messages.EmptyColumn("name", 12, 1000, new[] { "1", "2" }));
        Assert.Equal("-Schema, -Image do not apply to -Endpoint Embeddings: an embedding request has one input (-Prompt) and gives a vector, with no system prompt, " +
            "schema, image, sampling, output limit or reasoning. Remove them.", Messages.ChatOnlyForEmbeddings(new[] { "-Schema", "-Image" }));
        Assert.Equal(", 1,234 input tokens (o200k), estimated cost 0.01234 USD at batch prices of 2025-08-01",
            Messages.EstimateText(1234, "o200k", 0.01234, "USD", null, "2025-08-01"));
        Assert.Equal(", 10 input tokens (estimate), estimated cost 0.0000001 USD at the embedding batch price of 0.01 USD per 1M input tokens of 2025-08-01",
            Messages.EstimateText(10, "estimate", 0.0000001, "USD", 0.01, "2025-08-01"));
        Assert.Equal(", 10 input tokens (estimate), estimated cost unknown (no price for this model)", Messages.EstimateText(10, "estimate", null, "", null, ""));
        Assert.Equal("2 of 3 batch(es) complete; 1,500 of 3,000 requests processed", Messages.ProgressBatches(2, 3, 1500, 3000));
        Assert.Equal("Reading the results of 3 batches of set s1", Messages.ProgressReadingSet(3, "s1"));
        Assert.Equal("OpenAI: https://api.openai.com/v1 (key in $env:OPENAI_API_KEY)", Messages.CompleteProvider("OpenAI", "https://api.openai.com/v1", "OPENAI_API_KEY"));
        Assert.Equal("Mock: $env:X (no key)", Messages.CompleteProvider("Mock", "$env:X", ""));
        Assert.Equal("gpt-4o-mini (OpenAI; batch price 0.075 in / 0.3 out USD per million tokens)", Messages.CompleteModel("gpt-4o-mini", "OpenAI", 0.075, 0.3, "USD"));
        Assert.Equal("(no name) - 2 batch(es) at Mock", Messages.CompleteSet(null, 2, "Mock"));
    }

    [Fact]
    public void The_core_texts_read_as_they_did_as_literals()
    {
        Assert.Equal("OpenAI answered create batch with HTTP 429 (rate_limit_exceeded): slow down (request id req_1)",
            Messages.HttpError("OpenAI", "create batch", 429, "rate_limit_exceeded", "slow down", "req_1"));
        Assert.Equal("OpenAI answered status with HTTP 500: oops", Messages.HttpError("OpenAI", "status", 500, null, "oops", null));
        Assert.Equal("Anthropic has no batch 'b1' at https://api.anthropic.com (request id r9).", Messages.NoSuchBatch("Anthropic", "b1", "https://api.anthropic.com", "r9"));
        Assert.Equal("Retry 2 of 5 in 1.25 s after: unknown failure", Messages.RetryIn(2, 5, TimeSpan.FromSeconds(1.25), null));
        Assert.Equal("OpenAI did not answer upload within 2.5 s.", Messages.AttemptTimeout("OpenAI", "upload", TimeSpan.FromSeconds(2.5)));
        Assert.Equal("The template has a '{' at position 3 with no closing '}'. Write '{{' for a literal brace.", Messages.TemplateUnclosed(3));
        Assert.Equal("The template has a lone '}' at position 4. Write '}}' for a literal brace.", Messages.TemplateLoneBrace(4));
        Assert.Equal("-Schema (JSON text) is not a JSON object: a schema is an object such as {\"type\":\"object\",\"properties\":{...}}. Nothing was uploaded.",
            Messages.NothingUploaded(Messages.SchemaNotObject(Messages.SchemaFromText())));
        Assert.Equal("-Schema file 'a.json' is not an object schema: its root must have \"type\": \"object\" (found no type). Wrap a list or a value in an object property.",
            Messages.SchemaNotObjectType(Messages.SchemaFromFile("a.json"), null));
        Assert.Equal("Prices: batch prices of an unknown date (p.json), 120 days old: they may have changed. Pass -PriceTable with current prices.", Messages.PricesOf("", "p.json", 120));
        Assert.Equal("Prices: batch prices of 2025-08-01 (shipped with IrisBatch).", Messages.PricesOf("2025-08-01", "shipped with IrisBatch", null));
        Assert.Equal("Embeddings (e) have no output tokens: the input tokens at the embedding batch price of 0.01 USD per 1M input tokens.", Messages.EmbeddingsNoOutput("e", 0.01, "USD"));
        Assert.Equal("Batch b: OpenAI reports 1,000 input (600 cached) and 20 output (5 reasoning) tokens ($0.5), but its results add up to 1,000 input (400 cached) and 20 output (5 reasoning) tokens ($). Cost is the sum of the results; ProviderCost is the provider's figure.",
            Messages.CostDisagrees("b", "OpenAI", new TokenUsage { InputTokens = 1000, CachedTokens = 600, OutputTokens = 20, ReasoningTokens = 5 }, 0.5m,
                new TokenUsage { InputTokens = 1000, CachedTokens = 400, OutputTokens = 20, ReasoningTokens = 5 }, null));
        Assert.Equal("Row 3 ('r3'): the image file 'a.png' has 30,000,000 bytes, more than the 5 MB Anthropic takes per image.",
            Messages.RequestRowError(3, "r3", Messages.ImageTooBigFor("a.png", 30_000_000, 5, "Anthropic")));
        Assert.Equal("'../x' is not a valid batch id: ids are letters, digits and _ - . : (at most one '/'), with no '..'.", Messages.InvalidId("../x", "batch id"));
        Assert.Equal("The answer was cut at the token limit (length) and is incomplete: raise -MaxTokens (reasoning models count their reasoning tokens in it).", Messages.Truncated("length"));
    }

    [Fact]
    public void Numbers_and_dates_read_the_same_whatever_the_session_culture()
    {
        var (before, beforeUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("de-DE");
            Assert.Equal("Submission s1 (1,000 requests for gpt-4o-mini) was interrupted at 'Uploaded'; run the same Submit-IrisBatch again to finish it.",
                Messages.Interrupted("s1", 1000, "gpt-4o-mini", "Uploaded"));
            Assert.Equal("The wait ended after 2.5 s with 1 batch(es) still running: b (InProgress).", Messages.WaitTimeout(2.5, 1, "b (InProgress)"));
            Assert.Equal("Set s: cost $0.125 (the collected batches' Cost summed).", Messages.SetCost("s", 0.125m));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (before, beforeUi);
        }
    }

    [Fact]
    public void Amounts_of_money_keep_their_significant_digits_so_small_ones_are_not_0_and_different_ones_differ()
    {
        // Submit-IrisBatch -Provider Groq -MaxCost 0.00000001 read "The estimated cost of 0 USD ... is above -MaxCost 0".
        Assert.Equal("The estimated cost of 0.0000000375 USD for 5 requests in 1 batch(es) is above -MaxCost 0.00000001. Nothing was uploaded.",
            Messages.CostLimitExceeded(0.0000000375, "USD", 5, 1, 0.00000001));
        Assert.Equal("The estimated cost of 1.00004 USD for 5 requests in 1 batch(es) is above -MaxCost 1.00001. Nothing was uploaded.",
            Messages.CostLimitExceeded(1.00004, "USD", 5, 1, 1.00001));
        // A sum of doubles' noise (0.1 + 0.2 = 0.30000000000000004) is not shown as digits; large amounts are plain.
        Assert.Equal("The estimated cost of 0.3 USD for 5 requests in 1 batch(es) is above -MaxCost 0.25. Nothing was uploaded.",
            Messages.CostLimitExceeded(0.1 + 0.2, "USD", 5, 1, 0.25));
        Assert.Equal("The estimated cost of 1234567.5 USD for 5 requests in 1 batch(es) is above -MaxCost 1000. Nothing was uploaded.",
            Messages.CostLimitExceeded(1234567.5, "USD", 5, 1, 1000));
        Assert.Equal("The estimated cost of 1E-30 USD for 5 requests in 1 batch(es) is above -MaxCost 0. Nothing was uploaded.",
            Messages.CostLimitExceeded(1e-30, "USD", 5, 1, 0));
        Assert.Equal(", 10 input tokens (estimate), estimated cost 0.0000001 USD at the embedding batch price of 0.00001 USD per 1M input tokens of 2025-08-01",
            Messages.EstimateText(10, "estimate", 0.0000001, "USD", 0.00001, "2025-08-01"));
        Assert.Equal("Set s: cost $0.0000000123 (the collected batches' Cost summed).", Messages.SetCost("s", 0.0000000123m));
        Assert.Equal("Batch b: OpenAI reports 1 input (0 cached) and 0 output (0 reasoning) tokens ($0.0000001), but its results add up to 2 input (0 cached) and 0 output (0 reasoning) tokens ($0.0000002). Cost is the sum of the results; ProviderCost is the provider's figure.",
            Messages.CostDisagrees("b", "OpenAI", new TokenUsage { InputTokens = 1 }, 0.0000001m, new TokenUsage { InputTokens = 2 }, 0.0000002m));
        Assert.Equal("gemini-2.5-flash (Gemini; batch price 0.0375 in / 0.15 out USD per million tokens)", Messages.CompleteModel("gemini-2.5-flash", "Gemini", 0.0375, 0.15, "USD"));
        Assert.Equal("Embeddings (e) have no output tokens: the input tokens at the embedding batch price of 0.0000001 USD per 1M input tokens.", Messages.EmbeddingsNoOutput("e", 0.0000001, "USD"));
    }

    [Fact]
    public void An_OS_error_inside_a_sentence_loses_its_own_final_period_so_no_message_reads_two()
    {
        // .NET's IOException texts end with a period; the messages go on after them (issue 15's JournalUnavailable).
        Assert.Equal("The journal folder /j/journal cannot be written: Access to the path '/j/journal' is denied. " +
            "Point $env:IRISBATCH_HOME at a writable folder, or free space or permissions there.",
            Messages.JournalUnavailable("/j/journal", "Access to the path '/j/journal' is denied."));
        Assert.Equal("The journal folder /j cannot be written: No space left on device : '/j/x.tmp'. " +
            "Point $env:IRISBATCH_HOME at a writable folder, or free space or permissions there.",
            Messages.JournalUnavailable("/j", "No space left on device : '/j/x.tmp'"));
        Assert.Equal("the image file '/a.png' cannot be read (Could not find file '/a.png').",
            Messages.ImageFileUnreadable("/a.png", "Could not find file '/a.png'."));
        Assert.Equal("the image file 'a\0' is not a valid path (Null character in path).", Messages.ImagePathInvalid("a\0", "Null character in path."));
        Assert.Equal("Row 3 ('r3'): its InputJson is not valid JSON ('x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0).",
            Messages.RowInputJsonInvalid(3, "r3", "'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0."));
        // An ellipsis is the text's own, not a sentence's end.
        Assert.Equal("The journal folder /j cannot be written: wait.... " +
            "Point $env:IRISBATCH_HOME at a writable folder, or free space or permissions there.", Messages.JournalUnavailable("/j", "wait..."));
    }
}
