using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>
/// One OpenAI batch. Its status is computed lazily from the <see cref="Timeline"/> on every read, under a lock; the first
/// read that sees a terminal status (completed, cancelled, expired) writes the output and error files before answering.
/// The input file stays open (share-delete) until then, so deleting it after creating the batch does not break the batch.
/// </summary>
internal sealed class OpenAIBatch : IDisposable
{
    private readonly object _gate = new();
    private FileStream? _input;
    private bool _resultsWritten;
    private int[] _okPrefix = { 0 };
    private long[] _inPrefix = { 0 }, _outPrefix = { 0 }, _reasoningPrefix = { 0 }, _cachedPrefix = { 0 };

    public OpenAIBatch(string id, long seq, CreateBatchRequest request, DateTimeOffset createdAt, LifecycleTiming timing)
    {
        Id = id;
        Seq = seq;
        Endpoint = request.Endpoint;
        Rules = request.Rules;
        CanonicalEndpoint = request.Rules.Canonical(request.Endpoint);
        InputFileId = request.InputFile.Id;
        InputBytes = request.InputFile.Bytes;
        CompletionWindow = request.CompletionWindow;
        Metadata = request.Metadata;
        OutputExpiresAfter = request.OutputExpiresAfter;
        JobModel = request.JobModel;
        Priority = request.Priority;
        Timeline = new Timeline(createdAt, timing);
        _input = request.InputFile.OpenRead();
    }

    public string Id { get; }
    public long Seq { get; }
    public string Endpoint { get; }

    /// <summary>The /v1 form of <see cref="Endpoint"/> (they differ on Azure): what the fake model and result bodies go by.</summary>
    public string CanonicalEndpoint { get; }

    public BatchRules Rules { get; }
    public string InputFileId { get; }
    public long InputBytes { get; }
    public string CompletionWindow { get; }
    public IReadOnlyList<KeyValuePair<string, string>>? Metadata { get; }
    public TimeSpan? OutputExpiresAfter { get; }
    /// <summary>The model the job names (Mistral's model, Together's model_id), or null.</summary>
    public string? JobModel { get; }
    /// <summary>Together's priority, echoed back only.</summary>
    public int? Priority { get; }
    public Timeline Timeline { get; }
    public ValidationResult? Validation { get; private set; }
    public string? OutputFileId { get; private set; }
    public string? ErrorFileId { get; private set; }

    /// <summary>Validates the input file in the background, as the real service does after answering the create call.</summary>
    /// <param name="stats">Where the requests of a batch that validated are counted (<see cref="Stats.Features"/>).</param>
    public void StartValidation(TimeProvider time, Stats? stats = null)
    {
        FileStream input = _input!;
        _ = Task.Run(() =>
        {
            ValidationResult result;
            try
            {
                result = InputValidator.Validate(input, Endpoint, Rules, JobModel);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
                result = new ValidationResult();
                result.Errors.Add(new BatchError("file_read_error", "The batch input file could not be read.", null));
            }
            // Counted before the batch can be seen past validating, so a test that saw it run sees the counts.
            if (stats is not null && result.Ok)
            {
                string provider = Rules.UnversionedPaths ? "azure" : "openai";
                foreach (var line in result.Lines) stats.Features.Count(provider, line.Features);
            }
            CompleteValidation(result, time.GetUtcNow());
        });
    }

