using System;
using System.IO;

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
        /// <summary>The lock, or null while another handle holds it. A lock file it makes is the user's only (0600), as the journal's files are.</summary>
        public static FileStream? TryTake(string path)
        {
            bool existed = File.Exists(path);
            FileStream held;
            try { held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1); }
            catch (IOException) { return null; }
            if (!existed) AtomicFile.RestrictFile(path);
            return held;
        }

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
