using System;

namespace IrisBatch.Emulator;

/// <summary>Provider-neutral batch phases; each provider maps them to its own status words.</summary>
public enum BatchPhase
{
    Validating,
    Failed,
    InProgress,
    Finalizing,
    Completed,
    Cancelling,
    Cancelled,
    Expired,
}

/// <summary>What a batch looks like at one instant. <see cref="Done"/> = the first Done requests in input order have run.</summary>
internal readonly record struct TimelineSnapshot(
    BatchPhase Phase,
    int Total,
    int Done,
    DateTimeOffset? InProgressAt,
    DateTimeOffset? FinalizingAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset? CancellingAt,
    DateTimeOffset? CancelledAt,
    DateTimeOffset? ExpiredAt)
{
    public bool IsTerminal => Phase is BatchPhase.Failed or BatchPhase.Completed or BatchPhase.Cancelled or BatchPhase.Expired;
}

/// <summary>
/// A batch's lifecycle as a pure function of elapsed time, evaluated lazily on each read:
/// validating until validating-ms after creation (and until the validator has actually finished), then failed, or
/// in_progress for in-progress-ms (requests finish linearly, in input order), finalizing for finalizing-ms, completed.
/// A cancel freezes the done count and enters cancelling for cancelling-ms, then cancelled; an expiry is immediate.
/// Not thread-safe: the owning batch serialises access.
/// </summary>
internal sealed class Timeline
{
    private DateTimeOffset? _validatedAt;
    private bool _ok;
    private int _total;
    private DateTimeOffset? _cancelAt, _expireAt;
    private int _cancelDone, _expireDone;

    public Timeline(DateTimeOffset createdAt, LifecycleTiming timing)
    {
        CreatedAt = createdAt;
        Timing = timing;
    }

    public DateTimeOffset CreatedAt { get; }
    public LifecycleTiming Timing { get; }

    /// <summary>Records the validator's verdict. Validation ends at validating-ms after creation or when it finished, whichever is later.</summary>
    public void MarkValidated(DateTimeOffset finishedAt, bool ok, int total)
    {
        DateTimeOffset earliest = CreatedAt + Timing.Validating;
        _validatedAt = finishedAt > earliest ? finishedAt : earliest;
        _ok = ok;
        _total = ok ? total : 0;
    }

    /// <summary>When request <paramref name="index"/> (0-based, input order) finished running.</summary>
    public DateTimeOffset RequestDoneAt(int index)
    {
        DateTimeOffset tv = _validatedAt ?? CreatedAt;
        if (_total == 0) return tv;
        return tv + TimeSpan.FromTicks(Timing.InProgress.Ticks * (index + 1) / _total);
    }

    public TimelineSnapshot At(DateTimeOffset now)
    {
        if (_expireAt is { } te)
            return Natural(te) with { Phase = BatchPhase.Expired, Done = _expireDone, ExpiredAt = te };
        if (_cancelAt is { } tc)
        {
            DateTimeOffset cancelledAt = tc + Timing.Cancelling;
            bool done = now >= cancelledAt;
            return Natural(tc) with
            {
                Phase = done ? BatchPhase.Cancelled : BatchPhase.Cancelling,
                Done = _cancelDone,
                CancellingAt = tc,
                CancelledAt = done ? cancelledAt : null,
            };
        }
        return Natural(now);
    }

    /// <summary>Starts cancelling if the batch is validating, in progress or finalizing; otherwise reports its phase.</summary>
    public bool TryCancel(DateTimeOffset now, out BatchPhase phase)
    {
        var s = At(now);
        phase = s.Phase;
        if (_cancelAt is not null || _expireAt is not null) return false;
        if (s.Phase is not (BatchPhase.Validating or BatchPhase.InProgress or BatchPhase.Finalizing)) return false;
        _cancelAt = now;
        _cancelDone = s.Done;
        phase = BatchPhase.Cancelling;
        return true;
    }

    /// <summary>Expires the batch now if it is in progress or finalizing; otherwise reports its phase.</summary>
    public bool TryExpire(DateTimeOffset now, out BatchPhase phase)
    {
        var s = At(now);
        phase = s.Phase;
        if (_cancelAt is not null || _expireAt is not null) return false;
        if (s.Phase is not (BatchPhase.InProgress or BatchPhase.Finalizing)) return false;
        _expireAt = now;
        _expireDone = s.Done;
        phase = BatchPhase.Expired;
        return true;
    }

    /// <summary>The uninterrupted lifecycle at time <paramref name="t"/>.</summary>
    private TimelineSnapshot Natural(DateTimeOffset t)
    {
        if (_validatedAt is not { } tv || t < tv)
            return new TimelineSnapshot(BatchPhase.Validating, 0, 0, null, null, null, null, null, null, null);
        if (!_ok)
            return new TimelineSnapshot(BatchPhase.Failed, 0, 0, null, null, null, tv, null, null, null);

        DateTimeOffset finalizingAt = tv + Timing.InProgress;
        DateTimeOffset completedAt = finalizingAt + Timing.Finalizing;
        if (t < finalizingAt)
        {
            int done = (int)(_total * (t - tv).Ticks / Timing.InProgress.Ticks);
            return new TimelineSnapshot(BatchPhase.InProgress, _total, done, tv, null, null, null, null, null, null);
        }
        if (t < completedAt)
            return new TimelineSnapshot(BatchPhase.Finalizing, _total, _total, tv, finalizingAt, null, null, null, null, null);
        return new TimelineSnapshot(BatchPhase.Completed, _total, _total, tv, finalizingAt, completedAt, null, null, null, null);
    }
}
