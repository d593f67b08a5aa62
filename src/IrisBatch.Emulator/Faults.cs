using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator.Anthropic;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace IrisBatch.Emulator;

/// <summary>
/// The fault-injection hook. Every provider route runs through <see cref="InvokeAsync"/> (see <see cref="Pipeline"/>),
/// before authentication and before the handler acts. Rules come from <c>POST /_emulator/faults</c> (see
/// <see cref="FaultRule"/>); per call, the rules on its route are looked at in the order they were added, each counts the
/// call, and the first that fires injects its fault (one fault per call):
/// <list type="bullet">
/// <item><c>status</c> / <c>quota</c>: answer the provider's error envelope without calling the handler (Retry-After and
/// retry-after-ms when asked; quota: OpenAI's 429 <c>insufficient_quota</c>, Anthropic's 402 <c>billing_error</c>). A
/// <c>status</c> 5xx with <c>after</c>: the handler acts first (into a buffer), then the error goes out instead of its answer.</item>
/// <item><c>reset_before</c>: abort the connection; the handler never runs.</item>
/// <item><c>reset_after</c>: run the handler into a buffer (the upload is stored, the batch created and counted), then abort.</item>
/// <item><c>duplicate</c>: run the handler twice on the same request body (two identical batches, or files, are made and
/// counted: a twin the client never hears of, as a concurrent run of the same submission or a proxy's own retry would
/// leave), then abort, as <c>reset_after</c>. So a look-up after the lost answer finds two candidates.</item>
/// <item><c>status_word</c>: on a batch's answer (get, list, create, cancel), the batch's status word becomes <c>word</c>
/// (OpenAI's and the OpenAI-like <c>status</c>, Anthropic's <c>processing_status</c>, Gemini's <c>metadata.state</c>), a word
/// outside the spec's enum as a service that grew a new state would send. xAI's batches carry no status word: untouched.</item>
/// <item><c>slow</c>: wait <c>delay_ms</c> before acting, or after acting with <c>after</c> (then send the buffered answer).
/// If the client hangs up while waiting before acting, the handler never runs.</item>
/// <item><c>truncate</c>: send the full Content-Length but only part of the body, then abort.</item>
/// <item><c>malformed_line</c>: on downloads of results only (files of purpose <c>batch_output</c>, Anthropic's results),
/// one line is cut short, keeping its custom_id, so it is no longer JSON.</item>
/// </list>
/// A faulted answer is buffered in memory (unfaulted ones are streamed as usual). Injections are counted in
/// <see cref="Stats.FaultsInjected"/>; the handler's own counters stay honest (a create whose answer was lost still
/// counts in batches_created).
/// </summary>
public sealed class Faults
{
    /// <summary>The route names rules may use; every provider surface's routes fall under them by their shape.</summary>
    public static readonly IReadOnlyList<string> RouteNames = new[] { "upload", "create", "get", "list", "cancel", "download", "add" };

    private static readonly ConcurrentDictionary<string, string?> NameOfRoute = new(StringComparer.Ordinal);

    /// <summary>How long a truncated answer's first part is given to reach the client before the connection is aborted.</summary>
    private static readonly TimeSpan TruncateGrace = TimeSpan.FromMilliseconds(100);

    private readonly EmulatorState _state;
    private readonly object _lock = new();
    private readonly List<FaultRule> _rules = new();
    private int _nextId;

    internal Faults(EmulatorState state) => _state = state;

    /// <summary>The rules as the control API lists them.</summary>
    public JsonArray RulesJson()
    {
        lock (_lock) return new JsonArray(_rules.Select(r => (JsonNode)r.ToJson()).ToArray());
    }

