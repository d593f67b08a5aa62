using System;
using System.Collections.Generic;
using System.Globalization;

namespace IrisBatch.Emulator;

/// <summary>How an emulator instance binds, authenticates and paces its batches.</summary>
public sealed class EmulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>The only API key the emulator accepts.</summary>
    public string ApiKey { get; set; } = "test-key";

    public int ValidatingMs { get; set; } = 200;
    public int InProgressMs { get; set; } = 1000;
    public int FinalizingMs { get; set; } = 200;
    public int CancellingMs { get; set; } = 500;

    /// <summary>Where uploaded and generated files live. Null: a fresh temp folder, deleted on dispose.</summary>
    public string? DataDir { get; set; }

    /// <summary>Exe only: stop when standard input reaches end of file.</summary>
    public bool ExitOnStdinClose { get; set; }

    /// <summary>Write warnings and errors to stderr (the exe does; in-process hosts stay silent).</summary>
    public bool LogToStandardError { get; set; }

    /// <summary>
    /// More path prefixes that serve the OpenAI Files+Batches surface besides /v1, as OpenAI-compatible hosts do
    /// (e.g. "/openai/v1" for Groq). A prefix equal to an Azure surface's path (/openai, /openai/v1) replaces it.
    /// </summary>
    public List<string> OpenAIPrefixes { get; set; } = new();

    /// <summary>Azure surfaces answer with the preview API's shapes: ISO-8601 times, capitalised statuses, null counts while validating.</summary>
    public bool AzureTolerantShapes { get; set; }

    /// <summary>
    /// How long a file uploaded through an Azure surface stays <c>pending</c> before it is <c>processed</c> (spec §2: Azure's
    /// docs wait for <c>processed</c> before creating the batch). Meanwhile a batch create naming it is refused (400). 0: at once.
    /// </summary>
    public int AzureFileProcessingMs { get; set; }

    /// <summary>
    /// Azure deployments and the model behind each (spec §2: the JSONL names the deployment; each result line's
    /// <c>response.body.model</c> is the model that answered, as OpenAI's is). A deployment not listed is taken to be
    /// named after its model, which then answers under that name.
    /// </summary>
    public Dictionary<string, string> AzureDeployments { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gemini batch states are answered as JOB_STATE_* (as the SDK rewrites them) instead of BATCH_STATE_*.</summary>
    public bool GeminiJobStates { get; set; }

    /// <summary>Where xAI's batch API is served; its /v1/batches differs from OpenAI's on the same server.</summary>
    public string XaiPrefix { get; set; } = "/xai/v1";

    /// <summary>How long an Ollama chat request takes before its answer is written.</summary>
    public int OllamaLatencyMs { get; set; } = 20;

    /// <summary>Ollama chat requests in flight beyond this number are refused with 503.</summary>
    public int OllamaMaxParallel { get; set; } = 4;

    /// <summary>Serve only Ollama's routes (and /_emulator): like a real Ollama server, no /v1/files or /v1/batches.</summary>
    public bool OllamaOnly { get; set; }

    /// <summary>
    /// Together's OpenAPI upload route POST /together/v1/files/upload is served (default). Off, the route is absent (404,
    /// as on a host that has only the SDKs' redirect flow), so a client's fallback to that flow can be tested.
    /// </summary>
    public bool TogetherUploadRoute { get; set; } = true;

    /// <summary>
    /// Groq's GET /batches answers oldest first. Its spec and guide give the list no order (§13.5: no parameters, only
    /// paging.next_cursor), so a client may not count on newest first; off (default), newest first as OpenAI's.
    /// </summary>
    public bool GroqListOldestFirst { get; set; }

    /// <summary>The clock that drives batch lifecycles; tests may pass a manual one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public LifecycleTiming Timing => new(ValidatingMs, InProgressMs, FinalizingMs, CancellingMs);

    public const string Usage =
        "usage: IrisBatch.Emulator [--port N] [--api-key KEY] [--validating-ms N] [--in-progress-ms N] " +
        "[--finalizing-ms N] [--cancelling-ms N] [--instant] [--data-dir DIR] [--exit-on-stdin-close] " +
        "[--openai-prefix /PATH[,/PATH...]]... [--azure-tolerant-shapes] [--azure-file-processing-ms N] [--gemini-job-states] [--xai-prefix /PATH] " +
        "[--ollama-latency-ms N] [--ollama-max-parallel N] [--ollama-only] [--no-together-upload-route] [--groq-list-oldest-first]";

    /// <summary>Parses the exe's command line; throws <see cref="ArgumentException"/> on anything unknown.</summary>
    public static EmulatorOptions Parse(string[] args)
    {
        var o = new EmulatorOptions();
        bool instant = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            int Int() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int v)
                ? v : throw new ArgumentException($"{a} needs a non-negative integer");
            switch (a)
            {
                case "--port": o.Port = Int(); break;
                case "--api-key": o.ApiKey = Value(); break;
                case "--validating-ms": o.ValidatingMs = Int(); break;
                case "--in-progress-ms": o.InProgressMs = Int(); break;
                case "--finalizing-ms": o.FinalizingMs = Int(); break;
                case "--cancelling-ms": o.CancellingMs = Int(); break;
                case "--instant": instant = true; break;
                case "--data-dir": o.DataDir = Value(); break;
                case "--exit-on-stdin-close": o.ExitOnStdinClose = true; break;
                case "--openai-prefix":
                    foreach (string p in Value().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                        o.OpenAIPrefixes.Add(p.TrimEnd('/'));
                    break;
                case "--azure-tolerant-shapes": o.AzureTolerantShapes = true; break;
                case "--azure-file-processing-ms": o.AzureFileProcessingMs = Int(); break;
                case "--azure-deployment":
                {
                    string v = Value();
                    int eq = v.IndexOf('=');
                    if (eq <= 0 || eq == v.Length - 1) throw new ArgumentException($"--azure-deployment '{v}': expected NAME=MODEL");
                    o.AzureDeployments[v[..eq]] = v[(eq + 1)..];
                    break;
                }
                case "--gemini-job-states": o.GeminiJobStates = true; break;
                case "--xai-prefix": o.XaiPrefix = Value().TrimEnd('/'); break;
                case "--ollama-latency-ms": o.OllamaLatencyMs = Int(); break;
                case "--ollama-max-parallel": o.OllamaMaxParallel = Int(); break;
                case "--ollama-only": o.OllamaOnly = true; break;
                case "--no-together-upload-route": o.TogetherUploadRoute = false; break;
                case "--groq-list-oldest-first": o.GroqListOldestFirst = true; break;
                default: throw new ArgumentException($"unknown argument {a}");
            }
        }
        if (instant) o.ValidatingMs = o.InProgressMs = o.FinalizingMs = o.CancellingMs = 0;
        o.Validate();
        return o;
    }

    internal void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException("port must be 0..65535");
        if (string.IsNullOrEmpty(ApiKey)) throw new ArgumentException("api key must not be empty");
        if (ValidatingMs < 0 || InProgressMs < 0 || FinalizingMs < 0 || CancellingMs < 0)
            throw new ArgumentException("timings must be >= 0");
        foreach (string p in OpenAIPrefixes)
        {
            bool ok = p.Length > 1 && p[0] == '/' && p[^1] != '/' && !p.Contains("//", StringComparison.Ordinal)
                && p.AsSpan(1).IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/") < 0;
            if (!ok) throw new ArgumentException($"--openai-prefix '{p}': expected a path such as /openai/v1");
            if (p.StartsWith("/_emulator", StringComparison.Ordinal) || p.StartsWith("/v1/messages", StringComparison.Ordinal))
                throw new ArgumentException($"--openai-prefix '{p}' collides with the emulator's own routes");
        }
        bool xaiOk = XaiPrefix.Length > 1 && XaiPrefix[0] == '/' && XaiPrefix[^1] != '/' && !XaiPrefix.Contains("//", StringComparison.Ordinal)
            && XaiPrefix.AsSpan(1).IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/") < 0;
        if (!xaiOk) throw new ArgumentException($"--xai-prefix '{XaiPrefix}': expected a path such as /xai/v1");
        if (XaiPrefix is "/v1" or "/openai" or "/openai/v1" || OpenAIPrefixes.Contains(XaiPrefix)
            || XaiPrefix.StartsWith("/_emulator", StringComparison.Ordinal) || XaiPrefix.StartsWith("/v1beta", StringComparison.Ordinal)
            || XaiPrefix.StartsWith("/api", StringComparison.Ordinal))
            throw new ArgumentException($"--xai-prefix '{XaiPrefix}' collides with another surface's routes");
        if (AzureFileProcessingMs < 0) throw new ArgumentException("--azure-file-processing-ms must be >= 0");
        if (OllamaLatencyMs < 0) throw new ArgumentException("--ollama-latency-ms must be >= 0");
        if (OllamaMaxParallel < 1) throw new ArgumentException("--ollama-max-parallel must be >= 1");
    }
}
