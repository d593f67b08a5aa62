using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IrisBatch.Jsonl
{
    /// <summary>Writes one JSON object per line to a file, streaming; counts lines and bytes.</summary>
    public sealed class JsonlWriter : IDisposable
    {
        public static readonly JsonWriterOptions Options = new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
            SkipValidation = false,
        };

        private readonly Stream _stream;
        // Each line is serialized into this buffer, then copied to the file stream: Utf8JsonWriter.Flush() flushes the
        // stream it writes to, and on a FileStream that is one write system call per line.
        private readonly MemoryStream _line = new MemoryStream();
        private readonly Utf8JsonWriter _writer;

        public JsonlWriter(string path)
        {
            Path = path;
            _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            _writer = new Utf8JsonWriter(_line, Options);
        }

        public string Path { get; }
        public long Lines { get; private set; }
        public long Bytes { get; private set; }

        /// <summary>Writes one line: <paramref name="write"/> writes exactly one JSON value. Returns its bytes (with the newline).</summary>
        [MethodImpl(Hot.Path)]
        public long WriteLine(Action<Utf8JsonWriter> write)
        {
            _line.SetLength(0);
            _writer.Reset(_line);
            write(_writer);
            _writer.Flush();
            _line.WriteByte((byte)'\n');
            _stream.Write(_line.GetBuffer(), 0, (int)_line.Length);
            Bytes += _line.Length;
            Lines++;
            return _line.Length;
        }

        /// <summary>Writes one line already serialized (without its newline).</summary>
        [MethodImpl(Hot.Path)]
        public void WriteRaw(byte[] buffer, int count)
        {
            _stream.Write(buffer, 0, count);
            _stream.WriteByte((byte)'\n');
            Bytes += count + 1;
            Lines++;
        }

        /// <summary>Where the next line will start.</summary>
        public long Position => Bytes;

        /// <summary>Writes what is buffered to the file, so that a reader sees every line written so far.</summary>
        public void Flush() => _stream.Flush();

        public void Dispose()
        {
            _writer.Dispose();
            _stream.Dispose();
        }
    }
}
