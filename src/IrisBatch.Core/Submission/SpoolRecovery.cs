using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using IrisBatch.Journal;

namespace IrisBatch.Submission
{
    /// <summary>
    /// Submission folders a failure left half-written (issue 15: "cleaned up or resumed, never left to confuse the next
    /// run"). A spooler marks each folder it opens with <see cref="LockName"/>, naming its process; the mark goes once the
    /// submitter starts sending the part (<see cref="Sent"/>), and with the folder when the part is discarded or reused.
    /// A folder still marked whose spooler is gone (the process died, or the command failed or was stopped between the
    /// first row and the first upload) holds a partial requests file, or an entry never sent: nothing of it reached the
    /// provider, so <see cref="RemoveAbandoned"/> deletes it. The user's rows are still where they came from, and the next
    /// run spools them afresh. A folder whose spooler still runs (this process or another) is left alone.
    /// </summary>
    public static class SpoolRecovery
    {
        /// <summary>The mark: "&lt;process id&gt; &lt;process start time, UTC ticks&gt;".</summary>
        public const string LockName = "spool.lock";

        private static readonly HashSet<string> Live = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Marks a folder a spooler of this process has just opened.</summary>
        internal static void Mark(string submissionDir)
        {
            lock (Live) Live.Add(Path.GetFullPath(submissionDir));
            // Whole or not at all: another process may read it at any moment.
            var temp = Path.Combine(submissionDir, LockName + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            File.WriteAllText(temp, OwnerText());
            AtomicFile.RestrictFile(temp);   // like every journal file: the user's only
            File.Move(temp, Path.Combine(submissionDir, LockName));
        }

        /// <summary>The spooler that opened the folder is done with it (sent, discarded, or given up): the mark alone stays.</summary>
        internal static void Release(string submissionDir)
        {
            lock (Live) Live.Remove(Path.GetFullPath(submissionDir));
        }

        /// <summary>The part is being sent: its folder is the journal's for good, never removed as abandoned.</summary>
        public static void Sent(JournalStore journal, JournalEntry entry)
        {
            try { File.Delete(Path.Combine(journal.SubmissionDir(entry.SubmissionId), LockName)); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { }
        }

        /// <summary>
        /// Removes the submission folders whose spooler is gone and whose part was never sent. Returns how many; a folder
        /// that cannot be read or deleted is left for a later run.
        /// </summary>
        public static int RemoveAbandoned(JournalStore journal)
        {
            var root = Path.Combine(journal.Root, "submissions");
            if (!Directory.Exists(root)) return 0;
            int removed = 0;
            string[] dirs;
            try { dirs = Directory.GetDirectories(root); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { return 0; }
            foreach (var dir in dirs)
            {
                var mark = Path.Combine(dir, LockName);
                try
                {
                    if (!File.Exists(mark) || OwnerAlive(dir, mark)) continue;
                    var entry = journal.Load(Path.GetFileName(dir));
                    if (entry != null && WasSent(entry))
                    {
                        File.Delete(mark);   // sent, the mark was just not removed: the folder stays
                        continue;
                    }
                    Directory.Delete(dir, recursive: true);
                    removed++;
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is IrisBatchException) { }
            }
            return removed;
        }

        /// <summary>True once the entry went further than spooling (an upload or create was started, or a batch is known).</summary>
        public static bool WasSent(JournalEntry entry)
        {
            if (entry.State != SubmissionState.Spooled || entry.BatchId != null || entry.InputFileId != null) return true;
            foreach (var h in entry.History)
                if (JournalSteps.Parse(h.State) != JournalStep.Spooled) return true;
            return false;
        }

        private static string OwnerText()
        {
            using var self = Process.GetCurrentProcess();
            return self.Id.ToString(CultureInfo.InvariantCulture) + " " + self.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// A process's start time as read by another process can differ by a little from its own reading (on Linux it is
        /// derived from the boot time, computed afresh each time): within this, it is the same process.
        /// </summary>
        private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(2);

        /// <summary>A mark that cannot be read whole is taken for one being written until it is this old.</summary>
        private static readonly TimeSpan UnreadableGrace = TimeSpan.FromMinutes(10);

        /// <summary>Whether the spooler the mark names still runs: in this process, a spooler that has the folder open; elsewhere, the same process (id and start time).</summary>
        private static bool OwnerAlive(string dir, string mark)
        {
            var parts = File.ReadAllText(mark).Trim().Split(' ');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
                return DateTime.UtcNow - File.GetLastWriteTimeUtc(mark) < UnreadableGrace;   // not a mark this version wrote whole
            var started = new DateTime(ticks, DateTimeKind.Utc);
            bool Same(DateTime start) => (start.ToUniversalTime() - started).Duration() <= StartTimeTolerance;
            using var self = Process.GetCurrentProcess();
            if (pid == self.Id && Same(self.StartTime))
                lock (Live) return Live.Contains(Path.GetFullPath(dir));
            try
            {
                using var owner = Process.GetProcessById(pid);
                if (owner.HasExited) return false;
                try { return Same(owner.StartTime); }
                catch (Exception) { return true; }   // its start time cannot be read (another user's process): assume it is the owner
            }
            catch (ArgumentException) { return false; }          // no such process
            catch (InvalidOperationException) { return false; }  // it has exited
        }
    }
}
