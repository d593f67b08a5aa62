using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IrisBatch.Journal;
using IrisBatch.Jsonl;
using IrisBatch.Providers;

namespace IrisBatch.Submission
{
    /// <summary>One batch being spooled: its journal entry and its two files (provider lines, neutral records).</summary>
    public sealed class SpooledPart : IDisposable
    {
        internal SpooledPart(JournalEntry entry, JsonlWriter input, JsonlWriter requests)
        {
            Entry = entry;
            Input = input;
            Requests = requests;
        }

        public JournalEntry Entry { get; }
        internal JsonlWriter Input { get; }
        internal JsonlWriter Requests { get; }
        internal IncrementalHash Hash { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // What goes into the fingerprint, gathered and handed to the hash 64 KB at a time: each AppendData is a call into
        // the platform's crypto library, and two of them per request cost more than hashing the bytes. The digest of the
        // concatenation is the same however it is cut.
        private byte[] _pending = new byte[1 << 16];
        private int _pendingLength;
        private string? _lastModel;
        private byte[] _lastModelBytes = new byte[0];

        /// <summary>Adds one request to the fingerprint: its model, a separator, and its provider line.</summary>
        [MethodImpl(Hot.Path)]
        internal void AddToFingerprint(string model, byte[] line, int count)
        {
            if (!string.Equals(model, _lastModel, StringComparison.Ordinal))
            {
                _lastModelBytes = Encoding.UTF8.GetBytes(model + "\u0001");
            }
            _lastModel = model;
            Append(_lastModelBytes, _lastModelBytes.Length);
            Append(line, count);
        }

        [MethodImpl(Hot.Path)]
        private void Append(byte[] data, int count)
        {
            if (_pendingLength + count > _pending.Length)
            {
                FlushFingerprint();
                if (count > _pending.Length)
                {
                    Hash.AppendData(data, 0, count);
                    return;
                }
            }
            Buffer.BlockCopy(data, 0, _pending, _pendingLength, count);
            _pendingLength += count;
        }

        private void FlushFingerprint()
        {
            if (_pendingLength == 0) return;
            Hash.AppendData(_pending, 0, _pendingLength);
            _pendingLength = 0;
        }
        public long Count => Input.Lines;
        /// <summary>Input tokens of the part's requests (counted when a token budget, -WhatIf or a cost limit asks for them).</summary>
        public long InputTokens { get; internal set; }
        /// <summary>Embedding inputs of the part (one per embedding request), against the provider's per-batch limit.</summary>
        public long EmbeddingInputs { get; internal set; }
        /// <summary>Output tokens the part may produce: each request's max tokens where set.</summary>
        public long MaxOutputTokens { get; internal set; }
        public long Bytes => Input.Bytes;
        public bool Closed { get; private set; }

        /// <summary>
        /// The tokens of each model of a part whose requests name more than one (see <see cref="JournalEntry.Models"/>):
        /// input tokens and max output tokens, so its cost is estimated at each model's price; null for one model.
        /// </summary>
        public IReadOnlyDictionary<string, ModelTokens>? TokensByModel => _byModel;

        private Dictionary<string, ModelTokens>? _byModel;

        /// <summary>Counts one request of <paramref name="model"/>: input tokens and its max output tokens (0 when not set).</summary>
        [MethodImpl(Hot.Path)]
        internal void Add(string model, long inputTokens, long maxOutputTokens)
        {
            InputTokens += inputTokens;
            MaxOutputTokens += maxOutputTokens;
            if (_byModel == null)
            {
                if (string.Equals(model, Entry.Model, StringComparison.Ordinal)) return;
                // The part's first other model: what came before was all the entry's own model.
                _byModel = new Dictionary<string, ModelTokens>(StringComparer.Ordinal)
                {
                    [Entry.Model] = new ModelTokens(Count - 1, InputTokens - inputTokens, MaxOutputTokens - maxOutputTokens),
                };
                Entry.Models = new List<string> { Entry.Model };
            }
            if (_byModel.TryGetValue(model, out var known)) _byModel[model] = known.Plus(inputTokens, maxOutputTokens);
            else
            {
                _byModel[model] = new ModelTokens(1, inputTokens, maxOutputTokens);
                Entry.Models!.Add(model);
            }
        }

        public void Close()
        {
            if (Closed) return;
            Closed = true;
            Input.Dispose();
            Requests.Dispose();
            Entry.RequestCount = Input.Lines;
            Entry.InputTokens = InputTokens;
            Entry.Bytes = Input.Bytes;
            FlushFingerprint();
            Entry.Fingerprint = BitConverter.ToString(Hash.GetHashAndReset()).Replace("-", "").ToLowerInvariant();
        }

        public void Dispose() => Close();
    }

