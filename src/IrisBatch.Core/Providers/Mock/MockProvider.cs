using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Jsonl;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Providers.Mock
{
    /// <summary>
    /// <c>-Provider Mock</c>: a batch provider wholly in-process, for users' own Pester tests of their scripts. No
    /// network, no key. Its state lives in the journal folder (mock/ under $env:IRISBATCH_HOME); requests and
    /// results have OpenAI's shape; the lifecycle, answers and failures are deterministic (<see cref="MockLifecycle"/>,
    /// <see cref="MockModel"/>). Like OpenAI it keeps files: the uploaded input, and a finished batch's output and error
    /// files (made in its store when the batch is first seen terminal), which Remove-IrisBatch deletes for good.
    /// </summary>
    public sealed class MockProvider : IBatchProvider, IUtf8ResultLines
    {
        public const string ProviderName = "Mock";
        /// <summary>A reserved name (RFC 2606): nothing is ever sent there.</summary>
        public const string DefaultBaseUri = "https://mock.invalid/v1";

        private readonly MockStore _store;

        public MockProvider(Uri baseUri, HttpSettings settings, string? root = null)
        {
            BaseUri = baseUri;
            _store = new MockStore(root ?? Path.Combine(JournalStore.DefaultRoot(), "mock"));
        }

        public string Name => ProviderName;
        public Uri BaseUri { get; }
        public string Location => BaseUri.AbsoluteUri.TrimEnd('/');
        public ProviderCapabilities Capabilities => ProviderCapabilities.ListsBatches | ProviderCapabilities.InProcess;
        public IExecutingProvider? Executor => null;
        /// <summary>The folder that holds the mock's files and batches.</summary>
        public string Root => _store.Root;

        public ProviderLimits Limits { get; } = new ProviderLimits
        {
            MaxRequestsPerBatch = 50_000,
            MaxBytesPerBatch = 200L * 1000 * 1000,
            OneModelPerBatch = true,
            MaxMetadataPairs = 16,
            MaxMetadataKeyLength = 64,
            MaxMetadataValueLength = 512,
            EmbeddingBatches = true,   // as OpenAI: lines to /v1/embeddings, vectors from MockModel.Vector
            MaxEmbeddingInputsPerBatch = 50_000,
            // Any window a real provider takes (Mistral 1 h .. Groq and Mistral 7 d), so users' tests of -CompletionWindow run here.
            MinCompletionWindow = TimeSpan.FromHours(1),
            MaxCompletionWindow = TimeSpan.FromDays(7),
        };

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request)
        {
            if (request.IsEmbedding)
            {
                Embeddings.EmbeddingRequests.WriteOpenAI(writer, request);
                return;
            }
            Requests.RequestFeatures.CheckEndpoint(request, Name, false);
            OpenAIRequestWriter.Write(writer, request, OpenAIProvider.ChatEndpoint, Name);
        }

        /// <summary>Input, output and error files, as OpenAI (its files API); a batch cannot be deleted, as at OpenAI.</summary>
        public RemoteCleanup Cleanup => RemoteCleanup.Files;

        /// <summary>
        /// Deletes a file from the store; false when it is gone already (or never was), as a provider's 404. The results of
        /// a finished batch are made before one of its files goes, so they outlive its input, as at a provider.
        /// </summary>
        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct)
        {
            if (item.Kind == RemoteKind.Batch) return RemoteDelete.Unsupported(this, item);
            ct.ThrowIfCancellationRequested();
            if (!MockStore.IsSafe(item.Id)) return Task.FromResult(false);
            var owner = MockStore.ResultsOwner(item.Id);
            var batches = owner != null ? new[] { owner } : _store.All().Where(b => b.InputFileId == item.Id).Select(b => b.Id);
            foreach (var id in batches)
            {
                if (_store.Load(id) == null) continue;
                using (_store.Lock(id, ct))
                {
                    var state = _store.Load(id)!;
                    if (WriteResults(state, ct)) _store.Save(state);
                }
            }
            return Task.FromResult(_store.DeleteFile(item.Id));
        }

        public Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            return Task.FromResult<string?>(_store.SaveUpload(submission.InputPath, submission.IdempotencyKey, progress));
        }

        public Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct) => Task.FromResult(_store.FindUpload(idempotencyKey));

        /// <summary>Like OpenAI: the idempotency key in the metadata, and the input file.</summary>
        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) =>
            batch.IdempotencyKey == submission.IdempotencyKey && (inputFileId == null || batch.InputFileId == null || batch.InputFileId == inputFileId);

        public Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct) => Task.FromResult(found);

        public Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            if (fileId == null || !_store.FileExists(fileId))
                throw new IrisBatchException(ErrorIds.BadRequest, FailureKind.InvalidArgument, $"The mock provider has no input file '{fileId}'.") { Target = fileId };
            var now = DateTimeOffset.UtcNow;
            var state = new MockBatchState
            {
                Id = "batch_mock_" + Guid.NewGuid().ToString("N").Substring(0, 20),
                CreatedAt = now.ToUnixTimeSeconds(),
                CreatedTicks = now.UtcTicks,
                InputFileId = fileId,
                Endpoint = submission.Embeddings ? Embeddings.EmbeddingRequests.OpenAIEndpoint : OpenAIProvider.ChatEndpoint,
                Metadata = ReservedMetadata.Compose(submission),
            };
            MockModel.Inspect(ReadRequests(fileId), state);
            _store.Save(state);
            return Task.FromResult(ToBatch(state));
        }

        public Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct)
        {
            using (_store.Lock(Known(id), ct))
            {
                var state = _store.Load(id)!;
                MockLifecycle.Advance(state, DateTimeOffset.UtcNow);
                WriteResults(state, ct);
                var batch = ToBatch(state);
                _store.Save(state);
                return Task.FromResult(batch);
            }
        }

        public Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct)
        {
            var all = _store.All();
            int start = 0;
            if (after != null)
            {
                var at = all.FindIndex(s => s.Id == after);
                start = at < 0 ? all.Count : at + 1;
            }
            var page = all.Skip(start).Take(Math.Max(1, limit)).Select(ToBatch).ToList();
            return Task.FromResult(new BatchPage
            {
                Batches = page,
                HasMore = start + page.Count < all.Count,
                Next = page.Count > 0 ? page[page.Count - 1].Id : null,
            });
        }

        public Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct)
        {
            using (_store.Lock(Known(id), ct))
            {
                var state = _store.Load(id)!;
                var view = MockLifecycle.View(state);
                if (view.IsTerminal)
                    throw new IrisBatchException(ErrorIds.BadRequest, FailureKind.InvalidArgument,
                        $"Cannot cancel a batch with status {view.Status}.") { Target = id, HttpStatus = 400 };
                if (!state.CancelAtStep.HasValue)
                {
                    state.CancelAtStep = state.Steps;
                    state.CancelProcessed = view.Processed;
                    _store.Save(state);
                }
                return Task.FromResult(ToBatch(state));
            }
        }

        /// <summary>
        /// Copies the batch's output and error files out of the store, as a provider's download. A file the batch names
        /// that was deleted is IrisBatch.NotFound naming it, as OpenAI's 404 for it: never results quietly missing.
        /// </summary>
        public Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct)
        {
            MockBatchState state;
            using (_store.Lock(Known(batch.Id), ct))
            {
                state = _store.Load(batch.Id)!;
                if (WriteResults(state, ct)) _store.Save(state);   // a batch of an older mock, finished before files were made
            }
            var view = MockLifecycle.View(state);
            var written = new List<string>();
            if (!view.IsTerminal) return Task.FromResult<IReadOnlyList<string>>(written);
            var (output, error) = ResultFileIds(state, view);
            long done = 0;
            foreach (var (fileId, name) in new[] { (output, "output.jsonl"), (error, "errors.jsonl") })
            {
                if (fileId == null) continue;
                var target = Path.Combine(directory, name);
                long before = done;
                long size = 0;
                if (!_store.CopyFile(fileId, target, n => { size = n; progress?.Invoke(before + n); }, ct))
                    throw new IrisBatchException(ErrorIds.NotFound, FailureKind.NotFound,
                        $"The mock provider has no file '{fileId}' of batch {state.Id}: it was deleted.") { Target = state.Id, HttpStatus = 404 };
                done += size;
                written.Add(target);
            }
            return Task.FromResult<IReadOnlyList<string>>(written);
        }

        /// <summary>
        /// Makes a terminal batch's output and error files in the store, once: the lines the requests that ran give, and a
        /// batch_expired line for each that never ran in an expired batch. True when the state changed (save it). With its
        /// input gone already there is nothing to make them from: they count as deleted.
        /// </summary>
        private bool WriteResults(MockBatchState state, CancellationToken ct)
        {
            var view = MockLifecycle.View(state);
            if (!view.IsTerminal || state.ResultsWritten) return false;
            if (_store.FileExists(state.InputFileId))
            {
                var output = _store.TempPath(MockStore.OutputFileId(state.Id));
                var errors = _store.TempPath(MockStore.ErrorFileId(state.Id));
                JsonlWriter? outWriter = null, errWriter = null;
                try
                {
                    long index = 0;
                    foreach (var (r, _) in ReadRequests(state.InputFileId))
                    {
                        ct.ThrowIfCancellationRequested();
                        long i = index;
                        if (index < view.Processed)
                        {
                            var writer = MockModel.Fails(r.LastUser) ? (errWriter ??= new JsonlWriter(errors)) : (outWriter ??= new JsonlWriter(output));
                            writer.WriteLine(w => MockModel.WriteResult(w, r, i, state.Id, state.CreatedAt));
                        }
                        else if (view.Expired > 0)
                        {
                            (errWriter ??= new JsonlWriter(errors)).WriteLine(w => MockModel.WriteExpired(w, r, i, state.Id));
                        }
                        index++;
                    }
                }
                catch
                {
                    outWriter?.Dispose();
                    errWriter?.Dispose();
                    foreach (var temp in new[] { output, errors }) try { File.Delete(temp); } catch (Exception) { /* best effort */ }
                    throw;
                }
                outWriter?.Dispose();
                errWriter?.Dispose();
                // The lines written are the ones the batch object counts (ResultFileIds): a file for each id it names.
                if (outWriter != null) _store.Publish(output, MockStore.OutputFileId(state.Id));
                if (errWriter != null) _store.Publish(errors, MockStore.ErrorFileId(state.Id));
            }
            state.ResultsWritten = true;
            return true;
        }

        /// <summary>The output and error file ids a terminal batch names: an output file when a request succeeded, an error file when one failed or expired.</summary>
        private static (string? Output, string? Error) ResultFileIds(MockBatchState s, MockView view)
        {
            if (!view.IsTerminal) return (null, null);
            return (view.Succeeded > 0 ? MockStore.OutputFileId(s.Id) : null,
                view.Failed + view.Expired > 0 ? MockStore.ErrorFileId(s.Id) : null);
        }

        public IrisBatchResult ParseResultLine(string line, long lineNumber) => OpenAIResultParser.Parse(line, lineNumber);

        public IrisBatchResult? TryParseResultLine(byte[] bytes, int start, int length) => OpenAIResultParser.TryParseFast(bytes, start, length);

        /// <summary>The id when the mock has such a batch; IrisBatch.NotFound otherwise.</summary>
        private string Known(string id)
        {
            if (_store.Load(id) == null)
                throw new IrisBatchException(ErrorIds.NotFound, FailureKind.NotFound, $"The mock provider has no batch '{id}' (its state is in {_store.Root}).") { Target = id, HttpStatus = 404 };
            return id;
        }

        private IEnumerable<(MockRequest, long)> ReadRequests(string fileId)
        {
            foreach (var line in JsonlReader.ReadLines(_store.FilePath(fileId)))
            {
                MockRequest r;
                try { r = MockModel.Read(line.Text); }
                catch (JsonException) { r = new MockRequest(); }
                yield return (r, line.Number);
            }
        }

        private IrisBatchInfo ToBatch(MockBatchState s)
        {
            var view = MockLifecycle.View(s);
            if (view.IsTerminal && !s.FinishedAt.HasValue) s.FinishedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var created = DateTimeOffset.FromUnixTimeSeconds(s.CreatedAt);
            var failed = view.Failed + view.Expired;
            var files = ResultFileIds(s, view);
            var batch = new IrisBatchInfo
            {
                Id = s.Id,
                Provider = Name,
                BaseUri = BaseUri.AbsoluteUri.TrimEnd('/'),
                ProviderStatus = view.Status,
                Status = OpenAIJson.MapStatus(view.Status),
                Total = s.Total,
                Succeeded = view.Succeeded,
                Failed = failed,
                CreatedAt = created,
                ExpiresAt = created.AddHours(24),
                CompletedAt = view.IsTerminal && s.FinishedAt.HasValue ? DateTimeOffset.FromUnixTimeSeconds(s.FinishedAt.Value) : (DateTimeOffset?)null,
                Endpoint = s.Endpoint,
                Model = s.Model,
                InputFileId = s.InputFileId,
                OutputFileId = files.Output,
                ErrorFileId = files.Error,
            };
            if (view.Status == "failed")
                batch.Errors = s.Invalid.Select(i => new BatchValidationError
                {
                    Code = "invalid_request",
                    Message = $"The mock provider refused request '{i.CustomId}' because its prompt contains {MockModel.InvalidMarker}.",
                    Line = i.Line,
                }).ToArray();
            ReservedMetadata.Apply(batch, s.Metadata);
            return batch;
        }
    }
}
