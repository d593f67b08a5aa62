using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.Anthropic;

/// <summary>
/// One Anthropic Message Batch. Every request is run by the fake model when the batch is created and its result line is
/// kept on disk in input order; what a client sees is still decided by the <see cref="Timeline"/> at each read:
/// <c>in_progress</c> while requests run (validating + in-progress + finalizing ms, the first k in input order finishing
/// linearly over the first two), <c>canceling</c> for cancelling-ms after a cancel, then <c>ended</c>. The first read that
/// sees the end writes the results file: the finished requests' lines plus a canceled or expired line for each request
/// that never ran, in a shuffled order.
/// </summary>
internal sealed class MessageBatch : IDisposable
{
    private readonly object _gate = new();
    private readonly string[] _customIds;
    private readonly long[] _offsets;
    private readonly int[] _lengths;
    private readonly int[] _succeededPrefix;
    private readonly FileStore _files;
    private string? _pendingPath, _resultsPath;

    private MessageBatch(string id, long seq, string origin, Timeline timeline, FileStore files,
        string pendingPath, string[] customIds, long[] offsets, int[] lengths, int[] succeededPrefix)
    {
        Id = id;
        Seq = seq;
        ResultsUrl = $"{origin}/v1/messages/batches/{id}/results";
        Timeline = timeline;
        _files = files;
        _pendingPath = pendingPath;
        _customIds = customIds;
        _offsets = offsets;
        _lengths = lengths;
        _succeededPrefix = succeededPrefix;
    }

    public string Id { get; }
    public long Seq { get; }
    public string ResultsUrl { get; }
    public Timeline Timeline { get; }

    /// <param name="origin">Scheme and host the client created the batch through; <c>results_url</c> points there.</param>
    public static MessageBatch Create(string id, long seq, IReadOnlyList<BatchRequestEntry> requests, string origin,
        DateTimeOffset now, LifecycleTiming timing, FileStore files, Stats? stats = null, bool structuredOutputsBeta = false)
    {
        int n = requests.Count;
        var customIds = new string[n];
        var offsets = new long[n];
        var lengths = new int[n];
        var succeeded = new int[n + 1];
        string path = files.NewTempPath();
        try
        {
            using var pending = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            for (int i = 0; i < n; i++)
            {
                var (line, ok) = ResultLines.Run(requests[i].CustomId, requests[i].Params, out var answer, structuredOutputsBeta);
                if (stats is not null && answer is not null) stats.Features.Count("anthropic", RequestFeatures.Of(answer, "/v1/messages"));
                byte[] bytes = Json.Utf8(line);
                customIds[i] = requests[i].CustomId;
                offsets[i] = pending.Position;
                lengths[i] = bytes.Length;
                succeeded[i + 1] = succeeded[i] + (ok ? 1 : 0);
                pending.Write(bytes);
                pending.WriteByte((byte)'\n');
            }
        }
        catch
        {
            FileStore.TryDeleteFile(path);
            throw;
        }

        // Anthropic has no validating phase: requests start at once and run over validating + in-progress ms.
        var anthropicTiming = timing with { ValidatingMs = 0, InProgressMs = timing.ValidatingMs + timing.InProgressMs };
        var timeline = new Timeline(now, anthropicTiming);
        timeline.MarkValidated(now, ok: true, n);
        return new MessageBatch(id, seq, origin, timeline, files, path, customIds, offsets, lengths, succeeded);
    }

    public static bool IsEnded(BatchPhase phase) => phase is BatchPhase.Completed or BatchPhase.Cancelled or BatchPhase.Expired;

    public static string ProcessingStatus(BatchPhase phase) => phase switch
    {
        BatchPhase.Cancelling => "canceling",
        _ when IsEnded(phase) => "ended",
        _ => "in_progress",
    };

    public JsonObject Observe(DateTimeOffset now)
    {
        lock (_gate) return Snapshot(now).Json;
    }

