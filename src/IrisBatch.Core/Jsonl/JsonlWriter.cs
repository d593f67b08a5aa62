using System;
using System.IO;
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
        private readonly Utf8JsonWriter _writer;

        public JsonlWriter(string path)
        {
            Path = path;
            _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            _writer = new Utf8JsonWriter(_stream, Options);
        }

        public string Path { get; }
        public long Lines { get; private set; }
        public long Bytes { get; private set; }

        /// <summary>Writes one line: <paramref name="write"/> writes exactly one JSON value.</summary>
        public long WriteLine(Action<Utf8JsonWriter> write)
        {
            long before = Bytes;
            write(_writer);
            _writer.Flush();
            _writer.Reset(_stream);
            _stream.WriteByte((byte)'\n');
            Bytes = _stream.Position;
            Lines++;
            return Bytes - before;
        }

        /// <summary>Writes one line already serialized (without its newline).</summary>
        public void WriteRaw(byte[] buffer, int count)
        {
            _stream.Write(buffer, 0, count);
            _stream.WriteByte((byte)'\n');
            Bytes = _stream.Position;
            Lines++;
        }

        /// <summary>Where the next line will start.</summary>
        public long Position => Bytes;

        public void Dispose()
        {
            _writer.Dispose();
            _stream.Dispose();
        }
    }
}
