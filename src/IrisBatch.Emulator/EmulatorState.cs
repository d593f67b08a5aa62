using System;
using System.Collections.Generic;
using System.Threading;
using IrisBatch.Emulator.Anthropic;
using IrisBatch.Emulator.Gemini;
using IrisBatch.Emulator.Ollama;
using IrisBatch.Emulator.OpenAI;
using IrisBatch.Emulator.Xai;

namespace IrisBatch.Emulator;

/// <summary>Everything one emulator instance knows: files, batches, counters, timing. Shared by all provider surfaces.</summary>
public sealed class EmulatorState : IDisposable
{
    private LifecycleTiming _timing;

    internal EmulatorState(EmulatorOptions options)
    {
        Options = options;
        Time = options.TimeProvider;
        _timing = options.Timing;
        Files = new FileStore(options.DataDir);
        OpenAIBatches = new BatchStore(this);
        GroqBatches = new BatchStore(this, () => Groq.GroqRoutes.NewId("batch_"));
        MistralBatches = new BatchStore(this, () => Guid.NewGuid().ToString("D"));
        TogetherBatches = new BatchStore(this, () => Guid.NewGuid().ToString("D"));
        AnthropicBatches = new MessageBatchStore(this);
        Gemini = new GeminiService(this);
        Xai = new XaiService(this);
        Ollama = new OllamaServer(this);
        BatchControls = new IBatchControl[] { OpenAIBatches, GroqBatches, MistralBatches, TogetherBatches, AnthropicBatches, Gemini };
        Faults = new Faults(this);
    }

    public Stats Stats { get; } = new();
    public Faults Faults { get; }

    /// <summary>Timing for batches created from now on (changed by POST /_emulator/config).</summary>
    public LifecycleTiming Timing
    {
        get => Volatile.Read(ref _timing);
        internal set => Volatile.Write(ref _timing, value);
    }

    /// <summary>Number of OpenAI batches currently known.</summary>
    public int OpenAIBatchCount => OpenAIBatches.Count;

    /// <summary>Number of Anthropic message batches currently known.</summary>
    public int AnthropicBatchCount => AnthropicBatches.Count;

    /// <summary>Number of Gemini batches currently known.</summary>
    public int GeminiBatchCount => Gemini.Count;

    /// <summary>Number of xAI batches currently known.</summary>
    public int XaiBatchCount => Xai.Count;

    /// <summary>Ollama chat requests in flight now (each holds one of the --ollama-max-parallel slots).</summary>
    public int OllamaInFlight => Ollama.InFlight;

    internal EmulatorOptions Options { get; }
    internal TimeProvider Time { get; }
    internal FileStore Files { get; }
    internal BatchStore OpenAIBatches { get; }
    /// <summary>Groq's, Mistral's and Together's batches: the OpenAI engine, each service with a store of its own.</summary>
    internal BatchStore GroqBatches { get; }
    internal BatchStore MistralBatches { get; }
    internal BatchStore TogetherBatches { get; }
    internal MessageBatchStore AnthropicBatches { get; }
    internal GeminiService Gemini { get; }
    internal XaiService Xai { get; }
    internal OllamaServer Ollama { get; }

    /// <summary>Every provider's batches, for control routes that act on a batch id (expire).</summary>
    internal IReadOnlyList<IBatchControl> BatchControls { get; }

    internal DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>
    /// Forgets all batches and files, zeroes the counters, restores the start-up timing (and Gemini's state prefix, Ollama's
    /// latency and parallel limit) and clears faults.
    /// </summary>
    public void Reset()
    {
        OpenAIBatches.Clear();
        GroqBatches.Clear();
        MistralBatches.Clear();
        TogetherBatches.Clear();
        AnthropicBatches.Clear();
        Gemini.Reset();
        Xai.Clear();
        Ollama.Reset();
        Files.Clear();
        Stats.Reset();
        Faults.Reset();
        Timing = Options.Timing;
    }

    public void Dispose()
    {
        OpenAIBatches.Clear();
        GroqBatches.Clear();
        MistralBatches.Clear();
        TogetherBatches.Clear();
        AnthropicBatches.Clear();
        Gemini.Clear();
        Xai.Clear();
        Files.Dispose();
    }
}
