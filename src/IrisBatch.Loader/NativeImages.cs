using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IrisBatch.Loader
{
    /// <summary>
    /// The module's first nested module (IrisBatch.psd1's NestedModules; IrisBatch.dll is the second, and the module
    /// has no root module, whose assembly PowerShell loads as it reads the manifest), so PowerShell runs this on import
    /// before it loads IrisBatch.dll: too early for anything in IrisBatch.dll to choose which copy of itself, or of the
    /// core (listing its types loads the core: the cmdlets' fields and properties have its types), is loaded.
    /// </summary>
    public sealed class NativeImagesInit : IModuleAssemblyInitializer
    {
        public void OnImport() => NativeImages.Load(Path.GetDirectoryName(typeof(NativeImagesInit).Assembly.Location) ?? "");
    }

    /// <summary>
    /// Loads the ReadyToRun (precompiled) copy of IrisBatch.Core for this platform, when the module ships one, before
    /// anything uses the core. Precompiled, the core's methods need no compiling when a command first runs them: about
    /// 300 methods that a new session otherwise compiles on the threads that read results, while they read.
    /// <para>
    /// A ReadyToRun image holds code for one OS and processor, and the runtime refuses one built for another, so the
    /// module folder keeps the portable IL copy (which Windows PowerShell 5.1 and every other platform load) and the
    /// images go in <c>r2r/&lt;platform&gt;/</c>. The image is loaded here, on import, by path; the IL copy is then never
    /// loaded, as an assembly of that name is already loaded. Best effort: no image for this platform, or one the
    /// runtime refuses, and the IL copy is loaded as before. <c>$env:IRISBATCH_NO_NATIVE_IMAGES = 1</c> turns it off.
    /// </para>
    /// </summary>
    public static class NativeImages
    {
        public const string CoreName = "IrisBatch.Core";
        public const string Folder = "r2r";

        /// <summary>The image's folder for this process (e.g. linux-x64, win-arm64), or null where none is built.</summary>
        public static string? Platform
        {
            get
            {
                if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase)) return null;
                string? os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                    : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
                    : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : null;
                string? cpu = RuntimeInformation.ProcessArchitecture switch
                {
                    Architecture.X64 => "x64",
                    Architecture.Arm64 => "arm64",
                    _ => null,
                };
                return os == null || cpu == null ? null : os + "-" + cpu;
            }
        }

        /// <summary>The cmdlets' assembly, precompiled too: loaded after the core, as it uses the core's types.</summary>
        public const string CmdletsName = "IrisBatch";

        /// <summary>What <see cref="Load"/> did for the core, for the tests and -Verbose: the image's path, or why none was loaded.</summary>
        public static string Outcome { get; private set; } = "not tried";

        /// <summary>
        /// What <see cref="Load"/> did for the cmdlets' assembly (IrisBatch.dll), as <see cref="Outcome"/>. PowerShell,
        /// importing the module's root module, takes the assembly of that name already loaded. Precompiled, the code a
        /// command runs once per call (binding, the journal look-up, setting up the read) needs no compiling in a new
        /// session: a first Get-IrisBatchResult took about 125 ms to its first row, 105 ms with it.
        /// </summary>
        public static string CmdletsOutcome { get; private set; } = "not tried";

        /// <summary>Loads the images for this platform from <paramref name="moduleFolder"/>, the core's first; never throws.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Load(string moduleFolder)
        {
            Outcome = LoadImage(moduleFolder, CoreName, out bool core);
            // Without the precompiled core, the cmdlets' image would be the only one: the two go together.
            CmdletsOutcome = core ? LoadImage(moduleFolder, CmdletsName, out _) : "core not precompiled: " + Outcome;
        }

        /// <summary>Loads one image; the loaded image's path, or why none was loaded.</summary>
        private static string LoadImage(string moduleFolder, string name, out bool loadedImage)
        {
            loadedImage = false;
            try
            {
                if (Environment.GetEnvironmentVariable("IRISBATCH_NO_NATIVE_IMAGES") == "1") return "turned off";
                var platform = Platform;
                if (platform == null) return "no image for this platform";
                var path = Path.Combine(moduleFolder, Folder, platform, name + ".dll");
                if (!File.Exists(path)) return "no image at " + path;
                // Checked here, as the runtime would refuse it on load, and would then refuse the portable copy too.
                if (!IsFor(path, platform)) return "not an image for " + platform + ": " + path;
                foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
                    if (string.Equals(loaded.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
                        return "already loaded from " + SafeLocation(loaded);
                // The image's own dependencies (Polly.Core, System.Text.Json, ...) are in the module folder, not beside it.
                if (_imageFolder.Length == 0)
                {
                    _moduleFolder = moduleFolder;
                    _imageFolder = Path.GetDirectoryName(path) ?? "";
                    AppDomain.CurrentDomain.AssemblyResolve += ResolveFromModuleFolder;
                }
                var image = Assembly.LoadFrom(path);
                loadedImage = true;
                return SafeLocation(image);
            }
            catch (Exception e)
            {
                // A refused image (BadImageFormatException) loads nothing: the IL copy is loaded when first used.
                return "refused: " + e.GetType().Name;
            }
        }

        /// <summary>
        /// Whether the file's PE machine is a ReadyToRun image's for the platform: the processor's machine number xor
        /// the OS's (0 for Windows, 0x7B79 for Linux, 0x4644 for macOS), as crossgen2 writes it and the runtime checks it.
        /// </summary>
        public static bool IsFor(string path, string platform)
        {
            var parts = platform.Split('-');
            if (parts.Length != 2) return false;
            int os = parts[0] switch { "win" => 0, "linux" => 0x7B79, "osx" => 0x4644, _ => -1 };
            int cpu = parts[1] switch { "x64" => 0x8664, "arm64" => 0xAA64, _ => -1 };
            if (os < 0 || cpu < 0) return false;
            using var file = File.OpenRead(path);
            var header = new byte[0x40];
            if (file.Read(header, 0, header.Length) != header.Length || header[0] != 'M' || header[1] != 'Z') return false;
            int pe = BitConverter.ToInt32(header, 0x3C);
            var signature = new byte[6];
            if (pe <= 0 || pe > file.Length - signature.Length) return false;
            file.Position = pe;
            if (file.Read(signature, 0, signature.Length) != signature.Length || signature[0] != 'P' || signature[1] != 'E' || signature[2] != 0 || signature[3] != 0) return false;
            int machine = signature[4] | (signature[5] << 8);
            return machine == (cpu ^ os);
        }

        private static string _moduleFolder = "", _imageFolder = "";

        /// <summary>
        /// Answers an assembly the image asks for with the file of that name in the module folder, as the runtime
        /// answers the portable copy (from the folder it was loaded from); nothing else, and nothing asked by others.
        /// </summary>
        private static Assembly? ResolveFromModuleFolder(object? sender, ResolveEventArgs args)
        {
            try
            {
                var requester = args.RequestingAssembly;
                if (requester == null || !string.Equals(Path.GetDirectoryName(SafeLocation(requester)), _imageFolder, StringComparison.OrdinalIgnoreCase)) return null;
                var name = new AssemblyName(args.Name).Name;
                if (string.IsNullOrEmpty(name)) return null;
                var path = Path.Combine(_moduleFolder, name + ".dll");
                return File.Exists(path) ? Assembly.LoadFrom(path) : null;
            }
            catch (Exception)
            {
                return null;
            }
        }

        private static string SafeLocation(Assembly assembly)
        {
            try { return assembly.Location; }
            catch (Exception) { return ""; }
        }
    }
}
