using System;
using System.Linq;
using IrisBatch.Providers.Anthropic;
using IrisBatch.Providers.Gemini;
using IrisBatch.Providers.Ollama;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Providers.Xai;
using IrisBatch.Requests;
using IrisBatch.Results;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Issue 14, results: refusals, cut answers, reasoning tokens, Responses bodies, and -Schema answers checked and parsed (spec §11).</summary>
    public class FeatureResultTests
    {
        private const string Schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"required\":[\"name\",\"tags\"],\"additionalProperties\":false}";

        private static IrisBatchRequest WithSchema(string? type = null) => new IrisBatchRequest { CustomId = "a", Model = "m", Schema = Schema, SchemaType = type };

        private static object? Plain(string json, Type? type) => "plain:" + json;

        [Fact]
        public void OpenAI_chat_refusal_is_failed_with_its_text_and_reasoning_tokens_are_read()
        {
            var r = OpenAIResultParser.Parse("{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,\"total_tokens\":14,\"completion_tokens_details\":{\"reasoning_tokens\":6},\"prompt_tokens_details\":{\"cached_tokens\":2}}}}}", 1);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("refusal", r.Error!.Code);
            Assert.Equal("I can't help with that.", r.Error.Message);
            Assert.Equal(6, r.Usage!.ReasoningTokens);
            Assert.Equal(2, r.Usage.CachedTokens);
        }

        [Fact]
        public void A_plain_cut_answer_with_text_succeeds_and_an_empty_one_is_truncated()
        {
            var withText = OpenAIResultParser.Parse("{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"Half an ans\"},\"finish_reason\":\"length\"}]}}}", 1);
            Assert.Equal(ResultStatus.Succeeded, withText.Status);
            Assert.True(withText.Truncated);
            Assert.Equal("length", withText.StopReason);
            var empty = OpenAIResultParser.Parse("{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"\"},\"finish_reason\":\"length\"}]}}}", 1);
            Assert.Equal("truncated", empty.Error!.Code);
        }

        [Fact]
        public void Responses_bodies_give_the_message_text_refusals_incomplete_status_and_usage()
        {
            const string ok = "{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"object\":\"response\",\"status\":\"completed\",\"incomplete_details\":null,\"output\":[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"content\":[{\"type\":\"reasoning_text\",\"text\":\"thinking\"}]},{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"{\\\"name\\\":\\\"x\\\",\\\"tags\\\":[]}\",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":81,\"input_tokens_details\":{\"cached_tokens\":3},\"output_tokens\":140,\"output_tokens_details\":{\"reasoning_tokens\":128},\"total_tokens\":221}}}}";
            var r = OpenAIResultParser.Parse(ok, 1);
            Assert.Equal(ResultStatus.Succeeded, r.Status);
            Assert.Equal("{\"name\":\"x\",\"tags\":[]}", r.Output);
            Assert.Equal(81, r.Usage!.InputTokens);
            Assert.Equal(140, r.Usage.OutputTokens);
            Assert.Equal(128, r.Usage.ReasoningTokens);
            Assert.Equal(3, r.Usage.CachedTokens);
            Assert.Equal("completed", r.StopReason);

            var refused = OpenAIResultParser.Parse("{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"object\":\"response\",\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"refusal\",\"refusal\":\"No.\"}]}]}}}", 1);
            Assert.Equal("refusal", refused.Error!.Code);
            Assert.Equal("No.", refused.Error.Message);

            var cut = OpenAIResultParser.Parse("{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"object\":\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"output\":[{\"type\":\"reasoning\",\"summary\":[]}]}}}", 1);
            Assert.Equal(ResultStatus.Failed, cut.Status);
            Assert.Equal("truncated", cut.Error!.Code);
        }

        private static string ResponseLine(string bodyTail) =>
            "{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"object\":\"response\"," + bodyTail + "}}}";

        [Fact]
        public void A_failed_Response_is_Failed_with_the_code_and_message_of_its_error()
        {
            // spec §11.3: status failed, error a ResponseError {code, message}.
            var r = OpenAIResultParser.Parse(ResponseLine("\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"The model failed to answer.\"},\"incomplete_details\":null,\"output\":[]"), 1);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("server_error", r.Error!.Code);
            Assert.Equal("The model failed to answer.", r.Error.Message);
            Assert.Equal("server_error", r.ErrorCode);
            Assert.Equal("The model failed to answer.", r.ErrorMessage);

            // No error object: still Failed, with the status as its code and a message that says so.
            var bare = OpenAIResultParser.Parse(ResponseLine("\"status\":\"failed\",\"error\":null,\"output\":[]"), 1);
            Assert.Equal(ResultStatus.Failed, bare.Status);
            Assert.Equal("failed", bare.Error!.Code);
            Assert.Contains("failed", bare.Error.Message);
        }

        [Fact]
        public void A_Response_incomplete_for_content_filter_is_Failed_with_that_code_and_keeps_its_text()
        {
            var r = OpenAIResultParser.Parse(ResponseLine("\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"content_filter\"},\"output\":[{\"type\":\"message\",\"status\":\"incomplete\",\"content\":[{\"type\":\"output_text\",\"text\":\"Half of\"}]}]"), 1);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("content_filter", r.Error!.Code);
            Assert.Contains("content_filter", r.Error.Message);
            Assert.Equal("Half of", r.Output);
            Assert.Equal("content_filter", r.StopReason);
            Assert.False(r.Truncated);

            // max_output_tokens stays as it was: a cut answer with text succeeds (truncated), as before.
            var cut = OpenAIResultParser.Parse(ResponseLine("\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"Half of\"}]}]"), 1);
            Assert.Equal(ResultStatus.Succeeded, cut.Status);
            Assert.True(cut.Truncated);
            Assert.Null(cut.ErrorCode);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Chat_finish_reason_content_filter_is_Failed_with_that_code_on_both_parsers(bool fast)
        {
            const string line = "{\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"Part of the\",\"refusal\":null},\"finish_reason\":\"content_filter\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,\"total_tokens\":6}}}}";
            var r = fast ? OpenAIResultParser.TryParseFast(line)! : OpenAIResultParser.ParseDocument(line, 1);
            Assert.NotNull(r);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("content_filter", r.ErrorCode);
            Assert.Equal("Part of the", r.Output);
            Assert.Equal(3, r.Usage!.OutputTokens);

            // xAI's chat bodies are read the same way.
            var x = XaiJson.ParseResult("{\"batch_request_id\":\"a\",\"batch_result\":{\"response\":{\"chat_get_completion\":{\"choices\":[{\"message\":{\"content\":\"Part\"},\"finish_reason\":\"content_filter\"}]}}}}", 1);
            Assert.Equal("content_filter", x.ErrorCode);
        }

        [Fact]
        public void ErrorCode_and_ErrorMessage_read_the_error_and_are_null_without_one()
        {
            var ok = new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Output = "x" };
            Assert.Null(ok.ErrorCode);
            Assert.Null(ok.ErrorMessage);
            var failed = new IrisBatchResult { CustomId = "a", Status = ResultStatus.Failed, Error = new ResultError { Code = "invalid_output", Message = "not JSON" } };
            Assert.Equal("invalid_output", failed.ErrorCode);
            Assert.Equal("not JSON", failed.ErrorMessage);
            // Read-only views of Error: nothing to keep in step.
            Assert.False(typeof(IrisBatchResult).GetProperty(nameof(IrisBatchResult.ErrorCode))!.CanWrite);
            Assert.False(typeof(IrisBatchResult).GetProperty(nameof(IrisBatchResult.ErrorMessage))!.CanWrite);
        }

        [Fact]
        public void Anthropic_stop_reasons_and_thinking_tokens()
        {
            var refused = AnthropicJson.ParseResult("{\"custom_id\":\"a\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"I won't.\"}],\"stop_reason\":\"refusal\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}}}", 1);
            Assert.Equal("refusal", refused.Error!.Code);
            Assert.Equal("I won't.", refused.Error.Message);
            var cut = AnthropicJson.ParseResult("{\"custom_id\":\"a\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\"},{\"type\":\"text\",\"text\":\"{\\\"na\"}],\"stop_reason\":\"max_tokens\",\"usage\":{\"input_tokens\":3,\"output_tokens\":40,\"output_tokens_details\":{\"thinking_tokens\":30},\"cache_read_input_tokens\":2}}}}", 1);
            Assert.Equal(ResultStatus.Succeeded, cut.Status);
            Assert.True(cut.Truncated);
            Assert.Equal("{\"na", cut.Output);
            Assert.Equal(30, cut.Usage!.ReasoningTokens);
            Assert.Equal(2, cut.Usage.CachedTokens);
            StructuredOutput.Check(cut, WithSchema(), Plain);
            Assert.Equal("truncated", cut.Error!.Code);
        }

        [Fact]
        public void Gemini_skips_thoughts_and_reads_max_tokens_and_thought_tokens()
        {
            var r = GeminiJson.ParseResult("{\"key\":\"a\",\"response\":{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"plan\",\"thought\":true},{\"text\":\"{\\\"name\\\":\"}]},\"finishReason\":\"MAX_TOKENS\"}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":5,\"thoughtsTokenCount\":7,\"totalTokenCount\":16}}}", 1);
            Assert.Equal("{\"name\":", r.Output);
            Assert.True(r.Truncated);
            Assert.Equal("MAX_TOKENS", r.StopReason);
            Assert.Equal(7, r.Usage!.ReasoningTokens);
        }

        [Fact]
        public void Gemini_blocked_answers_are_refusals()
        {
            var r = GeminiJson.ParseResult("{\"key\":\"a\",\"response\":{\"candidates\":[{\"finishReason\":\"SAFETY\",\"safetyRatings\":[{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"blocked\":true}]}]}}", 1);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("refusal", r.Error!.Code);
            Assert.Contains("SAFETY", r.Error.Message);
            var prompt = GeminiJson.ParseResult("{\"key\":\"a\",\"response\":{\"promptFeedback\":{\"blockReason\":\"OTHER\"}}}", 1);
            Assert.Equal("refusal", prompt.Error!.Code);
        }

        [Fact]
        public void Xai_and_Ollama_read_their_end_reasons()
        {
            var x = XaiJson.ParseResult("{\"batch_request_id\":\"a\",\"batch_result\":{\"response\":{\"chat_get_completion\":{\"choices\":[{\"message\":{\"content\":\"\",\"refusal\":\"no\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3,\"completion_tokens_details\":{\"reasoning_tokens\":5}}}}}}", 1);
            Assert.Equal("refusal", x.Error!.Code);
            Assert.Equal(5, x.Usage!.ReasoningTokens);
            var o = OllamaWire.ParseResult("{\"custom_id\":\"a\",\"ok\":true,\"output\":\"{\\\"na\",\"stop_reason\":\"length\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2,\"total_tokens\":3}}", 1);
            Assert.True(o.Truncated);
            Assert.Equal(ResultStatus.Succeeded, o.Status);
        }

        [Fact]
        public void Schema_answers_are_checked_and_parsed_only_when_read()
        {
            var good = new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Output = "{\"name\":\"Lamp\",\"tags\":[\"a\",\"b\"]}" };
            int built = 0;
            StructuredOutput.Check(good, WithSchema(), (json, type) => { built++; return "obj"; });
            Assert.Equal(ResultStatus.Succeeded, good.Status);
            Assert.Equal(0, built);
            Assert.Equal("obj", good.Parsed);
            Assert.Equal("obj", good.Parsed);
            Assert.Equal(1, built);

            var bad = new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Output = "Sure! Here is the JSON: {" };
            StructuredOutput.Check(bad, WithSchema(), Plain);
            Assert.Equal(ResultStatus.Failed, bad.Status);
            Assert.Equal("invalid_output", bad.Error!.Code);
            Assert.Equal("Sure! Here is the JSON: {", bad.Output);
            Assert.Null(bad.Parsed);

            var array = new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Output = "[1]" };
            StructuredOutput.Check(array, WithSchema(), Plain);
            Assert.Equal("invalid_output", array.Error!.Code);

            var plain = new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Output = "not json" };
            StructuredOutput.Check(plain, new IrisBatchRequest(), Plain);
            Assert.Equal(ResultStatus.Succeeded, plain.Status);
        }

        public class Named
        {
            public string Name { get; set; } = "";
            public string[] Tags { get; set; } = new string[0];
        }

        [Fact]
        public void A_schema_from_a_type_gives_an_instance_of_it()
        {
            SchemaTypes.Register(typeof(Named));
            var good = new IrisBatchResult { CustomId = "a", Status = ResultStatus.Succeeded, Output = "{\"name\":\"Lamp\",\"tags\":[\"a\",\"b\"]}" };
            StructuredOutput.Check(good, WithSchema(typeof(Named).FullName), Plain);
            var parsed = Assert.IsType<Named>(good.Parsed);
            Assert.Equal("Lamp", parsed.Name);
            Assert.Equal(new[] { "a", "b" }, parsed.Tags);
        }

        [Fact]
        public void Columns_are_the_schema_properties_with_arrays_and_objects_as_compact_json()
        {
            var values = StructuredOutput.Columns("{ \"tags\": [ \"a\", \"b\" ], \"name\": \"Lamp\", \"n\": 2, \"x\": 1.5, \"o\": { \"k\": true } }", new[] { "name", "tags", "n", "x", "o", "missing" });
            Assert.Equal(new object?[] { "Lamp", "[\"a\",\"b\"]", 2L, 1.5, "{\"k\":true}", null }, values);
            Assert.All(StructuredOutput.Columns("not json", new[] { "a" }), v => Assert.Null(v));
        }
    }
}
