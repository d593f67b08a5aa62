using System.Management.Automation;
using IrisBatch.Conversion;
using IrisBatch.Providers;

namespace IrisBatch.Commands
{
    /// <summary>The parameters of waiting, shared by Wait-IrisBatch and Get-IrisBatchResult -Wait.</summary>
    public abstract class WaitingCommandBase : BatchCommandBase
    {
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

        /// <summary>For batches IrisBatch runs itself (-Provider Ollama): requests at once per server. Default 4.</summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 4;

        protected override void Configure(IBatchProvider provider)
        {
            if (provider.Executor is { } runner) runner.ThrottleLimit = ThrottleLimit;
        }
    }
}
