using System;
using System.Globalization;
using IrisBatch.Data;
using IrisBatch.Providers;

namespace IrisBatch.Requests
{
    /// <summary>
    /// The checks and mappings of what a request asks beyond plain chat text (spec §11): reasoning models' parameters,
    /// -ReasoningEffort, schemas, images and the endpoint, per provider. Writers call these before writing a line, so
    /// a request a provider would refuse is refused here, before anything is uploaded.
    /// </summary>
    public static class RequestFeatures
    {
        public static readonly string[] Efforts = { "minimal", "low", "medium", "high" };

        /// <summary>Whether the request uses none of the features (the common case: writers skip every check).</summary>
        public static bool IsPlain(IrisBatchRequest r) =>
            r.Endpoint == RequestEndpoint.ChatCompletions && r.ReasoningEffort == null && r.Schema == null && r.Images.Count == 0;

        /// <summary>
        /// Refuses what a reasoning model refuses (spec §11.4): a temperature or top_p, from -Temperature or -Body.
        /// <paramref name="catalogProvider"/> is the models.json provider the model is looked up under.
        /// </summary>
        public static void CheckReasoningModel(IrisBatchRequest r, string catalogProvider, BodyFields extra)
        {
            if (!ModelCatalog.IsReasoning(catalogProvider, r.Model)) return;
            string? parameter = r.Temperature.HasValue ? "temperature" : extra.Has("temperature") ? "temperature" : extra.Has("top_p") ? "top_p" : null;
            if (parameter == null) return;
            throw RowError(r, Messages.ReasoningSampling(r.Model, parameter, r.Temperature.HasValue) + ".", parameter);
        }

        /// <summary>Refuses an endpoint the provider does not have, once for the whole submission.</summary>
        public static void CheckEndpoint(IrisBatchRequest r, string provider, bool responses)
        {
            if (r.Endpoint == RequestEndpoint.Responses && !responses)
                throw new IrisBatchException(ErrorIds.UnsupportedEndpoint, FailureKind.InvalidArgument,
                    Messages.NoResponsesEndpoint(provider)) { Target = r.CustomId };
        }

        /// <summary>Refuses image URLs where the provider takes file data only, and files over its size limit.</summary>
        public static void CheckImages(IrisBatchRequest r, string provider, bool takesUrls, long maxBytes)
        {
            foreach (var image in r.Images)
            {
                if (image.IsUrl && !takesUrls)
                    throw RowError(r, Messages.NoImageUrls(provider, image.Source), image.Source);
                if (!image.IsUrl && image.Bytes > maxBytes)
                    throw RowError(r, Messages.ImageTooBigFor(image.Source, image.Bytes, maxBytes / (1024 * 1024), provider), image.Source);
            }
        }

        /// <summary>Refuses image files of a type the provider does not read (Gemini: no gif; spec §11.2).</summary>
        public static void CheckImageTypes(IrisBatchRequest r, string provider, params string[] types)
        {
            foreach (var image in r.Images)
                if (!image.IsUrl && Array.IndexOf(types, image.MediaType) < 0)
                    throw RowError(r, Messages.ImageTypeRefused(provider, image.MediaType, image.Source, types), image.Source);
        }

        /// <summary>An error of one request, naming its row: the other rows go on.</summary>
        public static IrisBatchException RowError(IrisBatchRequest r, string message, string? target = null) =>
            new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                Messages.RequestRowError(r.RowNumber, r.CustomId, message)) { Target = r.CustomId };

        /// <summary>Anthropic thinking budget for an effort (spec §11.4: at least 1,024 and below max_tokens).</summary>
        public static int AnthropicBudget(string effort) => effort switch
        {
            "minimal" => 1024,
            "low" => 2048,
            "medium" => 8192,
            _ => 16384,
        };

        /// <summary>Gemini 2.5 thinkingBudget for an effort (models.json "thinking": "budget").</summary>
        public static int GeminiBudget(string effort) => effort switch
        {
            "minimal" => 512,
            "low" => 1024,
            "medium" => 8192,
            _ => 24576,
        };

        /// <summary>xAI takes reasoning_effort low or high: minimal and low are low, medium and high are high.</summary>
        public static string XaiEffort(string effort) => effort == "minimal" || effort == "low" ? "low" : "high";

        /// <summary>Ollama's think takes low, medium or high: minimal is low.</summary>
        public static string OllamaThink(string effort) => effort == "minimal" ? "low" : effort;
    }
}
