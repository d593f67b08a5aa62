using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using IrisBatch.Jsonl;
using IrisBatch.Providers;

namespace IrisBatch.Results
{
    /// <summary>A result with its place in the submission's order (the request's seq, else its row), for merging a set's batches.</summary>
    public readonly struct OrderedResult
    {
        public OrderedResult(IrisBatchResult result, long key)
        {
            Result = result;
            Key = key;
        }

        public IrisBatchResult Result { get; }
        public long Key { get; }
    }

    public sealed partial class ResultReader
    {
        /// <summary>
        /// The results in the order the requests were submitted (the journal's requests file), though the provider
        /// wrote them in any order, without holding the result files in memory: one pass over the result files notes
        /// where each request's line is (file, offset, length: a few bytes per request; the id is read from the line's
        /// bytes without parsing it; saved beside the results as a <see cref="ResultOrderIndex"/>, so that only the first
        /// read makes this pass), then each line is read by its offset in request order and parsed. A request with
        /// no line gets its result as <see cref="Read"/> gives it, in its place; a line whose id the requests file does
        /// not have comes at the end. Without a requests file (a batch submitted elsewhere) this is file order.
        /// </summary>
        /// <param name="parallel">
        /// Whether a large batch may be read on worker threads of its own: not for a set's batches read together (each
        /// batch its own two workers oversubscribed two cores: 8 workers for 4 batches read 200,000 -IncludeInput rows
        /// 12% slower than one thread).
        /// </param>
        /// <param name="forFlatRows">
        /// With <paramref name="readRequests"/>: the requests are read for flat rows (<c>-IncludeInput</c>), their input
        /// rows into values here and without their messages (see <see cref="RequestRecordReader.Read"/>).
        /// </param>
        public IEnumerable<OrderedResult> ReadInInputOrder(IReadOnlyList<string> resultFiles, bool readRequests = false, bool parallel = true, bool forFlatRows = false)
        {
            if (_requestsPath == null)
            {
                foreach (var r in Read(resultFiles, readRequests)) yield return new OrderedResult(r, 0);
                yield break;
            }
            var order = ResultOrderIndex.TryLoad(_requestsPath, resultFiles);
            if (order == null)
            {
                order = LocateLines(resultFiles);
                order.TrySave(_requestsPath, resultFiles);
            }
            Duplicates += order.Duplicates;
            var requests = new FileLines(_requestsPath);
            // Opened when first read: a file the index names that is gone is an error naming it, not a line left out.
            var files = new FileLines[resultFiles.Count];
            try
            {
                for (int f = 0; f < files.Length; f++) files[f] = new FileLines(resultFiles[f]);

                // Each line is read through a window on its file: lines in the file's order are served from one read
                // ahead, others read alone; the window's bytes are parsed at once, and the raw line read again only if
                // asked for. The requests file is read in its own order, so through a window too. The lines are read
                // and parsed on two threads, in chunks, where the provider's lines are read from their bytes (a
                // parser with no state); the results still come in the requests' order.
                var located = new InputOrderLines(this, order, requests, files, resultFiles, readRequests, readRequests && forFlatRows ? new InputNames() : null);
                int n = order.Count;
                int workers = parallel && _provider is IUtf8ResultLines && n >= ParallelFrom ? Workers : 1;
                foreach (var r in OrderedParallel.Of(n, located.NewMaker, workers)) yield return r;
                foreach (var (f, offset, length, number) in order.Others)
                {
                    var bytes = files[f].Read(offset, length);
                    var result = Parse(bytes, 0, bytes.Length, number);
                    result.BatchId = _batch.Id;
                    NoteUnknown(result.CustomId);
                    yield return new OrderedResult(result, long.MaxValue);
                }
            }
            finally
            {
                requests.Dispose();
                foreach (var f in files) f.Dispose();
            }
        }

