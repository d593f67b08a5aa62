using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace IrisBatch.Results
{
    /// <summary>
    /// Reads lines of one file by offset into a buffer of its own, for a reader that asks for every line once and
    /// mostly in the file's order (results in input order, when the provider wrote them so, and the requests file):
    /// a line that follows the one read before it is served from a large window read ahead, so lines in order cost a
    /// copy and no call; a line elsewhere (a shuffled file) is one read of that line alone, into the same buffer.
    /// The bytes a call returns are valid until the next call. Memory: one window, whatever the file's size.
    /// </summary>
    internal sealed class LineWindow : IDisposable
    {
        private const int Window = 1 << 18;
        private readonly FileStream _file;
        private byte[] _buffer = new byte[Window];
        private long _start;   // file offset of _buffer[0]
        private int _count;    // bytes of the file in _buffer
        private long _next = -1;   // file offset just after the last line served

        public LineWindow(string path)
        {
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
        }

        /// <summary>Reads of the file made so far (for tests: lines in order take few).</summary>
        public int Reads { get; private set; }

        /// <summary>The <paramref name="length"/> bytes at <paramref name="offset"/> (fewer if the file ends first).</summary>
        [MethodImpl(Hot.Path)]
        public ArraySegment<byte> Read(long offset, int length)
        {
            // The line after the last one starts after its '\n' (or "\r\n": a line's length leaves out the '\r').
            bool following = offset >= _next && offset - _next <= 2;
            _next = offset + length + 1;
            if (offset >= _start && offset + length <= _start + _count)
                return new ArraySegment<byte>(_buffer, (int)(offset - _start), length);
            int want = following ? Math.Max(length, Window) : length;
            if (_buffer.Length < want) _buffer = new byte[want];
            _file.Position = offset;
            int total = 0;
            while (total < want)
            {
                int n = _file.Read(_buffer, total, want - total);
                if (n <= 0) break;
                total += n;
            }
            Reads++;
            _start = offset;
            _count = total;
            return new ArraySegment<byte>(_buffer, 0, Math.Min(length, total));
        }

        public void Dispose() => _file.Dispose();
    }
}
