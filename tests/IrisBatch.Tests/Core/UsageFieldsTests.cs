using System.Text;
using IrisBatch.Providers.Gemini;
using IrisBatch.Providers.Mistral;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Providers.Xai;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Issue 18 audit: every usage field spec §11.6 names for a provider's result line is read into the four kinds of
    /// token Cost prices (input, cached input, output, reasoning), for the providers CostTests does not reach.
    /// </summary>
    public class UsageFieldsTests
    {
        [Fact]
        public void OpenAI_responses_usage_is_read_on_both_paths()
        {
            const string line = @"{""id"":""batch_req_1"",""custom_id"":""r1"",""response"":{""status_code"":200,""request_id"":""req_1"",""body"":{""object"":""response"",""status"":""completed"",""output"":[{""type"":""message"",""role"":""assistant"",""content"":[{""type"":""output_text"",""text"":""hi""}]}],""usage"":{""input_tokens"":100,""input_tokens_details"":{""cached_tokens"":40,""cache_write_tokens"":0},""output_tokens"":50,""output_tokens_details"":{""reasoning_tokens"":30},""total_tokens"":150}}},""error"":null}";
            var bytes = Encoding.UTF8.GetBytes(line);
            var fast = OpenAIResultParser.TryParseFast(bytes, 0, bytes.Length);
            foreach (var r in fast == null ? new[] { OpenAIResultParser.Parse(line, 1) } : new[] { OpenAIResultParser.Parse(line, 1), fast })
            {
                Assert.Equal(100, r.Usage!.InputTokens);
                Assert.Equal(40, r.Usage.CachedTokens);
                Assert.Equal(50, r.Usage.OutputTokens);
                Assert.Equal(30, r.Usage.ReasoningTokens);
            }
        }

        [Fact]
        public void Azure_null_detail_counts_read_as_zero_on_both_paths()
        {
            // Spec §11.6, Azure: the reasoning sample shows "audio_tokens": null; any detail count may be null.
            const string line = @"{""id"":""batch_req_1"",""custom_id"":""r1"",""response"":{""status_code"":200,""request_id"":""req_1"",""body"":{""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""hi""},""finish_reason"":""stop"",""content_filter_results"":{}}],""usage"":{""prompt_tokens"":20,""completion_tokens"":10,""total_tokens"":30,""prompt_tokens_details"":{""cached_tokens"":null,""audio_tokens"":null},""completion_tokens_details"":{""reasoning_tokens"":null,""audio_tokens"":null}}}},""error"":null}";
            var bytes = Encoding.UTF8.GetBytes(line);
            var fast = OpenAIResultParser.TryParseFast(bytes, 0, bytes.Length);
            foreach (var r in fast == null ? new[] { OpenAIResultParser.Parse(line, 1) } : new[] { OpenAIResultParser.Parse(line, 1), fast })
            {
                Assert.Equal(20, r.Usage!.InputTokens);
                Assert.Equal(0, r.Usage.CachedTokens);
                Assert.Equal(10, r.Usage.OutputTokens);
                Assert.Equal(0, r.Usage.ReasoningTokens);
            }
        }

        [Fact]
        public void Xai_reasoning_is_output_beside_completion_tokens_and_cached_is_read()
        {
            // Spec §11.6: xAI's reasoning_tokens are not part of completion_tokens; cached_tokens is part of prompt_tokens.
            var r = XaiJson.ParseResult(@"{""batch_request_id"":""x1"",""batch_result"":{""response"":{""chat_get_completion"":{""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""hi""},""finish_reason"":""stop""}],""usage"":{""prompt_tokens"":30,""completion_tokens"":8,""total_tokens"":58,""prompt_tokens_details"":{""text_tokens"":30,""audio_tokens"":0,""image_tokens"":0,""cached_tokens"":12},""completion_tokens_details"":{""reasoning_tokens"":20},""num_sources_used"":0}}}}}", 1);
            Assert.Equal(30, r.Usage!.InputTokens);
            Assert.Equal(12, r.Usage.CachedTokens);
            Assert.Equal(28, r.Usage.OutputTokens);
            Assert.Equal(20, r.Usage.ReasoningTokens);
        }

        [Fact]
        public void Gemini_tool_use_prompt_tokens_are_input()
        {
            // Spec §11.6: totalTokenCount = prompt + candidates + toolUsePrompt + thoughts; tool-use prompt tokens are input.
            var r = GeminiJson.ParseResult(@"{""key"":""g"",""response"":{""candidates"":[{""content"":{""parts"":[{""text"":""hi""}],""role"":""model""},""finishReason"":""STOP""}],""usageMetadata"":{""promptTokenCount"":12,""cachedContentTokenCount"":4,""candidatesTokenCount"":5,""toolUsePromptTokenCount"":7,""thoughtsTokenCount"":6,""totalTokenCount"":30}}}", 1);
            Assert.Equal(19, r.Usage!.InputTokens);
            Assert.Equal(4, r.Usage.CachedTokens);
            Assert.Equal(11, r.Usage.OutputTokens);
            Assert.Equal(6, r.Usage.ReasoningTokens);
            Assert.Equal(30, r.Usage.TotalTokens);
        }

        [Fact]
        public void Mistral_and_together_lines_read_their_usage()
        {
            var m = MistralJson.ParseResult(@"{""id"":""batch-1"",""custom_id"":""0"",""response"":{""status_code"":200,""body"":{""id"":""85bc"",""object"":""chat.completion"",""model"":""ministral-3b-latest"",""usage"":{""prompt_tokens"":10,""completion_tokens"":128,""total_tokens"":138},""created"":1761577934,""choices"":[{""index"":0,""finish_reason"":""stop"",""message"":{""role"":""assistant"",""content"":""x"",""tool_calls"":null}}]}},""error"":null}", 1);
            Assert.Equal(10, m.Usage!.InputTokens);
            Assert.Equal(128, m.Usage.OutputTokens);
            var t = OpenAIResultParser.Parse(@"{""custom_id"":""request-1"",""response"":{""status_code"":200,""body"":{""id"":""x"",""object"":""chat.completion"",""model"":""Qwen/Qwen2.5-7B-Instruct-Turbo"",""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""Hello!""},""finish_reason"":""stop""}],""usage"":{""prompt_tokens"":12,""completion_tokens"":3,""total_tokens"":15}}}}", 1);
            Assert.Equal(12, t.Usage!.InputTokens);
            Assert.Equal(3, t.Usage.OutputTokens);
        }
    }
}
