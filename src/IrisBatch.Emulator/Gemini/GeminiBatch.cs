using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace IrisBatch.Emulator.Gemini;

/// <summary>One inline request: its <c>metadata</c> (echoed back with its result) and what the fake model answers.</summary>
internal sealed record InlineItem(JsonNode? Metadata, FakeAnswer Answer, EmbedItem? Embed = null);

/// <summary>A valid line of a file-mode input: where to re-read it, its key and its outcome.</summary>
internal readonly record struct FileLine(string Key, long Offset, int Length, FakeOutcome Outcome);

/// <summary>
/// One Gemini batch (<c>batches/{id}</c>), read as a long-running Operation. Its state is computed lazily from the shared
/// <see cref="Timeline"/> on every read: <c>PENDING</c> for validating-ms (and, in file mode, until the input file has been
/// checked), then <c>RUNNING</c> for in-progress + finalizing ms with the first k requests done, then <c>SUCCEEDED</c>.
/// A bad input file makes it <c>FAILED</c> (Operation <c>error</c>); a cancel makes it <c>CANCELLED</c> after cancelling-ms
/// (the requests done by then keep their results); an expiry makes it <c>EXPIRED</c> with no results. The first read that
/// sees the end builds the output: inline responses in input order, or a shuffled JSONL responses file.
/// </summary>
internal sealed class GeminiBatch : IDisposable
{
    public const string BatchType = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch";
    public const string OutputType = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput";

    private readonly object _gate = new();
    private readonly List<InlineItem>? _inline;
    private FileStream? _input;
    private List<FileLine>? _lines;
    private string? _validationError;
    private int[] _okPrefix = { 0 };
    private bool _outputBuilt;
    private JsonObject? _output;
    /// <summary>An inline embedding batch's answers: how many requests have one (written when read, never held).</summary>
    private int? _embedDone;

    private GeminiBatch(string id, long seq, string model, string displayName, long? priority, Timeline timeline,
        List<InlineItem>? inline, GeminiFile? inputFile, bool embed = false)
    {
        Embed = embed;
        Id = id;
        Seq = seq;
        Model = model;
        DisplayName = displayName;
        Priority = priority;
        Timeline = timeline;
        _inline = inline;
        InputFileName = inputFile?.Name;
        _input = inputFile?.Stored.OpenRead();
    }

    /// <summary>The id without <c>batches/</c>.</summary>
    public string Id { get; }
    public string Name => "batches/" + Id;
    public long Seq { get; }

    /// <summary><c>models/…</c></summary>
    public string Model { get; }
    public string DisplayName { get; }
    public long? Priority { get; }
    public Timeline Timeline { get; }
    public string? InputFileName { get; }
    public bool IsInline => _inline is not null;

    /// <summary>An embedding batch (asyncBatchEmbedContent, spec §11.5).</summary>
    public bool Embed { get; }

    public static GeminiBatch Inline(string id, long seq, string model, string displayName, long? priority, List<InlineItem> items,
        DateTimeOffset now, LifecycleTiming timing, bool embed = false)
    {
        var batch = new GeminiBatch(id, seq, model, displayName, priority, new Timeline(now, timing), items, null, embed);
        var ok = new int[items.Count + 1];
        for (int i = 0; i < items.Count; i++) ok[i + 1] = ok[i] + (items[i].Answer.Outcome == FakeOutcome.Ok ? 1 : 0);
        batch._okPrefix = ok;
        batch.Timeline.MarkValidated(now, ok: true, items.Count);
        return batch;
    }

    /// <summary>A file-mode batch; its input is checked in the background, as the real service does after answering.</summary>
    public static GeminiBatch FromFile(string id, long seq, string model, string displayName, long? priority, GeminiFile input,
        DateTimeOffset now, LifecycleTiming timing, TimeProvider time, Stats? stats = null, bool embed = false)
    {
        var batch = new GeminiBatch(id, seq, model, displayName, priority, new Timeline(now, timing), null, input, embed);
        FileStream stream = batch._input!;
        _ = Task.Run(() =>
        {
            List<FileLine> lines;
            string? error;
            try
            {
                error = InputFile.Validate(stream, model["models/".Length..], out lines, stats, embed);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
                (error, lines) = ("The batch input file could not be read.", new List<FileLine>());
            }
            batch.CompleteValidation(lines, error, time.GetUtcNow());
        });
        return batch;
    }