    private void CompleteValidation(ValidationResult result, DateTimeOffset finishedAt)
    {
        lock (_gate)
        {
            int n = result.Lines.Count;
            var ok = new int[n + 1];
            var inTok = new long[n + 1];
            var outTok = new long[n + 1];
            for (int i = 0; i < n; i++)
            {
                var line = result.Lines[i];
                bool success = line.Outcome == FakeOutcome.Ok;
                ok[i + 1] = ok[i] + (success ? 1 : 0);
                inTok[i + 1] = inTok[i] + (success ? line.InputTokens + line.BatchUsageDrift : 0);   // the batch-level usage
                outTok[i + 1] = outTok[i] + (success ? line.OutputTokens : 0);
            }
            var reasoning = new long[n + 1];
            var cached = new long[n + 1];
            for (int i = 0; i < n; i++)
            {
                var line = result.Lines[i];
                bool success = line.Outcome == FakeOutcome.Ok;
                reasoning[i + 1] = reasoning[i] + (success ? line.Features.ReasoningTokens : 0);
                cached[i + 1] = cached[i] + (success ? line.CachedTokens + line.BatchCachedDrift : 0);   // the batch-level usage
            }
            (_okPrefix, _inPrefix, _outPrefix, _reasoningPrefix, _cachedPrefix) = (ok, inTok, outTok, reasoning, cached);
            Validation = result;
            Timeline.MarkValidated(finishedAt, result.Ok, n);
            if (!result.Ok || _resultsWritten) CloseInput();
        }
    }

    public JsonObject Observe(DateTimeOffset now, FileStore files)
    {
        lock (_gate)
        {
            var s = Timeline.At(now);
            EnsureResults(s, files, now);
            return View(s);
        }
    }

    private JsonObject View(TimelineSnapshot s) => Rules.View is { } view ? view(this, s) : BatchJson.Build(this, s);

    /// <summary>The phase now, without answering anything (results are written when it is terminal).</summary>
    public TimelineSnapshot Snapshot(DateTimeOffset now, FileStore files)
    {
        lock (_gate)
        {
            var s = Timeline.At(now);
            EnsureResults(s, files, now);
            return s;
        }
    }

    /// <summary>Cancels if possible. Returns the batch either way, and the phase that refused the cancel.</summary>
    public (bool Accepted, BatchPhase Phase, JsonObject Batch) Cancel(DateTimeOffset now, FileStore files)
    {
        lock (_gate)
        {
            bool accepted = Timeline.TryCancel(now, out var phase);
            var s = Timeline.At(now);
            EnsureResults(s, files, now);
            return (accepted, phase, View(s));
        }
    }

    public (bool Accepted, BatchPhase Phase, JsonObject Batch) Expire(DateTimeOffset now, FileStore files)
    {
        lock (_gate)
        {
            bool accepted = Timeline.TryExpire(now, out var phase);
            var s = Timeline.At(now);
            EnsureResults(s, files, now);
            return (accepted, phase, View(s));
        }
    }

    /// <summary>(succeeded, failed) among the first <paramref name="done"/> requests.</summary>
    public (int Completed, int Failed) Counts(int done) => (_okPrefix[done], done - _okPrefix[done]);

    /// <summary>Tokens of the successful requests among the first <paramref name="done"/>.</summary>
    public (long Input, long Output) Tokens(int done) => (_inPrefix[done], _outPrefix[done]);

    /// <summary>Reasoning tokens (part of the output) of the successful requests among the first <paramref name="done"/>.</summary>
    public long ReasoningTokens(int done) => _reasoningPrefix[done];

    /// <summary>Cached input tokens (part of the input) of the successful requests among the first <paramref name="done"/>.</summary>
    public long CachedTokens(int done) => _cachedPrefix[done];

    private void EnsureResults(TimelineSnapshot s, FileStore files, DateTimeOffset now)
    {
        if (_resultsWritten || s.Phase is not (BatchPhase.Completed or BatchPhase.Cancelled or BatchPhase.Expired)) return;
        _resultsWritten = true;
        if (Validation is { Ok: true } && _input is not null && s.Total > 0)
        {
            var (output, error) = ResultWriter.Write(this, _input, s.Done, s.Phase == BatchPhase.Expired, files, now);
            OutputFileId = output?.Id;
            ErrorFileId = error?.Id;
        }
        if (Validation is not null) CloseInput();
    }

    private void CloseInput()
    {
        _input?.Dispose();
        _input = null;
    }

    public void Dispose()
    {
        lock (_gate) CloseInput();
    }
}
