using System;
using System.IO;
using IrisBatch.Tests.Support;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>The one inter-process lock (journal entries, same-request submissions, Ollama runs, the mock's batches).</summary>
    public sealed class FileLockTests : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "irisbatch-lock-" + Guid.NewGuid().ToString("N") + ".lock");

        public void Dispose()
        {
            try { File.Delete(_path); } catch (IOException) { }
        }

        [Fact]
        public void One_holder_at_a_time_and_the_file_outlives_the_lock()
        {
            Assert.False(FileLock.IsHeld(_path));
            using (var first = FileLock.TryTake(_path))
            {
                Assert.NotNull(first);
                Assert.Null(FileLock.TryTake(_path));
                Assert.True(FileLock.IsHeld(_path));
            }
            // Let go, not deleted: whoever opens it next locks this same file.
            Assert.True(File.Exists(_path));
            Assert.False(FileLock.IsHeld(_path));
            using var second = FileLock.TryTake(_path);
            Assert.NotNull(second);
        }

        [Fact]
        public void A_lock_file_that_cannot_be_made_is_an_error_not_a_lock_held()
        {
            // Its folder is gone (another process removed the entry, say): waiting for "the other holder" would never end.
            var missing = Path.Combine(Path.GetTempPath(), "irisbatch-gone-" + Guid.NewGuid().ToString("N"), "entry.lock");
            Assert.Throws<DirectoryNotFoundException>(() => FileLock.TryTake(missing));
        }

        [UnixFact("a symbolic link stands for a lock file the disk cannot make")]
        public void A_lock_file_the_disk_cannot_make_is_an_error_and_a_held_one_is_not()
        {
            File.CreateSymbolicLink(_path, Path.Combine(Path.GetTempPath(), "irisbatch-gone-" + Guid.NewGuid().ToString("N"), "x"));
            Assert.ThrowsAny<IOException>(() => FileLock.TryTake(_path));
            File.Delete(_path);
            using var held = FileLock.TryTake(_path);
            var contention = Assert.ThrowsAny<IOException>(() => new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1));
            Assert.True(FileLock.IsHeldBySomeoneElse(contention, _path));
        }
    }
}
