using System;
using System.IO;
using System.Linq;
using IrisBatch.Journal;
using Xunit;

namespace IrisBatch.Tests.Core
{
    public class JournalTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-journal-" + Guid.NewGuid().ToString("N"));
        public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

        [Theory]
        [InlineData("../../x")]
        [InlineData("..")]
        [InlineData("/etc/passwd")]
        [InlineData("a/../../b")]
        [InlineData("batch id")]
        [InlineData("")]
        public void Ids_that_could_escape_the_journal_are_refused(string id)
        {
            var store = new JournalStore(_dir);
            var before = Directory.Exists(_dir) ? Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Length : 0;
            var ex = Assert.Throws<IrisBatchException>(() => store.FindByBatchId(id));
            Assert.Equal(ErrorIds.InvalidId, ex.ErrorId);
            Assert.Equal(id, ex.Target);
            Assert.Throws<IrisBatchException>(() => store.SubmissionDir(id));
            // Nothing was read or made for the id, inside the journal or beside it.
            var after = Directory.Exists(_dir) ? Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Length : 0;
            Assert.Equal(before, after);
        }

        [IrisBatch.Tests.Support.UnixFact("Unix file modes")]
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public void Journal_files_and_folders_are_private_to_the_user()
        {
            var store = new JournalStore(_dir);
            var entry = store.Begin(new JournalEntry { Provider = "OpenAI", BaseUri = "http://127.0.0.1:1/v1", Model = "m" });
            store.Save(entry);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.SubmissionDir(entry.SubmissionId)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(store.SubmissionDir(entry.SubmissionId), "entry.json")));
        }

        [Fact]
        public void A_pointer_to_an_entry_that_died_before_recording_its_batch_completes_the_entry()
        {
            // The submitter writes the id's pointer as soon as the create answers, then records Created: a process killed
            // between the two leaves this. The id alone must still find the entry, with its batch, not a stranger's.
            var store = new JournalStore(_dir);
            var entry = store.Begin(new JournalEntry { Provider = "OpenAI", BaseUri = "http://127.0.0.1:1/v1", Model = "m", State = SubmissionState.Uploaded, InputFileId = "file-1" });
            store.Save(entry);
            entry.BatchId = "batch_lost";
            store.IndexBatch(entry);   // the pointer only: entry.json still says Uploaded with no batch

            var found = store.FindByBatchId("batch_lost");
            Assert.NotNull(found);
            Assert.Equal(entry.SubmissionId, found!.SubmissionId);
            Assert.Equal("batch_lost", found.BatchId);
            Assert.Equal(SubmissionState.Created, found.State);
            var again = store.Load(entry.SubmissionId)!;   // and so it stays
            Assert.Equal("batch_lost", again.BatchId);
            Assert.Equal(SubmissionState.Created, again.State);
        }

        [Fact]
        public void Entries_saved_and_read_at_once_on_many_threads_stay_whole()
        {
            var store = new JournalStore(_dir);
            var ids = new string[16];
            System.Threading.Tasks.Parallel.For(0, ids.Length, i =>
            {
                var entry = store.Begin(new JournalEntry { Provider = "OpenAI", BaseUri = "http://127.0.0.1:1/v1", Model = "m" + i, BatchId = "batch_" + i });
                store.Record(entry, "created", entry.BatchId);
                store.IndexBatch(entry);
                ids[i] = entry.SubmissionId;
            });
            for (int i = 0; i < ids.Length; i++)
            {
                var found = store.FindByBatchId("batch_" + i);
                Assert.NotNull(found);
                Assert.Equal(ids[i], found!.SubmissionId);
                Assert.Equal("m" + i, found.Model);
            }
        }

        [Theory]
        [InlineData("batch_abc123")]
        [InlineData("msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d")]
        [InlineData("batches/123-abc")]
        public void Provider_ids_are_accepted_and_found_after_indexing(string id)
        {
            var store = new JournalStore(_dir);
            var entry = store.Begin(new JournalEntry { Provider = "OpenAI", BaseUri = "http://127.0.0.1:1/v1", Model = "m", BatchId = id });
            store.Record(entry, "created", id);
            store.IndexBatch(entry);
            var found = store.FindByBatchId(id);
            Assert.NotNull(found);
            Assert.Equal(entry.SubmissionId, found!.SubmissionId);
            Assert.Equal("created", found.History[0].State);
            Assert.Null(new JournalStore(_dir).FindByBatchId(id + "x"));
        }

        private JournalEntry Sent(JournalStore store, string submissionId, string? batchId, string? setId, bool indexed = true)
        {
            var entry = store.Begin(new JournalEntry { SubmissionId = submissionId, Provider = "OpenAI", BaseUri = "http://127.0.0.1:1/v1", Model = "m", BatchId = batchId, SetId = setId });
            store.Record(entry, "created", batchId);
            if (indexed && batchId != null) store.IndexBatch(entry);
            return entry;
        }

        [Fact]
        public void A_set_is_read_through_its_index_newest_first()
        {
            var store = new JournalStore(_dir);
            Sent(store, "20260101000001-aaaa", "batch_1", "set-a");
            for (int i = 0; i < 20; i++) Sent(store, $"20260101000002-o{i:D3}", "batch_o" + i, i % 2 == 0 ? "set-other" : null);
            Sent(store, "20260101000003-bbbb", "batch_2", "set-a");
            var pending = store.Begin(new JournalEntry { SubmissionId = "20260101000004-cccc", Provider = "OpenAI", BaseUri = "http://127.0.0.1:1/v1", Model = "m", SetId = "set-a" });
            store.Save(pending);
            store.IndexSet(pending);   // sent in the set, its batch not created yet

            Assert.Equal(new[] { "20260101000004-cccc", "20260101000003-bbbb", "20260101000001-aaaa" }, store.SetEntries("set-a").Select(e => e.SubmissionId));
            Assert.Equal(new[] { "20260101000001-aaaa", "20260101000003-bbbb", "20260101000004-cccc" },
                Directory.GetFiles(Path.Combine(_dir, "sets", "set-a")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
            // The index is what is read: an entry of the set that it does not name is not found through it.
            Sent(store, "20260101000005-dddd", "batch_x", "set-a", indexed: false);
            Assert.Equal(3, store.SetEntries("set-a").Count());
            Assert.Equal(10, store.SetEntries("set-other").Count());
            Assert.Empty(store.SetEntries("set-none"));
        }

        [Fact]
        public void A_set_journaled_before_the_index_is_found_by_reading_every_entry()
        {
            var store = new JournalStore(_dir);
            Sent(store, "20260101000001-aaaa", "batch_1", "set-old", indexed: false);
            Sent(store, "20260101000002-bbbb", "batch_2", "set-old", indexed: false);
            Sent(store, "20260101000003-cccc", "batch_3", "set-new");
            Assert.False(Directory.Exists(Path.Combine(_dir, "sets", "set-old")));
            Assert.Equal(new[] { "20260101000002-bbbb", "20260101000001-aaaa" }, store.SetEntries("set-old").Select(e => e.SubmissionId));
            Assert.Single(store.SetEntries("set-new"));
        }

        [Fact]
        public void Forgetting_a_sets_entries_takes_their_pointers_and_at_the_last_the_sets_folder()
        {
            var store = new JournalStore(_dir);
            var first = Sent(store, "20260101000001-aaaa", "batch_1", "set-a");
            var second = Sent(store, "20260101000002-bbbb", "batch_2", "set-a");
            var stray = Sent(store, "20260101000003-cccc", "batch_3", "set-a");
            store.Discard(stray);   // its folder gone, its pointer left behind: it names nothing and is skipped
            Assert.Equal(new[] { "20260101000002-bbbb", "20260101000001-aaaa" }, store.SetEntries("set-a").Select(e => e.SubmissionId));

            store.Forget(first);
            Assert.False(File.Exists(Path.Combine(_dir, "sets", "set-a", first.SubmissionId)));
            Assert.Equal(new[] { "20260101000002-bbbb" }, store.SetEntries("set-a").Select(e => e.SubmissionId));
            File.Delete(Path.Combine(_dir, "sets", "set-a", stray.SubmissionId));
            store.Forget(second);
            Assert.False(Directory.Exists(Path.Combine(_dir, "sets", "set-a")));
            Assert.Empty(store.SetEntries("set-a"));
        }

        [Theory]
        [InlineData("../x")]
        [InlineData("..")]
        [InlineData("")]
        public void A_set_id_that_could_escape_the_journal_reads_no_index(string setId)
        {
            var store = new JournalStore(_dir);
            Sent(store, "20260101000001-aaaa", "batch_1", "set-a");
            Assert.Empty(store.SetEntries(setId));
            var bad = store.Begin(new JournalEntry { SubmissionId = "20260101000002-bbbb", Provider = "OpenAI", BaseUri = "http://127.0.0.1:1/v1", Model = "m", SetId = "../x" });
            Assert.Throws<IrisBatchException>(() => store.IndexSet(bad));
        }
    }
}