        /// <summary>
        /// The first pass of <see cref="ReadInInputOrder"/>: indexes the requests file, then notes where each request's
        /// line is in the result files (the id is read from the line's bytes without parsing it).
        /// </summary>
        private ResultOrderIndex LocateLines(IReadOnlyList<string> resultFiles)
        {
            var index = RequestIndex.Build(_requestsPath!);
            int n = index.Count;
            var order = new ResultOrderIndex(n);
            for (int i = 0; i < n; i++)
            {
                order.RequestOffsets[i] = index.OffsetOf(i);
                order.RequestLengths[i] = index.LengthOf(i);
                order.Keys[i] = index.KeyOf(i);
            }
            var otherIds = new HashSet<string>(StringComparer.Ordinal);
            int expected = 0;
            for (int f = 0; f < resultFiles.Count && f < sbyte.MaxValue; f++)
            {
                if (!File.Exists(resultFiles[f])) continue;
                using var stream = new FileStream(resultFiles[f], FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                var lines = new JsonlLineScanner(stream);
                while (lines.MoveNext())
                {
                    if (IsBlank(lines.Buffer, lines.Start, lines.Length)) continue;
                    // A provider that writes its lines in the order of the requests: the line holds the next
                    // request's id, compared as bytes (no string, no look-up); else the id is read and looked up.
                    var next = expected < n ? index.IdOf(expected) : null;
                    var id = ResultLineId(lines.Buffer, lines.Start, lines.Length, next)
                        ?? Parse(lines.Buffer, lines.Start, lines.Length, lines.Number).CustomId;
                    int request = ReferenceEquals(id, next) ? expected : id.Length > 0 ? index.Find(id) : -1;
                    if (request >= 0) expected = request + 1;
                    if (request < 0)
                    {
                        if (id.Length > 0 && !otherIds.Add(id)) { order.Duplicates++; continue; }
                        order.Others.Add((f, lines.Offset, lines.Length, (int)Math.Min(int.MaxValue, lines.Number)));
                        continue;
                    }
                    if (order.FileOf[request] >= 0) { order.Duplicates++; continue; }
                    order.FileOf[request] = (sbyte)f;
                    order.Offsets[request] = lines.Offset;
                    order.Lengths[request] = lines.Length;
                    order.Numbers[request] = (int)Math.Min(int.MaxValue, lines.Number);
                }
            }
            return order;
        }

        /// <summary>Below this many requests, a batch's results are read on one thread (tests set it lower).</summary>
        internal int ParallelFrom { get; set; } = 2048;

        /// <summary>
        /// The threads that read and parse a batch's lines in input order, at or above <see cref="ParallelFrom"/>: two on
        /// four cores or more; below that none, the lines being read on the thread that reads ahead of the pipeline,
        /// as the pipeline's thread needs the other core. Two more readers on two cores only took turns with the
        /// pipeline's thread and kept eight chunks of results alive, which every collection then copied (bench B6 at
        /// 50,000 rows, alternating runs: 2.66x its floor with two readers, 1.89x with none; GC pauses 99 ms a run
        /// against 34 ms). Tests set it.
        /// </summary>
        internal int Workers { get; set; } = Environment.ProcessorCount >= 4 ? 2 : 1;

        private readonly object _serial = new object();

        /// <summary>
        /// The results of the requests of one batch by their place in the requests file, where pass 1 found their lines:
        /// one maker per thread, each with its own windows on the files.
        /// </summary>
        private sealed class InputOrderLines
        {
            private readonly ResultReader _reader;
            private readonly ResultOrderIndex _order;
            private readonly FileLines _requests;
            private readonly FileLines[] _files;
            private readonly IReadOnlyList<string> _paths;
            private readonly bool _readRequests;
            private readonly InputNames? _flat;

            public InputOrderLines(ResultReader reader, ResultOrderIndex order, FileLines requests, FileLines[] files, IReadOnlyList<string> paths, bool readRequests, InputNames? flat)
            {
                _flat = flat;
                _reader = reader;
                _order = order;
                _requests = requests;
                _files = files;
                _paths = paths;
                _readRequests = readRequests;
            }

            public IItemMaker<OrderedResult> NewMaker() => new Maker(this);

            internal sealed class Maker : IItemMaker<OrderedResult>   // internal: named by WarmupMethods
            {
                private readonly InputOrderLines _o;
                private readonly LineWindow?[] _windows;
                private LineWindow? _requestLines;

                public Maker(InputOrderLines o)
                {
                    _o = o;
                    _windows = new LineWindow?[o._files.Length];
                }

                [MethodImpl(Hot.Path)]
                public OrderedResult Make(int i)
                {
                    var o = _o;
                    var reader = o._reader;
                    var order = o._order;
                    int f = order.FileOf[i];
                    if (f < 0)
                    {
                        var bytes = o._requests.Read(order.RequestOffsets[i], order.RequestLengths[i]);
                        var request = WithOrigin(ReadRecord(bytes, 0, bytes.Length, reader._requestsPath!, order.RequestOffsets[i]), reader._origin);
                        lock (reader._serial) return new OrderedResult(reader.Unreported(request), order.Keys[i]);
                    }
                    var window = _windows[f] ??= new LineWindow(o._paths[f]);
                    var line = window.Read(order.Offsets[i], order.Lengths[i]);
                    var result = reader.ParseShared(line.Array!, line.Offset, line.Count, order.Numbers[i]);
                    if (result.RawResponse == null) result.DeferRawResponse(o._files[f], order.Offsets[i], order.Lengths[i]);
                    result.BatchId = reader._batch.Id;
                    if (o._readRequests)
                    {
                        _requestLines ??= new LineWindow(reader._requestsPath!);
                        // Every request will be asked for (-IncludeInput, -Schema checks): parsed here, on this worker,
                        // rather than by the pipeline's thread when it first asks.
                        var bytes = _requestLines.Read(order.RequestOffsets[i], order.RequestLengths[i]);
                        result.Request = WithOrigin(ReadRecord(bytes.Array!, bytes.Offset, bytes.Count, reader._requestsPath!, order.RequestOffsets[i], o._flat), reader._origin);
                    }
                    else result.DeferRequest(RequestAt(o._requests, order.RequestOffsets[i], order.RequestLengths[i], reader._origin));
                    return new OrderedResult(result, order.Keys[i]);
                }

                public void Dispose()
                {
                    foreach (var w in _windows) w?.Dispose();
                    _requestLines?.Dispose();
                }
            }
        }

        /// <summary>
        /// As <see cref="Parse"/> without deferring the raw line, from any thread: a line the fast path does not read is
        /// parsed by the provider's text parser one at a time.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private IrisBatchResult ParseShared(byte[] bytes, int start, int length, long lineNumber)
        {
            var result = (_provider as IUtf8ResultLines)?.TryParseResultLine(bytes, start, length);
            if (result != null) return result;
            var text = JsonlReader.DecodeLine(bytes, start, length);
            lock (_serial) return _provider.ParseResultLine(text, lineNumber);
        }

        /// <summary>One result line, from its bytes where the provider reads them so, else decoded and read as text.</summary>
        [MethodImpl(Hot.Path)]
        private IrisBatchResult Parse(byte[] bytes, int start, int length, long lineNumber)
        {
            var result = (_provider as IUtf8ResultLines)?.TryParseResultLine(bytes, start, length);
            if (result == null) return _provider.ParseResultLine(JsonlReader.DecodeLine(bytes, start, length), lineNumber);
            if (result.RawResponse == null)
            {
                var copy = start == 0 && length == bytes.Length ? bytes : Slice(bytes, start, length);
                result.DeferRawResponse(new Lazy<string?>(() => JsonlReader.DecodeLine(copy, 0, copy.Length)));
            }
            return result;
        }

        private static byte[] Slice(byte[] bytes, int start, int length)
        {
            var copy = new byte[length];
            Buffer.BlockCopy(bytes, start, copy, 0, length);
            return copy;
        }

        private static bool IsBlank(byte[] bytes, int start, int length)
        {
            for (int i = start; i < start + length; i++)
                if (bytes[i] != (byte)' ' && bytes[i] != (byte)'\t' && bytes[i] != (byte)'\r') return false;
            return true;
        }

        private static readonly byte[][] IdNames =
        {
            Encoding.UTF8.GetBytes("\"custom_id\""),          // OpenAI, Azure, Anthropic, Mock
            Encoding.UTF8.GetBytes("\"key\""),                // Gemini
            Encoding.UTF8.GetBytes("\"batch_request_id\""),   // xAI
        };

        /// <summary>
        /// The custom id of a result line, read from its bytes without parsing it: the string after the first of the
        /// providers' id names, when it is a plain string ([A-Za-z0-9_-] ids never need escapes); else null (the line
        /// is then parsed for it). An id is a top-level property that comes before the response body in every
        /// provider's lines; a key inside a body would be quoted inside a string, with its quotes escaped.
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static string? ResultLineId(byte[] bytes, int start, int length) =>
            FindResultLineId(bytes, start, length, out int from, out int count) ? Encoding.UTF8.GetString(bytes, from, count) : null;

        /// <summary>
        /// Where <see cref="ResultLineId"/> finds the id (its bytes, without quotes); false where it finds none.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private static bool FindResultLineId(byte[] bytes, int start, int length, out int from, out int count)
        {
            from = count = 0;
            int end = start + length;
            foreach (var name in IdNames)
            {
                int at = IndexOf(bytes, start, end, name);
                if (at < 0) continue;
                int i = at + name.Length;
                while (i < end && IsSpace(bytes[i])) i++;
                if (i >= end || bytes[i] != (byte)':') return false;
                i++;
                while (i < end && IsSpace(bytes[i])) i++;
                if (i >= end || bytes[i] != (byte)'"') return false;
                int first = ++i;
                while (i < end && bytes[i] != (byte)'"')
                {
                    if (bytes[i] == (byte)'\\') return false;
                    i++;
                }
                if (i >= end) return false;
                from = first;
                count = i - first;
                return true;
            }
            return false;
        }

        /// <summary>
        /// The id of a result line as <see cref="ResultLineId"/> reads it, as <paramref name="expected"/> itself when the
        /// bytes are its own (no new string: results in request order ask for the next request's id), else null when
        /// there is none.
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static string? ResultLineId(byte[] bytes, int start, int length, string? expected)
        {
            if (!FindResultLineId(bytes, start, length, out int from, out int count)) return null;
            if (expected != null && expected.Length == count)
            {
                int k = 0;
                while (k < count && expected[k] < 0x80 && bytes[from + k] == (byte)expected[k]) k++;
                if (k == count) return expected;
            }
            return Encoding.UTF8.GetString(bytes, from, count);
        }

        private static bool IsSpace(byte b) => b == (byte)' ' || b == (byte)'\t' || b == (byte)'\r' || b == (byte)'\n';

        [MethodImpl(Hot.Path)]
        private static int IndexOf(byte[] bytes, int start, int end, byte[] name)
        {
            int last = end - name.Length;
            byte first = name[0];
            for (int i = start; i <= last; i++)
            {
                if (bytes[i] != first) continue;
                int k = 1;
                while (k < name.Length && bytes[i + k] == name[k]) k++;
                if (k == name.Length) return i;
            }
            return -1;
        }

        private static readonly byte[] SeqPrefix = Encoding.UTF8.GetBytes(",\"seq\":");
        private static readonly byte[] RowPrefix = Encoding.UTF8.GetBytes(",\"row\":");

        /// <summary>
        /// A journal request line's place in its submission: its seq (written right after custom_id since issue 18),
        /// else its row (older journals), else 0.
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static long InputOrderKey(byte[] bytes, int start, int length)
        {
            const int prefix = 14;   // {"custom_id":"
            int end = start + length;
            if (length <= prefix) return 0;
            int quote = Array.IndexOf(bytes, (byte)'"', start + prefix, length - prefix);
            if (quote < 0) return 0;
            int at = quote + 1;
            foreach (var p in new[] { SeqPrefix, RowPrefix })
            {
                if (at + p.Length > end) continue;
                int k = 0;
                while (k < p.Length && bytes[at + k] == p[k]) k++;
                if (k < p.Length) continue;
                long value = 0;
                int i = at + p.Length;
                bool any = false;
                while (i < end && bytes[i] >= (byte)'0' && bytes[i] <= (byte)'9')
                {
                    value = value * 10 + (bytes[i] - (byte)'0');
                    i++;
                    any = true;
                }
                return any ? value : 0;
            }
            return 0;
        }
    }

    /// <summary>Merges the ordered results of a set's batches into the submission's order (stable: ties keep batch order).</summary>
    public static class InputOrder
    {
        public static IEnumerable<IrisBatchResult> Merge(IReadOnlyList<IEnumerable<OrderedResult>> batches)
        {
            var heads = new List<IEnumerator<OrderedResult>>();
            try
            {
                foreach (var b in batches)
                {
                    var e = b.GetEnumerator();
                    if (e.MoveNext()) heads.Add(e);
                    else e.Dispose();
                }
                while (heads.Count > 0)
                {
                    int best = 0;
                    for (int i = 1; i < heads.Count; i++)
                        if (heads[i].Current.Key < heads[best].Current.Key) best = i;
                    var next = heads[best];
                    yield return next.Current.Result;
                    if (!next.MoveNext())
                    {
                        next.Dispose();
                        heads.RemoveAt(best);
                    }
                }
            }
            finally
            {
                foreach (var e in heads) e.Dispose();
            }
        }
    }
}
