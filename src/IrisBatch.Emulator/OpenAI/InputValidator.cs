using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>One error of a batch that failed validation (spec §1.5 BatchError; param is always null here).</summary>
internal sealed record BatchError(string Code, string Message, int? Line);

/// <summary>A valid input line: where to re-read it, and what the fake model will make of it.</summary>
internal readonly record struct ValidatedLine(string CustomId, long Offset, int Length, FakeOutcome Outcome, int InputTokens, int OutputTokens, RequestFeatures Features, int BatchUsageDrift = 0, int CachedTokens = 0, int BatchCachedDrift = 0);

internal sealed class ValidationResult
{
    public List<BatchError> Errors { get; } = new();
    public List<ValidatedLine> Lines { get; } = new();
    public string? Model { get; set; }
    public bool Ok => Errors.Count == 0;

    /// <summary>Embedding inputs summed over the lines read so far (/v1/embeddings batches).</summary>
    public long EmbeddingInputs { get; set; }
    public bool TooManyInputs { get; set; }
}

/// <summary>
/// Checks a batch input file the way the real service does after accepting the batch (spec §1.7, §1.9), streaming it
/// line by line. Each bad line yields one error with its 1-based line number; file-level errors have a null line.
/// </summary>
internal static class InputValidator
{
    public const int MaxErrors = 1000;
    public const string InvalidModelPrefix = "invalid";

    /// <param name="endpoint">The batch endpoint as sent; lines must name the same one (under <paramref name="rules"/>, with or without /v1).</param>
    /// <param name="jobModel">The model the job names (Mistral), which lines may leave out and must not contradict.</param>
    public static ValidationResult Validate(Stream input, string endpoint, BatchRules rules, string? jobModel = null)
    {
        var result = new ValidationResult();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? model = null;
        int count = 0;
        var reader = new JsonlReader(input);
        while (reader.TryRead(out var line))
        {
            if (IsBlank(line.Bytes.Span)) continue;
            if (++count > rules.MaxRequests)
            {
                result.Errors.Add(new("too_many_tasks", $"The batch input file contains more than the maximum of {rules.MaxRequests} requests.", null));
                break;
            }
            var error = CheckLine(line, count - 1, endpoint, rules, jobModel, seen, ref model, result);
            if (error is not null && result.Errors.Count < MaxErrors) result.Errors.Add(error);
        }
        if (count == 0) result.Errors.Add(new("empty_file", "The batch input file is empty.", null));
        if (!result.Ok) result.Lines.Clear();
        result.Model = result.Ok ? model : null;
        return result;
    }

    private static BatchError? CheckLine(JsonlLine line, int index, string endpoint, BatchRules rules, string? jobModel, HashSet<string> seen, ref string? model, ValidationResult result)
    {
        int n = line.Number;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line.Bytes); }
        catch (JsonException) { return new("invalid_json_line", $"Line {n} is not valid JSON.", n); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new("invalid_json_line", $"Line {n} is not a JSON object.", n);
            string customId;
            bool generated = false;
            if (rules.CustomIdOptional && (!root.TryGetProperty("custom_id", out var absent) || absent.ValueKind == JsonValueKind.Null))
            {
                customId = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                generated = true;   // the line's number, for its result: not a second use of a custom_id another line gives
            }
            else if (!root.TryGetProperty("custom_id", out var cid) || cid.ValueKind != JsonValueKind.String || cid.GetString() is not { Length: > 0 } given)
                return new("invalid_request", $"Line {n} has no 'custom_id' string.", n);
            else customId = given;
            if (rules.MaxCustomIdLength is { } maxId && customId.Length > maxId)
                return new("invalid_request", $"Line {n}: 'custom_id' has {customId.Length} characters; at most {maxId} are allowed.", n);
            if (!generated && !seen.Add(customId))
                return new("duplicate_custom_id", $"The custom_id '{customId}' on line {n} is used by more than one request; custom_id must be unique within a batch.", n);
            if (!rules.BodyOnlyLines)
            {
                if (!root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || method.GetString() != "POST")
                    return new("invalid_method", $"Line {n}: 'method' must be 'POST'.", n);
                if (!root.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String || rules.Canonical(url.GetString()!) != rules.Canonical(endpoint))
                    return new("url_mismatch", $"Line {n}: the 'url' must match the batch endpoint '{endpoint}'.", n);
            }
            if (!root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
                return new("invalid_request", $"Line {n} has no 'body' object.", n);
            if (body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
                return new("invalid_request", $"Line {n}: streaming ('stream': true) is not supported in batch requests.", n);
            string lineModel;
            if (body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } named)
            {
                lineModel = named;
                if (rules.ModelOnJob && jobModel is not null && lineModel != jobModel)
                    return new("model_mismatch", $"Line {n} uses model '{lineModel}' but the job is for '{jobModel}'; a batch can only use one model.", n);
            }
            else if (rules.ModelOnJob && jobModel is not null) lineModel = jobModel;
            else return new("invalid_request", $"Line {n}: 'body.model' is required.", n);
            if (lineModel.StartsWith(InvalidModelPrefix, StringComparison.Ordinal))
                return new("model_not_found", $"Line {n}: the model '{lineModel}' does not exist or you do not have access to it.", n);
            if (model is null) model = lineModel;
            else if (rules.OneModelPerFile && lineModel != model)
                return new("model_mismatch", $"Line {n} uses model '{lineModel}' but earlier lines use '{model}'; a batch input file can only include requests to a single model.", n);

            string canonical = rules.Canonical(endpoint);
            var answer = OpenAIRequests.Answer(canonical, body, rules.Dialect);
            int inputs = 0;
            if (canonical == OpenAIRequests.Embeddings)
            {
                // Spec §1.9/§11.5: at most 50,000 embedding inputs across all requests of an OpenAI batch (the rules' limit).
                inputs = EmbeddingRequests.Inputs(body).Count;
                result.EmbeddingInputs += inputs;
                if (rules.MaxEmbeddingInputs is { } maxInputs && result.EmbeddingInputs > maxInputs && !result.TooManyInputs)
                {
                    result.TooManyInputs = true;
                    return new("too_many_embedding_inputs", $"The batch contains more than the maximum of {maxInputs} embedding inputs across all requests (/v1/embeddings batches).", null);
                }
            }
            var (inTokens, outTokens) = ResponseBodies.Usage(canonical, answer);
            if (result.Ok) result.Lines.Add(new ValidatedLine(customId, line.Offset, line.Length, answer.Outcome, inTokens, outTokens, RequestFeatures.Of(answer, canonical, inputs), answer.BatchUsageDrift,
                ResponseBodies.Cached(canonical, answer), ResponseBodies.Cached(canonical, answer) > 0 ? answer.BatchCachedDrift : 0));
            return null;
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }
}
