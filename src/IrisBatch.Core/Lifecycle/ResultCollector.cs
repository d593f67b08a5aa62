using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Journal;
using IrisBatch.Providers;
using IrisBatch.Results;

namespace IrisBatch.Lifecycle
{
    /// <summary>
    /// The results part of the journal protocol (issue 15's Lifecycle layer): where a batch's results live in the journal
    /// (a batch submitted elsewhere is adopted into an entry of its own), downloading them once, reading them back joined
    /// to their requests, and recording them as collected. Get-IrisBatchResult only emits what it reads.
    /// </summary>
    public sealed class ResultCollector
    {
        private readonly JournalStore _journal;

        public ResultCollector(JournalStore journal) => _journal = journal;

        /// <summary>The journal entry of a batch id, or null.</summary>
        public JournalEntry? Find(string batchId) => _journal.FindByBatchId(batchId);

        /// <summary>
        /// The journal folder for <paramref name="batch"/>'s results, made if need be; a batch the journal does not know
        /// gets an entry of its own (recorded as adopted), returned in <paramref name="entry"/>.
        /// </summary>
        public string ResultsDirectory(IBatchProvider provider, IrisBatchInfo batch, ref JournalEntry? entry)
        {
            if (entry == null)
            {
                entry = _journal.Begin(new JournalEntry
                {
                    Provider = provider.Name,
                    BaseUri = provider.Location,
                    Model = batch.Model ?? "",
                    BatchId = batch.Id,
                    State = SubmissionState.Created,
                    RequestCount = batch.Total,
                    Name = batch.Name,
                });
                // Submitted when its provider says it was created, not when it was adopted here: Get-IrisBatchStatus -Local
                // shows and filters (-Before) a batch by when it was submitted.
                if (batch.CreatedAt.HasValue) entry.SpooledAt = batch.CreatedAt.Value;
                _journal.Record(entry, JournalStep.Adopted, "a batch submitted outside this journal");
                _journal.IndexBatch(entry);
            }
            var dir = _journal.ResultsDir(entry);
            AtomicFile.CreateDirectory(dir);
            return dir;
        }

        /// <summary>
        /// Whether <paramref name="batch"/>, whose results are in the journal, ended completed, cancelled or expired, as the
        /// object given or the journal says: such a batch cannot change, so its results are read without asking the
        /// provider again (a fresh session saves a round trip and setting up HTTP). A failed batch is asked: the errors that
        /// explain its unrun requests are not in the journal. A batch removed at the provider (Remove-IrisBatch -KeepLocal)
        /// has only the journal's copy, whatever its status, and the errors its batch object listed then (a batch that
        /// failed validation: its requests' results). Fills the status and those errors from the journal when needed.
        /// </summary>
        public static bool EndedAsRecorded(IrisBatchInfo batch, JournalEntry entry)
        {
            var status = batch.IsComplete ? batch.Status : entry.LastStatus;
            bool removed = entry.RemoteRemovedAt != null && status.HasValue && status.Value.IsTerminal();
            if (!removed && status != BatchStatus.Completed && status != BatchStatus.Cancelled && status != BatchStatus.Expired) return false;
            if (removed && batch.Errors.Count == 0 && entry.BatchErrors != null) batch.Errors = entry.BatchErrors;
            if (!batch.IsComplete && status.HasValue)
            {
                batch.Status = status.Value;
                batch.ProviderStatus = entry.LastProviderStatus ?? batch.ProviderStatus;
            }
            return true;
        }

        /// <summary>The files a batch's results are downloaded into (either may be absent).</summary>
        public static string[] ResultFiles(string dir) => new[] { Path.Combine(dir, "output.jsonl"), Path.Combine(dir, "errors.jsonl") };

        /// <summary>The list, beside the results, of the result files a download wrote (one name a line).</summary>
        private const string DownloadedList = "downloaded.txt";

        /// <summary>Where the journal keeps <paramref name="entry"/>'s results (not made here; see <see cref="ResultsDirectory"/>).</summary>
        public string ResultsPath(JournalEntry entry) => _journal.ResultsDir(entry);

        /// <summary>
        /// Whether the journal holds <paramref name="entry"/>'s results, downloaded and whole (<see cref="DownloadIsWhole"/>),
        /// so they are read from there with no download: Get-IrisBatchResult reads them, Remove-IrisBatch -KeepLocal
        /// deletes the provider's copies without downloading them first. False with no entry.
        /// </summary>
        public bool HasWholeResults(JournalEntry? entry) =>
            entry != null && entry.ResultsDownloaded && DownloadIsWhole(_journal.ResultsDir(entry));

        /// <summary>
        /// Whether the result files the last download wrote into <paramref name="dir"/> are all still there. A file gone
        /// since (deleted by hand, a disk cleanup) would make its requests look unreported (Failed, missing_result), and a
        /// resubmission of the failed rows would pay for them again: such a download is made again. True for a download
        /// made before the list was kept (nothing to check against).
        /// </summary>
        private static bool DownloadIsWhole(string dir)
        {
            var list = Path.Combine(dir, DownloadedList);
            if (!File.Exists(list)) return true;
            foreach (var name in File.ReadAllLines(list))
                if (name.Length > 0 && !File.Exists(Path.Combine(dir, name))) return false;
            return true;
        }

