using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;

namespace IrisBatch.Http
{
    /// <summary>
    /// A JSON body streamed from a JSONL file: prefix, the lines joined by commas, suffix
    /// (e.g. {"requests":[ ... ]}), so an inline batch never has to be held in memory.
    /// </summary>
    public sealed class JsonArrayFileContent : HttpContent
    {
        private readonly byte[] _prefix;
        private readonly byte[] _suffix;
        private readonly string _path;
        private readonly long _lines;

        public JsonArrayFileContent(string prefix, string path, long lines, string suffix)
        {
            _prefix = Encoding.UTF8.GetBytes(prefix);
            _suffix = Encoding.UTF8.GetBytes(suffix);
            _path = path;
            _lines = lines;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_prefix, 0, _prefix.Length).ConfigureAwait(false);
            using (var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                var buffer = new byte[1 << 16];
                var output = new byte[1 << 16];
                bool atLineStart = true, first = true;
                int read;
                while ((read = await file.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
                {
                    int n = 0;
                    for (int i = 0; i < read; i++)
                    {
                        byte b = buffer[i];
                        if (b == (byte)'\n' || b == (byte)'\r') { atLineStart = true; continue; }
                        if (atLineStart)
                        {
                            if (!first) output[n++] = (byte)',';
                            first = false;
                            atLineStart = false;
                            if (n == output.Length) { await stream.WriteAsync(output, 0, n).ConfigureAwait(false); n = 0; }
                        }
                        output[n++] = b;
                        if (n == output.Length) { await stream.WriteAsync(output, 0, n).ConfigureAwait(false); n = 0; }
                    }
                    if (n > 0) await stream.WriteAsync(output, 0, n).ConfigureAwait(false);
                }
            }
            await stream.WriteAsync(_suffix, 0, _suffix.Length).ConfigureAwait(false);
        }

        /// <summary>The file's bytes less its line breaks, plus a comma between lines and the prefix and suffix.</summary>
        protected override bool TryComputeLength(out long length)
        {
            long bytes = 0, breaks = 0;
            using (var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                bytes = file.Length;
                var buffer = new byte[1 << 16];
                int read;
                while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
                    for (int i = 0; i < read; i++) if (buffer[i] == (byte)'\n' || buffer[i] == (byte)'\r') breaks++;
            }
            length = _prefix.Length + bytes - breaks + (_lines > 0 ? _lines - 1 : 0) + _suffix.Length;
            return true;
        }
    }
}
