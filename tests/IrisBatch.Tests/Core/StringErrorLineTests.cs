using System;
using IrisBatch.Http;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Providers.Together;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Together writes a failed line's error as the message alone (§14.1: {"error": "&lt;string&gt;"}), and lines are read
    /// tolerantly (§14.6): the provider's message must reach the result, at the top level and inside a response body.
    /// </summary>
    public class StringErrorLineTests
    {
        private static readonly TogetherProvider Together = new TogetherProvider(new Uri("http://127.0.0.1:1/v1"), "k", new HttpSettings());

        [Fact]
        public void A_line_whose_error_is_a_string_is_failed_with_that_message()
        {
            var r = Together.ParseResultLine("{\"custom_id\":\"9\",\"error\":\"Request timed out\"}", 1);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("Request timed out", r.Error!.Message);
            Assert.Null(r.Error.Code);
        }

        [Fact]
        public void A_response_body_whose_error_is_a_string_keeps_its_message_and_status()
        {
            var r = OpenAIResultParser.Parse("{\"custom_id\":\"10\",\"response\":{\"status_code\":400,\"body\":{\"error\":\"string error body\"}}}", 1);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("string error body", r.Error!.Message);
            Assert.Equal("http_400", r.Error.Code);
            Assert.Equal(400, r.Error.HttpStatus);
        }

        [Fact]
        public void An_error_object_reads_as_before()
        {
            var r = OpenAIResultParser.Parse("{\"custom_id\":\"11\",\"error\":{\"code\":\"batch_expired\",\"message\":\"expired\"}}", 1);
            Assert.Equal(ResultStatus.Expired, r.Status);
            Assert.Equal("expired", r.Error!.Message);
        }
    }
}
