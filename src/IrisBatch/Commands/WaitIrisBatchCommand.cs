using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IrisBatch.Conversion;
using IrisBatch.Submission;
using IrisBatch.Waiting;

namespace IrisBatch.Commands
{
    /// <summary>Polls batches until each is terminal, with progress; emits each batch as it completes.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "IrisBatch", DefaultParameterSetName = ByObject)]
    [OutputType(typeof(IrisBatch))]
    public sealed class WaitIrisBatchCommand : BatchCommandBase
    {
        /// <summary>For batches IrisBatch runs itself (-Provider Ollama): requests at once per server. Default 4.</summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 4;

        protected override void Configure(Providers.IBatchProvider provider)
        {
            if (provider is Providers.IExecutingProvider runner) runner.ThrottleLimit = ThrottleLimit;
        }

        /// <summary>Seconds between polls (or a TimeSpan). Default 30.</summary>
        [Parameter]
        [SecondsTransformation]
        [ValidateRange(0.0, 86400.0)]
        public double PollInterval { get; set; } = 30;

        /// <summary>Seconds to wait at most (or a TimeSpan). Default 24 hours.</summary>
        [Parameter]
        [SecondsTransformation]
        [ValidateRange(0.0, double.MaxValue)]
        public double Timeout { get; set; } = 86400;

        private readonly List<BatchTarget> _targets = new List<BatchTarget>();

        protected override void ProcessRecord() => _targets.AddRange(Targets());

        protected override void EndProcessing()
        {
            if (_targets.Count > 0)
            {
                foreach (var b in new BatchWaitLoop(this, PollInterval, Timeout).Run(_targets, b => b.IsComplete))
                    WriteObject(b);
            }
            base.EndProcessing();
        }
    }

}
