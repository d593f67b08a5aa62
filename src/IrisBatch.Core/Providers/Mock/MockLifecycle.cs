using System;
using System.Globalization;

namespace IrisBatch.Providers.Mock
{
    /// <summary>A batch's state at a given step: OpenAI's status word and how many requests have run.</summary>
    public readonly struct MockView
    {
        public MockView(string status, long processed, long failed, long expired)
        {
            Status = status;
            Processed = processed;
            Failed = failed;
            Expired = expired;
        }

        /// <summary>validating, in_progress, finalizing, completed, failed, cancelling, cancelled or expired.</summary>
        public string Status { get; }
        /// <summary>Requests that ran (succeeded or failed).</summary>
        public long Processed { get; }
        /// <summary>Requests among those that ran that failed.</summary>
        public long Failed { get; }
        /// <summary>Requests that never ran because the batch expired (each gets a batch_expired error line).</summary>
        public long Expired { get; }
        public long Succeeded => Processed - Failed;
        public bool IsTerminal => Status == "completed" || Status == "failed" || Status == "cancelled" || Status == "expired";
    }

    /// <summary>
    /// The mock's deterministic lifecycle. Step 0: validating. Step 1: failed if a prompt holds [invalid], else
    /// in_progress with the first half of the requests done. Step 2: expired if a prompt holds [expire], else
    /// finalizing with all done. Step 3 on: completed. A cancel makes it cancelling (the done count frozen), then
    /// cancelled from the next step on. A step is one poll (default), or IRISBATCH_MOCK_STEP_SECONDS of elapsed time
    /// when IRISBATCH_MOCK_MODE is 'time'.
    /// </summary>
    public static class MockLifecycle
    {
        public const string ModeVariable = "IRISBATCH_MOCK_MODE";
        public const string StepSecondsVariable = "IRISBATCH_MOCK_STEP_SECONDS";

        public static bool TimeMode =>
            string.Equals(Environment.GetEnvironmentVariable(ModeVariable)?.Trim(), "time", StringComparison.OrdinalIgnoreCase);

        /// <summary>How long one step lasts in time mode (default 1 s).</summary>
        public static TimeSpan StepLength
        {
            get
            {
                var text = Environment.GetEnvironmentVariable(StepSecondsVariable);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0)
                    return TimeSpan.FromSeconds(s);
                return TimeSpan.FromSeconds(1);
            }
        }

        /// <summary>
        /// The poll interval a wait needs against the mock: none in poll mode (a step is a poll, sleeping changes
        /// nothing), at most one step in time mode.
        /// </summary>
        public static TimeSpan Pace(TimeSpan requested)
        {
            if (!TimeMode) return TimeSpan.Zero;
            var step = StepLength;
            return requested < step ? requested : step;
        }

        /// <summary>Takes a step: one more in poll mode, the elapsed ones in time mode.</summary>
        public static void Advance(MockBatchState state, DateTimeOffset now)
        {
            if (TimeMode)
            {
                var elapsed = now.UtcTicks - state.CreatedTicks;
                var steps = elapsed <= 0 ? 0 : elapsed / StepLength.Ticks;
                state.Steps = (int)Math.Min(int.MaxValue, Math.Max(state.Steps, steps));
            }
            else if (state.Steps < int.MaxValue)
            {
                state.Steps++;
            }
        }

        public static MockView View(MockBatchState s)
        {
            if (s.CancelAtStep.HasValue)
            {
                var failedSoFar = FailedAmong(s, s.CancelProcessed);
                return new MockView(s.Steps > s.CancelAtStep.Value ? "cancelled" : "cancelling", s.CancelProcessed, failedSoFar, 0);
            }
            if (s.Steps <= 0) return new MockView("validating", 0, 0, 0);
            if (s.Invalid.Count > 0) return new MockView("failed", 0, 0, 0);
            long half = (s.Total + 1) / 2;
            if (s.Steps == 1) return new MockView("in_progress", half, FailedAmong(s, half), 0);
            if (s.Expire) return new MockView("expired", half, FailedAmong(s, half), s.Total - half);
            if (s.Steps == 2) return new MockView("finalizing", s.Total, FailedAmong(s, s.Total), 0);
            return new MockView("completed", s.Total, FailedAmong(s, s.Total), 0);
        }

        /// <summary>How many of the first <paramref name="count"/> requests fail.</summary>
        private static long FailedAmong(MockBatchState s, long count)
        {
            long n = 0;
            foreach (var line in s.FailedLines) if (line < count) n++;
            return n;
        }
    }
}