    /// <param name="route">"METHOD /pattern", the same key <see cref="Stats.Routes"/> uses.</param>
    /// <param name="next">Authenticates, runs the handler and writes its answer.</param>
    internal Task InvokeAsync(HttpContext context, string route, Func<Task> next)
    {
        var rule = Pick(context, route);
        if (rule is null) return next();
        return rule.Kind switch
        {
            FaultRule.Status when rule.After => ErrorAfterActingAsync(context, rule, route, next),
            FaultRule.Status or FaultRule.Quota => ErrorAsync(context, rule, route),
            FaultRule.ResetBefore => ResetBefore(context),
            FaultRule.ResetAfter => ResetAfterAsync(context, next),
            FaultRule.Duplicate => DuplicateAsync(context, next),
            FaultRule.StatusWord => StatusWordAsync(context, rule, next),
            FaultRule.Slow => SlowAsync(context, rule, next, _state.Stats),
            FaultRule.Truncate => TruncateAsync(context, rule, next),
            FaultRule.MalformedLine => MalformedLineAsync(context, rule, next),
            FaultRule.Body => BodyAsync(context, rule, next),
            _ => next(),
        };
    }

    internal void Reset()
    {
        lock (_lock)
        {
            _rules.Clear();
            _nextId = 0;
        }
    }

    /// <summary>Maps the control routes that configure faults; called with the /_emulator group.</summary>
    internal static void MapControlRoutes(IEndpointRouteBuilder control, EmulatorState state)
    {
        control.MapPost("/faults", async ctx => await (await state.Faults.AddAsync(ctx)).ExecuteAsync(ctx));
        control.MapGet("/faults", ctx => Json.Result(state.Faults.ListJson()).ExecuteAsync(ctx));
        control.MapDelete("/faults", ctx =>
        {
            int n;
            lock (state.Faults._lock)
            {
                n = state.Faults._rules.Count;
                state.Faults._rules.Clear();
            }
            return Json.Result(new JsonObject { ["deleted"] = n }).ExecuteAsync(ctx);
        });
        control.MapDelete("/faults/{fault_id}", ctx =>
        {
            string id = (string)ctx.Request.RouteValues["fault_id"]!;
            bool removed;
            lock (state.Faults._lock) removed = state.Faults._rules.RemoveAll(r => "fault_" + r.Id == id) > 0;
            return (removed ? Json.Result(new JsonObject { ["id"] = id, ["deleted"] = true }) : OpenAIErrors.NotFound($"No fault rule with id '{id}'.", "id"))
                .ExecuteAsync(ctx);
        });
    }

    private JsonObject ListJson() => new()
    {
        ["object"] = "list",
        ["data"] = RulesJson(),
        ["faults_injected"] = _state.Stats.FaultsInjected,
    };

