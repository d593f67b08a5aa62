using System;
using System.IO;
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
    }
}
