using System;

namespace IrisBatch.Providers.OpenAI
{
    /// <summary>How a host lists batches: OpenAI's after/limit/has_more, or a next_cursor under paging (Groq's guide).</summary>
    public enum OpenAIListPaging
    {
        AfterCursor,
        NextCursor,
    }

    /// <summary>
    /// What sets one OpenAI-compatible batch host apart from OpenAI (spec §1 vs §13): its name and default address, its
    /// limits and window range, how its file list is asked for and how its batch list pages. <see cref="OpenAIProvider"/>
    /// speaks the protocol; a new OpenAI-like host is a new instance here and a line in ProviderFactory.
    /// </summary>
    public sealed class OpenAIHost
    {
        public string Name { get; set; } = "";
        public string DefaultBaseUri { get; set; } = "";
        public ProviderLimits Limits { get; set; } = new ProviderLimits();
        /// <summary>The route that lists uploaded batch input files (OpenAI filters by purpose; Groq takes no parameters).</summary>
        public string FileListRoute { get; set; } = "files?purpose=batch";
        public OpenAIListPaging Paging { get; set; } = OpenAIListPaging.AfterCursor;
        /// <summary>Whether the host runs Responses batches (/v1/responses); Groq runs chat completions only.</summary>
        public bool Responses { get; set; } = true;
        /// <summary>
        /// Whether reasoning_effort is taken only by the models models.json lists with their "efforts" under this host's
        /// name (Groq: §13 names no such field; its SDK documents it for gpt-oss and qwen3 only). Such a row is refused before
        /// upload on any other listed model, rather than failing at the service after the batch ran.
        /// </summary>
        public bool EffortsListed { get; set; }
        /// <summary>
        /// Whether its batch list is known to come newest first, so that a look-up may stop at a page older than its window
        /// (OpenAI's after/limit pages). Groq documents no order (spec §13.5): a look-up there reads every page, since an
        /// oldest-first list would otherwise end the look-up before the page holding the batch it looks for.
        /// </summary>
        public bool ListsNewestFirst { get; set; } = true;

        /// <summary>OpenAI (spec §1): 50,000 requests and 200 MB a file, one model a file, metadata 16 × 64/512, only "24h".</summary>
        public static readonly OpenAIHost OpenAI = new OpenAIHost
        {
            Name = "OpenAI",
            DefaultBaseUri = "https://api.openai.com/v1",
            Limits = new ProviderLimits
            {
                MaxRequestsPerBatch = 50_000,
                MaxBytesPerBatch = 200L * 1000 * 1000,
                OneModelPerBatch = true,
                MaxMetadataPairs = 16,
                MaxMetadataKeyLength = 64,
                MaxMetadataValueLength = 512,
                MinCompletionWindow = TimeSpan.FromHours(24),
                MaxCompletionWindow = TimeSpan.FromHours(24),
                EmbeddingBatches = true,
                MaxEmbeddingInputsPerBatch = 50_000,   // "/v1/embeddings batches are also restricted to a maximum of 50,000 embedding inputs" (§1.9)
            },
        };

        /// <summary>
        /// Groq (spec §13): the same wire under /openai/v1; files up to 100 MB (the API reference's figure, below the
        /// guide's 200 MB), chat completions only (no embeddings, no Responses; reasoning_effort on the models.json models that list efforts), a window of 24 h to 7 d, a file list without parameters, a batch list paged by
        /// paging.next_cursor (or not at all) in no documented order. No documented metadata limits: OpenAI's are kept.
        /// </summary>
        public static readonly OpenAIHost Groq = new OpenAIHost
        {
            Name = "Groq",
            DefaultBaseUri = "https://api.groq.com/openai/v1",
            Limits = new ProviderLimits
            {
                MaxRequestsPerBatch = 50_000,
                MaxBytesPerBatch = 100L * 1000 * 1000,
                OneModelPerBatch = true,
                MaxMetadataPairs = 16,
                MaxMetadataKeyLength = 64,
                MaxMetadataValueLength = 512,
                MinCompletionWindow = TimeSpan.FromHours(24),
                MaxCompletionWindow = TimeSpan.FromDays(7),
            },
            FileListRoute = "files",
            Responses = false,
            EffortsListed = true,
            Paging = OpenAIListPaging.NextCursor,
            ListsNewestFirst = false,
        };
    }
}