    /// <summary>Starts canceling if the batch is in progress. Returns the batch either way, and the phase that refused.</summary>
    public (bool Accepted, BatchPhase Phase, JsonObject Batch) Cancel(DateTimeOffset now)
    {
        lock (_gate)
        {
            bool accepted = Timeline.TryCancel(now, out var phase);
            return (accepted, phase, Snapshot(now).Json);
        }
    }

    /// <summary>Ends the batch now; requests that have not run get <c>expired</c> results.</summary>
    public (bool Accepted, BatchPhase Phase, JsonObject Batch) Expire(DateTimeOffset now)
    {
        lock (_gate)
        {
            bool accepted = Timeline.TryExpire(now, out var phase);
            return (accepted, phase, Snapshot(now).Json);
        }
    }

    /// <summary>The results file once the batch has ended; null before.</summary>
    public FileStream? OpenResults(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!IsEnded(Snapshot(now).Phase) || _resultsPath is null) return null;
            return new FileStream(_resultsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        }
    }

    public BatchPhase Phase(DateTimeOffset now)
    {
        lock (_gate) return Snapshot(now).Phase;
    }

    private (BatchPhase Phase, JsonObject Json) Snapshot(DateTimeOffset now)
    {
        var s = Timeline.At(now);
        bool ended = IsEnded(s.Phase);
        if (ended && _resultsPath is null && _pendingPath is not null) WriteResults(s);

        int succeeded = _succeededPrefix[s.Done];
        int notRun = s.Total - s.Done;
        var counts = new JsonObject
        {
            ["processing"] = ended ? 0 : s.Total,
            ["succeeded"] = ended ? succeeded : 0,
            ["errored"] = ended ? s.Done - succeeded : 0,
            ["canceled"] = s.Phase == BatchPhase.Cancelled ? notRun : 0,
            ["expired"] = s.Phase == BatchPhase.Expired ? notRun : 0,
        };
        var created = Timeline.CreatedAt;
        var json = new JsonObject
        {
            ["id"] = Id,
            ["type"] = "message_batch",
            ["processing_status"] = ProcessingStatus(s.Phase),
            ["request_counts"] = counts,
            ["ended_at"] = Rfc3339(s.CompletedAt ?? s.CancelledAt ?? s.ExpiredAt),
            ["created_at"] = Rfc3339(created),
            ["expires_at"] = Rfc3339(created + TimeSpan.FromHours(24)),
            ["archived_at"] = null,
            ["cancel_initiated_at"] = Rfc3339(s.CancellingAt),
            ["results_url"] = ended ? ResultsUrl : null,
        };
        return (s.Phase, json);
    }

    /// <summary>The first <c>s.Done</c> requests (input order) ran; the others are canceled or expired.</summary>
    private void WriteResults(TimelineSnapshot s)
    {
        string path = _files.NewTempPath();
        using (var pending = new FileStream(_pendingPath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        using (var results = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            foreach (int i in DeterministicShuffle.Permutation(s.Total, Id))
            {
                byte[] line = i < s.Done ? JsonlReader.ReadAt(pending, _offsets[i], _lengths[i])
                    : Json.Utf8(s.Phase == BatchPhase.Expired ? ResultLines.Expired(_customIds[i]) : ResultLines.Canceled(_customIds[i]));
                results.Write(line);
                results.WriteByte((byte)'\n');
            }
        }
        _resultsPath = path;
        FileStore.TryDeleteFile(_pendingPath!);
        _pendingPath = null;
    }

    private static string? Rfc3339(DateTimeOffset? t) =>
        t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Deletes the batch's files (on delete, reset and shutdown).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_pendingPath is not null) FileStore.TryDeleteFile(_pendingPath);
            if (_resultsPath is not null) FileStore.TryDeleteFile(_resultsPath);
            _pendingPath = _resultsPath = null;
        }
    }
}
