using System.Collections.Generic;

namespace IrisBatch.Providers.Mock
{
    /// <summary>A line of the input the mock refuses at validation (the prompt contains [invalid]).</summary>
    public sealed class MockInvalidLine
    {
        public long Line { get; set; }
        public string CustomId { get; set; } = "";
    }

    /// <summary>
    /// What the mock keeps of one batch (mock/batches/&lt;id&gt;.json): what was submitted and how many steps it has
    /// taken. Its status is a pure function of these fields (<see cref="MockLifecycle"/>), so it is deterministic.
    /// </summary>
    public sealed class MockBatchState
    {
        public string Id { get; set; } = "";
        public long CreatedAt { get; set; }
        /// <summary>UTC ticks of creation: orders the list and drives the time mode.</summary>
        public long CreatedTicks { get; set; }
        public string InputFileId { get; set; } = "";
        public string Endpoint { get; set; } = "";
        public string? Model { get; set; }
        public Dictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();
        public long Total { get; set; }
        /// <summary>0-based positions (in input order) of the requests that fail ([fail] or [fail500]).</summary>
        public List<long> FailedLines { get; set; } = new List<long>();
        /// <summary>True when a prompt contains [expire]: the batch expires half way.</summary>
        public bool Expire { get; set; }
        public List<MockInvalidLine> Invalid { get; set; } = new List<MockInvalidLine>();
        /// <summary>Steps taken: one per poll, or one per IRISBATCH_MOCK_STEP_SECONDS in time mode.</summary>
        public int Steps { get; set; }
        /// <summary>The step at which a cancel was asked; the batch is cancelled from the next step on.</summary>
        public int? CancelAtStep { get; set; }
        /// <summary>How many requests had run when the cancel was asked (they keep their results).</summary>
        public long CancelProcessed { get; set; }
        /// <summary>Unix seconds when the batch was first seen terminal.</summary>
        public long? FinishedAt { get; set; }
        /// <summary>
        /// True once the batch's output and error files were made in the store (when it was first seen terminal). From
        /// then on they are files like the input: each exists until deleted, and a deleted one is gone for good.
        /// </summary>
        public bool ResultsWritten { get; set; }
    }
}
