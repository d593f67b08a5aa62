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
    /// The mock's state on disk, in the journal folder: mock/files/&lt;file id&gt;.jsonl (uploaded inputs),
    /// mock/uploads/&lt;idempotency key&gt; (the file id of each upload), mock/batches/&lt;batch id&gt;.json.
    /// Writes are atomic; a batch is changed under a lock file, so parallel pwsh processes can share it.
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
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                }
                catch (IOException) when (attempt < 200)
                {
                    if (ct.WaitHandle.WaitOne(50)) ct.ThrowIfCancellationRequested();
                }
            }
        }

        private void Ensure(string dir)
        {
            AtomicFile.CreateDirectory(Root);
            AtomicFile.CreateDirectory(dir);
        }
    }
}
