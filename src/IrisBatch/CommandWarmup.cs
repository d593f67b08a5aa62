using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;
using System.Threading;

namespace IrisBatch
{
    /// <summary>
    /// Builds PowerShell's parameter metadata of the module's cmdlets on a background thread when the module is imported.
    /// PowerShell builds a cmdlet's metadata (reflection over its parameters and their attributes) the first time the cmdlet
    /// is called, on the pipeline's thread. For cmdlets with 20-odd parameters each, that first build runs PowerShell's
    /// metadata code often enough for .NET to recompile a few hundred of its methods (each twice: instrumented, then
    /// optimized) while the command's first rows are read, on the same two cores. Measured in a new session, after
    /// Import-Csv | Export-Csv had run: the first <c>Get-IrisBatchResult -IncludeInput | Export-Csv</c> of 50,000 rows
    /// compiled 855-1,076 methods (318-427 ms of compiling) and took 0.46-0.61 s; with the metadata built beforehand,
    /// 274-394 methods (124-160 ms) and 0.36-0.39 s. Here it is built with the public <see cref="CommandMetadata(Type)"/>,
    /// once per process, at below-normal priority; PowerShell still builds (and caches) its own at the first call, on code
    /// already compiled. Best effort: a cmdlet whose build fails is skipped.
    /// </summary>
    internal static class CommandWarmup
    {
        private static int _started;

        /// <summary>Set once every cmdlet was built (or skipped): for the tests.</summary>
        internal static readonly ManualResetEventSlim Done = new ManualResetEventSlim(false);

        /// <summary>The names of the cmdlets whose metadata was built: for the tests.</summary>
        internal static readonly List<string> Built = new List<string>();

        /// <summary>Starts the build, unless it was started before in this process.</summary>
        public static void Start()
        {
            if (Interlocked.Exchange(ref _started, 1) == 1) return;
            var thread = new Thread(Run) { IsBackground = true, Name = "IrisBatch metadata", Priority = ThreadPriority.BelowNormal };
            thread.Start();
        }

        private static void Run()
        {
            try
            {
                foreach (var (name, type) in Cmdlets(typeof(CommandWarmup).Assembly))
                {
                    try
                    {
                        _ = new CommandMetadata(type);
                        lock (Built) Built.Add(name);
                    }
                    catch (Exception) { }   // PowerShell builds it, and reports what is wrong, at the first call
                }
            }
            catch (Exception) { }
            finally { Done.Set(); }
        }

        /// <summary>The cmdlets an assembly declares, by name (Verb-Noun), in the order a pipeline usually calls them.</summary>
        internal static List<(string Name, Type Type)> Cmdlets(Assembly assembly)
        {
            var cmdlets = new List<(string, Type)>();
            foreach (var type in assembly.GetExportedTypes())
            {
                if (type.IsAbstract || !typeof(Cmdlet).IsAssignableFrom(type)) continue;
                if (type.GetCustomAttribute<CmdletAttribute>(inherit: false) is { } attribute)
                    cmdlets.Add((attribute.VerbName + "-" + attribute.NounName, type));
            }
            cmdlets.Sort((a, b) => Rank(a.Item1).CompareTo(Rank(b.Item1)));
            return cmdlets;
        }

        private static readonly string[] Order = { "New-", "Submit-", "Wait-", "Get-", "Remove-", "Stop-" };

        private static int Rank(string name)
        {
            for (int i = 0; i < Order.Length; i++)
                if (name.StartsWith(Order[i], StringComparison.Ordinal)) return i;
            return Order.Length;
        }
    }
}
