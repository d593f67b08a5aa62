using System;
using System.IO;
using System.Text.Json;
using IrisBatch.Providers.Gemini;
using IrisBatch.Providers.Ollama;
using IrisBatch.Providers.Xai;
using IrisBatch.Http;
using Xunit;

namespace IrisBatch.Tests.Core
{
    public class MoreProviderMappingTests
    {
        [Theory]
        [InlineData("BATCH_STATE_PENDING", BatchStatus.Pending)]
        [InlineData("BATCH_STATE_RUNNING", BatchStatus.InProgress)]
        [InlineData("JOB_STATE_RUNNING", BatchStatus.InProgress)]
        [InlineData("BATCH_STATE_SUCCEEDED", BatchStatus.Completed)]
        [InlineData("JOB_STATE_SUCCEEDED", BatchStatus.Completed)]
        [InlineData("BATCH_STATE_FAILED", BatchStatus.Failed)]
        [InlineData("BATCH_STATE_CANCELLED", BatchStatus.Cancelled)]
        [InlineData("JOB_STATE_EXPIRED", BatchStatus.Expired)]
        public void Gemini_states_with_either_prefix_map(string state, BatchStatus expected)
        {
            Assert.Equal(expected, GeminiJson.MapState(state));
        }

        [Fact]
        public void Gemini_operation_reads_string_counters_display_name_and_responses_file()
        {
            using var doc = JsonDocument.Parse(@"{""name"":""batches/123"",""metadata"":{""model"":""models/gemini-2.5-flash"",""displayName"":""nightly [irisbatch:ib-42]"",
                ""createTime"":""2025-07-01T12:00:00Z"",""batchStats"":{""requestCount"":""10"",""successfulRequestCount"":""7"",""failedRequestCount"":""2"",""pendingRequestCount"":""1""},
                ""state"":""BATCH_STATE_RUNNING"",""output"":{""responsesFile"":""files/batch-x""}},""done"":false}");
            var b = GeminiJson.ReadOperation(doc.RootElement, new Uri("http://127.0.0.1:1"));
            Assert.Equal("batches/123", b.Id);
            Assert.Equal(BatchStatus.InProgress, b.Status);
            Assert.Equal(10, b.Total);
            Assert.Equal(7, b.Succeeded);
            Assert.Equal(2, b.Failed);
            Assert.Equal("nightly", b.Name);
            Assert.Equal("ib-42", b.IdempotencyKey);
            Assert.Equal("files/batch-x", b.OutputFileId);
            // The model as the user named it: Gemini's resource name is models/gemini-2.5-flash, which read as the batch's
            // Model showed so and left a batch adopted from elsewhere unpriced (prices.json has gemini-2.5-flash).
            Assert.Equal("gemini-2.5-flash", b.Model);
            Assert.NotNull(IrisBatch.Estimates.CostCalculator.Default().CostOf(new TokenUsage { InputTokens = 1000, OutputTokens = 100 }, b.Model, "Gemini"));
        }

        [Theory]
        [InlineData(@"{""name"":""batches/1"",""metadata"":{""model"":""models/gemini-2.5-flash""},""done"":true,""error"":{""code"":13,""message"":""internal""}}", BatchStatus.Failed)]
        [InlineData(@"{""name"":""batches/1"",""metadata"":{},""done"":true,""response"":{""responsesFile"":""files/out""}}", BatchStatus.Completed)]
        [InlineData(@"{""name"":""batches/1"",""metadata"":{""state"":""BATCH_STATE_CANCELLED""},""done"":true,""response"":{}}", BatchStatus.Cancelled)]
        [InlineData(@"{""name"":""batches/1"",""metadata"":{},""done"":false}", BatchStatus.Pending)]
        public void A_done_Gemini_operation_without_a_state_is_over(string json, BatchStatus expected)
        {
            // spec §4: a long-running Operation; done with an error or a response is over, whatever its metadata lacks.
            using var doc = JsonDocument.Parse(json);
            Assert.Equal(expected, GeminiJson.ReadOperation(doc.RootElement, new Uri("http://127.0.0.1:1")).Status);
        }

        [Fact]
        public void Gemini_result_lines_and_a_wrong_key_map()
        {
            var ok = GeminiJson.ParseResult(@"{""key"":""r1"",""response"":{""candidates"":[{""content"":{""parts"":[{""text"":""Echo: hi""}],""role"":""model""}}],""usageMetadata"":{""promptTokenCount"":3,""candidatesTokenCount"":2,""totalTokenCount"":5}}}", 1);
            Assert.Equal(ResultStatus.Succeeded, ok.Status);
            Assert.Equal("Echo: hi", ok.Output);
            Assert.Equal(5, ok.Usage!.TotalTokens);
            var bad = GeminiJson.ParseResult(@"{""key"":""r2"",""error"":{""code"":400,""message"":""no"",""status"":""INVALID_ARGUMENT""}}", 2);
            Assert.Equal(ResultStatus.Failed, bad.Status);
            Assert.Equal("INVALID_ARGUMENT", bad.Error!.Code);
            var info = GeminiJson.ParseError(@"{""error"":{""code"":400,""message"":""API key not valid. Please pass a valid API key."",""status"":""INVALID_ARGUMENT"",""details"":[{""reason"":""API_KEY_INVALID""}]}}");
            Assert.Equal("API_KEY_INVALID", info!.Code);
            Assert.Equal(ErrorIds.Unauthorized, ApiClient.Classify(400, info.Code, info.Type).Item1);
        }

