using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using IrisBatch.Journal;

namespace IrisBatch.Providers.Mock
{
    /// <summary>
    /// The mock's state on disk, in the journal folder: mock/files/&lt;file id&gt;.jsonl (uploaded inputs, and each
    /// finished batch's output and error files, &lt;batch id&gt;_output and &lt;batch id&gt;_error),
    /// mock/uploads/&lt;idempotency key&gt; (the file id of each upload), mock/batches/&lt;batch id&gt;.json.
    /// Writes are atomic; a batch is changed under a lock file, so parallel pwsh processes can share it.
    /// A file is deleted as a provider deletes one (Remove-IrisBatch): once, and then it is gone.
    /// </summary>
    public sealed class MockStore
    {
        private static readonly Regex SafeName = new Regex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$", RegexOptions.Compiled);
        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions { WriteIndented = true };

        public MockStore(string root)
        {
            Root = Path.GetFullPath(root);
        }

        public string Root { get; }
        private string FilesDir => Path.Combine(Root, "files");
        private string UploadsDir => Path.Combine(Root, "uploads");
        private string BatchesDir => Path.Combine(Root, "batches");

        /// <summary>True for names that cannot leave their folder (anything else is simply not found).</summary>
        public static bool IsSafe(string? name) => name != null && SafeName.IsMatch(name) && !name.Contains("..");

        public string FilePath(string fileId) => Path.Combine(FilesDir, fileId + ".jsonl");

        public bool FileExists(string fileId) => IsSafe(fileId) && File.Exists(FilePath(fileId));

        private const string OutputSuffix = "_output";
        private const string ErrorSuffix = "_error";

        /// <summary>The id of a batch's output file (its succeeded requests), as the batch object names it.</summary>
        public static string OutputFileId(string batchId) => batchId + OutputSuffix;

        /// <summary>The id of a batch's error file (its failed and expired requests).</summary>
        public static string ErrorFileId(string batchId) => batchId + ErrorSuffix;

        /// <summary>The batch whose output or error file <paramref name="fileId"/> is, or null (an input file, or no file of ours).</summary>
        public static string? ResultsOwner(string fileId)
        {
            foreach (var suffix in new[] { OutputSuffix, ErrorSuffix })
                if (fileId.EndsWith(suffix, StringComparison.Ordinal) && fileId.Length > suffix.Length)
                    return fileId.Substring(0, fileId.Length - suffix.Length);
            return null;
        }

        /// <summary>Where a file being made is written before <see cref="Publish"/> puts it in place.</summary>
        public string TempPath(string fileId)
        {
            Ensure(FilesDir);
            return FilePath(fileId) + ".tmp";
        }

        /// <summary>Puts a file written at <see cref="TempPath"/> in place, in one step.</summary>
        public void Publish(string temp, string fileId) => AtomicFile.Replace(temp, FilePath(fileId));

        /// <summary>
        /// Copies a file out to <paramref name="target"/> (through a temporary file, so a target is whole or absent);
        /// false when the store has no such file. Read with FileShare.Delete, so a delete by another process is not held up.
        /// </summary>
        public bool CopyFile(string fileId, string target, Action<long>? progress, CancellationToken ct)
        {
            if (!IsSafe(fileId)) return false;
            FileStream from;
            try { from = new FileStream(FilePath(fileId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16); }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException) { return false; }
            var temp = target + ".part";
            bool copied = false;
            try
            {
                using (from)
                using (var to = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    var buffer = new byte[1 << 16];
                    long total = 0;
                    int read;
                    while ((read = from.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        to.Write(buffer, 0, read);
                        total += read;
                        progress?.Invoke(total);
                    }
                }
                copied = true;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw AtomicFile.Unavailable(target, ex);
            }
            finally
            {
                if (!copied) try { File.Delete(temp); } catch (Exception) { /* best effort: the .part file is replaced next time */ }
            }
            AtomicFile.Replace(temp, target);
            return true;
        }

        /// <summary>
        /// Deletes a file; false when it was gone already (or never was). The file is first renamed to a name of this
        /// call's own, so of two processes deleting the same file exactly one is told it deleted it.
        /// </summary>
        public bool DeleteFile(string fileId)
        {
            if (!IsSafe(fileId)) return false;
            var path = FilePath(fileId);
            var claimed = path + "." + Guid.NewGuid().ToString("N") + ".deleted";
            try { File.Move(path, claimed); }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException) { return false; }
            catch (IOException) when (!File.Exists(path)) { return false; }
            File.Delete(claimed);
            return true;
        }

