using System;
using System.Linq;
using System.Management.Automation;
using IrisBatch.Conversion;
using IrisBatch.Lifecycle;

namespace IrisBatch.Commands
{
    /// <summary>Cancels batches; -Wait waits through Cancelling to Cancelled.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "IrisBatch", SupportsShouldProcess = true, DefaultParameterSetName = ByObject)]
    [OutputType(typeof(IrisBatchInfo))]
    public sealed class StopIrisBatchCommand : BatchCommandBase
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [SecondsTransformation]
        [ValidateRange(0.0, 86400.0)]
        public double PollInterval { get; set; } = 5;

        [Parameter]
        [SecondsTransformation]
        [ValidateRange(0.0, double.MaxValue)]
        public double Timeout { get; set; } = 3600;

        protected override void ProcessRecord()
        {
            foreach (var target in Targets())
            {
                try
                {
                    var batch = RefreshStatus(target);
                    if (batch.IsComplete)
                    {
                        WriteWarning(Messages.NothingToCancel(batch.Id, batch.Status));
                        if (PassThru) WriteObject(batch);
                        continue;
                    }
                    var description = Messages.CancelTarget(batch.Id, batch.Status, batch.Processed, batch.Total, target.Provider.Name, target.Provider.BaseUri.AbsoluteUri.TrimEnd('/'));
                    if (!ShouldProcess(description, "Cancel")) continue;
                    if (batch.Status != BatchStatus.Cancelling)
                    {
                        var cancelled = Run(ct => StatusRecorder.CancelAsync(target.Provider, batch.Id, ct));
                        target.Batch = Carry(BatchLocator.Fresh(cancelled, target.Entry), target.Batch);
                        Remember(target);
                        if (target.Entry != null) Session.Recorder.RecordCancel(target.Entry);
                    }
                    if (Wait)
                    {
                        foreach (var b in new BatchWaitLoop(this, PollInterval, Timeout).Run(new[] { target }, b => b.IsComplete))
                            if (PassThru) WriteObject(b);
                    }
                    else if (PassThru) WriteObject(target.Batch);
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteMappedError(ex, target.Batch.Id);
                }
            }
        }
    }
}
