using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace IrisBatch.Emulator.OpenAI;

/// <summary>A validated POST /v1/batches body (spec §1.4). Invalid bodies are answered synchronously with a 400 envelope.</summary>
internal sealed class CreateBatchRequest
{
    public static readonly string[] Endpoints =
    {
        "/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations",
        "/v1/images/generations", "/v1/images/edits", "/v1/videos",
    };

    public const int MaxMetadataPairs = 16, MaxMetadataKey = 64, MaxMetadataValue = 512;

    private static readonly HashSet<string> Known = new()
    {
        "input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after",
    };

    public required StoredFile InputFile { get; init; }

    /// <summary>The endpoint as the client sent it; the batch object repeats it.</summary>
    public required string Endpoint { get; init; }

    public required BatchRules Rules { get; init; }
    public required string CompletionWindow { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>>? Metadata { get; init; }
    public TimeSpan? OutputExpiresAfter { get; init; }
    /// <summary>The model named on the job (Mistral's model, Together's model_id).</summary>
    public string? JobModel { get; init; }
    public int? Priority { get; init; }

    /// <summary>Returns null and sets <paramref name="request"/>, or returns the 400 answer.</summary>
    public static IResult? TryParse(JsonElement root, FileStore files, BatchRules rules, out CreateBatchRequest? request) =>
        TryParse(root, files, rules, DateTimeOffset.MinValue, out request);

    /// <param name="now">Files still pending at this time (Azure, <see cref="StoredFile.ProcessedAt"/>) are refused.</param>
    public static IResult? TryParse(JsonElement root, FileStore files, BatchRules rules, DateTimeOffset now, out CreateBatchRequest? request)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
            return OpenAIErrors.BadRequest("We could not parse the JSON body of your request: expected a JSON object.");
        foreach (var p in root.EnumerateObject())
            if (!Known.Contains(p.Name) || p.Name == "output_expires_after" && !rules.OutputExpiry)
                return OpenAIErrors.BadRequest($"Unknown parameter: '{p.Name}'.", p.Name, "unknown_parameter");

        if (RequiredString(root, "input_file_id", out string inputFileId) is { } e1) return e1;
        if (RequiredString(root, "endpoint", out string endpoint) is { } e2) return e2;
        if (RequiredString(root, "completion_window", out string window) is { } e3) return e3;

        var endpoints = rules.Endpoints ?? Endpoints;
        if (Array.IndexOf(endpoints, rules.Canonical(endpoint)) < 0)
            return OpenAIErrors.BadRequest($"Invalid value: '{endpoint}'. Supported values are: {Quote(endpoints)}.", "endpoint", "invalid_value");
        if (!rules.Embeddings && rules.Canonical(endpoint) == "/v1/embeddings")
            return OpenAIErrors.BadRequest($"Invalid value: '{endpoint}'. Batch jobs for embeddings models are not supported.", "endpoint", "invalid_value");
        if (rules.MinWindowHours == 24 && rules.MaxWindowHours == 24)
        {
            if (window != "24h")
                return OpenAIErrors.BadRequest($"Invalid value: '{window}'. Supported values are: '24h'.", "completion_window", "invalid_value");
        }
        else if (WindowHours(window) is not { } hours || hours < rules.MinWindowHours || hours > rules.MaxWindowHours)
            return OpenAIErrors.BadRequest($"Invalid 'completion_window' '{window}': expected a duration from {rules.MinWindowHours}h to {rules.MaxWindowHours / 24}d.", "completion_window", "invalid_value");

        List<KeyValuePair<string, string>>? metadata = null;
        if (root.TryGetProperty("metadata", out var md) && md.ValueKind != JsonValueKind.Null)
        {
            if (ParseMetadata(md, out metadata) is { } e4) return e4;
        }

        TimeSpan? outputExpiry = null;
        if (root.TryGetProperty("output_expires_after", out var oe) && oe.ValueKind != JsonValueKind.Null)
        {
            if (oe.ValueKind != JsonValueKind.Object) return OpenAIErrors.InvalidType("output_expires_after", "an object");
            if (!oe.TryGetProperty("anchor", out var anchor) || anchor.ValueKind != JsonValueKind.String || anchor.GetString() != "created_at")
                return OpenAIErrors.BadRequest("Invalid 'output_expires_after.anchor': supported values are: 'created_at'.", "output_expires_after.anchor", "invalid_value");
            if (!oe.TryGetProperty("seconds", out var secs) || secs.ValueKind != JsonValueKind.Number || !secs.TryGetInt32(out int s) || s is < 3600 or > 2592000)
                return OpenAIErrors.BadRequest("Invalid 'output_expires_after.seconds': expected an integer between 3600 and 2592000.", "output_expires_after.seconds", "invalid_value");
            outputExpiry = TimeSpan.FromSeconds(s);
        }

        if (!files.TryGet(inputFileId, out var file) || rules.Account.Length > 0 && file.Account != rules.Account)
            return OpenAIErrors.BadRequest($"No such File object: {inputFileId}", "input_file_id", "file_not_found");
        if (file.Purpose != "batch")
            return OpenAIErrors.BadRequest($"File {inputFileId} has purpose '{file.Purpose}'; a batch input file must have purpose 'batch'.", "input_file_id", "invalid_file_purpose");
        if (file.IsPending(now))
            return OpenAIErrors.BadRequest($"File {inputFileId} is not processed yet (status 'pending'). Wait until its status is 'processed' before creating a batch.", "input_file_id", "file_not_processed");

        request = new CreateBatchRequest
        {
            InputFile = file,
            Endpoint = endpoint,
            Rules = rules,
            CompletionWindow = window,
            Metadata = metadata,
            OutputExpiresAfter = outputExpiry,
        };
        return null;
    }

