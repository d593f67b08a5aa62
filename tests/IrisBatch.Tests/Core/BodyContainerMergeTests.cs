using System;
using System.IO;
using System.Text.Json;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Providers.Gemini;
using IrisBatch.Providers.Ollama;
using IrisBatch.Providers.OpenAI;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// A -Body object that IrisBatch also writes into (Gemini's generationConfig, Anthropic's output_config, Responses'
    /// reasoning and text, Ollama's native options) gets the
    /// parameters' fields it lacks: -Body adds to the request, and "nothing you set is dropped" (New-IrisBatchRequest
    /// help). A field the -Body object has itself wins.
    /// </summary>
    public class BodyContainerMergeTests
    {
        private const string Schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"],\"additionalProperties\":false}";

        private static IrisBatchRequest Request(string model, string body) => new IrisBatchRequest
        {
            CustomId = "r1",
            Model = model,
            RowNumber = 3,
            Messages = new[] { new ChatMessage("user", "Describe") },
            BodyJson = body,
        };

        private static JsonElement Line(Action<Utf8JsonWriter> write)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) write(w);
            return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
        }

        private static int Count(JsonElement o, string name)
        {
            int n = 0;
            foreach (var p in o.EnumerateObject()) if (p.Name == name) n++;
            return n;
        }

        [Theory]
        [InlineData("generationConfig")]
        [InlineData("generation_config")]
        public void Gemini_body_generation_config_keeps_max_tokens_temperature_schema_and_effort(string spelling)
        {
            var r = Request("gemini-2.5-flash", "{\"" + spelling + "\":{\"topP\":0.9}}");
            r.MaxTokens = 200;
            r.Temperature = 0.3;
            r.Schema = Schema;
            r.ReasoningEffort = "low";
            var req = Line(w => GeminiRequestWriter.Write(w, r)).GetProperty("request");
            Assert.Equal(1, Count(req, spelling));
            Assert.Equal(0, Count(req, spelling == "generationConfig" ? "generation_config" : "generationConfig"));
            var config = req.GetProperty(spelling);
            Assert.Equal(0.9, config.GetProperty("topP").GetDouble());
            Assert.Equal(200, config.GetProperty("maxOutputTokens").GetInt32());
            Assert.Equal(0.3, config.GetProperty("temperature").GetDouble());
            Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
            Assert.Equal("object", config.GetProperty("responseJsonSchema").GetProperty("type").GetString());
            Assert.Equal(1024, config.GetProperty("thinkingConfig").GetProperty("thinkingBudget").GetInt32());
        }

        [Fact]
        public void Gemini_body_generation_config_fields_win_in_either_spelling()
        {
            var r = Request("gemini-2.5-flash",
                "{\"generationConfig\":{\"max_output_tokens\":50,\"temperature\":1.5,\"response_schema\":{\"type\":\"OBJECT\"},\"response_mime_type\":\"application/json\",\"thinking_config\":{\"thinking_budget\":0}}}");
            r.MaxTokens = 200;
            r.Temperature = 0.3;
            r.Schema = Schema;
            r.ReasoningEffort = "high";
            var config = Line(w => GeminiRequestWriter.Write(w, r)).GetProperty("request").GetProperty("generationConfig");
            Assert.Equal(50, config.GetProperty("max_output_tokens").GetInt32());
            Assert.Equal(1.5, config.GetProperty("temperature").GetDouble());
            Assert.Equal(1, Count(config, "temperature"));
            foreach (var ours in new[] { "maxOutputTokens", "responseMimeType", "responseJsonSchema", "thinkingConfig" })
                Assert.Equal(0, Count(config, ours));
        }

        [Theory]
        [InlineData("thinkingConfig", "includeThoughts")]
        [InlineData("thinking_config", "include_thoughts")]
        public void Gemini_body_thinking_config_keeps_the_effort(string spelling, string include)
        {
            var r = Request("gemini-2.5-flash", "{\"generationConfig\":{\"" + spelling + "\":{\"" + include + "\":true}}}");
            r.ReasoningEffort = "low";
            var config = Line(w => GeminiRequestWriter.Write(w, r)).GetProperty("request").GetProperty("generationConfig");
            Assert.Single(config.EnumerateObject());
            var thinking = config.GetProperty(spelling);
            Assert.True(thinking.GetProperty(include).GetBoolean());
            Assert.Equal(1024, thinking.GetProperty("thinkingBudget").GetInt32());

            // Its own budget or level wins.
            r = Request("gemini-3-pro-preview", "{\"generationConfig\":{\"thinkingConfig\":{\"includeThoughts\":true,\"thinking_level\":\"LOW\"}}}");
            r.ReasoningEffort = "high";
            thinking = Line(w => GeminiRequestWriter.Write(w, r)).GetProperty("request").GetProperty("generationConfig").GetProperty("thinkingConfig");
            Assert.Equal("{\"includeThoughts\":true,\"thinking_level\":\"LOW\"}", thinking.GetRawText());
        }

        [Fact]
        public void Gemini_body_generation_config_alone_is_sent_as_given()
        {
            var r = Request("gemini-2.5-flash", "{\"generationConfig\":{\"topK\":5}}");
            var config = Line(w => GeminiRequestWriter.Write(w, r)).GetProperty("request").GetProperty("generationConfig");
            Assert.Equal("{\"topK\":5}", config.GetRawText());
        }

        [Fact]
        public void Anthropic_body_output_config_keeps_the_schema()
        {
            var r = Request("claude-sonnet-4-5", "{\"output_config\":{\"effort\":\"high\"}}");
            r.Schema = Schema;
            var ps = Line(w => AnthropicRequestWriter.Write(w, r)).GetProperty("params");
            Assert.Equal(1, Count(ps, "output_config"));
            var oc = ps.GetProperty("output_config");
            Assert.Equal("high", oc.GetProperty("effort").GetString());
            Assert.Equal("json_schema", oc.GetProperty("format").GetProperty("type").GetString());
            Assert.Equal("object", oc.GetProperty("format").GetProperty("schema").GetProperty("type").GetString());
        }

        [Fact]
        public void Anthropic_body_output_config_format_wins_and_the_schema_checks_still_hold()
        {
            var own = "{\"output_config\":{\"format\":{\"type\":\"json_schema\",\"schema\":{\"type\":\"object\"}}}}";
            var r = Request("claude-sonnet-4-5", own);
            r.Schema = Schema;
            var oc = Line(w => AnthropicRequestWriter.Write(w, r)).GetProperty("params").GetProperty("output_config");
            Assert.Equal("{\"type\":\"object\"}", oc.GetProperty("format").GetProperty("schema").GetRawText());

            // With -Body output_config that has no format, -Schema is written: a prefill is then refused as without -Body.
            r = Request("claude-sonnet-4-5", "{\"output_config\":{\"effort\":\"low\"}}");
            r.Schema = Schema;
            r.Messages = new[] { new ChatMessage("user", "Describe"), new ChatMessage("assistant", "{") };
            var ex = Assert.Throws<IrisBatchException>(() => Line(w => AnthropicRequestWriter.Write(w, r)));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 3", ex.Message);
        }

        private static JsonElement ResponsesBody(IrisBatchRequest r) =>
            Line(w => OpenAIRequestWriter.Write(w, r, OpenAIProvider.ChatEndpoint)).GetProperty("body");

        [Fact]
        public void Responses_body_text_keeps_the_schema()
        {
            var r = Request("gpt-5", "{\"text\":{\"verbosity\":\"low\"}}");
            r.Endpoint = RequestEndpoint.Responses;
            r.Schema = Schema;
            var body = ResponsesBody(r);
            Assert.Equal(1, Count(body, "text"));
            var text = body.GetProperty("text");
            Assert.Equal("low", text.GetProperty("verbosity").GetString());
            Assert.Equal("json_schema", text.GetProperty("format").GetProperty("type").GetString());
            Assert.True(text.GetProperty("format").GetProperty("strict").GetBoolean());
            Assert.Equal("object", text.GetProperty("format").GetProperty("schema").GetProperty("type").GetString());
        }

        [Fact]
        public void Responses_body_reasoning_keeps_the_effort()
        {
            var r = Request("gpt-5", "{\"reasoning\":{\"summary\":\"auto\"}}");
            r.Endpoint = RequestEndpoint.Responses;
            r.ReasoningEffort = "low";
            var body = ResponsesBody(r);
            Assert.Equal(1, Count(body, "reasoning"));
            var reasoning = body.GetProperty("reasoning");
            Assert.Equal("auto", reasoning.GetProperty("summary").GetString());
            Assert.Equal("low", reasoning.GetProperty("effort").GetString());
        }

        [Fact]
        public void Responses_body_format_and_effort_win()
        {
            var r = Request("gpt-5", "{\"reasoning\":{\"effort\":\"high\"},\"text\":{\"format\":{\"type\":\"json_object\"}}}");
            r.Endpoint = RequestEndpoint.Responses;
            r.ReasoningEffort = "low";
            r.Schema = Schema;
            var body = ResponsesBody(r);
            Assert.Equal("{\"effort\":\"high\"}", body.GetProperty("reasoning").GetRawText());
            Assert.Equal("{\"format\":{\"type\":\"json_object\"}}", body.GetProperty("text").GetRawText());
            Assert.Equal(1, Count(body, "reasoning"));
            Assert.Equal(1, Count(body, "text"));
        }

        [Fact]
        public void Responses_body_text_without_format_is_held_to_the_strict_schema_rules()
        {
            // -Schema's format is written into the -Body text, so the strict rules hold as without -Body.
            var r = Request("gpt-5", "{\"text\":{\"verbosity\":\"low\"}}");
            r.Endpoint = RequestEndpoint.Responses;
            r.Schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}";
            var ex = Assert.Throws<IrisBatchException>(() => ResponsesBody(r));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("Row 3", ex.Message);
        }

        [Fact]
        public void Ollama_native_body_options_keep_max_tokens_and_temperature()
        {
            var r = Request("llama3.2", "{\"options\":{\"top_k\":40}}");
            r.MaxTokens = 200;
            r.Temperature = 0.3;
            var body = Line(w => OllamaWire.WriteLine(w, r, false)).GetProperty("body");
            Assert.Equal(1, Count(body, "options"));
            var options = body.GetProperty("options");
            Assert.Equal(40, options.GetProperty("top_k").GetInt32());
            Assert.Equal(200, options.GetProperty("num_predict").GetInt32());
            Assert.Equal(0.3, options.GetProperty("temperature").GetDouble());

            r = Request("llama3.2", "{\"options\":{\"num_predict\":50,\"temperature\":1.5}}");
            r.MaxTokens = 200;
            r.Temperature = 0.3;
            options = Line(w => OllamaWire.WriteLine(w, r, false)).GetProperty("body").GetProperty("options");
            Assert.Equal("{\"num_predict\":50,\"temperature\":1.5}", options.GetRawText());
        }
    }
}
