using System;
using System.Threading;

namespace IrisBatch.Tests.Emulator;

/// <summary>A clock that only moves when the test says so, for exact lifecycle assertions.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public ManualClock() { }

    /// <summary>A clock that starts at <paramref name="start"/> (e.g. some minutes before the client's own clock).</summary>
    public ManualClock(DateTimeOffset start) => _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public void AdvanceMs(int ms) => Advance(TimeSpan.FromMilliseconds(ms));
}
