using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IrisBatch.Journal;
using IrisBatch.Jsonl;
using IrisBatch.Providers;

namespace IrisBatch.Results
{
    /// <summary>
    /// Streams exactly one result per submitted request: every line of every result file (output and error),
    /// joined to its request and input row through an index of byte offsets into the journal's requests file,
    /// then a result for each request the provider never reported (Cancelled, Expired, or Failed).
    /// </summary>
    public sealed partial class ResultReader
    {
        private readonly IBatchProvider _provider;
        private readonly IrisBatchInfo _batch;
        private readonly string? _requestsPath;
        private readonly BatchOrigin _origin;

        /// <summary>Where the journal keeps the batch's requests, whether or not the file is there (null for none).</summary>
        public string? RequestsPath { get; }

        public ResultReader(IBatchProvider provider, IrisBatchInfo batch, string? requestsPath)
        {
            _provider = provider;
            _batch = batch;
            _origin = new BatchOrigin(string.IsNullOrEmpty(batch.Provider) ? provider.Name : batch.Provider,
                string.IsNullOrEmpty(batch.BaseUri) ? ProviderFactory.LocationOf(provider) : batch.BaseUri, batch.Id, batch.Name);
            RequestsPath = requestsPath;
            _requestsPath = requestsPath != null && File.Exists(requestsPath) ? requestsPath : null;
        }

        /// <summary>
        /// Whether the journal holds the batch's requests, so that every request gets a result; false for a batch submitted
        /// elsewhere, whose results are only the lines of the provider's files.
        /// </summary>
        public bool KnowsRequests => _requestsPath != null;

        /// <summary>Results reported twice by the provider (the first is kept).</summary>
        public long Duplicates { get; private set; }

        /// <summary>
        /// Results whose custom id none of the journal's requests has (emitted last, with no request or input row): the
        /// provider's files are not of this submission's requests, or lost a line's id. Zero when the requests are not known.
        /// </summary>
        public long Unknown { get; private set; }

        /// <summary>The custom id of the first <see cref="Unknown"/> result (empty when it had none).</summary>
        public string? FirstUnknown { get; private set; }

        private void NoteUnknown(string customId)
        {
            // A line with no id to read (cut short, not JSON) is a Failed result of its own (invalid_result_line), not an unknown id.
            if (customId.Length == 0) return;
            Unknown++;
            FirstUnknown ??= customId;
        }

        /// <summary>
        /// The results of these files, then one for each request no file reported. A result's request is read from the
        /// journal when first asked for; with <paramref name="readRequests"/>, while reading (on the reader's thread,
        /// which a ReadAhead runs beside the pipeline), for callers that will ask for every one.
        /// </summary>
        public IEnumerable<IrisBatchResult> Read(IEnumerable<string> resultFiles, bool readRequests = false)
        {
            // The requests file is read once to index it (custom id, offset and length of each line, no decoding
            // beyond the id), then only the lines that results ask for, and at the end the lines nobody reported.
            var index = _requestsPath != null ? RequestIndex.Build(_requestsPath) : null;
            var requests = index != null ? new FileLines(_requestsPath!) : null;
            try
            {
                HashSet<string>? others = null;   // reported ids the requests file does not have
                var fast = _provider as IUtf8ResultLines;
                foreach (var file in resultFiles)
                {
                    if (!File.Exists(file)) continue;
                    using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                    using var raw = new FileLines(file);
                    var lines = new JsonlLineScanner(stream);
                    while (lines.MoveNext())
                    {
                        // The common lines are read from their bytes, their text read again and decoded only if asked
                        // for; any other line (blank ones, which are skipped, included) is decoded and read as text.
                        var result = fast?.TryParseResultLine(lines.Buffer, lines.Start, lines.Length);
                        if (result != null) result.DeferRawResponse(raw, lines.Offset, lines.Length);
                        else
                        {
                            var text = JsonlReader.DecodeLine(lines.Buffer, lines.Start, lines.Length);
                            if (text.Length == 0) continue;
                            result = _provider.ParseResultLine(text, lines.Number);
                        }
                        result.BatchId = _batch.Id;
                        int request = index != null ? index.Find(result.CustomId) : -1;
                        if (result.CustomId.Length > 0)
                        {
                            bool first = request >= 0 ? index!.MarkSeen(request) : (others ??= new HashSet<string>(StringComparer.Ordinal)).Add(result.CustomId);
                            if (!first)
                            {
                                Duplicates++;
                                continue;
                            }
                        }
                        if (request >= 0) result.DeferRequest(RequestLine(index!, requests!, request, readRequests, _origin));
                        else if (index != null) NoteUnknown(result.CustomId);
                        yield return result;
                    }
                }
                if (index == null) yield break;
                for (int i = 0; i < index.Count; i++)
                {
                    if (!index.MarkSeen(i)) continue;
                    yield return Unreported(ReadRequest(index, requests!, i, _origin));
                }
            }
            finally
            {
                requests?.Dispose();
            }
        }

