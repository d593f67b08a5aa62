using System.Collections.Generic;
using System.Text;
using IrisBatch.Http;
using IrisBatch.Providers;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Issue 18: each provider's result line names the model that answered, where its spec says it does, and the parser
    /// reads it into ResponseModel (the fallback Cost is priced by), one string shared while the name repeats.
    /// Read through each provider's own parser, as Get-IrisBatchResult reads them.
    /// </summary>
    public class ResponseModelTests
    {
        private static IBatchProvider Provider(string name) =>
            ProviderFactory.Create(name, "http://127.0.0.1:1/", "test-key", new HttpSettings());

        /// <summary>The results of two lines that name <paramref name="model"/> and one naming <paramref name="other"/>, by every path the provider reads lines.</summary>
        private static IEnumerable<(IrisBatchResult A, IrisBatchResult B, IrisBatchResult C)> Read(IBatchProvider provider, string shape, string model, string other)
        {
            string Line(string id, string m) => shape.Replace("{ID}", id).Replace("{MODEL}", m);
            yield return (provider.ParseResultLine(Line("a", model), 1), provider.ParseResultLine(Line("b", model), 2), provider.ParseResultLine(Line("c", other), 3));
            if (provider is IUtf8ResultLines fast)
            {
                IrisBatchResult Bytes(string line)
                {
                    var bytes = Encoding.UTF8.GetBytes(line);
                    return fast.TryParseResultLine(bytes, 0, bytes.Length) ?? provider.ParseResultLine(line, 0);
                }
                yield return (Bytes(Line("a", model)), Bytes(Line("b", model)), Bytes(Line("c", other)));
            }
        }

        [Theory]
        // spec §3.5: result.message.model
        [InlineData("Anthropic", "claude-haiku-4-5-20251001", @"{""custom_id"":""{ID}"",""result"":{""type"":""succeeded"",""message"":{""id"":""msg_1"",""type"":""message"",""role"":""assistant"",""model"":""{MODEL}"",""content"":[{""type"":""text"",""text"":""Hi""}],""stop_reason"":""end_turn"",""stop_sequence"":null,""usage"":{""input_tokens"":11,""output_tokens"":3}}}}")]
        // spec §4: GenerateContentResponse.modelVersion, file mode and inline (metadata.key)
        [InlineData("Gemini", "gemini-2.5-flash-preview-05-20", @"{""key"":""{ID}"",""response"":{""candidates"":[{""content"":{""parts"":[{""text"":""Hi""}],""role"":""model""},""finishReason"":""STOP"",""index"":0}],""usageMetadata"":{""promptTokenCount"":4,""candidatesTokenCount"":1,""totalTokenCount"":5},""modelVersion"":""{MODEL}"",""responseId"":""r1""}}")]
        [InlineData("Gemini", "gemini-2.5-flash", @"{""metadata"":{""key"":""{ID}""},""response"":{""candidates"":[{""content"":{""parts"":[{""text"":""Hi""}]},""finish_reason"":""STOP""}],""model_version"":""{MODEL}""}}")]
        // spec §5: the chat completion's own model
        [InlineData("Xai", "grok-4-0709", @"{""batch_request_id"":""{ID}"",""batch_result"":{""response"":{""chat_get_completion"":{""id"":""c1"",""object"":""chat.completion"",""model"":""{MODEL}"",""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""Hi""},""finish_reason"":""stop""}],""usage"":{""prompt_tokens"":3,""completion_tokens"":1,""total_tokens"":4}}}}}")]
        // spec §12.6, §13.6, §14.6: OpenAI-shaped bodies
        [InlineData("Mistral", "ministral-3b-latest", @"{""id"":""batch-1"",""custom_id"":""{ID}"",""response"":{""status_code"":200,""body"":{""id"":""85bc"",""object"":""chat.completion"",""model"":""{MODEL}"",""usage"":{""prompt_tokens"":10,""completion_tokens"":8,""total_tokens"":18},""created"":1761577934,""choices"":[{""index"":0,""finish_reason"":""stop"",""message"":{""role"":""assistant"",""content"":""Hi"",""tool_calls"":null}}]}},""error"":null}")]
        [InlineData("Groq", "llama-3.1-8b-instant", @"{""id"":""batch_req_123"",""custom_id"":""{ID}"",""response"":{""status_code"":200,""request_id"":""req_abc"",""body"":{""id"":""completion_xyz"",""model"":""{MODEL}"",""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""Hello!""}}],""usage"":{""prompt_tokens"":20,""completion_tokens"":5,""total_tokens"":25}}},""error"":null}")]
        [InlineData("Together", "Qwen/Qwen2.5-7B-Instruct-Turbo", @"{""custom_id"":""{ID}"",""response"":{""status_code"":200,""body"":{""id"":""x"",""object"":""chat.completion"",""model"":""{MODEL}"",""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""Hello!""},""finish_reason"":""stop""}],""usage"":{""prompt_tokens"":12,""completion_tokens"":3,""total_tokens"":15}}}}")]
        public void The_model_a_result_line_says_answered_is_read_and_shared_while_it_repeats(string provider, string model, string shape)
        {
            int paths = 0;
            foreach (var (a, b, c) in Read(Provider(provider), shape, model, model + "-other"))
            {
                paths++;
                Assert.Equal(ResultStatus.Succeeded, a.Status);
                Assert.False(string.IsNullOrEmpty(a.Output));
                Assert.Equal(model, a.ResponseModel);
                Assert.Same(a.ResponseModel, b.ResponseModel);
                Assert.Equal(model + "-other", c.ResponseModel);
            }
            Assert.True(paths >= 1);
        }

        [Theory]
        [InlineData("Anthropic", @"{""custom_id"":""a"",""result"":{""type"":""succeeded"",""message"":{""type"":""message"",""role"":""assistant"",""content"":[{""type"":""text"",""text"":""Hi""}],""stop_reason"":""end_turn"",""usage"":{""input_tokens"":1,""output_tokens"":1}}}}")]
        [InlineData("Anthropic", @"{""custom_id"":""a"",""result"":{""type"":""errored"",""error"":{""type"":""error"",""error"":{""type"":""invalid_request_error"",""message"":""max_tokens: Field required""},""request_id"":null}}}")]
        [InlineData("Gemini", @"{""key"":""a"",""response"":{""candidates"":[{""content"":{""parts"":[{""text"":""Hi""}]},""finishReason"":""STOP""}],""modelVersion"":null}}")]
        [InlineData("Gemini", @"{""key"":""a"",""response"":{""embedding"":{""values"":[0.1,0.2]}}}")]
        [InlineData("Gemini", @"{""key"":""a"",""error"":{""code"":3,""message"":""bad""}}")]
        [InlineData("Xai", @"{""batch_request_id"":""a"",""batch_result"":{""response"":{""chat_get_completion"":{""model"":5,""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""Hi""}}]}}}}")]
        [InlineData("Xai", @"{""batch_request_id"":""a"",""error_message"":""model unavailable""}")]
        [InlineData("Together", @"{""custom_id"":""a"",""error"":{""message"":""Invalid model specified"",""code"":""invalid_model""}}")]
        public void A_line_that_names_no_model_has_none(string provider, string line) =>
            Assert.Null(Provider(provider).ParseResultLine(line, 1).ResponseModel);
    }
}
