using System;
using System.Collections.Generic;
using System.IO;
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
    public sealed class ResultReader
    {
        private readonly IBatchProvider _provider;
        private readonly IrisBatch _batch;
        private readonly string? _requestsPath;

        public ResultReader(IBatchProvider provider, IrisBatch batch, string? requestsPath)
        {
            _provider = provider;
            _batch = batch;
            _requestsPath = requestsPath != null && File.Exists(requestsPath) ? requestsPath : null;
        }

        /// <summary>Results reported twice by the provider (the first is kept).</summary>
        public long Duplicates { get; private set; }

        public IEnumerable<IrisBatchResult> Read(IEnumerable<string> resultFiles)
        {
            var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
            FileStream? requests = null;
            if (_requestsPath != null)
            {
                foreach (var line in JsonlReader.ReadLines(_requestsPath))
                {
                    var id = ReadCustomId(line.Text);
                    if (id != null && !offsets.ContainsKey(id)) offsets.Add(id, line.Offset);
                }
                requests = new FileStream(_requestsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            }
            try
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var file in resultFiles)
                {
                    if (!File.Exists(file)) continue;
                    foreach (var line in JsonlReader.ReadLines(file))
                    {
                        var result = _provider.ParseResultLine(line.Text, line.Number);
                        result.BatchId = _batch.Id;
                        if (result.CustomId.Length > 0 && !seen.Add(result.CustomId))
                        {
                            Duplicates++;
                            continue;
                        }
                        if (requests != null && offsets.TryGetValue(result.CustomId, out var offset))
                            result.Request = RequestRecord.Read(JsonlReader.ReadLineAt(requests, offset));
                        yield return result;
                    }
                }
                if (requests == null) yield break;
                foreach (var line in JsonlReader.ReadLines(_requestsPath!))
                {
                    var id = ReadCustomId(line.Text);
                    if (id == null || seen.Contains(id)) continue;
                    seen.Add(id);
                    var request = RequestRecord.Read(line.Text);
                    yield return Unreported(request);
                }
            }
            finally
            {
                requests?.Dispose();
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
                    result.Error = new ResultError { Code = "batch_cancelled", Message = "The batch was cancelled before this request ran." };
                    break;
                case BatchStatus.Expired:
                    result.Status = ResultStatus.Expired;
                    result.Error = new ResultError { Code = "batch_expired", Message = "The batch expired before this request ran." };
                    break;
                case BatchStatus.Failed:
                    result.Status = ResultStatus.Failed;
                    result.Error = BatchFailure(request);
                    break;
                default:
                    result.Status = ResultStatus.Failed;
                    result.Error = new ResultError { Code = "missing_result", Message = $"{_provider.Name} reported no result for this request although the batch is {_batch.ProviderStatus}." };
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
                Message = first == null ? "The batch failed validation." : $"The batch failed validation: {first}",
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
