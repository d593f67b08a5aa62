using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
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
            // A dated snapshot (o4-mini-2025-04-16) is the model it is a snapshot of.
            if (!ModelNames.IsReasoning(catalogProvider, r.Model)) return;
            var known = Reasoning(catalogProvider, r.Model);
            var effort = EffortSent(r.ReasoningEffort, extra, r.Endpoint == RequestEndpoint.Responses);
            if (effort != null && known?.Efforts is { } efforts && !Contains(efforts, effort))
                throw RowError(r, Messages.EffortNotTaken(r.Model, effort, efforts), "reasoning_effort");
            bool samplingTaken = known?.SamplingAtEffortNone == true && effort == "none";
            var parameter = NonDefaultSampling(r.Temperature, extra, out bool fromTemperature);
            if (parameter != null && !samplingTaken)
                throw RowError(r, SamplingRefused(known, r.Model, parameter, fromTemperature) + ".", parameter);
            var refused = RefusedByReasoning(extra, r.Endpoint == RequestEndpoint.Responses, samplingTaken);
            if (refused != null) throw RowError(r, Messages.ReasoningBodyParameter(r.Model, refused) + ".", refused);
        }

        /// <summary>
        /// A -Body parameter reasoning models refuse (spec §11.4: max_tokens "is not compatible with o-series models"; Azure's
        /// list "Not Supported: ... presence_penalty, frequency_penalty, logprobs, top_logprobs, logit_bias, max_tokens"), or
        /// null. Chat only, but top_logprobs; logprobs and top_logprobs are taken where temperature is (gpt-5.1+ at effort none).
        /// A value that asks for nothing (null, 0 penalties, logprobs false, an empty logit_bias) is sent as given.
        /// </summary>
        private static string? RefusedByReasoning(BodyFields extra, bool responses, bool samplingTaken)
        {
            if (!samplingTaken && extra.Get("top_logprobs") is { } tl && tl.ValueKind != JsonValueKind.Null) return "top_logprobs";
            if (responses) return null;
            if (extra.Get("max_tokens") is { } mt && mt.ValueKind != JsonValueKind.Null) return "max_tokens";
            foreach (var penalty in new[] { "presence_penalty", "frequency_penalty" })
                if (extra.Get(penalty) is { } p && p.ValueKind != JsonValueKind.Null && !(p.ValueKind == JsonValueKind.Number && p.GetDouble() == 0))
                    return penalty;
            if (extra.Get("logit_bias") is { } lb && lb.ValueKind != JsonValueKind.Null && !(lb.ValueKind == JsonValueKind.Object && IsEmpty(lb)))
                return "logit_bias";
            if (!samplingTaken && extra.Get("logprobs") is { } lp && lp.ValueKind == JsonValueKind.True) return "logprobs";
            return null;
        }

        private static bool IsEmpty(JsonElement o)
        {
            foreach (var _ in o.EnumerateObject()) return false;
            return true;
        }

        /// <summary>
        /// Why a reasoning model refuses the line's temperature or top_p: at any value but 1, or (gpt-5.1, gpt-5.2: models.json
        /// "sampling": "effort-none") at any reasoning effort but none.
        /// </summary>
        public static string SamplingRefused(ModelInfo? known, string model, string parameter, bool fromTemperature) =>
            known?.SamplingAtEffortNone == true
                ? Messages.ReasoningSamplingAtEffortNone(model, parameter, fromTemperature)
                : Messages.ReasoningSampling(model, parameter, fromTemperature);

        /// <summary>
        /// What models.json says of a reasoning model under <paramref name="catalogProvider"/> (or of the name it is a dated
        /// snapshot of); for the Mock, which answers any model, what OpenAI's list says.
        /// </summary>
        public static ModelInfo? Reasoning(string catalogProvider, string model) =>
            ModelNames.Find(catalogProvider, model)
            ?? (string.Equals(catalogProvider, "Mock", StringComparison.OrdinalIgnoreCase) ? ModelNames.Find("OpenAI", model) : null);

        /// <summary>
        /// The reasoning effort a line sends: -Body's when it has one (chat's reasoning_effort, Responses' reasoning.effort;
        /// it wins, as the writers write it), else -ReasoningEffort's; null when it sends none.
        /// </summary>
        public static string? EffortSent(string? reasoningEffort, BodyFields extra, bool responses)
        {
            var body = responses ? extra.Get("reasoning") : extra.Get("reasoning_effort");
            if (responses && body is { ValueKind: JsonValueKind.Object } reasoning)
                body = reasoning.TryGetProperty("effort", out var e) ? e : (JsonElement?)null;
            else if (responses && body != null) return null;
            if (body == null) return reasoningEffort;
            return body.Value.ValueKind == JsonValueKind.String ? body.Value.GetString() : null;
        }

        private static bool Contains(IReadOnlyList<string> values, string value)
        {
            foreach (var v in values) if (string.Equals(v, value, StringComparison.Ordinal)) return true;
            return false;
        }

        /// <summary>
        /// The sampling parameter a line sends at a value a reasoning model refuses, or null. Spec §11.4: such models take
        /// only the default, 1 ("Only the default (1) value is supported"), so 1 (or null) is sent as given. The temperature
        /// is -Body's when it has one (it wins over -Temperature, as the writers do: <paramref name="fromTemperature"/> is
        /// then false), else -Temperature's; top_p comes from -Body only.
        /// </summary>
        public static string? NonDefaultSampling(double? temperature, BodyFields extra, out bool fromTemperature)
        {
            if (NonDefaultTemperature(temperature, extra, out fromTemperature)) return "temperature";
            var topP = extra.Get("top_p");
            return topP != null && !IsDefaultSampling(topP.Value) ? "top_p" : null;
        }

        /// <summary>
        /// Whether the line's temperature is other than the default, 1: -Body's when it has one (it wins, as the writers
        /// write it), else -Temperature's (<paramref name="fromTemperature"/> is then true).
        /// </summary>
        public static bool NonDefaultTemperature(double? temperature, BodyFields extra, out bool fromTemperature)
        {
            var fromBody = extra.Get("temperature");
            fromTemperature = fromBody == null && temperature.HasValue && temperature.Value != 1;
            return fromBody != null ? !IsDefaultSampling(fromBody.Value) : fromTemperature;
        }

        private static bool IsDefaultSampling(JsonElement value) =>
            value.ValueKind == JsonValueKind.Null || value.ValueKind == JsonValueKind.Number && value.GetDouble() == 1;

        /// <summary>
        /// Refuses -ReasoningEffort on a model models.json knows (by name or as a dated snapshot) as a plain chat model
        /// (no "reasoning" or "thinking" family: gpt-4o-mini, gemini-2.0-flash), which the service refuses a day later.
        /// A model not listed is sent as written.
        /// </summary>
        public static void CheckEffortTaken(IrisBatchRequest r, string catalogProvider, string provider)
        {
            if (r.ReasoningEffort == null) return;
            var known = ModelNames.Find(catalogProvider, r.Model);
            if (known == null || known.Family != null) return;
            throw RowError(r, Messages.NoReasoningModel(r.Model, provider), "reasoning_effort");
        }

        /// <summary>
        /// Where a provider takes reasoning_effort on some models only, named with their efforts in models.json (Groq: the
        /// gpt-oss and qwen3 models, per its SDK's docstring): an effort (-ReasoningEffort, or a -Body reasoning_effort) on a
        /// listed model without "efforts", or one the model does not list, is refused for the row before upload; a model
        /// not listed is sent as written.
        /// </summary>
        public static void CheckEffortListed(IrisBatchRequest r, string catalogProvider, BodyFields extra)
        {
            var effort = EffortSent(r.ReasoningEffort, extra, false);
            if (effort == null) return;
            var known = ModelNames.Find(catalogProvider, r.Model);
            if (known == null) return;
            if (known.Efforts == null) throw RowError(r, Messages.NoReasoningModel(r.Model, catalogProvider), "reasoning_effort");
            if (!Contains(known.Efforts, effort)) throw RowError(r, Messages.EffortNotTaken(r.Model, effort, known.Efforts), "reasoning_effort");
        }

        /// <summary>
        /// Whether a Gemini model takes a thinkingBudget (the 2.5 family, spec §11.4: "Gemini 3 uses levels, 2.5 uses
        /// budgets") rather than a thinkingLevel: models.json's "thinking": "budget", or any gemini-2.5 name
        /// (gemini-2.5-flash-preview-09-2025 included).
        /// </summary>
        public static bool GeminiTakesBudget(string model)
        {
            var name = model.StartsWith("models/", StringComparison.OrdinalIgnoreCase) ? model.Substring("models/".Length) : model;
            return name.StartsWith("gemini-2.5", StringComparison.OrdinalIgnoreCase) || ModelNames.Find("Gemini", name)?.Thinking == "budget";
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

        /// <summary>
        /// Refuses a request with more images than the provider takes in one request, or (<paramref name="maxTotalBytes"/>)
        /// more image bytes in all (spec §11.2: OpenAI 500 images and 50 MB of them; Anthropic 100). Sent, such a row would
        /// come back Failed after the batch had run, or make the service refuse the whole file.
        /// </summary>
        public static void CheckImageCount(IrisBatchRequest r, string provider, int maxImages, long? maxTotalBytes = null)
        {
            if (r.Images.Count > maxImages)
                throw RowError(r, Messages.TooManyImages(r.Images.Count, maxImages, provider));
            if (maxTotalBytes == null) return;
            long total = 0;
            foreach (var image in r.Images) total += image.Bytes;
            if (total > maxTotalBytes)
                throw RowError(r, Messages.ImagesTooBigInAll(total, maxTotalBytes.Value / (1024 * 1024), provider));
        }

        /// <summary>
        /// Refuses an image file wider or taller than the provider takes: <paramref name="maxSide"/> pixels, or
        /// <paramref name="maxSideWhenMany"/> when the request has more than <paramref name="many"/> images (spec §11.2,
        /// Anthropic: 8000, or 2000 above 20 images). Files whose header gives no size, and URLs, are not checked here.
        /// </summary>
        public static void CheckImagePixels(IrisBatchRequest r, string provider, int maxSide, int many, int maxSideWhenMany)
        {
            bool isMany = r.Images.Count > many;
            int limit = isMany ? maxSideWhenMany : maxSide;
            foreach (var image in r.Images)
                if (!image.IsUrl && (image.Width > limit || image.Height > limit))
                    throw RowError(r, isMany
                        ? Messages.ImageTooManyPixelsForMany(image.Source, image.Width, image.Height, limit, many, provider)
                        : Messages.ImageTooManyPixels(image.Source, image.Width, image.Height, limit, provider), image.Source);
        }

        /// <summary>Refuses image files of a type the provider does not read (Gemini: no gif; spec §11.2).</summary>
        public static void CheckImageTypes(IrisBatchRequest r, string provider, params string[] types)
        {
            foreach (var image in r.Images)
                if (!image.IsUrl && Array.IndexOf(types, image.MediaType) < 0)
                    throw RowError(r, Messages.ImageTypeRefused(provider, image.MediaType, image.Source, types), image.Source);
        }

        /// <summary>Refuses animated GIF files (OpenAI and Azure read "non-animated GIF" only; spec §11.2).</summary>
        public static void CheckStillImages(IrisBatchRequest r, string provider)
        {
            foreach (var image in r.Images)
                if (image.Animated)
                    throw RowError(r, Messages.ImageAnimated(provider, image.Source), image.Source);
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
