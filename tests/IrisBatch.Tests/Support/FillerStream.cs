using System;
using System.IO;

namespace IrisBatch.Tests.Support;

/// <summary>A stream of <c>length</c> spaces, made as it is read: an upload over a size limit without holding it in memory.</summary>
public sealed class FillerStream : Stream
{
    private readonly long _length;
    private long _position;

    public FillerStream(long length) => _length = length;

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = (int)Math.Min(count, _length - _position);
        Array.Fill(buffer, (byte)' ', offset, n);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
