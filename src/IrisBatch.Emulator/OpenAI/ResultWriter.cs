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
        using var output = new LineSink(files);
        using var error = new LineSink(files);
        foreach (int i in DeterministicShuffle.Permutation(count, batch.Id))
        {
            var line = lines[i];
            if (i >= done)
            {
                error.Write(Line(line.CustomId, null, new JsonObject { ["code"] = "batch_expired", ["message"] = ExpiredMessage }));
                continue;
            }
            byte[] raw = JsonlReader.ReadAt(input, line.Offset, line.Length);
            using var doc = JsonDocument.Parse(raw);
            var body = doc.RootElement.GetProperty("body");
            var answer = OpenAIRequests.Answer(batch.CanonicalEndpoint, body);
            string model = body.GetProperty("model").GetString()!;
            long created = batch.Timeline.RequestDoneAt(i).ToUnixTimeSeconds();
            JsonObject responseBody = answer.Outcome == FakeOutcome.Ok
                ? ResponseBodies.Success(batch.CanonicalEndpoint, model, answer, body, created)
                : ResponseBodies.Failure(answer);
            var response = new JsonObject
            {
                ["status_code"] = ResponseBodies.StatusCode(answer.Outcome),
                ["request_id"] = Ids.RequestId(),
                ["body"] = responseBody,
            };
            (answer.Outcome == FakeOutcome.Ok ? output : error).Write(Line(line.CustomId, response, null));
        }
        TimeSpan expiry = batch.OutputExpiresAfter ?? DefaultExpiry;
        return (output.Finish($"{batch.Id}_output.jsonl", now, expiry), error.Finish($"{batch.Id}_error.jsonl", now, expiry));
    }

    private static JsonObject Line(string customId, JsonObject? response, JsonObject? error) => new()
    {
        ["id"] = Ids.Hex("batch_req_", 32),
        ["custom_id"] = customId,
        ["response"] = response,
        ["error"] = error,
    };

    /// <summary>A JSONL file being written; created on the first line, registered as a batch_output file on finish.</summary>
    private sealed class LineSink(FileStore files) : IDisposable
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
            var file = files.Register(_path!, "file-", filename, "batch_output", now, expiry);
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
