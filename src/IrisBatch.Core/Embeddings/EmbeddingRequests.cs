using System.Runtime.CompilerServices;
using System.Text.Json;
using IrisBatch.Providers;

namespace IrisBatch.Embeddings
{
    /// <summary>
    /// Writes an embedding request (one input, the request's <see cref="IrisBatchRequest.Prompt"/>) in each provider's
    /// form (spec §11.5). -Body fields are added verbatim, and win over IrisBatch's own (as for chat).
    /// </summary>
    public static class EmbeddingRequests
    {
        public const string OpenAIEndpoint = "/v1/embeddings";
        /// <summary>The most tokens one OpenAI embedding input may have (spec §11.5, CreateEmbeddingRequest).</summary>
        public const int OpenAIMaxTokensPerInput = 8192;

        /// <summary>
        /// OpenAI batch line: {"custom_id","method":"POST","url":"/v1/embeddings","body":{"model","input","dimensions"?,
        /// "encoding_format":"base64"}}. Base64 is asked for: a quarter of the text of a float list, and no number parsing.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public static void WriteOpenAI(Utf8JsonWriter w, IrisBatchRequest r)
        {
            CheckOpenAIInput(r);
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WriteString("method", "POST");
            w.WriteString("url", OpenAIEndpoint);
            w.WritePropertyName("body");
            WriteOpenAIBody(w, r, base64: true);
            w.WriteEndObject();
        }

        /// <summary>
        /// The body of an OpenAI(-compatible) embeddings call (CreateEmbeddingRequest). Local servers get the default
        /// float list: not every OpenAI-compatible server knows encoding_format, and nothing is saved there.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public static void WriteOpenAIBody(Utf8JsonWriter w, IrisBatchRequest r, bool base64)
        {
            var extra = BodyFields.For(r.BodyJson);
            CheckOneInput(r, extra);
            w.WriteStartObject();
            if (!extra.Has("model")) w.WriteString("model", r.Model);
            if (!extra.Has("input")) w.WriteString("input", r.Prompt ?? "");
            if (r.Dimensions.HasValue && !extra.Has("dimensions")) w.WriteNumber("dimensions", r.Dimensions.Value);
            if (base64 && !extra.Has("encoding_format")) w.WriteString("encoding_format", "base64");
            extra.WriteAll(w);
            w.WriteEndObject();
        }

        /// <summary>
        /// Mistral batch line (spec §12.3: <c>{custom_id, body}</c>, no method or url; the job names the endpoint
        /// /v1/embeddings and the model, so the body has only <c>input</c>). Vectors come back as float lists: §12 names
        /// no encoding_format for Mistral, nor a field for shorter vectors, so a -Dimensions is refused for the row
        /// (not sent in a form the service may not read).
        /// </summary>
        [MethodImpl(Hot.Path)]
        public static void WriteMistral(Utf8JsonWriter w, IrisBatchRequest r, string provider)
        {
            var extra = BodyFields.For(r.BodyJson);
            CheckOneInput(r, extra);
            if (r.Dimensions.HasValue)
                throw Requests.RequestFeatures.RowError(r, Messages.NoDimensions(Providers.ProviderNames.Display(provider)), "dimensions");
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WritePropertyName("body");
            w.WriteStartObject();
            if (!extra.Has("input")) w.WriteString("input", r.Prompt ?? "");
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        /// <summary>
        /// Gemini file-mode line {"key","request":EmbedContentRequest}; the request is {"content":{"parts":[{"text"}]},
        /// "outputDimensionality"?} (no model: the batch names it). Inline batches send the same request with metadata.key.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public static void WriteGemini(Utf8JsonWriter w, IrisBatchRequest r)
        {
            w.WriteStartObject();
            w.WriteString("key", r.CustomId);
            w.WritePropertyName("request");
            var extra = BodyFields.For(r.BodyJson);
            w.WriteStartObject();
            if (!extra.Has("content"))
            {
                w.WritePropertyName("content");
                w.WriteStartObject();
                w.WritePropertyName("parts");
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteString("text", r.Prompt ?? "");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            if (r.Dimensions.HasValue && !extra.Has("outputDimensionality") && !extra.Has("output_dimensionality"))
                w.WriteNumber("outputDimensionality", r.Dimensions.Value);
            extra.WriteAll(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        /// <summary>
        /// Refuses, naming the row, the row text OpenAI would fail a day later (spec §11.5: each input "not empty" and at
        /// most 8,192 tokens): an empty text, or one over 8,192 tokens by the model's own tokenizer (counted only for a text
        /// long enough to pass it, as a token is at least one UTF-8 byte; a model without a known tokenizer is left to the
        /// service). An input given through -Body is sent as given.
        /// </summary>
        private static void CheckOpenAIInput(IrisBatchRequest r)
        {
            if (r.BodyJson != null && BodyFields.For(r.BodyJson).Has("input")) return;
            var text = r.Prompt ?? "";
            if (text.Length == 0) throw Requests.RequestFeatures.RowError(r, Messages.EmbeddingInputEmpty(), "input");
            if (text.Length * 3L <= OpenAIMaxTokensPerInput) return;   // at most 3 UTF-8 bytes per UTF-16 unit
            var counter = Estimates.TokenCounter.For(r.Model);
            if (!counter.IsExact) return;
            int tokens = counter.CountText(text);
            if (tokens > OpenAIMaxTokensPerInput)
                throw Requests.RequestFeatures.RowError(r, Messages.EmbeddingInputTooLong(r.Model, tokens, OpenAIMaxTokensPerInput), "input");
        }

        /// <summary>
        /// Refuses an <c>input</c> given through -Body that holds several inputs (a list of texts or of token lists,
        /// spec §11.5): a result carries one vector, so the others would be lost, and the batch's inputs limit (§1.9)
        /// counts each of them. One text, one token list (numbers), or a list of one is one input, and is sent as given.
        /// Raised while spooling, naming the row, so nothing is uploaded for it.
        /// </summary>
        private static void CheckOneInput(IrisBatchRequest r, BodyFields extra)
        {
            if (!extra.Has("input")) return;
            var input = extra.Get("input")!.Value;
            if (input.ValueKind != JsonValueKind.Array) return;
            int count = input.GetArrayLength();
            if (count <= 1 || input[0].ValueKind == JsonValueKind.Number) return;
            throw Requests.RequestFeatures.RowError(r, Messages.EmbeddingBodyInputs(count), "input");
        }

        /// <summary>
        /// The spool line of a server without a batch API: {"custom_id","path","body"}, the body Ollama's /api/embed
        /// ({"model","input","dimensions"?}) or, on an OpenAI-compatible server, /v1/embeddings' (as for OpenAI).
        /// </summary>
        [MethodImpl(Hot.Path)]
        public static void WriteLocal(Utf8JsonWriter w, IrisBatchRequest r, bool openAICompatible)
        {
            w.WriteStartObject();
            w.WriteString("custom_id", r.CustomId);
            w.WriteString("path", openAICompatible ? "embeddings" : "api/embed");
            w.WritePropertyName("body");
            if (openAICompatible) WriteOpenAIBody(w, r, base64: false);
            else
            {
                var extra = BodyFields.For(r.BodyJson);
                CheckOneInput(r, extra);
                w.WriteStartObject();
                if (!extra.Has("model")) w.WriteString("model", r.Model);
                if (!extra.Has("input")) w.WriteString("input", r.Prompt ?? "");
                if (r.Dimensions.HasValue && !extra.Has("dimensions")) w.WriteNumber("dimensions", r.Dimensions.Value);
                extra.WriteAll(w);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
    }
}
