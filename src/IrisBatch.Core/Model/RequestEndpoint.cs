namespace IrisBatch
{
    /// <summary>
    /// The provider API a request is written for. ChatCompletions is every provider's chat (messages) API; Responses is
    /// OpenAI's /v1/responses (OpenAI and Azure only). Values are appended, never renumbered: the journal keeps names.
    /// </summary>
    public enum RequestEndpoint
    {
        ChatCompletions = 0,
        Responses = 1,
        /// <summary>One embedding vector per request (spec §11.5): OpenAI /v1/embeddings, Gemini asyncBatchEmbedContent, Ollama /api/embed.</summary>
        Embeddings = 2,
    }
}