    /// <summary>A duration such as "24h", "36h" or "7d" in hours; null when it is not one.</summary>
    public static int? WindowHours(string window)
    {
        if (window.Length < 2) return null;
        char unit = window[^1];
        if (!int.TryParse(window[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n <= 0) return null;
        return unit switch { 'h' => n, 'd' when n <= 1000 => n * 24, _ => null };
    }

    private static IResult? RequiredString(JsonElement root, string name, out string value)
    {
        value = "";
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return OpenAIErrors.MissingParameter(name);
        if (v.ValueKind != JsonValueKind.String) return OpenAIErrors.InvalidType(name, "a string");
        value = v.GetString()!;
        return null;
    }

    private static IResult? ParseMetadata(JsonElement md, out List<KeyValuePair<string, string>>? metadata)
    {
        metadata = null;
        if (md.ValueKind != JsonValueKind.Object) return OpenAIErrors.InvalidType("metadata", "an object");
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var p in md.EnumerateObject())
        {
            if (p.Name.Length > MaxMetadataKey)
                return OpenAIErrors.BadRequest($"Invalid 'metadata': key '{p.Name[..16]}…' is longer than {MaxMetadataKey} characters.", "metadata", "string_above_max_length");
            if (p.Value.ValueKind != JsonValueKind.String)
                return OpenAIErrors.InvalidType($"metadata.{p.Name}", "a string");
            string value = p.Value.GetString()!;
            if (value.Length > MaxMetadataValue)
                return OpenAIErrors.BadRequest($"Invalid 'metadata.{p.Name}': string too long. Expected a string with maximum length {MaxMetadataValue}, but got a string with length {value.Length} instead.", "metadata", "string_above_max_length");
            pairs.Add(new(p.Name, value));
        }
        if (pairs.Count > MaxMetadataPairs)
            return OpenAIErrors.BadRequest($"Invalid 'metadata': too many properties. Expected an object with at most {MaxMetadataPairs} properties, but got an object with {pairs.Count} properties instead.", "metadata", "object_above_max_properties");
        metadata = pairs;
        return null;
    }

    private static string Quote(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"'{v}'"));
}
