using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>
/// Writes a finished batch's output file (successes) and error file (failures), each only if it has lines (spec §1.8).
/// Lines come in a deterministic shuffled order, never input order. Requests are re-read from the input file by offset
/// and answered again by the fake model, so nothing large is held in memory.
/// </summary>
internal static class ResultWriter
{
    public const string ExpiredMessage = "This request could not be executed before the completion window expired.";
    private static readonly TimeSpan DefaultExpiry = TimeSpan.FromDays(30);

    /// <param name="done">The first <paramref name="done"/> requests (input order) ran.</param>
    /// <param name="expireRest">Also write a batch_expired error line for every request that did not run.</param>
    public static (StoredFile? Output, StoredFile? Error) Write(
        OpenAIBatch batch, Stream input, int done, bool expireRest, FileStore files, DateTimeOffset now)
    {
        var lines = batch.Validation!.Lines;
        int count = expireRest ? lines.Count : done;
        var rules = batch.Rules;
        using var output = new LineSink(files, rules);
        using var error = new LineSink(files, rules);
        foreach (int i in DeterministicShuffle.Permutation(count, batch.Id))
        {
            var line = lines[i];
            if (i >= done)
            {
                error.Write(Line(rules.LineStyle, line.CustomId, null, new JsonObject { ["code"] = "batch_expired", ["message"] = ExpiredMessage }));
                continue;
            }
            byte[] raw = JsonlReader.ReadAt(input, line.Offset, line.Length);
            using var doc = JsonDocument.Parse(raw);
            var body = doc.RootElement.GetProperty("body");
            var answer = OpenAIRequests.Answer(batch.CanonicalEndpoint, body, rules.Dialect, contentFilter: rules.ContentFilter);
            string model = body.TryGetProperty("model", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString()! : batch.JobModel ?? "";
            if (rules.AnsweringModel is { } answering) model = answering(model);
            long created = batch.Timeline.RequestDoneAt(i).ToUnixTimeSeconds();
            JsonObject responseBody = answer.Outcome == FakeOutcome.Ok
                ? ResponseBodies.Success(batch.CanonicalEndpoint, model, answer, body, created) is var ok && rules.SuccessBody is { } shape ? shape(ok) : ok
                : rules.FailureBody?.Invoke(answer) ?? ResponseBodies.Failure(answer);
            var response = new JsonObject { ["status_code"] = ResponseBodies.StatusCode(answer.Outcome) };
            if (rules.LineStyle == ResultLineStyle.OpenAI) response["request_id"] = Ids.RequestId();
            response["body"] = responseBody;
            if (answer.Outcome != FakeOutcome.Ok && rules.LineStyle == ResultLineStyle.Together)
            {
                // Together's error file: {custom_id, error: {message, code}} (spec §14.6), no response.
                var envelope = responseBody["error"] as JsonObject;
                error.Write(Line(rules.LineStyle, line.CustomId, null, new JsonObject
                {
                    ["message"] = envelope?["message"]?.GetValue<string>() ?? responseBody["message"]?.GetValue<string>(),
                    ["code"] = envelope?["code"]?.GetValue<string>() ?? responseBody["code"]?.GetValue<string>(),
                }));
                continue;
            }
            (answer.Outcome == FakeOutcome.Ok ? output : error).Write(Line(rules.LineStyle, line.CustomId, response, null));
        }
        TimeSpan expiry = batch.OutputExpiresAfter ?? DefaultExpiry;
        return (output.Finish($"{batch.Id}_output.jsonl", now, expiry), error.Finish($"{batch.Id}_error.jsonl", now, expiry));
    }

    private static JsonObject Line(ResultLineStyle style, string customId, JsonObject? response, JsonObject? error)
    {
        if (style == ResultLineStyle.Together)
        {
            // Together's lines (spec §14.6): no id, and only the member that applies.
            var line = new JsonObject { ["custom_id"] = customId };
            if (response is not null) line["response"] = response;
            if (error is not null) line["error"] = error;
            return line;
        }
        return new JsonObject
        {
            ["id"] = style == ResultLineStyle.Mistral ? "batch-" + Ids.Hex("", 8) + "-" + Guid.NewGuid().ToString("D") : Ids.Hex("batch_req_", 32),
            ["custom_id"] = customId,
            ["response"] = response,
            ["error"] = error,
        };
    }

    /// <summary>A JSONL file being written; created on the first line, registered as a batch_output file on finish.</summary>
    private sealed class LineSink(FileStore files, BatchRules rules) : IDisposable
    {
        private string? _path;
        private FileStream? _stream;
        private Utf8JsonWriter? _writer;

        public void Write(JsonObject line)
        {
            if (_stream is null)
            {
                _path = files.NewTempPath();
                _stream = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { Encoder = Json.Options.Encoder });
            }
            line.WriteTo(_writer!);
            _writer!.Flush();
            _writer.Reset();
            _stream.WriteByte((byte)'\n');
        }

        public StoredFile? Finish(string filename, DateTimeOffset now, TimeSpan expiry)
        {
            if (_stream is null) return null;
            Close();
            var file = files.Register(_path!, "file-", filename, rules.OutputPurpose, now, expiry, rules.NewFileId?.Invoke(), isResult: true, account: rules.Account);
            _path = null;
            return file;
        }

        private void Close()
        {
            _writer?.Dispose();
            _stream?.Dispose();
            _writer = null;
            _stream = null;
        }

        /// <summary>Closes; a file never finished (an error mid-write) is deleted.</summary>
        public void Dispose()
        {
            Close();
            if (_path is not null) FileStore.TryDeleteFile(_path);
            _path = null;
        }
    }
}
