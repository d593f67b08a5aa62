using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace IrisBatch.Tests.Core;

/// <summary>
/// Messages a user reads come from Resources/Messages.resx (issue 15), not from literals across the code: a scan of the
/// cmdlets (src/IrisBatch) and of the core's error, warning, verbose and progress calls for a string literal or an
/// interpolated string that reads as words. What must stay a literal is allowed below, each with its reason.
/// </summary>
public sealed class MessageLiteralsTests
{
    /// <summary>Calls whose text a user reads: in a warning, a verbose line, a progress bar, an error record or an exception's message.</summary>
    private static readonly Regex Call = new Regex(
        @"\b(?:WriteWarning|WriteVerbose|WriteDebug|ThrowTerminatingError|ShouldProcess|ShouldContinue|Completion\.Result|ErrorMapper\.Create|RowFailed|ThrowParameterError|_errors!?\.Write|_rowErrors\.Write|Log\?\.Invoke|_log\?\.Invoke|Warn\?\.Invoke|lines\.Add|ResultLines\.Unreadable|\.Refuse|RowError|Invalid)\s*\(" +
        @"|\bnew\s+(?:ErrorRecord|ErrorDetails|ProgressRecord|RowException|IrisBatchException|\w*Exception)\s*\(" +
        @"|\b(?:StatusDescription|CurrentOperation|RecommendedAction|Message)\s*=(?!=)",
        RegexOptions.Compiled);

    /// <summary>The string literals of a piece of code, left to right (regular, verbatim and interpolated).</summary>
    private static readonly Regex Literal = new Regex(@"(\$?@|@?\$)?""(?:[^""\\]|\\.|"""")*""", RegexOptions.Compiled);

    /// <summary>A literal that reads as words (two words with a space between), or any interpolated string.</summary>
    private static readonly Regex Words = new Regex(@"[A-Za-z]{2,}[ ,:;.]+[A-Za-z]{2,}", RegexOptions.Compiled);

    private static bool Wordy(string code) =>
        Literal.Matches(code).Any(m => m.Groups[1].Value.Contains('$') || Words.IsMatch(m.Value));