        /// <summary>
        /// A result's request, read from its journal line and parsed when first asked for (most pipelines never ask), or
        /// with <paramref name="now"/> read at once and parsed when asked for.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private static Lazy<IrisBatchRequest?> RequestLine(RequestIndex index, FileLines requests, int i, bool now, BatchOrigin origin) =>
            now ? ParsedLater(requests.Read(index.OffsetOf(i), index.LengthOf(i)), origin, requests.Path, index.OffsetOf(i)) : RequestAt(requests, index.OffsetOf(i), index.LengthOf(i), origin);

        /// <summary>The request whose journal line is at <paramref name="offset"/>, read and parsed when first asked for.</summary>
        [MethodImpl(Hot.Path)]
        private static Lazy<IrisBatchRequest?> RequestAt(FileLines requests, long offset, int length, BatchOrigin origin) =>
            new Lazy<IrisBatchRequest?>(() =>
            {
                var line = requests.Read(offset, length);
                return WithOrigin(ReadRecord(line, 0, line.Length, requests.Path, offset), origin);
            });

        /// <summary>A request whose journal line was read already, parsed when first asked for.</summary>
        private static Lazy<IrisBatchRequest?> ParsedLater(byte[] line, BatchOrigin origin, string path, long offset) =>
            new Lazy<IrisBatchRequest?>(() => WithOrigin(ReadRecord(line, 0, line.Length, path, offset), origin));

        private static IrisBatchRequest ReadRequest(RequestIndex index, FileLines requests, int i, BatchOrigin origin)
        {
            var bytes = requests.Read(index.OffsetOf(i), index.LengthOf(i));
            return WithOrigin(ReadRecord(bytes, 0, bytes.Length, requests.Path, index.OffsetOf(i)), origin);
        }

        /// <summary>
        /// A request of the journal's requests file, read from its line: a line that cannot be read (the file damaged
        /// since) is IrisBatch.JournalError naming the file and where the line starts, not a parser's bare message.
        /// </summary>
        internal static IrisBatchRequest ReadRecord(byte[] bytes, int start, int length, string path, long offset, InputNames? flat = null)
        {
            try
            {
                return RequestRecordReader.Read(bytes, start, length, flat);
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidOperationException)
            {
                throw new IrisBatchException(ErrorIds.Journal, FailureKind.InvalidData, Messages.JournalRequestUnreadable(path, offset, ex.Message), ex) { Target = path };
            }
        }

        /// <summary>A request read back from the journal remembers its batch, so a resubmission goes back there (issue 16).</summary>
        private static IrisBatchRequest WithOrigin(IrisBatchRequest request, BatchOrigin origin)
        {
            request.Origin = origin;
            return request;
        }

        /// <summary>
        /// The custom ids of a requests file, in file order (the first line of each id), with where each line is:
        /// small per request (an id, an offset and a length), never the requests themselves.
        /// </summary>
        private sealed class RequestIndex
        {
            private static readonly byte[] Prefix = Encoding.UTF8.GetBytes("{\"custom_id\":\"");
            private readonly Dictionary<string, int> _byId = new Dictionary<string, int>(StringComparer.Ordinal);
            private readonly List<long> _offsets = new List<long>();
            private readonly List<int> _lengths = new List<int>();
            private readonly List<long> _keys = new List<long>();
            private readonly List<string> _ids = new List<string>();
            private bool[] _seen = new bool[0];

            /// <summary>Where the request goes in its submission's order: its seq, else its row (see <see cref="InputOrderKey"/>).</summary>
            public long KeyOf(int i) => _keys[i];

            public int Count => _offsets.Count;
            public string IdOf(int i) => _ids[i];
            public long OffsetOf(int i) => _offsets[i];
            public int LengthOf(int i) => _lengths[i];

