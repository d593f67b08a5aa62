using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace IrisBatch.Journal
{
    /// <summary>
    /// The on-disk record of every batch, under $env:IRISBATCH_HOME or the user's local application-data folder.
    /// Layout: submissions/&lt;submission id&gt;/{entry.json, requests.jsonl, input.jsonl, results/},
    /// ids/&lt;batch id&gt; naming the submission of each created batch, and sets/&lt;set id&gt;/&lt;submission id&gt;, an
    /// empty file for each submission sent in a set (so a set's entries are read without reading every entry). Every
    /// write is atomic.
    /// </summary>
    public sealed class JournalStore
    {
        public const string HomeVariable = "IRISBATCH_HOME";

        // Interpreted, not compiled: it checks a few ids per command, and compiling it cost 20-30 ms in each session.
        private static readonly Regex SafeId = new Regex(@"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,199}(/[A-Za-z0-9][A-Za-z0-9_.:\-]{0,199})?$");

        public JournalStore(string root)
        {
            Root = Path.GetFullPath(root);
        }

        public string Root { get; }

        public static string DefaultRoot()
        {
            var home = Environment.GetEnvironmentVariable(HomeVariable);
            if (!string.IsNullOrWhiteSpace(home)) return home!;
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (string.IsNullOrEmpty(local))
                local = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(local, "IrisBatch");
        }

        public static JournalStore OpenDefault() => new JournalStore(DefaultRoot());

        /// <summary>
        /// IrisBatch.JournalUnavailable, naming the folder and the OS error, unless a file can be created in the journal
        /// folder (read-only, no permission, a file in the way). Cheap: an empty file, deleted as it is closed.
        /// </summary>
        public void CheckWritable()
        {
            AtomicFile.CreateDirectory(Root);
            var probe = Path.Combine(Root, ".writable-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try { using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { } }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw AtomicFile.Unavailable(Root, ex);
            }
        }

        /// <summary>Refuses ids that could name a path outside the journal (IrisBatch.InvalidId).</summary>
        public static void ValidateId(string id, string what = "batch id")
        {
            if (!IsSafe(id))
                throw new IrisBatchException(ErrorIds.InvalidId, FailureKind.InvalidArgument,
                    Messages.InvalidId(id, what))
                { Target = id };
        }

        /// <summary>Whether an id can name a file of the journal (no path outside it): what <see cref="ValidateId"/> accepts.</summary>
        private static bool IsSafe(string? id) => id != null && SafeId.IsMatch(id) && !id.Contains("..");

        private static string FileNameOf(string id) => id.Replace('/', '~').Replace(':', '!');

        public string SubmissionDir(string submissionId)
        {
            ValidateId(submissionId, "submission id");
            return Path.Combine(Root, "submissions", submissionId);
        }

        public string RequestsPath(JournalEntry e) => Path.Combine(SubmissionDir(e.SubmissionId), "requests.jsonl");
        public string InputPath(JournalEntry e) => Path.Combine(SubmissionDir(e.SubmissionId), "input.jsonl");
        public string ResultsDir(JournalEntry e) => Path.Combine(SubmissionDir(e.SubmissionId), "results");
        private string EntryPath(string submissionId) => Path.Combine(SubmissionDir(submissionId), "entry.json");

        /// <summary>Starts a new submission folder and records it as spooled.</summary>
        public JournalEntry Begin(JournalEntry entry)
        {
            if (string.IsNullOrEmpty(entry.SubmissionId))
                entry.SubmissionId = DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss") + "-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            AtomicFile.CreateDirectory(Root);
            AtomicFile.CreateDirectory(Path.Combine(Root, "submissions"));
            AtomicFile.CreateDirectory(SubmissionDir(entry.SubmissionId));
            entry.SpooledAt = DateTimeOffset.UtcNow;
            return entry;
        }

        public void Save(JournalEntry entry)
        {
            AtomicFile.WriteAllText(EntryPath(entry.SubmissionId), JournalJson.Write(entry));
        }

        /// <summary>
        /// Changes an entry that other processes may change too: under the entry's lock, reads what is on disk,
        /// applies <paramref name="change"/> to it (and to <paramref name="entry"/>), and saves, so nobody's change is lost.
        /// </summary>
        public void Update(JournalEntry entry, Action<JournalEntry> change)
        {
            var dir = SubmissionDir(entry.SubmissionId);
            using (Lock(Path.Combine(dir, "entry.lock")))
            {
                var current = Load(entry.SubmissionId) ?? entry;
                change(current);
                if (!ReferenceEquals(current, entry)) change(entry);
                Save(current);
            }
        }

        private static FileStream Lock(string path)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            try
            {
                while (DateTime.UtcNow < deadline)
                {
                    var held = FileLock.TryTake(path);
                    if (held != null) return held;
                    System.Threading.Thread.Sleep(15);
                }
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);   // the last try: its error says why
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException || ex is IOException) { throw AtomicFile.Unavailable(path, ex); }
        }

        /// <summary>Like <see cref="Record"/>, for entries other processes may change too: see <see cref="Update"/>.</summary>
        public void RecordShared(JournalEntry entry, string state, string? detail, Action<JournalEntry> change)
        {
            var at = DateTimeOffset.UtcNow;
            Update(entry, e =>
            {
                change(e);
                e.History.Add(new StateChange { At = at, State = state, Detail = detail });
            });
        }

        /// <summary>Records a step in the entry's history and saves it.</summary>
        public void Record(JournalEntry entry, JournalStep step, string? detail = null) => Record(entry, JournalSteps.Text(step), detail);

        /// <summary>Like <see cref="RecordShared(JournalEntry, string, string?, Action{JournalEntry})"/>, with a typed step.</summary>
        public void RecordShared(JournalEntry entry, JournalStep step, string? detail, Action<JournalEntry> change) =>
            RecordShared(entry, JournalSteps.Text(step), detail, change);

        public void Record(JournalEntry entry, string state, string? detail = null)
        {
            entry.History.Add(new StateChange { At = DateTimeOffset.UtcNow, State = state, Detail = detail });
            Save(entry);
        }

        /// <summary>Records that a batch was created, so its id alone finds this entry later.</summary>
        public void IndexBatch(JournalEntry entry)
        {
            if (entry.BatchId == null) return;
            ValidateId(entry.BatchId);
            var dir = Path.Combine(Root, "ids");
            AtomicFile.CreateDirectory(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, FileNameOf(entry.BatchId)), entry.SubmissionId);
            IndexSet(entry);
        }

        /// <summary>
        /// Writes a created batch's id pointer when it is missing: the process that created the batch journaled it as
        /// created, then died before the pointer was written, and the id alone would not find where the batch lives.
        /// </summary>
        public void EnsureIndexed(JournalEntry entry)
        {
            if (entry.State != SubmissionState.Created || string.IsNullOrEmpty(entry.BatchId) || !IsSafe(entry.BatchId)) return;
            if (File.Exists(Path.Combine(Root, "ids", FileNameOf(entry.BatchId!)))) return;
            IndexBatch(entry);
        }

        /// <summary>
        /// Records that this entry is sent in its set: sets/&lt;set id&gt;/&lt;submission id&gt;. Written before its batch is
        /// created (the set a resumed entry joins is final by then), so a set's index never lacks a batch it has.
        /// </summary>
        public void IndexSet(JournalEntry entry)
        {
            if (string.IsNullOrEmpty(entry.SetId)) return;
            ValidateId(entry.SetId!, "set id");
            var dir = SetDir(entry.SetId!);
            AtomicFile.CreateDirectory(Path.Combine(Root, "sets"));
            AtomicFile.CreateDirectory(dir);
            var pointer = Path.Combine(dir, entry.SubmissionId);
            if (!File.Exists(pointer)) AtomicFile.WriteAllText(pointer, "");
        }

        private string SetDir(string setId) => Path.Combine(Root, "sets", FileNameOf(setId));

        /// <summary>
        /// The entries of a set, newest first (as <see cref="All"/> lists them): through the set's index, reading only its
        /// own entries; a set with no index (journaled before there was one) by reading every entry.
        /// </summary>
        public IEnumerable<JournalEntry> SetEntries(string setId)
        {
            if (!IsSafe(setId) || !Directory.Exists(SetDir(setId))) return All().Where(e => e.SetId == setId);
            return Indexed(SetDir(setId), setId);
        }

        private IEnumerable<JournalEntry> Indexed(string dir, string setId)
        {
            var names = new List<string>();
            foreach (var f in Directory.GetFiles(dir))
            {
                var name = Path.GetFileName(f);
                if (IsSafe(name)) names.Add(name);
            }
            names.Sort(StringComparer.Ordinal);
            names.Reverse();
            foreach (var name in names)
            {
                // A pointer left by an entry removed since (or never sent) names nothing, or an entry of another set.
                JournalEntry? e = null;
                try { e = Load(name); } catch (IrisBatchException) { }
                if (e != null && e.SetId == setId) yield return e;
            }
        }

        private static string FingerprintKey(JournalEntry e)
        {
            using var sha = System.Security.Cryptography.SHA256.Create();
            var bytes = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(e.Provider + "|" + e.BaseUri + "|" + e.Model + "|" + e.Fingerprint));
            return BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
        }

        /// <summary>Records that this entry is the latest submission of its requests (same provider, endpoint, model and lines).</summary>
        public void IndexFingerprint(JournalEntry entry)
        {
            if (string.IsNullOrEmpty(entry.Fingerprint)) return;
            var dir = Path.Combine(Root, "fingerprints");
            AtomicFile.CreateDirectory(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, FingerprintKey(entry)), entry.SubmissionId);
        }

        /// <summary>
        /// The right to submit these requests (same provider, place, model and lines) now: an exclusive lock on
        /// locks/&lt;fingerprint&gt;.lock, which the OS lets go of when this process ends, however it ends. Null while another
        /// process holds it (it is submitting the same requests); a do-nothing claim for an entry without a fingerprint.
        /// The file stays (an empty file, 0600; see <see cref="FileLock"/>).
        /// </summary>
        public IDisposable? TryClaimSubmission(JournalEntry entry)
        {
            if (string.IsNullOrEmpty(entry.Fingerprint)) return new MemoryStream(0);
            var dir = Path.Combine(Root, "locks");
            AtomicFile.CreateDirectory(dir);
            var path = Path.Combine(dir, FingerprintKey(entry) + ".lock");
            try
            {
                return FileLock.TryTake(path);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException || ex is IOException) { throw AtomicFile.Unavailable(path, ex); }
        }

        /// <summary>An earlier submission of exactly the same requests to the same place, if the journal has one.</summary>
        public JournalEntry? FindEarlierSubmission(JournalEntry entry)
        {
            if (string.IsNullOrEmpty(entry.Fingerprint)) return null;
            var pointer = Path.Combine(Root, "fingerprints", FingerprintKey(entry));
            if (!File.Exists(pointer)) return null;
            var id = File.ReadAllText(pointer).Trim();
            if (id == entry.SubmissionId) return null;
            try { return Load(id); }
            catch (IrisBatchException ex) when (ex.ErrorId == ErrorIds.Journal)
            {
                // These requests were sent before, and whether they got a batch is unknown: submitting them blindly could pay twice.
                var path = EntryPath(id);
                throw new IrisBatchException(ErrorIds.Journal, FailureKind.InvalidData,
                    Messages.EarlierSubmissionUnreadable(entry.RequestCount, path, ex.InnerException?.Message ?? ex.Message), ex) { Target = path };
            }
        }

        public JournalEntry? FindByBatchId(string batchId)
        {
            ValidateId(batchId);
            var pointer = Path.Combine(Root, "ids", FileNameOf(batchId));
            if (!File.Exists(pointer)) return null;
            var submissionId = File.ReadAllText(pointer).Trim();
            var entry = Load(submissionId);
            if (entry != null && entry.BatchId == null && entry.State == SubmissionState.Uploaded)
            {
                // The pointer is written as soon as the create answers, just before the entry records the batch: the
                // process that created it died between the two writes. The pointer is the journal's word that this
                // submission's create made this batch.
                entry.BatchId = batchId;
                entry.State = SubmissionState.Created;
                Record(entry, JournalStep.Created, batchId);
            }
            return entry;
        }

        public JournalEntry? Load(string submissionId)
        {
            var path = EntryPath(submissionId);
            if (!File.Exists(path)) return null;
            try
            {
                return JournalJson.Read(File.ReadAllText(path));
            }
            catch (JsonException ex)
            {
                throw new IrisBatchException(ErrorIds.Journal, FailureKind.InvalidData, Messages.JournalEntryUnreadable(path, ex.Message), ex) { Target = path };
            }
        }

        /// <summary>Every entry, newest first. An entry that cannot be read is skipped, and told to <paramref name="unreadable"/> (IrisBatch.JournalError naming its file).</summary>
        public IEnumerable<JournalEntry> All(Action<IrisBatchException>? unreadable = null)
        {
            var dir = Path.Combine(Root, "submissions");
            if (!Directory.Exists(dir)) yield break;
            var names = new List<string>();
            foreach (var d in Directory.GetDirectories(dir)) names.Add(Path.GetFileName(d));
            names.Sort(StringComparer.Ordinal);
            names.Reverse();
            foreach (var name in names)
            {
                JournalEntry? e = null;
                try { e = Load(name); } catch (IrisBatchException ex) { unreadable?.Invoke(ex); }
                if (e != null) yield return e;
            }
        }

        /// <summary>
        /// Removes a submission and everything the journal holds of it (requests, input, results, history), and the
        /// pointers that name it (its batch id; its fingerprint, if that still names it). Remove-IrisBatch.
        /// </summary>
        public void Forget(JournalEntry entry)
        {
            if (entry.BatchId != null)
            {
                var pointer = Path.Combine(Root, "ids", FileNameOf(entry.BatchId));
                if (File.Exists(pointer) && File.ReadAllText(pointer).Trim() == entry.SubmissionId) File.Delete(pointer);
            }
            if (!string.IsNullOrEmpty(entry.Fingerprint))
            {
                var pointer = Path.Combine(Root, "fingerprints", FingerprintKey(entry));
                if (File.Exists(pointer) && File.ReadAllText(pointer).Trim() == entry.SubmissionId) File.Delete(pointer);
            }
            Discard(entry);
            if (IsSafe(entry.SetId))
            {
                var dir = SetDir(entry.SetId!);
                var pointer = Path.Combine(dir, entry.SubmissionId);
                if (File.Exists(pointer)) File.Delete(pointer);
                // The set's folder goes with its last entry (if something else is in it by then, it stays).
                try { if (Directory.Exists(dir) && Directory.GetFileSystemEntries(dir).Length == 0) Directory.Delete(dir); }
                catch (IOException) { }
            }
        }

        /// <summary>Removes a submission that was never sent (e.g. after -WhatIf).</summary>
        public void Discard(JournalEntry entry)
        {
            var dir = SubmissionDir(entry.SubmissionId);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
