using System.Runtime.CompilerServices;

namespace IrisBatch
{
    /// <summary>
    /// For the code that runs once per row or per result. A cmdlet runs in a fresh session for a few seconds, and
    /// tiered compilation keeps such code at its first, unoptimized tier for most of that time: it promotes methods
    /// only after a pause in new compilation, which a PowerShell session starting up rarely has. Marked methods are
    /// compiled optimized from the first call. (MethodImplOptions.AggressiveOptimization, 512, is not in
    /// netstandard2.0's enum; runtimes that do not know the flag ignore it.)
    /// </summary>
    internal static class Hot
    {
        public const MethodImplOptions Path = (MethodImplOptions)512;
    }
}