        [Fact]
        public void Gemini_request_uses_contents_system_instruction_and_generation_config()
        {
            var r = new IrisBatchRequest { CustomId = "k1", Model = "gemini-2.5-flash", MaxTokens = 64, Temperature = 0.5,
                Messages = new[] { new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi") } };
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) GeminiRequestWriter.Write(w, r);
            using var doc = JsonDocument.Parse(ms.ToArray());
            Assert.Equal("k1", doc.RootElement.GetProperty("key").GetString());
            var req = doc.RootElement.GetProperty("request");
            Assert.Equal("Hi", req.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
            Assert.Equal("user", req.GetProperty("contents")[0].GetProperty("role").GetString());
            Assert.Equal("Be brief.", req.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
            Assert.Equal(64, req.GetProperty("generationConfig").GetProperty("maxOutputTokens").GetInt32());
        }

        [Fact]
        public void Xai_batch_is_done_when_nothing_is_pending()
        {
            BatchStatus Status(string state, string cancel = "null")
            {
                using var doc = JsonDocument.Parse(@"{""batch_id"":""b1"",""name"":""x"",""cancel_time"":" + cancel + @",""state"":" + state + "}");
                return XaiJson.ReadBatch(doc.RootElement, new Uri("http://127.0.0.1:1")).Status;
            }
            Assert.Equal(BatchStatus.Pending, Status(@"{""num_requests"":0,""num_pending"":0}"));
            Assert.Equal(BatchStatus.InProgress, Status(@"{""num_requests"":5,""num_pending"":2,""num_success"":3}"));
            Assert.Equal(BatchStatus.Completed, Status(@"{""num_requests"":5,""num_pending"":0,""num_success"":4,""num_error"":1}"));
            Assert.Equal(BatchStatus.Cancelling, Status(@"{""num_requests"":5,""num_pending"":2}", @"""2025-01-01T00:00:00Z"""));
            Assert.Equal(BatchStatus.Cancelled, Status(@"{""num_requests"":5,""num_pending"":0,""num_cancelled"":2}", @"""2025-01-01T00:00:00Z"""));
            // Cancelled before any request was added: over, not Cancelling for ever.
            Assert.Equal(BatchStatus.Cancelled, Status(@"{""num_requests"":0,""num_pending"":0}", @"""2025-01-01T00:00:00Z"""));
        }

        [Fact]
        public void Xai_results_and_errors_map()
        {
            var ok = XaiJson.ParseResult(@"{""batch_request_id"":""r1"",""batch_result"":{""response"":{""chat_get_completion"":{""choices"":[{""message"":{""role"":""assistant"",""content"":""Echo: x""}}],""usage"":{""prompt_tokens"":1,""completion_tokens"":2,""total_tokens"":3}}}}}", 1);
            Assert.Equal(ResultStatus.Succeeded, ok.Status);
            Assert.Equal("Echo: x", ok.Output);
            var bad = XaiJson.ParseResult(@"{""batch_request_id"":""r2"",""error_message"":""model unavailable""}", 2);
            Assert.Equal(ResultStatus.Failed, bad.Status);
            Assert.Equal("model unavailable", bad.Error!.Message);
            Assert.Equal("incorrect_api_key", XaiJson.ParseError(@"{""code"":""x"",""error"":""Incorrect API key provided: xa***""}")!.Code);
        }

        [Fact]
        public void Ollama_answers_of_both_shapes_are_read()
        {
            using (var native = JsonDocument.Parse(@"{""model"":""llama3.2"",""message"":{""role"":""assistant"",""content"":""Echo: a""},""done"":true,""prompt_eval_count"":26,""eval_count"":4}"))
            {
                var (text, usage) = OllamaWire.ReadAnswer(native.RootElement);
                Assert.Equal("Echo: a", text);
                Assert.Equal(30, usage!.TotalTokens);
            }
            using (var openai = JsonDocument.Parse(@"{""choices"":[{""message"":{""role"":""assistant"",""content"":""Echo: b""}}],""usage"":{""prompt_tokens"":1,""completion_tokens"":1,""total_tokens"":2}}"))
                Assert.Equal("Echo: b", OllamaWire.ReadAnswer(openai.RootElement).Text);
            var line = OllamaWire.ParseResult(@"{""custom_id"":""c1"",""ok"":false,""error"":{""code"":""http_400"",""message"":""bad"",""http_status"":400}}", 1);
            Assert.Equal(ResultStatus.Failed, line.Status);
            Assert.Equal(400, line.Error!.HttpStatus);
        }
    }
}
