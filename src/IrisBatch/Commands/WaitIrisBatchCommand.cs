using System.Collections.Generic;
using System.Management.Automation;

namespace IrisBatch.Commands
{
    /// <summary>Polls batches until each is terminal, with progress; emits each batch as it completes.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "IrisBatch", DefaultParameterSetName = ByObject)]
    [OutputType(typeof(IrisBatchInfo))]
    public sealed class WaitIrisBatchCommand : WaitingCommandBase
    {
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
