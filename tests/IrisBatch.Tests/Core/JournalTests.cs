using System;
using System.IO;
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
    }
}
