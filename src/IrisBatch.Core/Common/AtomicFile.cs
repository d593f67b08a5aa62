using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace IrisBatch
{
    /// <summary>
    /// Writes a file whole or not at all (temporary file, then rename), readable by the user only on Unix. A write the
    /// disk or the file system refuses (read-only, full, no permission) leaves no temporary file behind and is
    /// IrisBatch.JournalUnavailable, naming the path and the OS error.
    /// </summary>
    public static class AtomicFile
    {
        public static void WriteAllText(string path, string text)
        {
            var temp = path + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            try
            {
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    RestrictFile(temp);
                    var bytes = new UTF8Encoding(false).GetBytes(text);
                    fs.Write(bytes, 0, bytes.Length);
                    fs.Flush(true);
                }
                Replace(temp, path);
            }
            catch (Exception ex) when (IsFileSystemError(ex))
            {
                TryDelete(temp);
                throw ex as IrisBatchException ?? Unavailable(path, ex);
            }
        }

        /// <summary>Moves a finished temporary file over its target in one step; on failure the temporary file is removed.</summary>
        public static void Replace(string temp, string path)
        {
            try
            {
                if (File.Exists(path)) File.Replace(temp, path, null);
                else
                {
                    try { File.Move(temp, path); }
                    catch (IOException) when (File.Exists(path)) { File.Replace(temp, path, null); }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                TryDelete(temp);
                throw Unavailable(path, ex);
            }
        }

        public static void CreateDirectory(string path)
        {
            if (Directory.Exists(path)) return;
            try { Directory.CreateDirectory(path); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Unavailable(path, ex);
            }
            Chmod(path, 0x1C0); // 0700
        }

        /// <summary>IrisBatch.JournalUnavailable for <paramref name="path"/>, naming the OS error.</summary>
        public static IrisBatchException Unavailable(string path, Exception ex) =>
            new IrisBatchException(ErrorIds.JournalUnavailable, FailureKind.PermissionDenied, Messages.JournalUnavailable(path, ex.Message), ex) { Target = path };

        private static bool IsFileSystemError(Exception ex) =>
            ex is IOException || ex is UnauthorizedAccessException || ex is IrisBatchException ib && ib.ErrorId == ErrorIds.JournalUnavailable;

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); }
            catch (Exception) { /* the folder refuses even that: nothing more to do */ }
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