        /// <summary>
        /// Downloads the results of a terminal batch into <paramref name="dir"/> and records it. The download goes to a
        /// folder beside it first and replaces an earlier download only once it is whole: a download that fails (the
        /// provider's files deleted after Remove-IrisBatch -KeepLocal, a dropped connection, a full disk) leaves the
        /// results the journal had. Each download has a folder of its own: two processes collecting the same batch at
        /// once (two scheduled scripts, or two that submitted the same job and share its batch) each download whole,
        /// where with one shared folder the second deleted the first one's half-written files under it.
        /// </summary>
        public async Task DownloadAsync(IBatchProvider provider, IrisBatchInfo batch, JournalEntry entry, string dir, Action<long>? progress, CancellationToken ct)
        {
            var trimmed = dir.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            RemoveStaleDownloads(trimmed);
            var staging = trimmed + StagingSuffix + Guid.NewGuid().ToString("N").Substring(0, 12);
            AtomicFile.CreateDirectory(staging);
            try
            {
                await provider.DownloadResultsAsync(batch, staging, progress, ct).ConfigureAwait(false);
                var fresh = ResultFiles(staging);
                var kept = ResultFiles(dir);
                Results.ResultOrderIndex.Delete(dir);
                for (int i = 0; i < kept.Length; i++)
                {
                    if (File.Exists(fresh[i]))
                    {
                        AtomicFile.RestrictFile(fresh[i]);
                        AtomicFile.Replace(fresh[i], kept[i]);
                    }
                    else if (File.Exists(kept[i])) File.Delete(kept[i]);   // this download has no such file
                }
                var written = new System.Text.StringBuilder();
                foreach (var file in kept)
                    if (File.Exists(file)) written.Append(Path.GetFileName(file)).Append('\n');
                AtomicFile.WriteAllText(Path.Combine(dir, DownloadedList), written.ToString());
            }
            finally
            {
                try { Directory.Delete(staging, true); }
                catch (IOException) { /* left for the next download to remove */ }
                catch (UnauthorizedAccessException) { }
            }
            _journal.RecordShared(entry, JournalStep.ResultsDownloaded, null, e => e.ResultsDownloaded = true);
        }

        /// <summary>What a download's own folder is named after the results folder's name (then 12 hex digits).</summary>
        internal const string StagingSuffix = ".download-";

        /// <summary>How old a download folder must be to be taken for one a stopped process left: no download runs this long without a write.</summary>
        internal static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

        /// <summary>
        /// Deletes the download folders beside <paramref name="results"/> that stopped processes left: the one folder
        /// earlier versions shared (<c>.download</c>), and any of this version's whose files were last written a day ago
        /// or more (a running download writes all the time). One another process deletes first, or still holds, is left.
        /// </summary>
        private static void RemoveStaleDownloads(string results)
        {
            var parent = Path.GetDirectoryName(results);
            if (string.IsNullOrEmpty(parent) || !Directory.Exists(parent)) return;
            var name = Path.GetFileName(results);
            foreach (var folder in Directory.EnumerateDirectories(parent, name + ".download*"))
            {
                bool legacy = string.Equals(Path.GetFileName(folder), name + ".download", StringComparison.Ordinal);
                if (!legacy && DateTime.UtcNow - LastWrite(folder) < StaleAfter) continue;
                try { Directory.Delete(folder, true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }

        private static DateTime LastWrite(string folder)
        {
            var last = Directory.GetLastWriteTimeUtc(folder);
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var at = File.GetLastWriteTimeUtc(file);
                if (at > last) last = at;
            }
            return last;
        }

        /// <summary>A reader of the downloaded results, joined to the journaled requests.</summary>
        public ResultReader Reader(IBatchProvider provider, IrisBatchInfo batch, JournalEntry entry) =>
            new ResultReader(provider, batch, _journal.RequestsPath(entry));

        /// <summary>
        /// Records that every result was emitted, with what they cost and the model their lines say answered (on Azure
        /// the one behind the deployment, which prices the provider's batch-level usage). Results read again, with the
        /// same counts and cost as recorded, and no reported model where the entry had none, change nothing: the entry is
        /// not written again, and its history does not grow by a line each time a scheduled script reads them (also when a
        /// batch of several models is read in another order, so that its first result names another model).
        /// </summary>
        public void MarkCollected(JournalEntry entry, long count, Estimates.CostTotal total)
        {
            if (entry.ResultsCollected && entry.Cost == total.Cost && entry.Succeeded == total.Succeeded && entry.Failed == total.Count - total.Succeeded
                && (total.ResponseModel == null || entry.ResponseModel != null))
                return;
            _journal.RecordShared(entry, JournalStep.ResultsCollected, count + " results", e =>
            {
                e.ResultsCollected = true;
                e.Cost = total.Cost;
                e.ResultUsage = total.Usage;
                if (total.ResponseModel != null) e.ResponseModel = total.ResponseModel;
                e.Succeeded = total.Succeeded;
                e.Failed = total.Count - total.Succeeded;
            });
        }
    }
}