            /// <summary>The request with this id, or -1.</summary>
            public int Find(string customId) => _byId.TryGetValue(customId, out var i) ? i : -1;

            /// <summary>Marks a request as reported; false when it already was.</summary>
            public bool MarkSeen(int i)
            {
                if (_seen[i]) return false;
                _seen[i] = true;
                return true;
            }

            [MethodImpl(Hot.Path)]
            public static RequestIndex Build(string path)
            {
                var index = new RequestIndex();
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                {
                    var scanner = new JsonlLineScanner(stream);
                    while (scanner.MoveNext())
                    {
                        var id = CustomIdOf(scanner.Buffer, scanner.Start, scanner.Length);
                        if (id == null || index._byId.ContainsKey(id)) continue;
                        index._byId.Add(id, index._offsets.Count);
                        index._ids.Add(id);
                        index._offsets.Add(scanner.Offset);
                        index._lengths.Add(scanner.Length);
                        index._keys.Add(InputOrderKey(scanner.Buffer, scanner.Start, scanner.Length));
                    }
                }
                index._seen = new bool[index._offsets.Count];
                return index;
            }

            /// <summary>As <see cref="ReadCustomId"/>, on the line's bytes ('"' never occurs inside a UTF-8 sequence).</summary>
            [MethodImpl(Hot.Path)]
            private static string? CustomIdOf(byte[] bytes, int start, int length)
            {
                if (length < Prefix.Length) return null;
                for (int i = 0; i < Prefix.Length; i++)
                    if (bytes[start + i] != Prefix[i]) return null;
                int from = start + Prefix.Length;
                int end = Array.IndexOf(bytes, (byte)'"', from, start + length - from);
                return end < 0 ? null : Encoding.UTF8.GetString(bytes, from, end - from);
            }
        }

        /// <summary>What a request with no result line means, given how the batch ended.</summary>
        private IrisBatchResult Unreported(IrisBatchRequest request)
        {
            var result = new IrisBatchResult { CustomId = request.CustomId, BatchId = _batch.Id, Request = request };
            switch (_batch.Status)
            {
                case BatchStatus.Cancelled:
                    result.Status = ResultStatus.Cancelled;
                    result.Error = new ResultError { Code = "batch_cancelled", Message = Messages.ResultBatchCancelled() };
                    break;
                case BatchStatus.Expired:
                    result.Status = ResultStatus.Expired;
                    result.Error = new ResultError { Code = "batch_expired", Message = Messages.ResultBatchExpired() };
                    break;
                case BatchStatus.Failed:
                    result.Status = ResultStatus.Failed;
                    result.Error = BatchFailure(request);
                    break;
                default:
                    result.Status = ResultStatus.Failed;
                    result.Error = new ResultError { Code = "missing_result", Message = Messages.ResultMissing(_provider.Name, _batch.ProviderStatus) };
                    break;
            }
            return result;
        }

        private ResultError BatchFailure(IrisBatchRequest request)
        {
            foreach (var e in _batch.Errors)
                if (e.Line.HasValue && request.RowNumber > 0 && LineOf(request) == e.Line.Value)
                    return new ResultError { Code = e.Code ?? "batch_failed", Message = e.Message };
            var first = _batch.Errors.Count > 0 ? _batch.Errors[0] : null;
            return new ResultError
            {
                Code = "batch_failed",
                Message = first == null ? Messages.BatchFailedValidation() : Messages.BatchFailedValidationWith(first.ToString()!),
            };
        }

        private long _lineCounter;
        private readonly Dictionary<string, long> _lines = new Dictionary<string, long>(StringComparer.Ordinal);

        /// <summary>The 1-based line of the request in the batch input (the order the journal kept).</summary>
        private long LineOf(IrisBatchRequest request)
        {
            if (_lines.Count == 0 && _requestsPath != null)
                foreach (var line in JsonlReader.ReadLines(_requestsPath))
                {
                    var id = ReadCustomId(line.Text);
                    if (id != null) _lines[id] = ++_lineCounter;
                }
            return _lines.TryGetValue(request.CustomId, out var n) ? n : -1;
        }

        /// <summary>The custom_id of a journal line, read without building a document (it is the first property).</summary>
        internal static string? ReadCustomId(string line)
        {
            const string prefix = "{\"custom_id\":\"";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                int end = line.IndexOf('"', prefix.Length);
                if (end > 0) return line.Substring(prefix.Length, end - prefix.Length);
            }
            return null;
        }
    }
}