    /// <summary>What stays a literal, by file and a piece of its text, and why.</summary>
    private static readonly (string File, string Piece, string Why)[] Allowed =
    {
        ("Conversion/PSConvert.cs", "\"no value\"", "an internal JsonException that is caught and replaced by JsonDocument's own error; never shown"),
        ("Conversion/PSConvert.cs", "\"more than one value\"", "an internal JsonException that is caught and replaced by JsonDocument's own error; never shown"),
        ("Providers/Ollama/OllamaProvider.cs", "\"At least one server is needed.\"", "an ArgumentException for a programming error (the cmdlet always passes servers)"),
        ("Estimates/PriceTable.cs", "\"The shipped price table is missing from the assembly.\"", "a build defect, not a user's mistake"),
        ("Journal/JournalSteps.cs", "\"Unknown is read, never written.\"", "an ArgumentOutOfRangeException for a programming error"),
        ("Providers/Xai/XaiProvider.cs", "\"add-requests call\"", "the name of a call, a value inside Messages.RetryDefinitive/RetryAfterLookUp (like every provider's \"the status\", \"the list of batches\")"),
        ("Providers/Mock/MockProvider.cs", "The mock provider", "the Mock provider plays a remote service: its errors are that service's own words, as the emulator's are the providers'"),
        ("Providers/Mock/MockProvider.cs", "Cannot cancel a batch with status", "the Mock provider plays a remote service: OpenAI's own wording for this refusal"),
    };

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "build.ps1")) && Directory.Exists(Path.Combine(dir.FullName, "src"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (build.ps1) was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The argument list (or the assigned expression) after a call's head, with strings and nested parentheses skipped over.</summary>
    internal static string Arguments(string code, int start, bool assignment)
    {
        int depth = assignment ? 1 : 1, i = start;
        bool inString = false, verbatim = false;
        for (; i < code.Length; i++)
        {
            char c = code[i];
            if (inString)
            {
                if (verbatim) { if (c == '"') { if (i + 1 < code.Length && code[i + 1] == '"') i++; else inString = false; } }
                else if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') { inString = true; verbatim = i > 0 && (code[i - 1] == '@' || (i > 1 && code[i - 1] == '$' && code[i - 2] == '@')); continue; }
            if (c == '\'' && i + 2 < code.Length) { i += code[i + 1] == '\\' ? 3 : 2; continue; }
            if (c == '(' || c == '{' || c == '[') depth++;
            else if (c == ')' || c == '}' || c == ']') { if (--depth == 0) break; }
            else if (assignment && depth == 1 && (c == ';' || c == ',')) break;
        }
        return code.Substring(start, Math.Max(0, i - start));
    }

    /// <summary>Every call in the file whose text is a literal that reads as words: (line, text of the call).</summary>
    internal static IEnumerable<(int Line, string Text)> LiteralMessages(string code)
    {
        foreach (Match m in Call.Matches(code))
        {
            var args = Arguments(code, m.Index + m.Length, assignment: m.Value.TrimEnd().EndsWith("="));
            // Comments inside an argument list are not messages.
            var bare = Regex.Replace(args, @"//[^\n]*", "");
            if (!Wordy(bare)) continue;
            int line = code.Take(m.Index).Count(ch => ch == '\n') + 1;
            yield return (line, (m.Value + args).Replace("\r", "").Replace("\n", " "));
        }
    }

    private static IEnumerable<string> Files(string folder, params string[] except) =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot(), "src", folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
            .Where(f => !except.Any(e => Relative(folder, f).StartsWith(e, StringComparison.Ordinal)));

    private static string Relative(string folder, string file) =>
        Path.GetRelativePath(Path.Combine(RepoRoot(), "src", folder), file).Replace(Path.DirectorySeparatorChar, '/');

    private static List<string> Offenders(string folder, params string[] except)
    {
        var found = new List<string>();
        foreach (var file in Files(folder, except))
        {
            var rel = Relative(folder, file);
            foreach (var (line, text) in LiteralMessages(File.ReadAllText(file)))
                if (!Allowed.Any(a => a.File == rel && text.Contains(a.Piece, StringComparison.Ordinal)))
                    found.Add($"src/{folder}/{rel}:{line}: {text}");
        }
        return found;
    }

    [Fact]
    public void The_cmdlets_write_no_message_as_a_literal()
    {
        var found = Offenders("IrisBatch");
        Assert.True(found.Count == 0, "Messages written as literals (put them in Resources/Messages.resx, or allow one in MessageLiteralsTests with its reason):\n" + string.Join("\n", found));
    }

    /// <summary>
    /// The core, providers and results included. The emulator is the providers' wire and not ours.
    /// </summary>
    [Fact]
    public void The_core_writes_no_message_as_a_literal()
    {
        var found = Offenders("IrisBatch.Core", "Resources/");
        Assert.True(found.Count == 0, "Messages written as literals (put them in Resources/Messages.resx, or allow one in MessageLiteralsTests with its reason):\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_finds_a_literal_message_and_passes_a_resource_one()
    {
        Assert.Single(LiteralMessages("WriteWarning(\"The column was empty.\");"));
        Assert.Single(LiteralMessages("WriteWarning($\"Batch {id} ended\");"));
        Assert.NotEmpty(LiteralMessages("ThrowTerminatingError(ErrorMapper.Create(ErrorIds.X, FailureKind.InvalidData,\n    \"Two words here\", target));"));
        Assert.Single(LiteralMessages("throw new FormatException($\"-{p}: {ex.Message}\", ex);"));
        Assert.Single(LiteralMessages("progress.StatusDescription = $\"{n} of {m} rows\";"));
        Assert.Single(LiteralMessages("var p = new ProgressRecord(1, \"Submit-IrisBatch\", \"Spooling requests\");"));
        Assert.Empty(LiteralMessages("var p = new ProgressRecord(1, \"Submit-IrisBatch\", Messages.ProgressPreparing());"));
        Assert.Empty(LiteralMessages("WriteWarning(Messages.UnknownModel(model, \"OpenAI\", near, false));"));
        Assert.Empty(LiteralMessages("var r = new ErrorRecord(ex, ErrorMapper.Prefix + \"Unexpected\", ErrorCategory.NotSpecified, target);"));
        Assert.Empty(LiteralMessages("r.Refuse(b != null ? Messages.GeminiBlocked(\"blockReason\", b) : Messages.GeminiBlocked(\"finishReason\", r.StopReason));"));
    }
}
