using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace IrisBatch.Http
{
    /// <summary>A read-only stream that reports how many bytes have been read, for upload progress.</summary>
    public sealed class ProgressStream : Stream
    {
        private readonly Stream _inner;
        private readonly Action<long> _progress;
        private long _read;

        public ProgressStream(Stream inner, Action<long> progress)
        {
            _inner = inner;
            _progress = progress;
        }

        public override bool CanRead => true;
        public override bool CanSeek => _inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => _inner.Length;
        public override long Position { get => _inner.Position; set => _inner.Position = value; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            Count(await _inner.ReadAsync(buffer, offset, count, ct).ConfigureAwait(false));

        private int Count(int n)
        {
            _read += n;
            _progress(_read);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
