using System;
using System.IO;

namespace IrisBatch.Emulator;

/// <summary>One physical line of a JSONL file: 1-based number, byte offset and length (no "\r\n", no BOM).</summary>
internal readonly record struct JsonlLine(int Number, long Offset, int Length, ReadOnlyMemory<byte> Bytes);

/// <summary>
/// Reads a JSONL stream line by line with byte offsets, so a line can be re-read later by seeking.
/// Lines of any length are allowed; the line buffer grows as needed and is reused (a line's bytes are valid
/// until the next call).
/// </summary>
internal sealed class JsonlReader
{
    private readonly Stream _stream;
    private readonly byte[] _buf = new byte[1 << 16];
    private int _pos, _len;
    private long _bufStart;
    private bool _eof;
    private byte[] _line = new byte[1 << 12];
    private int _lineLen;
    private int _number;

    public JsonlReader(Stream stream) => _stream = stream;

    public bool TryRead(out JsonlLine line)
    {
        _lineLen = 0;
        long start = _bufStart + _pos;
        bool any = false, newline = false;
        while (true)
        {
            if (_pos == _len)
            {
                if (_eof) break;
                _bufStart += _len;
                _pos = 0;
                _len = _stream.Read(_buf, 0, _buf.Length);
                if (_len == 0) { _eof = true; break; }
            }
            any = true;
            ReadOnlySpan<byte> rest = _buf.AsSpan(_pos, _len - _pos);
            int nl = rest.IndexOf((byte)'\n');
            if (nl < 0) { Append(rest); _pos = _len; continue; }
            Append(rest[..nl]);
            _pos += nl + 1;
            newline = true;
            break;
        }
        if (!any && !newline) { line = default; return false; }

        _number++;
        int offsetInLine = 0, length = _lineLen;
        if (length > 0 && _line[length - 1] == (byte)'\r') length--;
        if (_number == 1 && length >= 3 && _line[0] == 0xEF && _line[1] == 0xBB && _line[2] == 0xBF)
        {
            offsetInLine = 3;
            length -= 3;
        }
        line = new JsonlLine(_number, start + offsetInLine, length, _line.AsMemory(offsetInLine, length));
        return true;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_lineLen + bytes.Length > _line.Length)
            Array.Resize(ref _line, Math.Max(_line.Length * 2, _lineLen + bytes.Length));
        bytes.CopyTo(_line.AsSpan(_lineLen));
        _lineLen += bytes.Length;
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    public static byte[] ReadAt(Stream stream, long offset, int length)
    {
        var bytes = new byte[length];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return bytes;
    }
}
