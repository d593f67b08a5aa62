using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator;

/// <summary>
/// One fault rule set through <c>POST /_emulator/faults</c>: which route, what to do, and when (the next
/// <c>count</c> calls after <c>skip</c>, or each call with a seeded <c>probability</c>). Parsed strictly, so a typo in a
/// test's rule is a 400 rather than a fault that silently never fires.
/// </summary>
internal sealed class FaultRule
{
    public const string Status = "status", Quota = "quota", ResetBefore = "reset_before", ResetAfter = "reset_after",
        Slow = "slow", Truncate = "truncate", MalformedLine = "malformed_line", Duplicate = "duplicate",
        StatusWord = "status_word", Body = "body";

    private static readonly string[] Kinds = { Status, Quota, ResetBefore, ResetAfter, Slow, Truncate, MalformedLine, Duplicate, StatusWord, Body };
    private static readonly string[] Common = { "route", "kind", "count", "skip", "probability", "seed" };

    /// <summary>The keys each kind accepts besides <see cref="Common"/>.</summary>
    private static readonly Dictionary<string, string[]> KindKeys = new()
    {
        [Status] = new[] { "status_code", "retry_after", "retry_after_ms", "should_retry", "message", "after" },
        [Quota] = new[] { "status_code", "retry_after", "retry_after_ms", "should_retry", "message" },
        [ResetBefore] = Array.Empty<string>(),
        [ResetAfter] = Array.Empty<string>(),
        [Duplicate] = Array.Empty<string>(),
        [Slow] = new[] { "delay_ms", "after" },
        [Truncate] = new[] { "bytes" },
        [MalformedLine] = new[] { "line" },
        [StatusWord] = new[] { "word" },
        [Body] = new[] { "text", "after" },
    };

    private Random? _random;

    public int Id { get; private init; }
    /// <summary>A route name (see <see cref="Faults.RouteName"/>), <c>*</c>, or an exact "METHOD /pattern" key.</summary>
    public required string Route { get; init; }
    public required string Kind { get; init; }
    /// <summary>The status of a <c>status</c> fault; null for <c>quota</c>, whose status depends on the provider.</summary>
    public int? StatusCode { get; private init; }
    public double? RetryAfter { get; private init; }
    public long? RetryAfterMs { get; private init; }
    public bool? ShouldRetry { get; private init; }
    public string? Message { get; private init; }
    public int DelayMs { get; private init; }
    public bool After { get; private init; }
    public long? Bytes { get; private init; }
    public int Line { get; private init; } = 1;
    /// <summary>The status word a <c>status_word</c> fault puts in a batch's answer.</summary>
    public string? Word { get; private init; }
    /// <summary>What a <c>body</c> fault answers with 200 instead of the handler's answer ("" by default: an empty body).</summary>
    public string Text { get; private init; } = "";
    public long? Count { get; private init; }
    public long Skip { get; private init; }
    public double? Probability { get; private init; }
    public int Seed { get; private init; }

    /// <summary>Calls this rule has looked at (applicable ones only).</summary>
    public long Seen { get; private set; }

    /// <summary>Faults this rule has injected.</summary>
    public long Injected { get; private set; }

    public long? Remaining => Count is { } c ? Math.Max(0, c - Injected) : null;

