using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace IrisBatch
{
    /// <summary>
    /// Loads the module's own dependencies on Windows PowerShell 5.1 (.NET Framework), which has no binding redirects
    /// for a module: System.Text.Json, Polly.Core, the tokenizer and the netstandard helpers they share ask for
    /// slightly different versions of one another (System.Memory, System.Runtime.CompilerServices.Unsafe, ...), and
    /// .NET Framework refuses a version it was not asked for. This AssemblyResolve handler answers such a request
    /// with the file of that name in the module folder, as a binding redirect would, and answers nothing else:
    /// only names of assemblies shipped in the module folder, only requests from assemblies of that folder (when
    /// the runtime says who asks), and never with an older version than the one asked for.
    /// On PowerShell 7 the runtime resolves these itself and the handler is not installed.
    /// Modelled on platyPS's ModuleInitAndCleanup.
    /// </summary>
    public sealed class ModuleInit : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string Folder = ModuleFolder(Path.GetDirectoryName(typeof(ModuleInit).Assembly.Location) ?? "");

        /// <summary>
        /// The module folder of an assembly's folder: the folder itself, or for a precompiled copy (loaded from
        /// <c>r2r/&lt;platform&gt;/</c> by IrisBatch.Loader) the folder two up, where the shipped assemblies are.
        /// </summary>
        internal static string ModuleFolder(string assemblyFolder)
        {
            var parent = Path.GetDirectoryName(assemblyFolder);
            return parent != null && string.Equals(Path.GetFileName(parent), "r2r", StringComparison.OrdinalIgnoreCase)
                ? Path.GetDirectoryName(parent) ?? assemblyFolder
                : assemblyFolder;
        }
        private static readonly Lazy<Dictionary<string, string>> Shipped = new Lazy<Dictionary<string, string>>(FindShipped);

        /// <summary>True on .NET Framework (Windows PowerShell), where the handler is needed.</summary>
        internal static bool NeedsResolver =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        public void OnImport()
        {
            if (NeedsResolver) AppDomain.CurrentDomain.AssemblyResolve += Resolve;
            TypeNames.Add();
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
            TypeNames.Remove();
        }

        /// <summary>The assemblies in the module folder, by simple name.</summary>
        private static Dictionary<string, string> FindShipped()
        {
            var shipped = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (Folder.Length == 0 || !Directory.Exists(Folder)) return shipped;
            foreach (var path in Directory.GetFiles(Folder, "*.dll"))
                shipped[Path.GetFileNameWithoutExtension(path)] = path;
            return shipped;
        }

        private static bool IsFromModuleFolder(Assembly assembly)
        {
            string location;
            try { location = assembly.IsDynamic ? "" : assembly.Location; }
            catch (NotSupportedException) { return false; }
            return location.Length > 0 && string.Equals(ModuleFolder(Path.GetDirectoryName(location) ?? ""), Folder, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The handler; internal so the tests can ask it directly on PowerShell 7.</summary>
        internal static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            AssemblyName wanted;
            try { wanted = new AssemblyName(args.Name); }
            catch (Exception) { return null; }
            if (wanted.Name == null || !Shipped.Value.TryGetValue(wanted.Name, out var path)) return null;
            if (args.RequestingAssembly != null && !IsFromModuleFolder(args.RequestingAssembly)) return null;

            foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
            {
                var name = loaded.GetName();
                if (string.Equals(name.Name, wanted.Name, StringComparison.OrdinalIgnoreCase) && IsFromModuleFolder(loaded) &&
                    (wanted.Version == null || name.Version >= wanted.Version))
                    return loaded;
            }
            AssemblyName shipped;
            try { shipped = AssemblyName.GetAssemblyName(path); }
            catch (Exception) { return null; }
            if (wanted.Version != null && shipped.Version < wanted.Version) return null;
            return Assembly.LoadFrom(path);
        }
    }
}