    /// <summary>One model's requests in a part: how many, their input tokens, and their max output tokens where set.</summary>
    public readonly struct ModelTokens
    {
        public ModelTokens(long requests, long inputTokens, long maxOutputTokens)
        {
            Requests = requests;
            InputTokens = inputTokens;
            MaxOutputTokens = maxOutputTokens;
        }

        public long Requests { get; }
        public long InputTokens { get; }
        public long MaxOutputTokens { get; }

        internal ModelTokens Plus(long inputTokens, long maxOutputTokens) =>
            new ModelTokens(Requests + 1, InputTokens + inputTokens, MaxOutputTokens + maxOutputTokens);
    }

    /// <summary>
    /// Streams requests to disk as they arrive, one part per model and per provider limit, so memory does not
    /// grow with the number of rows. Refuses duplicate custom ids across the whole submission.
    /// </summary>
    public sealed class BatchSpooler : IDisposable
    {
        private readonly JournalStore _journal;
        private readonly IBatchProvider _provider;
        private readonly string? _name;
        private readonly Dictionary<string, string> _metadata;
        private readonly long _maxRequests;
        private readonly long _maxBytes;
        private readonly long _envelopeBytes;
        private readonly long _maxEmbeddingInputs;
        private readonly Dictionary<string, SpooledPart> _open = new Dictionary<string, SpooledPart>(StringComparer.Ordinal);
        private readonly List<SpooledPart> _parts = new List<SpooledPart>();
        // Custom ids seen so far, as 64-bit hashes: a string per id made memory grow with the rows (about 100 bytes a
        // row). A hash seen before is checked against the request records already spooled, so a collision is never
        // taken for a duplicate; ids checked that way are then kept exactly (with their first row).
        private readonly HashSet<ulong> _idHashes = new HashSet<ulong>();
        private readonly Dictionary<string, long> _exactIds = new Dictionary<string, long>(StringComparer.Ordinal);
        private readonly long _maxTokens;
        private readonly bool _countTokens;
        private readonly Dictionary<string, Estimates.TokenCounter> _counters = new Dictionary<string, Estimates.TokenCounter>(StringComparer.Ordinal);
        private readonly System.IO.MemoryStream _scratch = new System.IO.MemoryStream();
        private readonly System.Text.Json.Utf8JsonWriter _scratchWriter;

        public BatchSpooler(JournalStore journal, IBatchProvider provider, string? name, IDictionary<string, string>? metadata,
            long? maxRequestsPerBatch = null, long? maxBytesPerBatch = null, long? maxTokensPerBatch = null, bool countTokens = false)
        {
            _maxTokens = maxTokensPerBatch ?? long.MaxValue;
            _countTokens = countTokens || maxTokensPerBatch.HasValue;
            _journal = journal;
            _provider = provider;
            _name = name;
            _metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            _maxRequests = Math.Min(maxRequestsPerBatch ?? long.MaxValue, provider.Limits.MaxRequestsPerBatch);
            _maxBytes = Math.Min(maxBytesPerBatch ?? long.MaxValue, provider.Limits.MaxBytesPerBatch);
            _envelopeBytes = provider.Limits.EnvelopeBytes;
            _maxEmbeddingInputs = provider.Limits.MaxEmbeddingInputsPerBatch;
            SetId = "set-" + Guid.NewGuid().ToString("N").Substring(0, 16);
            _scratchWriter = new System.Text.Json.Utf8JsonWriter(_scratch, JsonlWriter.Options);
        }

        public string SetId { get; }
        /// <summary>The batch window every batch of this submission asks for (hours), or null for the provider's default.</summary>
        public int? CompletionWindowHours { get; set; }
        public IReadOnlyList<SpooledPart> Parts => _parts;
        public long Count { get; private set; }
        public long Bytes { get; private set; }
        public long InputTokens { get; private set; }

        /// <summary>How input tokens are counted for a model (tokenizer or estimate).</summary>
        public Estimates.TokenCounter CounterFor(string model)
        {
            if (!_counters.TryGetValue(model, out var counter))
            {
                counter = Estimates.TokenCounter.For(model);
                _counters[model] = counter;
            }
            return counter;
        }