    /// <summary>Decides whether this call gets the fault. Called under the owner's lock.</summary>
    public bool Decide()
    {
        if (Count is { } c && Injected >= c) return false;
        Seen++;
        if (Seen <= Skip) return false;
        if (Probability is { } p)
        {
            _random ??= new Random(Seed);
            if (_random.NextDouble() >= p) return false;
        }
        Injected++;
        return true;
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["id"] = "fault_" + Id, ["route"] = Route, ["kind"] = Kind };
        switch (Kind)
        {
            case Status:
            case Quota:
                o["status_code"] = StatusCode;
                if (RetryAfter is { } ra) o["retry_after"] = ra;
                if (RetryAfterMs is { } ram) o["retry_after_ms"] = ram;
                if (ShouldRetry is { } sr) o["should_retry"] = sr;
                if (Message is not null) o["message"] = Message;
                if (Kind == Status) o["after"] = After;
                break;
            case Slow:
                o["delay_ms"] = DelayMs;
                o["after"] = After;
                break;
            case Truncate:
                o["bytes"] = Bytes;
                break;
            case MalformedLine:
                o["line"] = Line;
                break;
            case StatusWord:
                o["word"] = Word;
                break;
            case Body:
                o["text"] = Text;
                o["after"] = After;
                break;
        }
        o["count"] = Count;
        o["skip"] = Skip;
        o["probability"] = Probability;
        if (Probability is not null) o["seed"] = Seed;
        o["seen"] = Seen;
        o["injected"] = Injected;
        o["remaining"] = Remaining;
        return o;
    }

    /// <summary>Parses a rule; returns an error message (and the offending key) instead of throwing.</summary>
    public static (FaultRule? Rule, string? Error, string? Param) Parse(JsonElement body, int id, Func<string, bool> isRoute)
    {
        if (body.ValueKind != JsonValueKind.Object) return (null, "The body must be a JSON object.", null);
        var props = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in body.EnumerateObject()) props[p.Name] = p.Value;

        if (!props.TryGetValue("kind", out var kindValue) || kindValue.ValueKind != JsonValueKind.String)
            return (null, $"'kind' is required: one of {string.Join(", ", Kinds)}.", "kind");
        string kind = kindValue.GetString()!;
        if (Array.IndexOf(Kinds, kind) < 0) return (null, $"Unknown kind '{kind}'. Known: {string.Join(", ", Kinds)}.", "kind");

        foreach (var name in props.Keys)
            if (Array.IndexOf(Common, name) < 0 && Array.IndexOf(KindKeys[kind], name) < 0)
                return (null, $"Unknown setting '{name}' for kind '{kind}'. Allowed: {string.Join(", ", Common.Concat(KindKeys[kind]))}.", name);

        if (!props.TryGetValue("route", out var routeValue) || routeValue.ValueKind != JsonValueKind.String)
            return (null, "'route' is required: a route name (upload, create, get, list, cancel, download), '*', or 'METHOD /pattern'.", "route");
        string route = routeValue.GetString()!;
        if (!isRoute(route))
            return (null, $"Unknown route '{route}'. Use upload, create, get, list, cancel, download, '*', or a 'METHOD /pattern' key as in /_emulator/stats.", "route");

        string? error = null, param = null;
        long? Long(string name, long min, long max)
        {
            if (error is not null || !props.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.TryGetInt64(out long n) && n >= min && n <= max) return n;
            (error, param) = ($"'{name}' must be an integer from {min} to {max}.", name);
            return null;
        }
        double? Double(string name, double min, double max)
        {
            if (error is not null || !props.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.Number && v.GetDouble() is var d && d >= min && d <= max) return d;
            (error, param) = ($"'{name}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.", name);
            return null;
        }
        bool? Bool(string name)
        {
            if (error is not null || !props.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
            (error, param) = ($"'{name}' must be true or false.", name);
            return null;
        }
        string? Str(string name)
        {
            if (error is not null || !props.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            (error, param) = ($"'{name}' must be a string.", name);
            return null;
        }

        long? count = Long("count", 1, long.MaxValue);
        long skip = Long("skip", 0, long.MaxValue) ?? 0;
        double? probability = Double("probability", 0, 1);
        long seed = Long("seed", int.MinValue, int.MaxValue) ?? 0;
        long? statusCode = Long("status_code", 400, 599);
        double? retryAfter = Double("retry_after", 0, 86400);
        long? retryAfterMs = Long("retry_after_ms", 0, 86_400_000);
        bool? shouldRetry = Bool("should_retry");
        string? message = Str("message");
        long? delayMs = Long("delay_ms", 1, 600_000);
        bool after = Bool("after") ?? false;
        long? bytes = Long("bytes", 0, long.MaxValue);
        long line = Long("line", 1, int.MaxValue) ?? 1;
        if (error is not null) return (null, error, param);

        if (props.ContainsKey("seed") && probability is null)
            return (null, "'seed' only applies with 'probability'.", "seed");
        if (kind == Slow && delayMs is null) return (null, "A 'slow' fault needs 'delay_ms'.", "delay_ms");
        // A 4xx says the call did nothing (a client may simply send it again): only a 5xx can come after the call acted.
        if (kind == Status && after && (statusCode ?? 500) < 500)
            return (null, "'after' applies to a 5xx status only: a 4xx answer says the call did nothing.", "after");
        string? word = Str("word");
        if (error is not null) return (null, error, param);
        if (kind == StatusWord && string.IsNullOrEmpty(word)) return (null, "A 'status_word' fault needs 'word', the status to answer.", "word");
        string? text = Str("text");
        if (error is not null) return (null, error, param);

        return (new FaultRule
        {
            Id = id,
            Route = route,
            Kind = kind,
            StatusCode = kind == Quota ? (int?)statusCode : (int)(statusCode ?? 500),
            RetryAfter = retryAfter,
            RetryAfterMs = retryAfterMs,
            ShouldRetry = shouldRetry,
            Message = message,
            DelayMs = (int)(delayMs ?? 0),
            After = after,
            Bytes = bytes,
            Line = (int)line,
            Word = word,
            Text = text ?? "",
            // By default a rule fires once; a probability rule fires on every lucky call unless a count caps it.
            Count = count ?? (probability is null ? 1 : null),
            Skip = skip,
            Probability = probability,
            Seed = (int)seed,
        }, null, null);
    }
}
