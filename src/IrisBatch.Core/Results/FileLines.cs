using System;
using System.IO;
using IrisBatch.Jsonl;

namespace IrisBatch.Results
{
    /// <summary>
    /// Lines of one of the journal's files, read by offset when something first asks for them: a result's request
    /// (from the requests file) or its raw line (from the result file). Results come in any order, so each line is one
    /// read call, and reading only the lines asked for spares that call, and a copy of the line per result, in the
    /// pipelines that never look at Request, Input or RawResponse. While the reader streams, one handle serves all
    /// reads, from any thread; once it is disposed, a line asked for later is read through a handle of its own.
    /// </summary>
    internal sealed class FileLines : IDisposable
    {
        private readonly string _path;
        private readonly object _gate = new object();
        private FileStream? _file;
        private bool _closed;

        public FileLines(string path)
        {
            _path = path;
        }

        /// <summary>The file's path.</summary>
        public string Path => _path;

        /// <summary>The <paramref name="length"/> bytes at <paramref name="offset"/> (fewer if the file ends first).</summary>
        public byte[] Read(long offset, int length)
        {
            lock (_gate)
            {
                if (!_closed)
                {
                    _file ??= Open(_path);
                    return ReadAt(_file, offset, length);
                }
            }
            using var once = Open(_path);
            return ReadAt(once, offset, length);
        }

        /// <summary>The line at <paramref name="offset"/> as text (a result's raw line, read when first asked for).</summary>
        public string ReadText(long offset, int length)
        {
            var bytes = Read(offset, length);
            return JsonlReader.DecodeLine(bytes, 0, bytes.Length);
        }

        private static FileStream Open(string path) =>
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);

        private static byte[] ReadAt(FileStream file, long offset, int length)
        {
            var bytes = new byte[length];
            file.Position = offset;
            int total = 0;
            while (total < length)
            {
                int n = file.Read(bytes, total, length - total);
                if (n <= 0) break;
                total += n;
            }
            if (total < length) Array.Resize(ref bytes, total);
            return bytes;
        }

        /// <summary>Closes the shared handle; later reads open their own.</summary>
        public void Dispose()
        {
            lock (_gate)
            {
                _closed = true;
                _file?.Dispose();
                _file = null;
            }
        }
    }
}