        /// <summary>The first duplicate custom id seen, with the rows that carry it (null while none).</summary>
        public DuplicateId? Duplicate { get; private set; }

        /// <summary>Adds one request. Returns false (and sets <see cref="Duplicate"/>) when its custom id was already used.</summary>
        [MethodImpl(Hot.Path)]
        public bool Add(IrisBatchRequest request)
        {
            if (!_idHashes.Add(IdHash(request.CustomId)) && SeenBefore(request.CustomId, request.RowNumber, out var firstRow))
            {
                if (Duplicate == null) Duplicate = new DuplicateId(request.CustomId, firstRow, request.RowNumber);
                return false;
            }
            try
            {
                return Spool(request);
            }
            catch (Exception)
            {
                // Refused (e.g. over the token budget), the id still counts as used, as it always did.
                if (!_exactIds.ContainsKey(request.CustomId)) _exactIds.Add(request.CustomId, request.RowNumber);
                throw;
            }
        }

        /// <summary>
        /// Whether an id whose hash was seen before was really used, and by which row: from the ids kept exactly, else
        /// from the spooled request records. A collision (another id, same hash) is kept exactly from now on.
        /// </summary>
        private bool SeenBefore(string customId, long row, out long firstRow)
        {
            if (_exactIds.TryGetValue(customId, out firstRow)) return true;
            // Once one duplicate is found the submission is refused as a whole: further hash matches are taken as
            // duplicates without reading the records again (a pipeline of repeated rows must not rescan per row).
            if (Duplicate != null) return true;
            var spooled = FindSpooledRow(customId);
            _exactIds.Add(customId, spooled ?? row);
            firstRow = spooled ?? 0;
            return spooled != null;
        }

        [MethodImpl(Hot.Path)]
        private bool Spool(IrisBatchRequest request)
        {
            if (request.InputJson != null && !request.InputJsonIsValid) CheckInputJson(request);
            var key = _provider.Limits.OneModelPerBatch ? request.Model : string.Empty;
            // One endpoint per batch: Responses requests go to batches of their own (spec §11.3).
            if (request.Endpoint != RequestEndpoint.ChatCompletions) key += "\u0001" + request.Endpoint;
            if (request.IsEmbedding) Embeddings.EmbeddingLimits.Check(_provider, request);
            _scratch.SetLength(0);
            _scratchWriter.Reset(_scratch);
            _provider.WriteRequest(_scratchWriter, request);
            _scratchWriter.Flush();
            long lineBytes = _scratch.Length + 1;
            // A line no batch can hold (over -MaxBytesPerBatch, or the provider's file limit) would make a batch above the
            // limit, which the provider refuses after the upload: the row is refused here, like one over the token budget.
            // (Anthropic's create body wraps even one line in its envelope.)
            if (lineBytes + _envelopeBytes > _maxBytes)
                throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                    Messages.RowOverByteLimit(request.RowNumber, request.CustomId, lineBytes, _maxBytes, _provider.Name)) { Target = request.CustomId };
            long tokens = _countTokens ? CounterFor(request.Model).Count(request) : 0;
            if (tokens > _maxTokens)
                throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                    Messages.RowOverTokenBudget(request.RowNumber, request.CustomId, tokens, _maxTokens)) { Target = request.CustomId };
            if (_open.TryGetValue(key, out var part) && part.Count > 0 &&
                (part.Bytes + lineBytes + _envelopeBytes > _maxBytes || part.InputTokens + tokens > _maxTokens)) CloseOpen(key);
            if (!_open.TryGetValue(key, out part)) part = Open(request.Model, key);
            part.Input.WriteRaw(_scratch.GetBuffer(), (int)_scratch.Length);
            long seq = Count + 1;   // the request's place in the whole submission: results come back in this order
            part.Requests.WriteLine(w => RequestRecord.Write(w, request, seq));
            part.AddToFingerprint(request.Model, _scratch.GetBuffer(), (int)_scratch.Length);
            if (request.Schema != null) part.Entry.Structured = true;
            part.Add(request.Model, tokens, request.MaxTokens ?? 0);
            if (request.IsEmbedding)
            {
                part.Entry.Embeddings = true;
                part.EmbeddingInputs++;
            }
            Count++;
            Bytes += lineBytes;
            InputTokens += tokens;
            if (part.Count >= _maxRequests || part.EmbeddingInputs >= _maxEmbeddingInputs) CloseOpen(key);
            return true;
        }