        /// <summary>Copies an input file in; remembers its id under the idempotency key.</summary>
        public string SaveUpload(string inputPath, string idempotencyKey, Action<long>? progress)
        {
            Ensure(FilesDir);
            var fileId = "file-mock-" + Guid.NewGuid().ToString("N").Substring(0, 20);
            var target = FilePath(fileId);
            var temp = target + ".tmp";
            using (var from = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            using (var to = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var buffer = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = from.Read(buffer, 0, buffer.Length)) > 0)
                {
                    to.Write(buffer, 0, read);
                    total += read;
                    progress?.Invoke(total);
                }
            }
            AtomicFile.Replace(temp, target);
            if (IsSafe(idempotencyKey))
            {
                Ensure(UploadsDir);
                AtomicFile.WriteAllText(Path.Combine(UploadsDir, idempotencyKey), fileId);
            }
            return fileId;
        }

        public string? FindUpload(string idempotencyKey)
        {
            if (!IsSafe(idempotencyKey)) return null;
            var pointer = Path.Combine(UploadsDir, idempotencyKey);
            if (!File.Exists(pointer)) return null;
            var id = File.ReadAllText(pointer).Trim();
            return FileExists(id) ? id : null;
        }

        private string BatchPath(string id) => Path.Combine(BatchesDir, id + ".json");

        public MockBatchState? Load(string id)
        {
            if (!IsSafe(id)) return null;
            var path = BatchPath(id);
            if (!File.Exists(path)) return null;
            return JsonSerializer.Deserialize<MockBatchState>(File.ReadAllText(path), Json);
        }

        public void Save(MockBatchState state)
        {
            Ensure(BatchesDir);
            AtomicFile.WriteAllText(BatchPath(state.Id), JsonSerializer.Serialize(state, Json));
        }

        /// <summary>Every batch, newest first.</summary>
        public List<MockBatchState> All()
        {
            var list = new List<MockBatchState>();
            if (!Directory.Exists(BatchesDir)) return list;
            foreach (var path in Directory.GetFiles(BatchesDir, "*.json"))
            {
                try
                {
                    var s = JsonSerializer.Deserialize<MockBatchState>(File.ReadAllText(path), Json);
                    if (s != null) list.Add(s);
                }
                catch (Exception ex) when (ex is IOException || ex is JsonException) { /* half-written by another process: skip */ }
            }
            list.Sort((a, b) => b.CreatedTicks != a.CreatedTicks ? b.CreatedTicks.CompareTo(a.CreatedTicks) : string.CompareOrdinal(b.Id, a.Id));
            return list;
        }

        /// <summary>Holds the batch's lock file until disposed (waits up to 10 s for another process).</summary>
        public IDisposable Lock(string id, CancellationToken ct)
        {
            Ensure(BatchesDir);
            var path = Path.Combine(BatchesDir, id + ".lock");
            for (int attempt = 0; attempt < 200; attempt++)
            {
                var held = FileLock.TryTake(path);
                if (held != null) return held;
                if (ct.WaitHandle.WaitOne(50)) ct.ThrowIfCancellationRequested();
            }
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);   // the last try: its error says why
        }

        private void Ensure(string dir)
        {
            AtomicFile.CreateDirectory(Root);
            AtomicFile.CreateDirectory(dir);
        }
    }
}
