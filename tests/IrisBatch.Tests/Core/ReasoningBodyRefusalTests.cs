using System;
using System.IO;
using System.Text.Json;
using IrisBatch.Providers.OpenAI;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>-Body parameters a reasoning model refuses (spec §11.4) are refused before upload, naming the row.</summary>
    public class ReasoningBodyRefusalTests
    {
        private static IrisBatchRequest Request(string model, string body, RequestEndpoint endpoint = RequestEndpoint.ChatCompletions) => new IrisBatchRequest
        {
            CustomId = "r1",
            Model = model,
            RowNumber = 7,
            BodyJson = body,
            Endpoint = endpoint,
            Messages = new[] { new ChatMessage("user", "Describe") },
        };

        private static JsonElement Line(IrisBatchRequest r, string provider = "OpenAI")
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) OpenAIRequestWriter.Write(w, r, "/v1/chat/completions", provider);
            return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
        }

        [Theory]
        [InlineData("o4-mini", "{\"max_tokens\":100}", "max_tokens")]
        [InlineData("gpt-5-mini", "{\"presence_penalty\":0.5}", "presence_penalty")]
        [InlineData("o3", "{\"frequency_penalty\":-1}", "frequency_penalty")]
        [InlineData("o4-mini", "{\"logit_bias\":{\"50256\":-100}}", "logit_bias")]
        [InlineData("o4-mini", "{\"logprobs\":true}", "logprobs")]
        [InlineData("o4-mini", "{\"top_logprobs\":2}", "top_logprobs")]
        [InlineData("gpt-5.1", "{\"logprobs\":true,\"reasoning_effort\":\"low\"}", "logprobs")]
        public void A_Body_parameter_a_reasoning_model_refuses_is_refused_naming_the_row(string model, string body, string parameter)
        {
            // Spec §11.4: max_tokens "is not compatible with o-series models" (400 unsupported_parameter); Azure's reasoning
            // page: "Not Supported: ... presence_penalty, frequency_penalty, logprobs, top_logprobs, logit_bias, max_tokens".
            foreach (var provider in new[] { "OpenAI", "AzureOpenAI" })
            {
                var ex = Assert.Throws<IrisBatchException>(() => Line(Request(model, body), provider));
                Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
                Assert.Contains("Row 7", ex.Message);
                Assert.Contains(model, ex.Message);
                Assert.Contains("'" + parameter + "'", ex.Message);
            }
        }

        [Theory]
        [InlineData("o4-mini", "{\"max_tokens\":null,\"presence_penalty\":0,\"frequency_penalty\":0,\"logit_bias\":{},\"logprobs\":false}")]
        [InlineData("gpt-5.1", "{\"logprobs\":true,\"top_logprobs\":2,\"reasoning_effort\":\"none\"}")]  // taken at effort none
        [InlineData("gpt-4o-mini", "{\"max_tokens\":100,\"presence_penalty\":0.5,\"logprobs\":true,\"top_logprobs\":2,\"logit_bias\":{\"1\":1}}")]
        public void Values_that_ask_for_nothing_and_ordinary_models_are_sent_as_given(string model, string body)
        {
            var line = Line(Request(model, body));
            Assert.Equal(model, line.GetProperty("body").GetProperty("model").GetString());
        }

        [Fact]
        public void Responses_lines_refuse_top_logprobs_on_a_reasoning_model()
        {
            var ex = Assert.Throws<IrisBatchException>(() => Line(Request("o4-mini", "{\"top_logprobs\":2}", RequestEndpoint.Responses)));
            Assert.Contains("'top_logprobs'", ex.Message);
        }
    }
}
