using System;
using System.Collections.Generic;
using System.Reflection;

namespace IrisBatch.Providers.Ollama
{
    /// <summary>
    /// Runs a handler when the process is asked to end (SIGTERM: <c>kill</c>, systemd and docker stopping it; SIGHUP:
    /// its terminal closed; process exit), before it ends, so a local batch's answers in flight reach the journal.
    /// PowerShell 7 does not raise ProcessExit for these signals, so the runtime's PosixSignalRegistration (.NET 6 and
    /// later) is used; it is looked up at run time because this library also loads in Windows PowerShell 5.1, where
    /// only ProcessExit exists. The handler must be quick: the signal's usual effect follows when it returns.
    /// </summary>
    internal sealed class TerminationSignal : IDisposable
    {
        private static readonly Type? Registration = Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration, System.Runtime.InteropServices", throwOnError: false);
        private static readonly Type? SignalType = Type.GetType("System.Runtime.InteropServices.PosixSignal, System.Runtime.InteropServices", throwOnError: false);

        private readonly List<IDisposable> _registrations = new List<IDisposable>();
        private readonly EventHandler _onExit;

        public TerminationSignal(Action handler)
        {
            _onExit = (_, __) => handler();
            AppDomain.CurrentDomain.ProcessExit += _onExit;
            var create = Registration?.GetMethod("Create", BindingFlags.Public | BindingFlags.Static);
            if (create == null || SignalType == null) return;
            // Action<object> stands in for Action<PosixSignalContext> (delegates are contravariant); the context is left
            // as it is, so the signal still ends the process once the handler returns.
            Action<object> onSignal = _ => handler();
            foreach (var name in new[] { "SIGTERM", "SIGHUP" })
            {
                try
                {
                    var signal = Enum.Parse(SignalType, name);
                    if (create.Invoke(null, new object[] { signal, onSignal }) is IDisposable registration) _registrations.Add(registration);
                }
                catch (Exception ex) when (ex is TargetInvocationException || ex is ArgumentException || ex is PlatformNotSupportedException)
                {
                    // a signal this platform cannot watch: that one ends the process as before
                }
            }
        }

        public void Dispose()
        {
            AppDomain.CurrentDomain.ProcessExit -= _onExit;
            foreach (var r in _registrations) r.Dispose();
            _registrations.Clear();
        }
    }
}
