using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Lifecycle;

namespace IrisBatch.Commands
{
    /// <summary>
    /// Base of every IrisBatch cmdlet: cancellation (Ctrl+C stops the wait, never the remote batch), running core
    /// calls off the pipeline thread while only the pipeline thread writes, verbose lines from the HTTP layer,
    /// and errors mapped in one place.
    /// </summary>
    public abstract class IrisBatchCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly ConcurrentQueue<string> _log = new ConcurrentQueue<string>();
        private readonly ConcurrentQueue<string> _warnings = new ConcurrentQueue<string>();
        private LifecycleSession? _session;

        protected CancellationToken Token => _cancel.Token;

        protected override void StopProcessing() => _cancel.Cancel();

        /// <summary>The journal protocol (Core's Lifecycle layer), opened once per command: a journal folder that cannot be written is IrisBatch.JournalUnavailable.</summary>
        protected LifecycleSession Session => _session ??= LifecycleSession.OpenDefault();

        /// <summary>Every command that keeps its record in the journal stops at once when the journal cannot be written.</summary>
        protected override void BeginProcessing()
        {
            try { _ = Session; }
            catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.JournalUnavailable) { ThrowMapped(ex, ex.Target); }
        }

        protected virtual HttpSettings NewHttpSettings()
        {
            var settings = HttpSettings.FromEnvironment();
            settings.UserAgent = $"IrisBatch/{typeof(IrisBatchCmdlet).Assembly.GetName().Version} PowerShell/{PSVersion()}";
            settings.Log = line => _log.Enqueue(line);
            settings.Warn = line => _warnings.Enqueue(line);
            return settings;
        }

        private string PSVersion()
        {
            try { return Host.Version.ToString(); } catch (Exception) { return "unknown"; }
        }

        /// <summary>A verbose line from a core call running off the pipeline thread (written by the next <see cref="FlushLog"/>).</summary>
        protected void QueueVerbose(string line) => _log.Enqueue(line);

        protected void FlushLog()
        {
            while (_log.TryDequeue(out var line)) WriteVerbose(line);
            while (_warnings.TryDequeue(out var warning)) WriteWarning(warning);
        }

        /// <summary>Runs a core call on the thread pool; the pipeline thread waits, writing verbose lines and calling <paramref name="onTick"/>.</summary>
        protected T Run<T>(Func<CancellationToken, Task<T>> operation, Action? onTick = null)
        {
            var task = Task.Run(() => operation(Token));
            var handle = ((IAsyncResult)task).AsyncWaitHandle;
            while (!handle.WaitOne(100))
            {
                FlushLog();
                onTick?.Invoke();
            }
            FlushLog();
            onTick?.Invoke();
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (Token.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        protected void WriteMappedError(Exception ex, object? target)
        {
            if (ex is OperationCanceledException && Token.IsCancellationRequested) throw new PipelineStoppedException();
            if (ex is PipelineStoppedException) throw ex;
            var record = ErrorMapper.ToRecord(ex, target);
            // A setup problem (no or wrong key, refused endpoint, exhausted quota) fails every item alike: stop here.
            if (ErrorMapper.IsSetupProblem(ex)) ThrowTerminatingError(record);
            WriteError(record);
        }

        protected void ThrowMapped(Exception ex, object? target)
        {
            if (ex is PipelineStoppedException) throw ex;
            ThrowTerminatingError(ErrorMapper.ToRecord(ex, target));
        }

        protected static string? Unprotect(SecureString? secure)
        {
            if (secure == null || secure.Length == 0) return null;
            IntPtr ptr = IntPtr.Zero;
            try
            {
                ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(ptr);
            }
            finally
            {
                if (ptr != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(ptr);
            }
        }

        protected bool IsWhatIf =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent
                : SessionState.PSVariable.GetValue("WhatIfPreference") is object pref && LanguagePrimitives.IsTrue(pref);

        protected override void EndProcessing() => FlushLog();
    }
}