    private async Task<IResult> AddAsync(HttpContext ctx)
    {
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException) { return OpenAIErrors.BadRequest("The body must be a JSON object."); }
        using (doc)
        {
            lock (_lock)
            {
                var (rule, error, param) = FaultRule.Parse(doc.RootElement, _nextId + 1, IsRoute);
                if (rule is null) return OpenAIErrors.BadRequest(error!, param, "invalid_fault");
                _nextId++;
                _rules.Add(rule);
                return Json.Result(rule.ToJson());
            }
        }
    }

    private static bool IsRoute(string route)
    {
        if (route == "*" || RouteNames.Contains(route)) return true;
        // An exact key such as "GET /v1/files/{file_id}".
        int space = route.IndexOf(' ');
        return space > 0 && route.Length > space + 1 && route[space + 1] == '/';
    }

    /// <summary>
    /// The name a "METHOD /pattern" key goes by, from its shape, whatever the surface's prefix (/v1, --openai-prefix,
    /// Azure's /openai and /openai/v1, Anthropic's /v1/messages): POST …/files is <c>upload</c>; POST …/batches
    /// <c>create</c>; GET …/batches/{id} <c>get</c>; GET …/batches and GET …/files <c>list</c>; POST …/batches/{id}/cancel
    /// <c>cancel</c>; GET …/files/{id}/content and GET …/batches/{id}/results <c>download</c>. Gemini's and xAI's shapes too:
    /// POST …/models/{model}:batchGenerateContent (and :asyncBatchEmbedContent) <c>create</c>; POST …/batches/{id}:cancel
    /// <c>cancel</c>; GET …/files/{id}:download <c>download</c>; POST …/batches/{id}/requests (xAI's add-requests) <c>add</c>.
    /// Together's POST …/files/upload <c>upload</c>; Mistral's …/batch/jobs as …/batches. Others have none.
    /// </summary>
    public static string? RouteName(string routeKey) => NameOfRoute.GetOrAdd(routeKey, static key =>
    {
        int space = key.IndexOf(' ');
        if (space <= 0) return null;
        string method = key[..space];
        var segments = key[(space + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) return null;
        static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}') && !segment.StartsWith("{*", StringComparison.Ordinal);
        string last = segments[^1], previous = segments.Length > 1 ? segments[^2] : "", third = segments.Length > 2 ? segments[^3] : "";
        // Google-style custom methods: the verb follows a colon in the last segment ("{model}:batchGenerateContent").
        int colon = last.LastIndexOf(':');
        if (colon > 0 && last.IndexOf('}') < colon)
        {
            string resource = last[..colon], verb = last[(colon + 1)..];
            return (method, verb) switch
            {
                ("POST", "batchGenerateContent" or "asyncBatchEmbedContent") when IsParameter(resource) && previous == "models" => "create",
                ("POST", "cancel") when IsParameter(resource) && previous == "batches" => "cancel",
                ("GET", "download") when IsParameter(resource) && previous == "files" => "download",
                _ => null,
            };
        }
        return (method, last) switch
        {
            ("POST", "files") => "upload",
            ("POST", "upload") when previous == "files" => "upload",
            // Mistral's batch jobs (/v1/batch/jobs) go by the same names as batches.
            ("POST", "jobs") when previous == "batch" => "create",
            ("GET", "jobs") when previous == "batch" => "list",
            ("POST", "cancel") when IsParameter(previous) && third == "jobs" => "cancel",
            ("GET", _) when IsParameter(last) && previous == "jobs" => "get",
            ("GET", "files") => "list",
            ("POST", "batches") => "create",
            ("GET", "batches") => "list",
            ("POST", "cancel") when IsParameter(previous) && third == "batches" => "cancel",
            ("GET", "content") when IsParameter(previous) && third == "files" => "download",
            ("GET", "results") when IsParameter(previous) && third == "batches" => "download",
            ("POST", "requests") when IsParameter(previous) && third == "batches" => "add",
            ("GET", _) when IsParameter(last) && previous == "batches" => "get",
            _ => null,
        };
    });

    private static bool Matches(FaultRule rule, string routeKey) =>
        rule.Route == "*" || rule.Route == routeKey || RouteName(routeKey) == rule.Route;

    /// <summary>Anthropic's routes answer errors in Anthropic's envelope; every other surface in OpenAI's.</summary>
    private static bool IsAnthropic(string routeKey) => routeKey.Contains(" /v1/messages/", StringComparison.Ordinal);

    /// <summary>Gemini's routes (/v1beta, /upload/v1beta, /download/v1beta) answer in Google's envelope.</summary>
    private static bool IsGemini(string routeKey) => routeKey.Contains(" /v1beta/", StringComparison.Ordinal)
        || routeKey.Contains(" /upload/v1beta/", StringComparison.Ordinal) || routeKey.Contains(" /download/v1beta/", StringComparison.Ordinal);

    /// <summary>xAI's routes (under the xAI prefix) answer in xAI's {"code", "error"} envelope.</summary>
    private bool IsXai(string routeKey) => IsUnder(routeKey, _state.Options.XaiPrefix.TrimEnd('/'));

    /// <summary>A route key ("METHOD /pattern") whose pattern is <paramref name="prefix"/> or under it.</summary>
    private static bool IsUnder(string routeKey, string prefix)
    {
        int space = routeKey.IndexOf(' ');
        if (space <= 0) return false;
        var path = routeKey.AsSpan(space + 1);
        return path.StartsWith(prefix.AsSpan(), StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');
    }

    private FaultRule? Pick(HttpContext context, string route)
    {
        lock (_lock)
        {
            if (_rules.Count == 0) return null;
            foreach (var rule in _rules)
            {
                if (!Matches(rule, route)) continue;
                if (rule.Kind == FaultRule.MalformedLine && !IsResultDownload(context, route)) continue;
                if (!rule.Decide()) continue;
                _state.Stats.CountFaultInjected();
                return rule;
            }
            return null;
        }
    }

    /// <summary>A download of batch results: a file the emulator wrote as an output or error file, or Anthropic's results.</summary>
    private bool IsResultDownload(HttpContext context, string route)
    {
        if (RouteName(route) != "download") return false;
        if (route.EndsWith("/results", StringComparison.Ordinal)) return true;
        return context.Request.RouteValues.TryGetValue("file_id", out var id) && id is string fileId
            && _state.Files.TryGet(fileId, out var file) && (file.IsResult || file.Purpose == "batch_output");
    }

    private Task ErrorAsync(HttpContext context, FaultRule rule, string route)
    {
        var headers = context.Response.Headers;
        if (rule.RetryAfter is { } seconds) headers["Retry-After"] = seconds.ToString("0.###", CultureInfo.InvariantCulture);
        if (rule.RetryAfterMs is { } ms) headers["retry-after-ms"] = ms.ToString(CultureInfo.InvariantCulture);
        if (rule.ShouldRetry is { } shouldRetry) headers["x-should-retry"] = shouldRetry ? "true" : "false";
        var result = IsAnthropic(route) ? AnthropicError(context, rule)
            : IsGemini(route) ? GeminiError(rule)
            : IsXai(route) ? XaiError(rule)
            : IsUnder(route, Mistral.MistralRoutes.Prefix) ? MistralError(rule)
            : IsUnder(route, Together.TogetherRoutes.Prefix + "/batches") ? TogetherBatchError(rule)
            : OpenAIError(rule);
        return result.ExecuteAsync(context);
    }

    private static IResult OpenAIError(FaultRule rule)
    {
        if (rule.Kind == FaultRule.Quota)
            return Json.Result(OpenAIErrors.Envelope(rule.Message ?? "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota", null, "insufficient_quota"), rule.StatusCode ?? StatusCodes.Status429TooManyRequests);
        int status = rule.StatusCode ?? 500;
        var envelope = status switch
        {
            429 => OpenAIErrors.Envelope(rule.Message ?? "Rate limit reached for requests. Please try again later.", "requests", null, "rate_limit_exceeded"),
            >= 500 => OpenAIErrors.Envelope(rule.Message ?? ServerErrorMessage(status), "server_error", null, null),
            _ => OpenAIErrors.Envelope(rule.Message ?? $"The emulator injected HTTP {status}.", "invalid_request_error", null, null),
        };
        return Json.Result(envelope, status);
    }

    /// <summary>Google's envelope (spec §4): {"error": {"code", "message", "status"}}; RESOURCE_EXHAUSTED for 429 and quota.</summary>
    private static IResult GeminiError(FaultRule rule)
    {
        int status = rule.StatusCode ?? (rule.Kind == FaultRule.Quota ? StatusCodes.Status429TooManyRequests : 500);
        var (word, message) = status switch
        {
            429 => ("RESOURCE_EXHAUSTED", rule.Kind == FaultRule.Quota ? "You exceeded your current quota, please check your plan and billing details."
                                                                         : "Resource has been exhausted (e.g. check quota)."),
            503 => ("UNAVAILABLE", "The service is currently unavailable."),
            504 => ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
            >= 500 => ("INTERNAL", "Internal error encountered."),
            404 => ("NOT_FOUND", "Requested entity was not found."),
            403 => ("PERMISSION_DENIED", "The caller does not have permission."),
            _ => ("INVALID_ARGUMENT", $"The emulator injected HTTP {status}."),
        };
        return Gemini.GeminiErrors.Result(status, word, rule.Message ?? message);
    }

    /// <summary>xAI's envelope (spec §5): {"code": gRPC status description, "error": message}.</summary>
    private static IResult XaiError(FaultRule rule)
    {
        int status = rule.StatusCode ?? (rule.Kind == FaultRule.Quota ? StatusCodes.Status429TooManyRequests : 500);
        var (code, message) = status switch
        {
            429 => ("Some resource has been exhausted", rule.Kind == FaultRule.Quota ? "Your team has run out of credits." : "Rate limit exceeded. Please try again later."),
            503 => ("The service is currently unavailable", "Service temporarily unavailable."),
            >= 500 => ("Internal error", "Internal server error."),
            _ => (Xai.XaiErrors.InvalidArgument, $"The emulator injected HTTP {status}."),
        };
        return Xai.XaiErrors.Result(status, code, rule.Message ?? message);
    }

    /// <summary>
    /// Mistral's application error (spec §12.1): <c>{"object": "error", "message", "type", "param", "code"}</c> with type
    /// rate_limit_error for 429 (and quota), server_error for 5xx, invalid_request_error otherwise.
    /// </summary>
    private static IResult MistralError(FaultRule rule)
    {
        int status = rule.StatusCode ?? (rule.Kind == FaultRule.Quota ? StatusCodes.Status429TooManyRequests : 500);
        var (type, message) = status switch
        {
            429 => ("rate_limit_error", rule.Kind == FaultRule.Quota ? "You exceeded your current quota, please check your plan and billing details."
                                                                     : "Requests rate limit exceeded"),
            >= 500 => ("server_error", ServerErrorMessage(status)),
            _ => ("invalid_request_error", $"The emulator injected HTTP {status}."),
        };
        return Mistral.MistralErrors.Error(status, rule.Message ?? message, type);
    }

    /// <summary>
    /// Together's batch routes declare BatchErrorResponse <c>{"error": "&lt;string&gt;"}</c> (spec §14.1); quota is 402, its
    /// spend-limit code. Its files routes keep the general ErrorData envelope (OpenAI's shape).
    /// </summary>
    private static IResult TogetherBatchError(FaultRule rule)
    {
        int status = rule.StatusCode ?? (rule.Kind == FaultRule.Quota ? StatusCodes.Status402PaymentRequired : 500);
        string message = status switch
        {
            402 => "Credit limit exceeded. Please add credits to your account.",
            429 => "Rate limit exceeded. Please try again later.",
            >= 500 => ServerErrorMessage(status),
            _ => $"The emulator injected HTTP {status}.",
        };
        return Together.TogetherJson.BatchError(status, rule.Message ?? message);
    }

    /// <summary>Anthropic's envelope (spec §3.1): rate_limit_error, overloaded_error (529), api_error; billing_error (402) for quota.</summary>
    private static IResult AnthropicError(HttpContext context, FaultRule rule)
    {
        if (rule.Kind == FaultRule.Quota)
            return AnthropicErrors.Result(context, rule.StatusCode ?? StatusCodes.Status402PaymentRequired, "billing_error",
                rule.Message ?? "Your credit balance is too low to access the Anthropic API.");
        int status = rule.StatusCode ?? 500;
        var (type, message) = status switch
        {
            429 => ("rate_limit_error", "Number of requests has exceeded your rate limit."),
            529 => ("overloaded_error", "Overloaded"),
            >= 500 => ("api_error", "Internal server error"),
            _ => ("invalid_request_error", $"The emulator injected HTTP {status}."),
        };
        return AnthropicErrors.Result(context, status, type, rule.Message ?? message);
    }

    private static string ServerErrorMessage(int status) => status switch
    {
        502 => "Bad gateway.",
        503 => "The server is overloaded or not ready yet.",
        _ => "The server had an error while processing your request. Sorry about that!",
    };

    /// <summary>
    /// A 5xx after the call acted (spec §1.2 and every provider's "5xx: retry"): the handler runs into a buffer (the upload
    /// is stored, the batch created and counted), its answer is dropped, and the error envelope goes out instead, as when a
    /// gateway times out on, or loses, the answer of a service that has done the work.
    /// </summary>
    private async Task ErrorAfterActingAsync(HttpContext context, FaultRule rule, string route, Func<Task> next)
    {
        await RunBufferedAsync(context, next);
        context.Response.Clear();
        await ErrorAsync(context, rule, route);
    }

    private static Task ResetBefore(HttpContext context)
    {
        context.Abort();
        return Task.CompletedTask;
    }

    /// <summary>
    /// A 200 whose body is not the route's answer (empty, <c>{}</c>, an HTML page), as a proxy or gateway in the way may
    /// send: the handler never runs, or with <c>after</c> it acts first (the file is stored, the batch created) and its
    /// answer is replaced. A client must not read it as an empty list, nor as a refusal.
    /// </summary>
    private static async Task BodyAsync(HttpContext context, FaultRule rule, Func<Task> next)
    {
        if (rule.After)
        {
            await RunBufferedAsync(context, next);
            context.Response.Headers.Clear();
        }
        byte[] bytes = Encoding.UTF8.GetBytes(rule.Text);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = rule.Text.TrimStart().StartsWith('<') ? "text/html" : "application/json";
        context.Response.ContentLength = bytes.Length;
        await WriteAsync(context, bytes);
    }

    private static async Task ResetAfterAsync(HttpContext context, Func<Task> next)
    {
        await RunBufferedAsync(context, next);
        context.Abort();
    }

    private static async Task DuplicateAsync(HttpContext context, Func<Task> next)
    {
        context.Request.EnableBuffering();
        await RunBufferedAsync(context, next);
        context.Request.Body.Position = 0;
        await RunBufferedAsync(context, next);
        context.Abort();
    }

    private static async Task StatusWordAsync(HttpContext context, FaultRule rule, Func<Task> next)
    {
        var body = await RunBufferedAsync(context, next);
        JsonNode? json = null;
        if (context.Response.StatusCode == StatusCodes.Status200OK)
        {
            try { json = JsonNode.Parse(body.GetBuffer().AsSpan(0, (int)body.Length)); }
            catch (JsonException) { }
        }
        if (json is not JsonObject root)
        {
            await SendAsync(context, body);
            return;
        }
        void Rewrite(JsonObject batch)
        {
            if (batch.ContainsKey("processing_status")) batch["processing_status"] = rule.Word;
            else if (batch["metadata"] is JsonObject meta && meta.ContainsKey("state")) meta["state"] = rule.Word;
            else if (batch["status"] is JsonValue) batch["status"] = rule.Word;
        }
        // A list answer (OpenAI's and Anthropic's "data", Gemini's "operations"/"batches", Mistral's "data"): every batch in it.
        var items = root["data"] as JsonArray ?? root["operations"] as JsonArray ?? root["batches"] as JsonArray;
        if (items is not null) foreach (var item in items) { if (item is JsonObject b) Rewrite(b); }
        else Rewrite(root);
        byte[] bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
        context.Response.ContentLength = bytes.Length;
        await WriteAsync(context, bytes);
    }

    private static async Task SlowAsync(HttpContext context, FaultRule rule, Func<Task> next, Stats stats)
    {
        if (!rule.After)
        {
            // A client that gives up while we wait never sees the handler act (counted, so tests can wait for it).
            if (!await DelayAsync(rule.DelayMs, context.RequestAborted))
            {
                stats.CountCallAbandoned();
                return;
            }
            await next();
            return;
        }
        var body = await RunBufferedAsync(context, next);
        if (!await DelayAsync(rule.DelayMs, context.RequestAborted)) return;
        await SendAsync(context, body);
    }

    private static async Task TruncateAsync(HttpContext context, FaultRule rule, Func<Task> next)
    {
        var body = await RunBufferedAsync(context, next);
        long total = body.Length;
        long sent = Math.Min(rule.Bytes ?? total / 2, Math.Max(0, total - 1));
        context.Response.ContentLength = Math.Max(total, sent + 1);
        try
        {
            await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)sent), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TruncateGrace, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
        context.Abort();
    }

    private static async Task MalformedLineAsync(HttpContext context, FaultRule rule, Func<Task> next)
    {
        var body = await RunBufferedAsync(context, next);
        if (context.Response.StatusCode != StatusCodes.Status200OK)
        {
            await SendAsync(context, body);
            return;
        }
        byte[] broken = BreakLine(body.GetBuffer().AsSpan(0, (int)body.Length), rule.Line);
        context.Response.ContentLength = broken.Length;
        await WriteAsync(context, broken);
    }

    /// <summary>
    /// Replaces line <paramref name="lineNumber"/> (1-based among the non-blank lines; the last one if there are fewer) by a
    /// prefix of itself that still holds its custom_id, so a client can say which request's result was unreadable.
    /// </summary>
    public static byte[] BreakLine(ReadOnlySpan<byte> content, int lineNumber)
    {
        string text = Encoding.UTF8.GetString(content);
        var lines = text.Split('\n');
        var nonBlank = Enumerable.Range(0, lines.Length).Where(i => lines[i].Trim().Length > 0).ToList();
        if (nonBlank.Count == 0) return Encoding.UTF8.GetBytes("{\"broken\": " + text);
        int index = nonBlank[Math.Min(lineNumber, nonBlank.Count) - 1];
        string line = lines[index];
        string eol = line.EndsWith('\r') ? "\r" : "";
        line = line.TrimEnd('\r');
        lines[index] = Cut(line) + eol;
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    private static string Cut(string line)
    {
        int cut = line.Length / 2;
        int key = line.IndexOf("\"custom_id\"", StringComparison.Ordinal);
        if (key >= 0)
        {
            int colon = line.IndexOf(':', key + 11);
            int open = colon < 0 ? -1 : line.IndexOf('"', colon + 1);
            int close = open < 0 ? -1 : line.IndexOf('"', open + 1);
            if (close > 0) cut = Math.Max(cut, close + 1);
        }
        // A proper prefix of a JSON object is never JSON; a whole one followed by a brace is not either.
        return cut < line.Length ? line[..cut] : line + "}";
    }

    /// <summary>Runs the handler with its answer captured in memory (status and headers stay on the response, unsent).</summary>
    private static async Task<MemoryStream> RunBufferedAsync(HttpContext context, Func<Task> next)
    {
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        var buffer = new MemoryStream();
        var buffered = new StreamResponseBodyFeature(buffer);
        context.Features.Set<IHttpResponseBodyFeature>(buffered);
        try
        {
            await next();
            await buffered.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }
        return buffer;
    }

    private static Task SendAsync(HttpContext context, MemoryStream body)
    {
        context.Response.ContentLength ??= body.Length;
        return WriteAsync(context, body.GetBuffer().AsMemory(0, (int)body.Length));
    }

    private static async Task WriteAsync(HttpContext context, ReadOnlyMemory<byte> bytes)
    {
        try { await context.Response.Body.WriteAsync(bytes, context.RequestAborted); }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
    }

    /// <summary>False when the client went away during the wait.</summary>
    private static async Task<bool> DelayAsync(int ms, CancellationToken ct)
    {
        try
        {
            await Task.Delay(ms, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