        /// <summary>
        /// A request made outside New-IrisBatchRequest may carry any text as its InputJson: it must be one JSON value
        /// before anything of the request is written, or the journal's line for it would be broken.
        /// </summary>
        private static void CheckInputJson(IrisBatchRequest request)
        {
            try
            {
                using (JsonDocument.Parse(request.InputJson!)) { }
            }
            catch (JsonException ex)
            {
                throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                    Messages.RowInputJsonInvalid(request.RowNumber, request.CustomId, ex.Message)) { Target = request.CustomId };
            }
            request.SetValidInputJson(request.InputJson);
        }

        /// <summary>FNV-1a, 64 bits, over the id's UTF-16 code units: ids are short, and 200,000 of them collide with odds of about 1 in 10^9.</summary>
        [MethodImpl(Hot.Path)]
        private static ulong IdHash(string id)
        {
            ulong hash = 14695981039346656037UL;
            foreach (char c in id)
            {
                hash ^= c;
                hash *= 1099511628211UL;
            }
            return hash;
        }

        /// <summary>The row of the request already spooled with this custom id, read from the parts' request records; null when none has it.</summary>
        private long? FindSpooledRow(string customId)
        {
            foreach (var part in _parts)
            {
                if (!part.Closed) part.Requests.Flush();
                using var stream = new System.IO.FileStream(part.Requests.Path, System.IO.FileMode.Open, System.IO.FileAccess.Read,
                    System.IO.FileShare.ReadWrite, 1 << 16);
                foreach (var line in JsonlReader.ReadLines(stream))
                    if (Results.ResultReader.ReadCustomId(line.Text) == customId) return RequestRecord.Read(line.Text).RowNumber;
            }
            return null;
        }

        private SpooledPart Open(string model, string key)
        {
            var entry = _journal.Begin(new JournalEntry
            {
                SetId = SetId,
                Provider = _provider.Name,
                BaseUri = ProviderFactory.LocationOf(_provider),
                Model = model,
                Name = _name,
                Metadata = _metadata,
                IdempotencyKey = "ib-" + Guid.NewGuid().ToString("N"),
                CompletionWindowHours = CompletionWindowHours,
                State = SubmissionState.Spooled,
            });
            // Marked as this spooler's until it is sent: a failure from here on leaves a folder the next run removes.
            SpoolRecovery.Mark(_journal.SubmissionDir(entry.SubmissionId));
            var part = new SpooledPart(entry, new JsonlWriter(_journal.InputPath(entry)), new JsonlWriter(_journal.RequestsPath(entry)));
            AtomicFile.RestrictFile(_journal.InputPath(entry));
            AtomicFile.RestrictFile(_journal.RequestsPath(entry));
            _open[key] = part;
            _parts.Add(part);
            return part;
        }

        private void CloseOpen(string key)
        {
            if (_open.TryGetValue(key, out var part))
            {
                part.Close();
                _open.Remove(key);
            }
        }

        /// <summary>
        /// Closes every part and records each as spooled in the journal. If that fails for one (a full disk), none was
        /// sent: every part is removed, so no half-recorded submission is left behind, and the error goes on.
        /// </summary>
        public IReadOnlyList<SpooledPart> Finish()
        {
            try
            {
                foreach (var part in _parts)
                {
                    part.Close();
                    _journal.Record(part.Entry, JournalStep.Spooled, $"{part.Entry.RequestCount} requests, {part.Entry.Bytes} bytes");
                }
            }
            catch (Exception)
            {
                try { Discard(); } catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException) { /* the next run removes it */ }
                throw;
            }
            _open.Clear();
            return _parts;
        }

        /// <summary>Removes everything spooled (nothing was sent).</summary>
        public void Discard()
        {
            foreach (var part in _parts)
            {
                part.Close();
                _journal.Discard(part.Entry);
            }
            _open.Clear();
        }

        /// <summary>
        /// Closes every part. A part not sent by now keeps its mark, so the next run removes it (see <see cref="SpoolRecovery"/>).
        /// </summary>
        public void Dispose()
        {
            foreach (var part in _parts)
            {
                part.Close();
                SpoolRecovery.Release(_journal.SubmissionDir(part.Entry.SubmissionId));
            }
        }
    }

    public sealed class DuplicateId
    {
        public DuplicateId(string customId, long firstRow, long secondRow)
        {
            CustomId = customId;
            FirstRow = firstRow;
            SecondRow = secondRow;
        }

        public string CustomId { get; }
        public long FirstRow { get; }
        public long SecondRow { get; }
    }
}
