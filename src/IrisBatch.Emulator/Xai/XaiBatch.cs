using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace IrisBatch.Emulator.Xai;

/// <summary>What a request asks for: a chat completion, or (the docs' other variant) a Responses call.</summary>
internal enum XaiKind
{
    ChatGetCompletion,
    Responses,
}

/// <summary>
/// One added request: its id, kind, model and the fake model's answer, and the add call (chunk) it came in.
/// <see cref="ChunkIndex"/> is when it finishes within its chunk (0 first), not where it was added: requests finish in
/// no particular order (spec §9.6). <see cref="FinishSeq"/> orders the batch's finished requests for listing.
/// </summary>
internal sealed record XaiRequest(string Id, int Index, XaiKind Kind, string Model, FakeAnswer Answer, DateTimeOffset CreatedAt, Timeline Chunk, int ChunkIndex, int FinishSeq)
{
    public string Endpoint => Kind == XaiKind.Responses ? "/v1/responses" : "/v1/chat/completions";
}

/// <summary>Where a request stands at one instant.</summary>
internal enum XaiRequestState
{
    Pending,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>
/// One xAI batch (spec §5): an open container that requests are added to, call by call. Each add call is a chunk on the
/// shared <see cref="Timeline"/>, started when it arrives: its requests finish linearly over validating + in-progress ms, in
/// an order of their own (not the one they were added in: spec §9.6, results come in no particular order). There is no
/// status string; the batch is done when <c>num_pending</c> is 0. A cancel sets <c>cancel_time</c> and freezes every
/// chunk; after cancelling-ms its unfinished requests count as cancelled (they have no result). Results are listed in
/// the order requests finished, so pages stay stable while more results arrive.
/// </summary>
internal sealed class XaiBatch
{
    private readonly object _gate = new();
    private readonly List<XaiRequest> _requests = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public XaiBatch(string id, long seq, string name, string apiKeyId, DateTimeOffset createdAt)
    {
        Id = id;
        Seq = seq;
        Name = name;
        ApiKeyId = apiKeyId;
        CreatedAt = createdAt;
    }

    public string Id { get; }
    public long Seq { get; }
    public string Name { get; }
    public string ApiKeyId { get; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset? CancelTime { get; private set; }

    /// <summary>A request to add, checked and answered by the fake model already.</summary>
    public sealed record NewRequest(string Id, XaiKind Kind, string Model, FakeAnswer Answer);

    /// <summary>Adds one call's requests as a chunk. Returns an error (nothing added) for a cancelled batch or a reused id.</summary>
    public string? Add(IReadOnlyList<NewRequest> requests, DateTimeOffset now, LifecycleTiming timing)
    {
        lock (_gate)
        {
            if (CancelTime is not null) return $"Batch {Id} has been cancelled; no more requests can be added.";
            foreach (var r in requests)
                if (_ids.Contains(r.Id)) return $"batch_request_id '{r.Id}' already exists in batch {Id}.";

            // Requests start at once and run over validating + in-progress ms (there is no validating state to show).
            var chunk = new Timeline(now, timing with { ValidatingMs = 0, InProgressMs = timing.ValidatingMs + timing.InProgressMs });
            chunk.MarkValidated(now, ok: true, requests.Count);
            // The order the chunk's requests finish in: a permutation seeded by the batch and the chunk, so results are
            // listed in an order that is not the one they were added in (and the same on every read).
            int start = _requests.Count;
            var finishing = DeterministicShuffle.Permutation(requests.Count, Id + "/" + start);
            var rank = new int[requests.Count];
            for (int k = 0; k < finishing.Length; k++) rank[finishing[k]] = k;
            for (int i = 0; i < requests.Count; i++)
            {
                var r = requests[i];
                _ids.Add(r.Id);
                _requests.Add(new XaiRequest(r.Id, _requests.Count, r.Kind, r.Model, r.Answer, now, chunk, rank[i], start + rank[i]));
            }
            return null;
        }
    }

    /// <summary>Sets <c>cancel_time</c> (once) and freezes every chunk that still runs.</summary>
    public bool Cancel(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (CancelTime is not null) return false;
            CancelTime = now;
            foreach (var chunk in _requests.Select(r => r.Chunk).Distinct()) chunk.TryCancel(now, out _);
            return true;
        }
    }

    private static (XaiRequestState State, DateTimeOffset? FinishedAt) StateOf(XaiRequest r, DateTimeOffset now)
    {
        var s = r.Chunk.At(now);
        if (r.ChunkIndex < s.Done)
            return (r.Answer.Outcome == FakeOutcome.Ok ? XaiRequestState.Succeeded : XaiRequestState.Failed, r.Chunk.RequestDoneAt(r.ChunkIndex));
        if (s.Phase == BatchPhase.Cancelled) return (XaiRequestState.Cancelled, s.CancelledAt);
        return (XaiRequestState.Pending, null);
    }

    public JsonObject Observe(DateTimeOffset now)
    {
        lock (_gate)
        {
            int pending = 0, success = 0, error = 0, cancelled = 0;
            foreach (var r in _requests)
            {
                switch (StateOf(r, now).State)
                {
                    case XaiRequestState.Pending: pending++; break;
                    case XaiRequestState.Succeeded: success++; break;
                    case XaiRequestState.Failed: error++; break;
                    default: cancelled++; break;
                }
            }
            return new JsonObject
            {
                ["batch_id"] = Id,
                ["name"] = Name,
                ["create_time"] = Time(CreatedAt),
                ["expire_time"] = null,
                ["create_api_key_id"] = ApiKeyId,
                ["cancel_time"] = Time(CancelTime),
                ["cancel_by_xai_message"] = null,
                ["state"] = new JsonObject
                {
                    ["num_requests"] = _requests.Count,
                    ["num_pending"] = pending,
                    ["num_success"] = success,
                    ["num_error"] = error,
                    ["num_cancelled"] = cancelled,
                },
            };
        }
    }

    /// <summary>Finished requests (succeeded or failed) in the order they finished, ties in their finishing sequence.</summary>
    public List<(XaiRequest Request, DateTimeOffset FinishedAt)> Finished(DateTimeOffset now)
    {
        lock (_gate)
        {
            var done = new List<(XaiRequest, DateTimeOffset)>();
            foreach (var r in _requests)
            {
                var (state, at) = StateOf(r, now);
                if (state is XaiRequestState.Succeeded or XaiRequestState.Failed) done.Add((r, at!.Value));
            }
            return done.OrderBy(d => d.Item2).ThenBy(d => d.Item1.FinishSeq).ToList();
        }
    }

    /// <summary>Every request in the order it was added, with where it stands now.</summary>
    public List<(XaiRequest Request, XaiRequestState State, DateTimeOffset? FinishedAt)> Requests(DateTimeOffset now)
    {
        lock (_gate)
        {
            var list = new List<(XaiRequest, XaiRequestState, DateTimeOffset?)>(_requests.Count);
            foreach (var r in _requests)
            {
                var (state, at) = StateOf(r, now);
                list.Add((r, state, at));
            }
            return list;
        }
    }

    public static string? Time(DateTimeOffset? t) =>
        t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
