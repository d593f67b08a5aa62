using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace IrisBatch.Results
{
    /// <summary>
    /// Reads lines of one file by offset into a buffer of its own, for a reader that asks for every line once and
    /// mostly in the file's order (results in input order, when the provider wrote them so, and the requests file):
    /// a line that follows the one read before it is served from a large window read ahead, so lines in order cost a
    /// copy and no call; a line elsewhere (a shuffled file) is copied alone into the same buffer from a read-only
    /// mapping of the file (no system call per line: results as providers write them, shuffled, are read one line
    /// each), or read alone where the file cannot be mapped. The bytes a call returns are valid until the next call.
    /// Memory: one window, whatever the file's size (a mapping takes address space, not memory).
    /// </summary>
    internal sealed class LineWindow : IDisposable
    {
        private const int Window = 1 << 18;
        private readonly FileStream _file;
        private byte[] _buffer = new byte[Window];
        private long _start;   // file offset of _buffer[0]
        private int _count;    // bytes of the file in _buffer
        private long _next = -1;   // file offset just after the last line served

        private MemoryMappedFile? _map;
        private MemoryMappedViewAccessor? _view;
        private long _mapped;   // bytes of the file the mapping holds
        private bool _mapTried;

        public LineWindow(string path)
        {
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
        }

        /// <summary>Reads of the file made so far (for tests: lines in order take few).</summary>
        public int Reads { get; private set; }

        /// <summary>Lines copied from the mapping (for tests: a shuffled file's lines come from it).</summary>
        public int Mapped { get; private set; }

        /// <summary>The mapping, made when a line is first wanted out of order; null where the file cannot be mapped.</summary>
        private MemoryMappedViewAccessor? View()
        {
            if (_mapTried) return _view;
            _mapTried = true;
            try
            {
                long length = _file.Length;
                if (length == 0) return null;
                _map = MemoryMappedFile.CreateFromFile(_file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
                _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                _mapped = length;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                _view?.Dispose();
                _map?.Dispose();
                _view = null;
                _map = null;
            }
            return _view;
        }

        /// <summary>The <paramref name="length"/> bytes at <paramref name="offset"/> (fewer if the file ends first).</summary>
        [MethodImpl(Hot.Path)]
        public ArraySegment<byte> Read(long offset, int length)
        {
            // The line after the last one starts after its '\n' (or "\r\n": a line's length leaves out the '\r').
            bool following = offset >= _next && offset - _next <= 2;
            _next = offset + length + 1;
            if (offset >= _start && offset + length <= _start + _count)
                return new ArraySegment<byte>(_buffer, (int)(offset - _start), length);
            if (!following && View() is { } view && offset + length <= _mapped)
            {
                if (_buffer.Length < length) _buffer = new byte[length];
                view.ReadArray(offset, _buffer, 0, length);
                Mapped++;
                _start = offset;
                _count = length;
                return new ArraySegment<byte>(_buffer, 0, length);
            }
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

        public void Dispose()
        {
            _view?.Dispose();
            _map?.Dispose();
            _file.Dispose();
        }
    }
}
