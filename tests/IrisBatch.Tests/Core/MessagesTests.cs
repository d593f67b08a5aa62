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

    private static string SourcePath => Path.Combine(RepoRoot(), "src", "IrisBatch.Core", "Resources", "Messages.cs");

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
        var source = File.ReadAllText(SourcePath);
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
        if (t == typeof(long)) { yield return 100000L + index; yield break; }
        if (t == typeof(double)) { yield return 1.5 + index; yield break; }
        if (t == typeof(bool)) { yield return true; yield return false; yield break; }
        if (t == typeof(TimeSpan)) { yield return TimeSpan.FromSeconds(2.5); yield break; }
        if (t == typeof(DateTimeOffset)) { yield return new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero); yield break; }
        if (t == typeof(DateTimeOffset?)) { yield return new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero); yield return null; yield break; }
        if (t == typeof(decimal?)) { yield return 1.25m; yield return null; yield break; }
        if (t == typeof(BatchStatus)) { yield return BatchStatus.InProgress; yield break; }
        if (t == typeof(IrisBatchInfo)) { yield return new IrisBatchInfo { Id = "batch_a", Total = 10 }; yield return new IrisBatchInfo { Id = "batch_b", Total = 10, CreatedAt = DateTimeOffset.UtcNow }; yield break; }
        if (t == typeof(IReadOnlyList<IrisBatchInfo>)) { yield return new[] { new IrisBatchInfo { Id = "batch_a", Total = 10 }, new IrisBatchInfo { Id = "batch_b", Total = 10 } }; yield break; }
        if (t == typeof(IReadOnlyList<string>)) { yield return new[] { $"s{index}x" }; yield return new[] { $"s{index}x", "second", "third" }; yield return new string[0]; yield break; }
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
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && Path.GetFullPath(f) != Path.GetFullPath(SourcePath))
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
}