    private void CompleteValidation(List<FileLine> lines, string? error, DateTimeOffset finishedAt)
    {
        lock (_gate)
        {
            var ok = new int[lines.Count + 1];
            for (int i = 0; i < lines.Count; i++) ok[i + 1] = ok[i] + (lines[i].Outcome == FakeOutcome.Ok ? 1 : 0);
            (_lines, _okPrefix, _validationError) = (lines, ok, error);
            Timeline.MarkValidated(finishedAt, error is null, lines.Count);
            if (error is not null || _outputBuilt) CloseInput();
        }
    }

    /// <param name="files">Where a file-mode batch's responses file is registered when it ends.</param>
    public JsonObject Observe(DateTimeOffset now, string statePrefix, GeminiFileStore files)
    {
        lock (_gate)
        {
            var s = Timeline.At(now);
            EnsureOutput(s, files);
            return Operation(s, statePrefix);
        }
    }

    /// <summary>Starts cancelling if the batch is pending or running; otherwise reports its phase.</summary>
    public (bool Accepted, BatchPhase Phase) Cancel(DateTimeOffset now)
    {
        lock (_gate)
        {
            bool accepted = Timeline.TryCancel(now, out var phase);
            return (accepted, phase);
        }
    }

    public (bool Accepted, BatchPhase Phase, JsonObject Operation) Expire(DateTimeOffset now, string statePrefix, GeminiFileStore files)
    {
        lock (_gate)
        {
            bool accepted = Timeline.TryExpire(now, out var phase);
            var s = Timeline.At(now);
            EnsureOutput(s, files);
            return (accepted, phase, Operation(s, statePrefix));
        }
    }

    public BatchPhase Phase(DateTimeOffset now)
    {
        lock (_gate) return Timeline.At(now).Phase;
    }

    /// <summary>The state word without its prefix.</summary>
    public static string State(TimelineSnapshot s) => s.Phase switch
    {
        BatchPhase.Validating => "PENDING",
        BatchPhase.InProgress or BatchPhase.Finalizing => "RUNNING",
        BatchPhase.Cancelling => s.InProgressAt is null ? "PENDING" : "RUNNING",
        BatchPhase.Completed => "SUCCEEDED",
        BatchPhase.Failed => "FAILED",
        BatchPhase.Cancelled => "CANCELLED",
        BatchPhase.Expired => "EXPIRED",
        _ => "UNSPECIFIED",
    };

    public static string State(BatchPhase phase) => State(new TimelineSnapshot(phase, 0, 0, null, null, null, null, null, null, null));

    private int? Total => _inline?.Count ?? _lines?.Count;

    private JsonObject Operation(TimelineSnapshot s, string statePrefix)
    {
        // proto3 JSON: zero counters are left out, as in the spec's example of a new batch.
        var stats = new JsonObject();
        if (Total is { } total && (_validationError is null))
        {
            int done = Math.Min(s.Done, total);
            int ok = _okPrefix[done];
            Put(stats, "requestCount", total);
            Put(stats, "successfulRequestCount", ok);
            Put(stats, "failedRequestCount", done - ok);
            Put(stats, "pendingRequestCount", total - done);
        }

        DateTimeOffset? end = s.CompletedAt ?? s.FailedAt ?? s.CancelledAt ?? s.ExpiredAt;
        DateTimeOffset update = Timeline.CreatedAt;
        foreach (var t in new[] { s.InProgressAt, s.CancellingAt, end })
            if (t is { } v && v > update) update = v;

        var metadata = new JsonObject
        {
            ["@type"] = Embed ? GeminiEmbeddings.BatchType : BatchType,
            ["model"] = Model,
            ["displayName"] = DisplayName,
        };
        if (InputFileName is not null) metadata["inputConfig"] = new JsonObject { ["fileName"] = InputFileName };
        if (s.IsTerminal && HasOutput) metadata["output"] = AddOutput(new JsonObject());
        metadata["createTime"] = ProtoJson.Time(Timeline.CreatedAt);
        if (end is { } e) metadata["endTime"] = ProtoJson.Time(e);
        metadata["updateTime"] = ProtoJson.Time(update);
        metadata["batchStats"] = stats;
        metadata["state"] = statePrefix + State(s);
        metadata["name"] = Name;
        if (Priority is { } p) metadata["priority"] = ProtoJson.Int64(p);

        var op = new JsonObject { ["name"] = Name, ["metadata"] = metadata };
        if (!s.IsTerminal) return op;
        op["done"] = true;
        if (s.Phase == BatchPhase.Failed)
            op["error"] = GeminiErrors.Status(GeminiErrors.InvalidArgumentCode, _validationError ?? "The batch failed.");
        else if (HasOutput)
            op["response"] = AddOutput(new JsonObject { ["@type"] = Embed ? GeminiEmbeddings.OutputType : OutputType });
        return op;
    }

