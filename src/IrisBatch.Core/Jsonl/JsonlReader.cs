using System.Collections.Generic;
using System.IO;
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

    /// <summary>Reads JSONL one line at a time, with no cap on line length. Blank lines are skipped.</summary>
    public static class JsonlReader
    {
        public static IEnumerable<JsonlLine> ReadLines(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            foreach (var line in ReadLines(stream)) yield return line;
        }

        /// <summary>Splits on '\n' (tolerating "\r\n"), decoding UTF-8, tracking byte offsets.</summary>
        public static IEnumerable<JsonlLine> ReadLines(Stream stream)
        {
            var buffer = new byte[1 << 16];
            var pending = new MemoryStream();
            long number = 0, offset = 0, lineStart = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                int start = 0;
                for (int i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n') continue;
                    number++;
                    string text;
                    if (pending.Length > 0)
                    {
                        pending.Write(buffer, start, i - start);
                        text = Decode(pending.GetBuffer(), 0, (int)pending.Length);
                        pending.SetLength(0);
                    }
                    else
                    {
                        text = Decode(buffer, start, i - start);
                    }
                    if (text.Length > 0) yield return new JsonlLine(text, number, lineStart);
                    start = i + 1;
                    lineStart = offset + i + 1;
                }
                if (start < read) pending.Write(buffer, start, read - start);
                offset += read;
            }
            if (pending.Length > 0)
            {
                number++;
                var text = Decode(pending.GetBuffer(), 0, (int)pending.Length);
                if (text.Length > 0) yield return new JsonlLine(text, number, lineStart);
            }
        }

        private static string Decode(byte[] bytes, int start, int count)
        {
            if (count > 0 && bytes[start + count - 1] == (byte)'\r') count--;
            var text = Encoding.UTF8.GetString(bytes, start, count);
            return string.IsNullOrWhiteSpace(text) ? string.Empty : text;
        }

        /// <summary>Reads the line that starts at <paramref name="offset"/>.</summary>
        public static string ReadLineAt(FileStream stream, long offset)
        {
            stream.Position = offset;
            var bytes = new MemoryStream();
            int b;
            while ((b = stream.ReadByte()) >= 0 && b != '\n') bytes.WriteByte((byte)b);
            return Decode(bytes.GetBuffer(), 0, (int)bytes.Length);
        }
    }
}
