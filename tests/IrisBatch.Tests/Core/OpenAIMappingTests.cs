using System;
using System.Text.Json;
using IrisBatch.Providers.OpenAI;
using Xunit;

namespace IrisBatch.Tests.Core
{
    public class OpenAIMappingTests
    {
        [Theory]
        [InlineData("validating", BatchStatus.Pending, false)]
        [InlineData("in_progress", BatchStatus.InProgress, false)]
        [InlineData("finalizing", BatchStatus.Finalizing, false)]
        [InlineData("completed", BatchStatus.Completed, true)]
        [InlineData("failed", BatchStatus.Failed, true)]
        [InlineData("cancelling", BatchStatus.Cancelling, false)]
        [InlineData("cancelled", BatchStatus.Cancelled, true)]
        [InlineData("expired", BatchStatus.Expired, true)]
        [InlineData("Validating", BatchStatus.Pending, false)]
        [InlineData("Completed", BatchStatus.Completed, true)]
        public void Statuses_map_and_cancelling_is_not_terminal(string raw, BatchStatus expected, bool terminal)
        {
            Assert.Equal(expected, OpenAIJson.MapStatus(raw));
            Assert.Equal(terminal, OpenAIJson.MapStatus(raw).IsTerminal());
        }

        [Fact]
        public void Batch_object_is_read_with_counts_times_errors_and_metadata()
        {
            var json = @"{""id"":""batch_1"",""object"":""batch"",""endpoint"":""/v1/chat/completions"",""model"":""gpt-4o-mini"",
              ""errors"":{""object"":""list"",""data"":[{""code"":""invalid_json_line"",""message"":""bad"",""param"":null,""line"":3}]},
              ""input_file_id"":""file-in"",""completion_window"":""24h"",""status"":""failed"",""output_file_id"":null,""error_file_id"":""file-err"",
              ""created_at"":1711471533,""expires_at"":1711557933,""failed_at"":1711471540,
              ""request_counts"":{""total"":100,""completed"":95,""failed"":5},
              ""metadata"":{""team"":""ops"",""irisbatch_name"":""nightly"",""irisbatch_key"":""ib-1"",""irisbatch_set"":""set-1""}}";
            using var doc = JsonDocument.Parse(json);
            var b = OpenAIJson.ReadBatch(doc.RootElement, "OpenAI", new Uri("http://127.0.0.1:1/v1"));
            Assert.Equal("batch_1", b.Id);
            Assert.Equal(BatchStatus.Failed, b.Status);
            Assert.Equal("failed", b.ProviderStatus);
            Assert.True(b.IsComplete);
            Assert.Equal(100, b.Total);
            Assert.Equal(95, b.Succeeded);
            Assert.Equal(5, b.Failed);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1711471533), b.CreatedAt);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1711471540), b.CompletedAt);
            Assert.Null(b.OutputFileId);
            Assert.Equal("file-err", b.ErrorFileId);
            Assert.Single(b.Errors);
            Assert.Equal(3, b.Errors[0].Line);
            Assert.Equal("invalid_json_line", b.Errors[0].Code);
            Assert.Equal("nightly", b.Name);
            Assert.Equal("set-1", b.SetId);
            Assert.Equal("ib-1", b.IdempotencyKey);
            Assert.Equal("ops", b.Metadata["team"]);
            Assert.False(b.Metadata.ContainsKey("irisbatch_name"));
            Assert.Equal("http://127.0.0.1:1/v1", b.BaseUri);
        }

        [Fact]
        public void Azure_style_iso_times_and_null_counts_are_tolerated()
        {
            var json = @"{""id"":""batch_2"",""status"":""Validating"",""created_at"":""2024-09-24T18:37:24Z"",""request_counts"":{""total"":null,""completed"":null,""failed"":null}}";
            using var doc = JsonDocument.Parse(json);
            var b = OpenAIJson.ReadBatch(doc.RootElement, "AzureOpenAI", new Uri("https://x.openai.azure.com/openai"));
            Assert.Equal(BatchStatus.Pending, b.Status);
            Assert.Equal(new DateTimeOffset(2024, 9, 24, 18, 37, 24, TimeSpan.Zero), b.CreatedAt);
            Assert.Equal(0, b.Total);
        }

        [Fact]
        public void Success_line_gives_output_and_usage()
        {
            var line = @"{""id"":""batch_req_1"",""custom_id"":""request-2"",""response"":{""status_code"":200,""request_id"":""req_1"",""body"":{""id"":""chatcmpl-1"",""object"":""chat.completion"",""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""Hello.""},""finish_reason"":""stop""}],""usage"":{""prompt_tokens"":22,""completion_tokens"":2,""total_tokens"":24}}},""error"":null}";
            var r = OpenAIResultParser.Parse(line, 1);
            Assert.Equal("request-2", r.CustomId);
            Assert.Equal(ResultStatus.Succeeded, r.Status);
            Assert.Equal("Hello.", r.Output);
            Assert.Equal(22, r.Usage!.InputTokens);
            Assert.Equal(24, r.Usage.TotalTokens);
            Assert.Null(r.Error);
            Assert.Equal(line, r.RawResponse);
        }

        [Fact]
        public void Http_failure_line_keeps_the_providers_message()
        {
            var line = @"{""id"":""batch_req_2"",""custom_id"":""request-5"",""response"":{""status_code"":400,""request_id"":""req_2"",""body"":{""error"":{""message"":""Bad prompt"",""type"":""invalid_request_error"",""param"":""messages"",""code"":""emulated_failure""}}},""error"":null}";
            var r = OpenAIResultParser.Parse(line, 1);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal(400, r.Error!.HttpStatus);
            Assert.Equal("emulated_failure", r.Error.Code);
            Assert.Equal("Bad prompt", r.Error.Message);
        }

        [Theory]
        [InlineData("batch_expired", ResultStatus.Expired)]
        [InlineData("batch_cancelled", ResultStatus.Cancelled)]
        [InlineData("server_error", ResultStatus.Failed)]
        public void Non_http_errors_map_by_code(string code, ResultStatus expected)
        {
            var line = @"{""id"":""batch_req_3"",""custom_id"":""request-3"",""response"":null,""error"":{""code"":""" + code + @""",""message"":""m""}}";
            var r = OpenAIResultParser.Parse(line, 1);
            Assert.Equal(expected, r.Status);
            Assert.Equal(code, r.Error!.Code);
        }

        [Fact]
        public void A_malformed_line_becomes_a_failed_result_naming_the_line()
        {
            var r = OpenAIResultParser.Parse(@"{""custom_id"":""request-9"",""response"":{""status_code"":200,", 7);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("request-9", r.CustomId);
            Assert.Equal("invalid_result_line", r.Error!.Code);
            Assert.Contains("Line 7", r.Error.Message);
        }

        [Fact]
        public void Request_line_carries_every_body_field_and_user_fields_win()
        {
            var request = new IrisBatchRequest
            {
                CustomId = "r1",
                Model = "gpt-4o-mini",
                Messages = new[] { new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi") },
                MaxTokens = 50,
                Temperature = 0.2,
                BodyJson = @"{""response_format"":{""type"":""json_object""},""temperature"":0.9,""top_p"":0.5}",
            };
            using var ms = new System.IO.MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) OpenAIRequestWriter.Write(w, request, "/v1/chat/completions");
            using var doc = JsonDocument.Parse(ms.ToArray());
            var root = doc.RootElement;
            Assert.Equal("r1", root.GetProperty("custom_id").GetString());
            Assert.Equal("POST", root.GetProperty("method").GetString());
            Assert.Equal("/v1/chat/completions", root.GetProperty("url").GetString());
            var body = root.GetProperty("body");
            Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
            Assert.Equal(2, body.GetProperty("messages").GetArrayLength());
            Assert.Equal(50, body.GetProperty("max_completion_tokens").GetInt32());
            Assert.Equal(0.9, body.GetProperty("temperature").GetDouble());
            Assert.Equal("json_object", body.GetProperty("response_format").GetProperty("type").GetString());
            Assert.Equal(0.5, body.GetProperty("top_p").GetDouble());
            var count = 0;
            foreach (var p in body.EnumerateObject()) if (p.Name == "temperature") count++;
            Assert.Equal(1, count);
        }
    }
}