    private bool HasOutput => _output is not null || _embedDone is not null;

    /// <summary>Adds the output's fields (a fresh copy: metadata.output and response each hold one) to <paramref name="target"/>.</summary>
    private JsonObject AddOutput(JsonObject target)
    {
        if (_embedDone is { } done) target["inlinedEmbedContentResponses"] = InlineEmbedResponses.Node(_inline!, done);
        else foreach (var (k, v) in _output!) target[k] = v?.DeepClone();
        return target;
    }

    private static void Put(JsonObject stats, string name, long value)
    {
        if (value != 0) stats[name] = ProtoJson.Int64(value);
    }

    /// <summary>On the first terminal read: the output of a succeeded or cancelled batch (failed and expired ones have none).</summary>
    private void EnsureOutput(TimelineSnapshot s, GeminiFileStore files)
    {
        if (_outputBuilt || !s.IsTerminal) return;
        _outputBuilt = true;
        if (s.Phase is BatchPhase.Completed or BatchPhase.Cancelled)
        {
            if (_inline is not null && Embed) _embedDone = s.Done;
            else if (_inline is not null) _output = InlineOutput(s.Done);
            else if (_lines is not null && _input is not null && _validationError is null) _output = FileOutput(s.Done, files);
        }
        if (_inline is not null || _lines is not null) CloseInput();
    }

    private JsonObject InlineOutput(int done)
    {
        string version = Model["models/".Length..];
        var items = new JsonArray();
        for (int i = 0; i < done; i++)
        {
            var item = _inline![i];
            var entry = item.Answer.Outcome != FakeOutcome.Ok ? new JsonObject { ["error"] = GenerateContent.Error(item.Answer) }
                : new JsonObject { ["response"] = GenerateContent.Response(item.Answer, version) };
            if (item.Metadata is not null) entry["metadata"] = item.Metadata.DeepClone();
            items.Add(entry);
        }
        // An empty repeated field is left out in proto3 JSON.
        var inner = new JsonObject();
        if (items.Count > 0) inner["inlinedResponses"] = items;
        return new JsonObject { ["inlinedResponses"] = inner };
    }

