using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using IrisBatch.Data;
using IrisBatch.Journal;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Providers.Gemini;
using IrisBatch.Providers.Ollama;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Providers.Xai;
using IrisBatch.Requests;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Issue 14, requests: reasoning models, -ReasoningEffort, -Schema, -Image and -Endpoint on each provider's line (spec §11).</summary>
    public class FeatureRequestTests
    {
        private const string Schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"],\"additionalProperties\":false}";
        private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAYAAAC56t6BAAAAEklEQVR4nGP4z8DwHwyBNAMDAN/vA/0HgbIhAAAAAElFTkSuQmCC");

        private static IrisBatchRequest Request(string model = "gpt-4o-mini") => new IrisBatchRequest
        {
            CustomId = "r1",
            Model = model,
            RowNumber = 7,
            Messages = new[] { new ChatMessage("system", "Be brief."), new ChatMessage("user", "Describe") },
        };

        private static ImageInput File(byte[] bytes, string ext = ".png")
        {
            var path = Path.Combine(Path.GetTempPath(), "ib14-" + Guid.NewGuid().ToString("N") + ext);
            System.IO.File.WriteAllBytes(path, bytes);
            return ImageInput.From(path, null);
        }

        /// <summary>The OpenAI line of <paramref name="r"/> is refused as IrisBatch.InvalidRequest naming row 7 and the model.</summary>
        private static IrisBatchException RowRefused(IrisBatchRequest r, string model, string provider = "OpenAI")
        {
            var ex = Assert.Throws<IrisBatchException>(() => Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions", provider)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 7", ex.Message);
            Assert.Contains(model, ex.Message);
            return ex;
        }

        private static JsonElement Line(Action<Utf8JsonWriter> write)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) write(w);
            return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
        }

        [Fact]
        public void Models_json_flags_reasoning_models_as_data()
        {
            Assert.True(ModelCatalog.IsReasoning("OpenAI", "gpt-5-mini"));
            Assert.True(ModelCatalog.IsReasoning("OpenAI", "O4-MINI"));
            Assert.False(ModelCatalog.IsReasoning("OpenAI", "gpt-4o-mini"));
            Assert.False(ModelCatalog.IsReasoning("OpenAI", "my-fine-tune"));
            Assert.Equal("budget", ModelCatalog.Find("Gemini", "gemini-2.5-flash")!.Thinking);
            Assert.Contains("gpt-5", ModelCatalog.For("OpenAI"));
            var parsed = ModelCatalog.Parse("{\"providers\":{\"X\":[\"plain\",{\"name\":\"r\",\"family\":\"reasoning\"}]}}", out _);
            Assert.Equal(new[] { "plain", "r" }, parsed["X"].Select(m => m.Name));
            Assert.True(parsed["X"][1].IsReasoning);
        }

        [Fact]
        public void OpenAI_chat_writes_max_completion_tokens_effort_schema_and_images()
        {
            var r = Request("gpt-5-mini");
            r.MaxTokens = 300;
            r.ReasoningEffort = "low";
            r.Schema = Schema;
            r.SchemaName = "Product";
            r.Images = new[] { new ImageInput("https://x/a.jpg", "https://x/a.jpg", null, null), File(Png) };
            var body = Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions")).GetProperty("body");
            Assert.Equal(300, body.GetProperty("max_completion_tokens").GetInt32());
            Assert.False(body.TryGetProperty("max_tokens", out _));
            Assert.Equal("low", body.GetProperty("reasoning_effort").GetString());
            var format = body.GetProperty("response_format");
            Assert.Equal("json_schema", format.GetProperty("type").GetString());
            Assert.Equal("Product", format.GetProperty("json_schema").GetProperty("name").GetString());
            Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
            Assert.Equal("object", format.GetProperty("json_schema").GetProperty("schema").GetProperty("type").GetString());
            var content = body.GetProperty("messages")[1].GetProperty("content");
            Assert.Equal("text", content[0].GetProperty("type").GetString());
            Assert.Equal("https://x/a.jpg", content[1].GetProperty("image_url").GetProperty("url").GetString());
            Assert.StartsWith("data:image/png;base64,iVBOR", content[2].GetProperty("image_url").GetProperty("url").GetString());
            Assert.Equal("Be brief.", body.GetProperty("messages")[0].GetProperty("content").GetString());
        }

        [Theory]
        [InlineData("gpt-5", true, false)]
        [InlineData("o4-mini", true, false)]
        [InlineData("o4-mini", false, true)]
        [InlineData("gpt-4o", true, false)]
        public void Temperature_or_top_p_on_a_reasoning_model_is_refused_naming_row_model_and_parameter(string model, bool temperature, bool topP)
        {
            var r = Request(model);
            if (temperature) r.Temperature = 0.2;
            if (topP) r.BodyJson = "{\"top_p\":0.5}";
            if (!ModelCatalog.IsReasoning("OpenAI", model))
            {
                Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions"));
                return;
            }
            var ex = RowRefused(r, model);
            Assert.Contains(topP ? "top_p" : "temperature", ex.Message);
        }

        [Theory]
        [InlineData("gpt-5", "{\"temperature\":0.2}", null, "temperature")]
        [InlineData("gpt-5", null, 0.2, "temperature")]
        [InlineData("gpt-5", "{\"temperature\":\"1\"}", null, "temperature")]   // not a number: the service refuses it too
        [InlineData("gpt-5", "{\"top_p\":0.9}", null, "top_p")]
        [InlineData("gpt-5", "{\"temperature\":0.5}", 1.0, "temperature")]         // -Body's value is the one sent
        [InlineData("o4-mini-2025-04-16", null, 0.2, "temperature")]                  // a dated snapshot of a reasoning model
        [InlineData("gpt-5-mini-2025-08-07", "{\"top_p\":0.5}", null, "top_p")]
        [InlineData("gpt-5", null, 1.0, null)]                                          // the default, 1: sent as given
        [InlineData("gpt-5", "{\"temperature\":1,\"top_p\":1}", null, null)]
        [InlineData("gpt-5", "{\"temperature\":1.0}", 0.2, null)]                   // -Body's 1 wins over -Temperature 0.2
        [InlineData("o4-mini-2025-04-16", "{\"temperature\":null}", 1.0, null)]
        [InlineData("gpt-4o-2024-08-06", null, 0.2, null)]                            // a snapshot of a plain model
        public void Reasoning_models_take_temperature_and_top_p_at_1_only_dated_snapshots_included(string model, string? body, double? temperature, string? refused)
        {
            var r = Request(model);
            r.BodyJson = body;
            r.Temperature = temperature;
            if (refused == null)
            {
                var line = Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions"));
                if (body == null) Assert.Equal(temperature!.Value, line.GetProperty("body").GetProperty("temperature").GetDouble());
                return;
            }
            var ex = RowRefused(r, model);
            Assert.Contains("'" + refused + "'", ex.Message);
            Assert.Contains(body != null && body.Contains(refused) ? "-Body" : "-Temperature", ex.Message);
        }

        [Theory]
        [InlineData("gpt-5.1", null, 0.2, null, false, "temperature")]                                   // default effort: not none
        [InlineData("gpt-5.1", "{\"reasoning_effort\":\"none\"}", 0.2, null, false, null)]
        [InlineData("gpt-5.2", "{\"reasoning_effort\":\"none\",\"top_p\":0.5}", null, null, false, null)]
        [InlineData("gpt-5.2-2025-12-11", "{\"reasoning_effort\":\"none\"}", 0.3, null, false, null)]   // a dated snapshot
        [InlineData("gpt-5.2", "{\"reasoning_effort\":\"low\"}", 0.2, null, false, "temperature")]
        [InlineData("gpt-5.1", null, 0.2, "low", false, "temperature")]
        [InlineData("gpt-5.1", "{\"top_p\":0.5}", null, "high", false, "top_p")]
        [InlineData("gpt-5.1", "{\"reasoning\":{\"effort\":\"none\"}}", 0.2, null, true, null)]       // Responses
        [InlineData("gpt-5.1", "{\"reasoning_effort\":\"none\"}", 0.2, null, true, "temperature")]      // a chat field on a Responses line
        public void Gpt51_and_gpt52_take_temperature_and_top_p_at_reasoning_effort_none_only(string model, string? body, double? temperature, string? effort, bool responses, string? refused)
        {
            // spec §11.4: "only supported when using GPT-5.2 with reasoning effort set to none ... Requests to GPT-5.2 or
            // GPT-5.1 with any other reasoning effort setting ... will raise an error".
            var r = Request(model);
            r.BodyJson = body;
            r.Temperature = temperature;
            r.ReasoningEffort = effort;
            if (responses) r.Endpoint = RequestEndpoint.Responses;
            if (refused == null)
            {
                var sent = Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions")).GetProperty("body");
                if (temperature.HasValue) Assert.Equal(temperature.Value, sent.GetProperty("temperature").GetDouble());
                return;
            }
            foreach (var provider in new[] { "OpenAI", "AzureOpenAI" })
            {
                var ex = RowRefused(r, model, provider);
                Assert.Contains("'" + refused + "'", ex.Message);
                Assert.Contains("reasoning effort none", ex.Message);
            }
        }

        [Theory]
        [InlineData("o4-mini", "minimal", null, "minimal")]          // the o-series take low, medium, high
        [InlineData("o3-2025-04-16", "minimal", null, "minimal")]
        [InlineData("gpt-5.1", "minimal", null, "minimal")]          // gpt-5.1 takes none, low, medium, high, xhigh
        [InlineData("gpt-5", null, "{\"reasoning_effort\":\"none\"}", "none")]
        [InlineData("gpt-5.2", "low", "{\"reasoning_effort\":\"max\"}", "max")]  // -Body's effort is the one sent
        [InlineData("gpt-5", "minimal", null, null)]
        [InlineData("o4-mini", "high", null, null)]
        [InlineData("gpt-5.2", null, "{\"reasoning_effort\":\"xhigh\"}", null)]
        [InlineData("gpt-5.1", "minimal", "{\"reasoning_effort\":\"none\"}", null)]
        public void A_reasoning_effort_the_model_does_not_take_is_refused_before_upload(string model, string? effort, string? body, string? refused)
        {
            // spec §11.4: "Not all reasoning models support every value"; the service refuses the line (unsupported_value).
            var r = Request(model);
            r.ReasoningEffort = effort;
            r.BodyJson = body;
            if (refused == null)
            {
                Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions"));
                return;
            }
            var ex = RowRefused(r, model);
            Assert.Contains("'" + refused + "'", ex.Message);
        }

        [Theory]
        [InlineData(null, 1.0, false)]
        [InlineData("{\"temperature\":1}", null, false)]
        [InlineData(null, 0.5, true)]
        [InlineData("{\"temperature\":0.7}", null, true)]
        [InlineData("{\"temperature\":0.7}", 1.0, true)]
        public void Anthropic_thinking_takes_temperature_at_its_default_1_only(string? body, double? temperature, bool refused)
        {
            // spec §11.4: thinking "isn't compatible with temperature ... modifications".
            var r = Request("claude-sonnet-4-5");
            r.ReasoningEffort = "low";
            r.BodyJson = body;
            r.Temperature = temperature;
            if (!refused)
            {
                var p = Line(w => AnthropicRequestWriter.Write(w, r)).GetProperty("params");
                Assert.Equal(1.0, p.GetProperty("temperature").GetDouble());
                Assert.Equal("enabled", p.GetProperty("thinking").GetProperty("type").GetString());
                return;
            }
            var ex = Assert.Throws<IrisBatchException>(() => Line(w => AnthropicRequestWriter.Write(w, r)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 7", ex.Message);
            Assert.Contains("'temperature'", ex.Message);
        }

        [Theory]
        [InlineData("{\"top_p\":0.95}", null)]
        [InlineData("{\"top_p\":1}", null)]
        [InlineData("{\"top_k\":null}", null)]
        [InlineData("{\"top_k\":40}", "top_k")]
        [InlineData("{\"top_p\":0.9}", "top_p")]
        [InlineData("{\"top_p\":\"0.99\"}", "top_p")]
        public void Anthropic_thinking_takes_no_top_k_and_top_p_only_from_095_to_1(string body, string? refused)
        {
            // spec §11.4: thinking "isn't compatible with ... top_k modifications"; "top_p allowed only 0.95-1".
            var r = Request("claude-sonnet-4-5");
            r.ReasoningEffort = "low";
            r.BodyJson = body;
            if (refused == null)
            {
                var p = Line(w => AnthropicRequestWriter.Write(w, r)).GetProperty("params");
                Assert.Equal("enabled", p.GetProperty("thinking").GetProperty("type").GetString());
                return;
            }
            var ex = Assert.Throws<IrisBatchException>(() => Line(w => AnthropicRequestWriter.Write(w, r)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 7", ex.Message);
            Assert.Contains("'" + refused + "'", ex.Message);
            // Without thinking, Anthropic takes both as given.
            r.ReasoningEffort = null;
            Assert.Equal(JsonValueKind.Object, Line(w => AnthropicRequestWriter.Write(w, r)).GetProperty("params").ValueKind);
        }

        [Theory]
        [InlineData("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048},\"top_k\":5}", null, "top_k")]
        [InlineData("{\"thinking\":{\"type\":\"adaptive\"},\"top_p\":0.5}", null, "top_p")]
        [InlineData("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}}", 0.5, "temperature")]
        [InlineData("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048},\"top_p\":0.97}", 1.0, null)]
        [InlineData("{\"thinking\":{\"type\":\"disabled\"},\"top_k\":5}", 0.5, null)]
        public void Anthropic_thinking_turned_on_by_Body_refuses_the_same_sampling_as_ReasoningEffort(string body, double? temperature, string? refused)
        {
            // spec §11.4: thinking "isn't compatible with temperature or top_k modifications"; top_p only 0.95-1.
            var r = Request("claude-sonnet-4-5");
            r.BodyJson = body;
            r.Temperature = temperature;
            if (refused == null)
            {
                Assert.Equal(JsonValueKind.Object, Line(w => AnthropicRequestWriter.Write(w, r)).GetProperty("params").ValueKind);
                return;
            }
            var ex = Assert.Throws<IrisBatchException>(() => Line(w => AnthropicRequestWriter.Write(w, r)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 7", ex.Message);
            Assert.Contains("'" + refused + "'", ex.Message);
            Assert.Contains("the thinking of -Body", ex.Message);
        }

        [Theory]
        [InlineData("OpenAI", "gpt-4o-mini", true)]
        [InlineData("OpenAI", "gpt-4o-mini-2024-07-18", true)]
        [InlineData("AzureOpenAI", "gpt-4.1", true)]
        [InlineData("OpenAI", "gpt-5-mini", false)]
        [InlineData("OpenAI", "o4-mini-2025-04-16", false)]
        [InlineData("OpenAI", "my-fine-tune", false)]     // not listed: sent as written
        [InlineData("Groq", "openai/gpt-oss-120b", false)] // Groq's list has no families: sent as written
        [InlineData("Mock", "gpt-4o-mini", false)]         // the Mock answers any model
        public void ReasoningEffort_on_a_known_plain_OpenAI_model_is_refused_before_upload(string provider, string model, bool refused)
        {
            var r = Request(model);
            r.ReasoningEffort = "low";
            if (!refused)
            {
                var body = Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions", provider)).GetProperty("body");
                Assert.Equal("low", body.GetProperty("reasoning_effort").GetString());
                return;
            }
            foreach (var endpoint in new[] { RequestEndpoint.ChatCompletions, RequestEndpoint.Responses })
            {
                r.Endpoint = endpoint;
                var ex = RowRefused(r, model, provider);
                Assert.Contains("-ReasoningEffort", ex.Message);
            }
        }

        [Theory]
        [InlineData("gemini-2.0-flash", null)]
        [InlineData("gemini-2.5-flash", "budget")]
        [InlineData("gemini-2.5-flash-preview-09-2025", "budget")]   // a 2.5 model models.json does not list
        [InlineData("models/gemini-2.5-pro", "budget")]
        [InlineData("gemini-3-pro-preview", "level")]
        [InlineData("gemini-experimental", "level")]                  // not listed: sent as written
        public void Gemini_effort_is_a_budget_on_2_5_a_level_on_newer_models_and_refused_on_plain_ones(string model, string? form)
        {
            var r = Request(model);
            r.ReasoningEffort = "low";
            if (form == null)
            {
                var ex = Assert.Throws<IrisBatchException>(() => Line(w => GeminiRequestWriter.Write(w, r)));
                Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
                Assert.Contains("Row 7", ex.Message);
                Assert.Contains(model, ex.Message);
                Assert.Contains("-ReasoningEffort", ex.Message);
                return;
            }
            var thinking = Line(w => GeminiRequestWriter.Write(w, r)).GetProperty("request").GetProperty("generationConfig").GetProperty("thinkingConfig");
            Assert.Equal(form == "budget", thinking.TryGetProperty("thinkingBudget", out _));
            Assert.Equal(form == "level", thinking.TryGetProperty("thinkingLevel", out _));
        }

        [Fact]
        public void Xai_refuses_gif_and_webp_files_naming_row_and_file_and_takes_png_and_jpeg()
        {
            var r = Request("grok-4");
            r.Images = new[] { File(Png), File(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10 }, ".jpg") };
            var content = Line(w => XaiRequestWriter.Write(w, r)).GetProperty("batch_request").GetProperty("chat_get_completion").GetProperty("messages")[1].GetProperty("content");
            Assert.StartsWith("data:image/png;base64,", content[1].GetProperty("image_url").GetProperty("url").GetString());   // after the text part
            Assert.StartsWith("data:image/jpeg;base64,", content[2].GetProperty("image_url").GetProperty("url").GetString());

            foreach (var (bytes, ext, type) in new[] { (Encoding.ASCII.GetBytes("GIF89a\u0001\0\u0001\0\0\0\0;"), ".gif", "image/gif"), (Encoding.ASCII.GetBytes("RIFF\0\0\0\0WEBPVP8 "), ".webp", "image/webp") })
            {
                var bad = File(bytes, ext);
                r.Images = new[] { File(Png), bad };
                var ex = Assert.Throws<IrisBatchException>(() => Line(w => XaiRequestWriter.Write(w, r)));
                Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
                Assert.Contains("Row 7", ex.Message);
                Assert.Contains(type, ex.Message);
                Assert.Contains(bad.Source, ex.Message);
            }
            // URLs are the service's to fetch and type, as before.
            r.Images = new[] { new ImageInput("https://x/a.gif", "https://x/a.gif", null, null) };
            Line(w => XaiRequestWriter.Write(w, r));
        }

        [Theory]
        [InlineData("OpenAI", false)]
        [InlineData("OpenAI", true)]
        [InlineData("AzureOpenAI", false)]
        public void OpenAI_and_Azure_refuse_an_animated_gif_file_naming_row_and_file_and_take_a_still_one(string provider, bool responses)
        {
            // Spec §11.2: OpenAI reads "non-animated GIF" (Azure the same); an animated one failed at the service after upload.
            byte[] frame = { 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00 };
            byte[] header = Encoding.ASCII.GetBytes("GIF89a\u0001\0\u0001\0\0\0\0");
            var still = File(header.Concat(frame).Concat(new byte[] { 0x3B }).ToArray(), ".gif");
            var animated = File(header.Concat(new byte[] { 0x21, 0xF9, 0x04, 0, 0x0A, 0, 0, 0 }).Concat(frame).Concat(frame).Concat(new byte[] { 0x3B }).ToArray(), ".gif");
            var r = Request();
            if (responses) r.Endpoint = RequestEndpoint.Responses;
            string endpoint = responses ? OpenAIRequestWriter.ResponsesEndpoint : "/v1/chat/completions";
            r.Images = new[] { File(Png), still };
            Line(w => OpenAIRequestWriter.Write(w, r, endpoint, provider));

            r.Images = new[] { File(Png), animated };
            var ex = Assert.Throws<IrisBatchException>(() => Line(w => OpenAIRequestWriter.Write(w, r, endpoint, provider)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 7", ex.Message);
            Assert.Contains(animated.Source, ex.Message);
            Assert.Contains("animated", ex.Message);
        }

        [Fact]
        public void Responses_line_has_input_instructions_max_output_tokens_reasoning_and_text_format()
        {
            var r = Request("gpt-5-mini");
            r.Endpoint = RequestEndpoint.Responses;
            r.MaxTokens = 400;
            r.ReasoningEffort = "minimal";
            r.Schema = Schema;
            r.SchemaName = "Event";
            r.Images = new[] { File(Png) };
            var line = Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions"));
            Assert.Equal("/v1/responses", line.GetProperty("url").GetString());
            var body = line.GetProperty("body");
            Assert.Equal("Be brief.", body.GetProperty("instructions").GetString());
            var input = body.GetProperty("input");
            Assert.Equal(1, input.GetArrayLength());
            Assert.Equal("user", input[0].GetProperty("role").GetString());
            Assert.Equal("input_text", input[0].GetProperty("content")[0].GetProperty("type").GetString());
            Assert.Equal("input_image", input[0].GetProperty("content")[1].GetProperty("type").GetString());
            Assert.StartsWith("data:image/png;base64,", input[0].GetProperty("content")[1].GetProperty("image_url").GetString());
            Assert.Equal(400, body.GetProperty("max_output_tokens").GetInt32());
            Assert.Equal("minimal", body.GetProperty("reasoning").GetProperty("effort").GetString());
            var format = body.GetProperty("text").GetProperty("format");
            Assert.Equal("json_schema", format.GetProperty("type").GetString());
            Assert.Equal("Event", format.GetProperty("name").GetString());
            Assert.Equal("object", format.GetProperty("schema").GetProperty("type").GetString());
            Assert.False(body.TryGetProperty("messages", out _));
            Assert.False(body.TryGetProperty("max_completion_tokens", out _));
        }

        [Fact]
        public void Responses_is_refused_once_by_providers_without_it()
        {
            var r = Request();
            r.Endpoint = RequestEndpoint.Responses;
            foreach (Action<Utf8JsonWriter> write in new Action<Utf8JsonWriter>[]
                     {
                         w => AnthropicRequestWriter.Write(w, r), w => GeminiRequestWriter.Write(w, r),
                         w => XaiRequestWriter.Write(w, r), w => OllamaWire.WriteLine(w, r, false),
                     })
            {
                var ex = Assert.Throws<IrisBatchException>(() => Line(write));
                Assert.Equal(ErrorIds.UnsupportedEndpoint, ex.ErrorId);
            }
        }

        [Fact]
        public void Anthropic_writes_output_config_thinking_and_image_blocks()
        {
            var r = Request("claude-sonnet-4-5");
            r.Schema = Schema;
            r.ReasoningEffort = "low";
            r.Images = new[] { File(Png), new ImageInput("https://x/b.png", "https://x/b.png", null, null) };
            var p = Line(w => AnthropicRequestWriter.Write(w, r)).GetProperty("params");
            Assert.False(p.TryGetProperty("output_format", out _), "the legacy beta field: refused without the beta header (spec §11.1)");
            Assert.Equal("json_schema", p.GetProperty("output_config").GetProperty("format").GetProperty("type").GetString());
            Assert.Equal("object", p.GetProperty("output_config").GetProperty("format").GetProperty("schema").GetProperty("type").GetString());
            Assert.Equal("enabled", p.GetProperty("thinking").GetProperty("type").GetString());
            int budget = p.GetProperty("thinking").GetProperty("budget_tokens").GetInt32();
            Assert.True(budget >= 1024 && budget < p.GetProperty("max_tokens").GetInt32());
            var content = p.GetProperty("messages")[0].GetProperty("content");
            Assert.Equal("base64", content[0].GetProperty("source").GetProperty("type").GetString());
            Assert.Equal("image/png", content[0].GetProperty("source").GetProperty("media_type").GetString());
            Assert.False(content[0].GetProperty("source").GetProperty("data").GetString()!.StartsWith("data:"));
            Assert.Equal("url", content[1].GetProperty("source").GetProperty("type").GetString());
            Assert.Equal("text", content[2].GetProperty("type").GetString());

            r.Temperature = 0.5;
            var ex = Assert.Throws<IrisBatchException>(() => Line(w => AnthropicRequestWriter.Write(w, r)));
            Assert.Contains("temperature", ex.Message);
        }

        [Fact]
        public void Gemini_writes_json_mode_thinking_and_inline_data_and_refuses_urls()
        {
            var r = Request("gemini-2.5-flash");
            r.Schema = Schema;
            r.MaxTokens = 100;
            r.ReasoningEffort = "high";
            r.Images = new[] { File(Png) };
            var req = Line(w => GeminiRequestWriter.Write(w, r)).GetProperty("request");
            var config = req.GetProperty("generationConfig");
            Assert.Equal(100, config.GetProperty("maxOutputTokens").GetInt32());
            Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
            Assert.Equal("object", config.GetProperty("responseJsonSchema").GetProperty("type").GetString());
            Assert.True(config.GetProperty("thinkingConfig").GetProperty("thinkingBudget").GetInt32() > 0);
            var parts = req.GetProperty("contents")[0].GetProperty("parts");
            Assert.Equal("image/png", parts[0].GetProperty("inlineData").GetProperty("mimeType").GetString());
            Assert.Equal("Describe", parts[1].GetProperty("text").GetString());

            var gif = r.Images;
            r.Images = new[] { File(Encoding.ASCII.GetBytes("GIF89a\u0001\0\u0001\0\0\0\0;"), ".gif") };
            var gifError = Assert.Throws<IrisBatchException>(() => Line(w => GeminiRequestWriter.Write(w, r)));
            Assert.Contains("image/gif", gifError.Message);
            r.Images = gif;

            r.Model = "gemini-3-pro";
            config = Line(w => GeminiRequestWriter.Write(w, r)).GetProperty("request").GetProperty("generationConfig");
            Assert.Equal("HIGH", config.GetProperty("thinkingConfig").GetProperty("thinkingLevel").GetString());

            r.Images = new[] { new ImageInput("https://x/b.png", "https://x/b.png", null, null) };
            var ex = Assert.Throws<IrisBatchException>(() => Line(w => GeminiRequestWriter.Write(w, r)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("https://x/b.png", ex.Message);
        }

        [Fact]
        public void Xai_and_Ollama_write_their_forms()
        {
            var r = Request("grok-3-mini");
            r.Schema = Schema;
            r.ReasoningEffort = "medium";
            var chat = Line(w => XaiRequestWriter.Write(w, r)).GetProperty("batch_request").GetProperty("chat_get_completion");
            Assert.Equal("json_schema", chat.GetProperty("response_format").GetProperty("type").GetString());
            Assert.Equal("high", chat.GetProperty("reasoning_effort").GetString());

            r.Images = new[] { File(Png) };
            var body = Line(w => OllamaWire.WriteLine(w, r, false)).GetProperty("body");
            Assert.Equal("object", body.GetProperty("format").GetProperty("type").GetString());
            Assert.Equal("medium", body.GetProperty("think").GetString());
            Assert.Equal(Convert.ToBase64String(Png), body.GetProperty("messages")[1].GetProperty("images")[0].GetString());
        }

        [Fact]
        public void Image_files_are_typed_from_their_bytes_and_bad_ones_refused_naming_the_file()
        {
            var png = File(Png);
            Assert.Equal("image/png", png.MediaType);
            Assert.Equal((2, 3), (png.Width, png.Height));
            Assert.Equal("image/jpeg", ImageInput.MediaTypeOf(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }));
            Assert.Equal("image/gif", ImageInput.MediaTypeOf(Encoding.ASCII.GetBytes("GIF89a......")));
            Assert.Equal("image/webp", ImageInput.MediaTypeOf(Encoding.ASCII.GetBytes("RIFF\0\0\0\0WEBPVP8 ")));
            // A .png that is text inside
            var ex = Assert.Throws<FormatException>(() => File(Encoding.ASCII.GetBytes("not an image at all")));
            Assert.Contains("ib14-", ex.Message);
            var missing = Path.Combine(Path.GetTempPath(), "no-such-image-14.png");
            Assert.Contains(missing, Assert.Throws<FormatException>(() => ImageInput.From(missing, null)).Message);
            Assert.Throws<FormatException>(() => ImageInput.From("http://insecure/x.png", null));
            Assert.Equal(765, new ImageInput("u", "u", null, null).EstimateTokens("gpt-4o"));
            Assert.Equal(85 + 170, png.EstimateTokens("gpt-4o"));
            Assert.Equal(258, png.EstimateTokens("gemini-2.5-flash"));
        }

        /// <summary>An image of the given size and bytes, as ImageInput.From makes it from a file (no file needed).</summary>
        private static ImageInput Sized(int width, int height, long bytes = 100) =>
            new ImageInput("photo.png", null, "image/png", "AAAA", bytes, width, height);

        private static ImageInput[] Images(int count, int width = 10, int height = 10, long bytes = 100)
        {
            var images = new ImageInput[count];
            for (int i = 0; i < count; i++) images[i] = Sized(width, height, bytes);
            return images;
        }

        [Fact]
        public void Anthropic_refuses_the_row_with_more_than_100_images_or_an_image_too_large_for_its_count()
        {
            // Spec §11.2: 100 images a request; 8000 pixels a side, 2000 when the request has more than 20 images. Sent, the
            // row came back errored after the batch had run; refused here, it is an error naming its row and the rest go on.
            IrisBatchException Refused(IrisBatchRequest r)
            {
                var ex = Assert.Throws<IrisBatchException>(() => Line(w => AnthropicRequestWriter.Write(w, r)));
                Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
                Assert.Contains("Row 7", ex.Message);
                return ex;
            }
            var r = Request("claude-sonnet-4-5");
            r.Images = Images(100);
            Assert.Equal(100, Line(w => AnthropicRequestWriter.Write(w, r)).GetProperty("params").GetProperty("messages")[0].GetProperty("content").GetArrayLength() - 1);
            r.Images = Images(101);
            Assert.Contains("101 images, more than the 100 Anthropic takes", Refused(r).Message);
            r.Images = new[] { Sized(8001, 10) };
            Assert.Contains("8,001 x 10 pixels, larger than the 8,000 x 8,000 Anthropic takes", Refused(r).Message);
            r.Images = new[] { Sized(10, 8000) };
            Line(w => AnthropicRequestWriter.Write(w, r));
            r.Images = Images(20, 2001, 2001);
            Line(w => AnthropicRequestWriter.Write(w, r));
            r.Images = Images(21, 10, 2001);
            Assert.Contains("larger than the 2,000 x 2,000 Anthropic takes when a request has more than 20 images", Refused(r).Message);
            r.Images = Images(21, 2000, 2000);
            Line(w => AnthropicRequestWriter.Write(w, r));
        }

        [Fact]
        public void OpenAI_refuses_the_row_with_more_than_500_images_or_50_MB_of_them()
        {
            // Spec §11.2: 500 images a request, 50 MB of image bytes in all (each image up to 20 MB).
            string Refused(IrisBatchRequest r, string provider = "OpenAI")
            {
                var ex = Assert.Throws<IrisBatchException>(() => Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions", provider)));
                Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
                Assert.Contains("Row 7", ex.Message);
                return ex.Message;
            }
            var r = Request();
            r.Images = Images(500);
            Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions"));
            r.Images = Images(501);
            Assert.Contains("501 images, more than the 500 OpenAI takes", Refused(r));
            r.Images = Images(3, bytes: 17L * 1024 * 1024);
            Assert.Contains("more than the 50 MB of images OpenAI takes in one request", Refused(r));
            r.Images = Images(2, bytes: 20L * 1024 * 1024);
            Line(w => OpenAIRequestWriter.Write(w, r, "/v1/chat/completions"));
            // Groq speaks OpenAI's wire with its rules (§13).
            r.Images = Images(501);
            Assert.Contains("Groq", Refused(r, "Groq"));
        }

        [Fact]
        public void Token_estimates_count_each_image_by_the_providers_formula()
        {
            var r = Request("gpt-4o");
            var counter = IrisBatch.Estimates.TokenCounter.For(r.Model);
            long without = counter.Count(r);
            r.Images = new[] { File(Png), new ImageInput("https://x/a.png", "https://x/a.png", null, null) };
            Assert.Equal(without + 255 + 765, counter.Count(r));
        }

        [Theory]
        [InlineData("gpt-4o-mini")]
        [InlineData("gpt-4o-mini-2024-07-18")]
        public void Gpt4o_mini_counts_an_image_at_its_own_rates_2833_and_5667_per_tile(string model)
        {
            // OpenAI's vision guide: gpt-4o-mini bills an image as 2,833 tokens plus 5,667 per 512-px tile (about 33 times
            // gpt-4o's 85 + 170, at about a seventeenth of the price). Counted as gpt-4o, -WhatIf and -MaxCost were 33x low.
            var r = Request(model);
            var counter = IrisBatch.Estimates.TokenCounter.For(r.Model);
            long without = counter.Count(r);
            r.Images = new[] { File(Png), new ImageInput("https://x/a.png", "https://x/a.png", null, null) };
            Assert.Equal(without + (2833 + 5667) + (2833 + 4 * 5667), counter.Count(r));
        }

        public class Nested
        {
            public string Sku { get; set; } = "";
            public List<int> Sizes { get; set; } = new List<int>();
        }

        public class Product
        {
            public string Name { get; set; } = "";
            public double Price { get; set; }
            public bool InStock { get; set; }
            public string[] Tags { get; set; } = new string[0];
            public Nested Detail { get; set; } = new Nested();
            public Nested[] Variants { get; set; } = new Nested[0];
            public int? Rating { get; set; }
        }

        public class Loop
        {
            public Loop? Next { get; set; }
        }

        [Fact]
        public void A_type_becomes_a_strict_schema_with_nested_types_and_arrays()
        {
            var schema = JsonDocument.Parse(SchemaBuilder.FromType(typeof(Product))).RootElement;
            Assert.Equal("object", schema.GetProperty("type").GetString());
            Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
            Assert.Equal(7, schema.GetProperty("required").GetArrayLength());
            var props = schema.GetProperty("properties");
            Assert.Equal("number", props.GetProperty("Price").GetProperty("type").GetString());
            Assert.Equal("boolean", props.GetProperty("InStock").GetProperty("type").GetString());
            Assert.Equal("string", props.GetProperty("Tags").GetProperty("items").GetProperty("type").GetString());
            Assert.False(props.GetProperty("Detail").GetProperty("additionalProperties").GetBoolean());
            Assert.Equal("integer", props.GetProperty("Detail").GetProperty("properties").GetProperty("Sizes").GetProperty("items").GetProperty("type").GetString());
            Assert.Equal("object", props.GetProperty("Variants").GetProperty("items").GetProperty("type").GetString());
            Assert.Equal("null", props.GetProperty("Rating").GetProperty("type")[1].GetString());
            Assert.Equal(typeof(Product), SchemaTypes.Find(typeof(Product).FullName));
            Assert.Equal(ErrorIds.InvalidSchema, Assert.Throws<IrisBatchException>(() => SchemaBuilder.FromType(typeof(Loop))).ErrorId);
        }

        [Theory]
        [InlineData("{not json")]
        [InlineData("[1,2]")]
        [InlineData("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}")]
        [InlineData("{\"type\":\"object\"}")]
        public void A_schema_that_is_not_an_object_schema_is_InvalidSchema(string json)
        {
            var ex = Assert.Throws<IrisBatchException>(() => SchemaBuilder.FromJson(json, "-Schema", out _));
            Assert.Equal(ErrorIds.InvalidSchema, ex.ErrorId);
        }

        [Fact]
        public void A_json_schema_is_normalised_for_strict_mode_and_wrappers_are_unwrapped()
        {
            var json = SchemaBuilder.FromJson("{\"properties\":{\"a\":{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"string\"}}}}}", "-Schema", out var name);
            var root = JsonDocument.Parse(json).RootElement;
            Assert.Equal("object", root.GetProperty("type").GetString());
            Assert.False(root.GetProperty("additionalProperties").GetBoolean());
            Assert.Equal("a", root.GetProperty("required")[0].GetString());
            Assert.False(root.GetProperty("properties").GetProperty("a").GetProperty("additionalProperties").GetBoolean());
            Assert.Equal("response", name);
            SchemaBuilder.FromJson("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"My Event!\",\"schema\":" + Schema + "}}", "-Schema", out name);
            Assert.Equal("My_Event", name);
            Assert.Equal(new[] { "name" }, SchemaBuilder.TopLevelProperties(Schema));
        }

        [Fact]
        public void The_journal_keeps_endpoint_effort_schema_and_images_for_both_readers()
        {
            var r = Request("gpt-5");
            r.Endpoint = RequestEndpoint.Responses;
            r.ReasoningEffort = "high";
            r.Schema = Schema;
            r.SchemaName = "N";
            r.SchemaType = "Some.Type";
            r.Images = new[] { File(Png), new ImageInput("https://x/y.png", "https://x/y.png", null, null) };
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) RequestRecord.Write(w, r);
            var bytes = ms.ToArray();
            foreach (var back in new[] { RequestRecord.Read(Encoding.UTF8.GetString(bytes)), Results.RequestRecordReader.Read(bytes, 0, bytes.Length) })
            {
                Assert.Equal(RequestEndpoint.Responses, back.Endpoint);
                Assert.Equal("high", back.ReasoningEffort);
                Assert.Equal(Schema, back.Schema);
                Assert.Equal("N", back.SchemaName);
                Assert.Equal("Some.Type", back.SchemaType);
                Assert.Equal(2, back.Images.Count);
                Assert.Equal(r.Images[0].Data, back.Images[0].Data);
                Assert.Equal("image/png", back.Images[0].MediaType);
                Assert.Equal("https://x/y.png", back.Images[1].Url);
            }
        }
    }
}
