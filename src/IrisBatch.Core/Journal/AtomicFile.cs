using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace IrisBatch.Journal
{
    /// <summary>Writes a file whole or not at all (temporary file, then rename), readable by the user only on Unix.</summary>
    public static class AtomicFile
    {
        public static void WriteAllText(string path, string text)
        {
            var temp = path + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                RestrictFile(temp);
                var bytes = new UTF8Encoding(false).GetBytes(text);
                fs.Write(bytes, 0, bytes.Length);
                fs.Flush(true);
            }
            Replace(temp, path);
        }

        /// <summary>Moves a finished temporary file over its target in one step.</summary>
        public static void Replace(string temp, string path)
        {
            if (File.Exists(path)) File.Replace(temp, path, null);
            else
            {
                try { File.Move(temp, path); }
                catch (IOException) when (File.Exists(path)) { File.Replace(temp, path, null); }
            }
        }

        public static void CreateDirectory(string path)
        {
            if (Directory.Exists(path)) return;
            Directory.CreateDirectory(path);
            Chmod(path, 0x1C0); // 0700
        }

        public static void RestrictFile(string path) => Chmod(path, 0x180); // 0600

        private static void Chmod(string path, int mode)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            try { chmod(path, mode); } catch (Exception) { /* best effort where libc is not reachable */ }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string pathname, int mode);
    }
}