    /// <summary>Writes <c>{"key","response"}</c> / <c>{"key","error"}</c> lines for the first <paramref name="done"/> requests, shuffled.</summary>
    private JsonObject FileOutput(int done, GeminiFileStore files)
    {
        string version = Model["models/".Length..];
        string path = files.NewTempPath();
        try
        {
            using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Json.Options.Encoder }))
            {
                foreach (int i in DeterministicShuffle.Permutation(done, Id))
                {
                    var line = _lines![i];
                    byte[] raw = JsonlReader.ReadAt(_input!, line.Offset, line.Length);
                    using var doc = JsonDocument.Parse(raw);
                    var request = doc.RootElement.GetProperty("request");
                    if (Embed) WriteEmbedLine(writer, line.Key, request, version);
                    else
                    {
                        var result = new JsonObject { ["key"] = line.Key };
                        GenerateContent.Read(request, "request", out var messages);
                        var answer = GenerateContent.Answer(request, messages, version);
                        if (answer.Outcome == FakeOutcome.Ok) result["response"] = GenerateContent.Response(answer, version);
                        else result["error"] = GenerateContent.Error(answer);
                        result.WriteTo(writer);
                    }
                    writer.Flush();
                    writer.Reset();
                    output.WriteByte((byte)'\n');
                }
            }
            var file = files.Register(path, "batch-" + Id, null, "application/jsonl", GeminiFile.Generated);
            path = "";
            return new JsonObject { ["responsesFile"] = file.Name };
        }
        finally
        {
            if (path.Length > 0) FileStore.TryDeleteFile(path);
        }
    }

    /// <summary>One responses-file line of an embedding batch, its vector written as it is computed.</summary>
    private static void WriteEmbedLine(Utf8JsonWriter writer, string key, JsonElement request, string version)
    {
        var (answer, item) = GeminiEmbeddings.Answer(request, version);
        writer.WriteStartObject();
        writer.WriteString("key", key);
        if (answer.Outcome == FakeOutcome.Ok)
        {
            writer.WritePropertyName("response");
            GeminiEmbeddings.WriteResponse(writer, answer, item);
        }
        else
        {
            writer.WritePropertyName("error");
            GenerateContent.Error(answer).WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    private void CloseInput()
    {
        _input?.Dispose();
        _input = null;
    }

    public void Dispose()
    {
        lock (_gate) CloseInput();
    }

    /// <summary>
    /// Checks a file-mode input (spec §4): one JSON object per line, <c>{"key": "…", "request": {GenerateContentRequest}}</c>,
    /// keys unique. Blank lines are skipped; CRLF and a UTF-8 BOM are accepted. The first problem fails the batch.
    /// </summary>
    internal static class InputFile
    {
        private static readonly string[] LineFields = { "key", "request" };

        public static string? Validate(Stream input, string model, out List<FileLine> lines, Stats? stats = null, bool embed = false)
        {
            lines = new List<FileLine>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var reader = new JsonlReader(input);
            int count = 0, errors = 0;
            string? first = null;
            var counted = new List<RequestFeatures>();
            while (reader.TryRead(out var line))
            {
                if (IsBlank(line.Bytes.Span)) continue;
                count++;
                string? problem = Check(line, keys, lines, model, counted, embed);
                if (problem is null) continue;
                errors++;
                first ??= problem;
            }
            if (count == 0) first = "The batch input file contains no requests.";
            else if (errors > 1) first += $" ({errors - 1} more line(s) have problems.)";
            if (first is not null) lines.Clear();
            else if (stats is not null)
                foreach (var f in counted) stats.Features.Count("gemini", f);
            return first;
        }

        private static string? Check(JsonlLine line, HashSet<string> keys, List<FileLine> lines, string model, List<RequestFeatures> counted, bool embed)
        {
            int n = line.Number;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line.Bytes); }
            catch (JsonException) { return $"Line {n} of the batch input file is not valid JSON."; }
            using (doc)
            {
                var fields = ProtoJson.Fields(doc.RootElement, "", LineFields, out string? error);
                if (fields is null) return $"Line {n}: {error}";
                if (!fields.TryGetValue("key", out var k) || k.ValueKind != JsonValueKind.String || k.GetString() is not { Length: > 0 } key)
                    return $"Line {n}: 'key' is required and must be a non-empty string.";
                if (!keys.Add(key)) return $"Line {n}: the key '{key}' is used by more than one request; keys must be unique within a batch.";
                if (!fields.TryGetValue("request", out var request) || request.ValueKind != JsonValueKind.Object)
                    return $"Line {n}: 'request' is required and must be a GenerateContentRequest object.";
                if (embed)
                {
                    if (GeminiEmbeddings.Structure(request, "request") is { } embedProblem) return $"Line {n}: {embedProblem}";
                    var (embedAnswer, _) = GeminiEmbeddings.Answer(request, model);
                    counted.Add(GeminiEmbeddings.Features(embedAnswer));
                    lines.Add(new FileLine(key, line.Offset, line.Length, embedAnswer.Outcome));
                    return null;
                }
                string? problem = GenerateContent.Read(request, "request", out var messages);
                if (problem is not null) return $"Line {n}: {problem}";
                var answer = GenerateContent.Answer(request, messages, model);
                counted.Add(RequestFeatures.Of(answer, "batchGenerateContent"));
                lines.Add(new FileLine(key, line.Offset, line.Length, answer.Outcome));
                return null;
            }
        }

        private static bool IsBlank(ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
            return true;
        }
    }
}
