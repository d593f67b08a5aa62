using System;
using System.IO;
using System.Runtime.InteropServices;

namespace IrisBatch
{
    /// <summary>
    /// An exclusive lock between processes: an open handle on a lock file, which the OS lets go of when the handle is
    /// closed or the process ends, however it ends. The file itself stays. Deleting it on close (FileOptions.DeleteOnClose)
    /// let a process that had opened it just before lock a file no longer there, while the next process made a new file and
    /// locked that: two holders of one lock.
    /// </summary>
    public static class FileLock
    {
        /// <summary>
        /// The lock, or null while another handle holds it. A lock file it makes is the user's only (0600), as the
        /// journal's files are. Any other failure to open it (its folder gone, the disk full or read-only, no right to
        /// it) is thrown: a caller that waits for a held lock would otherwise wait for good on an error.
        /// </summary>
        public static FileStream? TryTake(string path)
        {
            bool existed = File.Exists(path);
            FileStream held;
            try { held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1); }
            catch (IOException ex) when (IsHeldBySomeoneElse(ex, path)) { return null; }
            if (!existed) AtomicFile.RestrictFile(path);
            return held;
        }

        /// <summary>
        /// Whether an open failed because another handle holds the file: the OS's own code for that (Windows: sharing or
        /// lock violation; Linux, macOS and BSD: EWOULDBLOCK, which .NET gives as the HResult), or, for a code not known
        /// here, a lock file that is there (as before: wait rather than fail on a lock). A missing folder, or a lock file
        /// that could not be made (no file afterwards: a full or read-only disk), is not a lock held.
        /// </summary>
        internal static bool IsHeldBySomeoneElse(IOException ex, string path)
        {
            if (ex is DirectoryNotFoundException || ex is FileNotFoundException || ex is PathTooLongException) return false;
            int code = ex.HResult;
            if (code == SharingViolation || code == LockViolation) return true;
            if (code == WouldBlock) return true;
            return File.Exists(path);
        }

        private const int SharingViolation = unchecked((int)0x80070020), LockViolation = unchecked((int)0x80070021);

        /// <summary>EWOULDBLOCK (EAGAIN): 11 on Linux, 35 on macOS and the BSDs; 0 (no such code) on Windows.</summary>
        private static readonly int WouldBlock =
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? 0 : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? 11 : 35;

        /// <summary>Whether some handle holds the lock now (a file no process holds, or no file, is free).</summary>
        public static bool IsHeld(string path)
        {
            if (!File.Exists(path)) return false;
            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                return false;
            }
            catch (FileNotFoundException) { return false; }
            catch (IOException) { return true; }
        }
    }
}
