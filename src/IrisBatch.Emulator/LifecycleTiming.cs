using System;

namespace IrisBatch.Emulator;

/// <summary>How long a batch spends in each timed phase. Captured per batch at creation.</summary>
public sealed record LifecycleTiming(int ValidatingMs, int InProgressMs, int FinalizingMs, int CancellingMs)
{
    public TimeSpan Validating => TimeSpan.FromMilliseconds(ValidatingMs);
    public TimeSpan InProgress => TimeSpan.FromMilliseconds(InProgressMs);
    public TimeSpan Finalizing => TimeSpan.FromMilliseconds(FinalizingMs);
    public TimeSpan Cancelling => TimeSpan.FromMilliseconds(CancellingMs);
}
