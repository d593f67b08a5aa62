using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;

namespace IrisBatch.Jsonl
{
    /// <summary>One non-empty line of a JSONL file with its 1-based line number and byte offset.</summary>
    public readonly struct JsonlLine
    {
        public JsonlLine(string text, long number, long offset)
        {
            Text = text;
            Number = number;
            Offset = offset;
        }

        public string Text { get; }
        public long Number { get; }
        public long Offset { get; }
    }

    /// <summary>
    /// Splits a stream into lines of bytes without decoding them: the line's bytes stay in <see cref="Buffer"/>
    /// (<see cref="Start"/>, <see cref="Length"/>, without the '\n' or a '\r' before it) until the next
    /// <see cref="MoveNext"/>. No cap on line length: the buffer grows to hold the longest line.
    /// </summary>
    public sealed class JsonlLineScanner
    {
        private readonly Stream _stream;
        private byte[] _buffer;
        private int _start;          // first byte of the next line in _buffer
        private int _end;            // end of the data read into _buffer
        private int _searched;       // bytes from _start already known to hold no '\n'
        private long _bufferOffset;  // stream offset of _buffer[0]
        private bool _eof;

        public JsonlLineScanner(Stream stream, int bufferSize = 1 << 16)
        {
            _stream = stream;
            _buffer = new byte[Math.Max(16, bufferSize)];
        }

        public byte[] Buffer => _buffer;
        public int Start { get; private set; }
        public int Length { get; private set; }
        /// <summary>1-based number of the current line, counting every line (blank ones too).</summary>
        public long Number { get; private set; }
        /// <summary>Byte offset of the current line's first byte.</summary>
        public long Offset { get; private set; }

        public ArraySegment<byte> Line => new ArraySegment<byte>(_buffer, Start, Length);

        [MethodImpl(Hot.Path)]
        public bool MoveNext()
        {
            while (true)
            {
                int from = _start + _searched;
                int newline = from < _end ? Array.IndexOf(_buffer, (byte)'\n', from, _end - from) : -1;
                if (newline >= 0)
                {
                    SetLine(_start, newline - _start);
                    _start = newline + 1;
                    _searched = 0;
                    return true;
                }
                _searched = _end - _start;
                if (_eof)
                {
                    if (_start >= _end) return false;
                    SetLine(_start, _end - _start);   // the last line has no newline
                    _start = _end;
                    _searched = 0;
                    return true;
                }
                Fill();
            }
        }

        private void SetLine(int start, int length)
        {
            if (length > 0 && _buffer[start + length - 1] == (byte)'\r') length--;
            Start = start;
            Length = length;
            Offset = _bufferOffset + start;
            Number++;
        }

        [MethodImpl(Hot.Path)]
        private void Fill()
        {
            if (_start > 0)
            {
                System.Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _bufferOffset += _start;
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read <= 0) _eof = true;
            else _end += read;
        }
    }

    /// <summary>Reads JSONL one line at a time, with no cap on line length. Blank lines are skipped.</summary>
    public static class JsonlReader
    {
        public static IEnumerable<JsonlLine> ReadLines(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            foreach (var line in ReadLines(stream)) yield return line;
        }

        /// <summary>Splits on '\n' (tolerating "\r\n"), decoding UTF-8, tracking byte offsets.</summary>
        public static IEnumerable<JsonlLine> ReadLines(Stream stream)
        {
            var scanner = new JsonlLineScanner(stream);
            while (scanner.MoveNext())
            {
                var text = DecodeLine(scanner.Buffer, scanner.Start, scanner.Length);
                if (text.Length > 0) yield return new JsonlLine(text, scanner.Number, scanner.Offset);
            }
        }

        /// <summary>A line's text: UTF-8 without a trailing '\r'; empty when it is blank.</summary>
        [MethodImpl(Hot.Path)]
        public static string Decode(byte[] bytes, int start, int count)
        {
            if (count > 0 && bytes[start + count - 1] == (byte)'\r') count--;
            return DecodeLine(bytes, start, count);
        }

        /// <summary>As <see cref="Decode"/> for a line the scanner already took the '\r' from.</summary>
        [MethodImpl(Hot.Path)]
        internal static string DecodeLine(byte[] bytes, int start, int count)
        {
            if (count == 0) return string.Empty;
            var text = Encoding.UTF8.GetString(bytes, start, count);
            return IsBlank(text) ? string.Empty : text;
        }

        [MethodImpl(Hot.Path)]
        private static bool IsBlank(string text)
        {
            // A JSON line starts with '{' or '['; only a line that starts with white space can be blank.
            return char.IsWhiteSpace(text[0]) && string.IsNullOrWhiteSpace(text);
        }

        /// <summary>Reads the line that starts at <paramref name="offset"/>.</summary>
        public static string ReadLineAt(FileStream stream, long offset)
        {
            stream.Position = offset;
            var bytes = new MemoryStream();
            var chunk = new byte[4096];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                int newline = Array.IndexOf(chunk, (byte)'\n', 0, read);
                if (newline >= 0)
                {
                    bytes.Write(chunk, 0, newline);
                    break;
                }
                bytes.Write(chunk, 0, read);
            }
            return Decode(bytes.GetBuffer(), 0, (int)bytes.Length);
        }
    }
}
