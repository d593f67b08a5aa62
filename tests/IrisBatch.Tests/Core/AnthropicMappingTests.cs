using System;
using System.IO;
using System.Text.Json;
using IrisBatch.Http;
using IrisBatch.Providers.Anthropic;
using Xunit;

namespace IrisBatch.Tests.Core
{
    public class AnthropicMappingTests
    {
        private static IrisBatchInfo Read(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return AnthropicJson.ReadBatch(doc.RootElement, new Uri("http://127.0.0.1:1"));
        }

        [Fact]
        public void In_progress_batch_maps_counts_and_rfc3339_times()
        {
            var b = Read(@"{""id"":""msgbatch_1"",""type"":""message_batch"",""processing_status"":""in_progress"",
                ""request_counts"":{""processing"":2,""succeeded"":0,""errored"":0,""canceled"":0,""expired"":0},
                ""ended_at"":null,""created_at"":""2024-09-24T18:37:24.100435Z"",""expires_at"":""2024-09-25T18:37:24.100435Z"",
                ""archived_at"":null,""cancel_initiated_at"":null,""results_url"":null}");
            Assert.Equal(BatchStatus.InProgress, b.Status);
            Assert.False(b.IsComplete);
            Assert.Equal(2, b.Total);
            Assert.Equal(0, b.Processed);
            Assert.Equal(2024, b.CreatedAt!.Value.Year);
            Assert.Null(b.ResultsUrl);
        }

        [Fact]
        public void Canceling_is_not_terminal_and_ended_after_cancel_is_cancelled()
        {
            Assert.Equal(BatchStatus.Cancelling, Read(@"{""id"":""m"",""processing_status"":""canceling"",""cancel_initiated_at"":""2024-09-24T18:37:24Z""}").Status);
            var ended = Read(@"{""id"":""m"",""processing_status"":""ended"",""cancel_initiated_at"":""2024-09-24T18:37:24Z"",""results_url"":""http://127.0.0.1:1/v1/messages/batches/m/results"",
                ""request_counts"":{""processing"":0,""succeeded"":3,""errored"":1,""canceled"":5,""expired"":1}}");
            Assert.Equal(BatchStatus.Cancelled, ended.Status);
            Assert.Equal(10, ended.Total);
            Assert.Equal(3, ended.Succeeded);
            Assert.Equal(7, ended.Failed);
            Assert.Equal(BatchStatus.Completed, Read(@"{""id"":""m"",""processing_status"":""ended""}").Status);
        }

        [Theory]
        [InlineData(@"{""custom_id"":""a"",""result"":{""type"":""succeeded"",""message"":{""content"":[{""type"":""text"",""text"":""Hello again!""}],""usage"":{""input_tokens"":11,""output_tokens"":36}}}}", ResultStatus.Succeeded, null)]
        [InlineData(@"{""custom_id"":""a"",""result"":{""type"":""errored"",""error"":{""type"":""error"",""error"":{""type"":""invalid_request_error"",""message"":""max_tokens: Field required""},""request_id"":null}}}", ResultStatus.Failed, "invalid_request_error")]
        [InlineData(@"{""custom_id"":""a"",""result"":{""type"":""canceled""}}", ResultStatus.Cancelled, "canceled")]
        [InlineData(@"{""custom_id"":""a"",""result"":{""type"":""expired""}}", ResultStatus.Expired, "expired")]
        public void Result_lines_map_to_statuses(string line, ResultStatus status, string? code)
        {
            var r = AnthropicJson.ParseResult(line, 1);
            Assert.Equal("a", r.CustomId);
            Assert.Equal(status, r.Status);
            Assert.Equal(code, r.Error?.Code);
            if (status == ResultStatus.Succeeded)
            {
                Assert.Equal("Hello again!", r.Output);
                Assert.Equal(47, r.Usage!.TotalTokens);
            }
        }

        [Fact]
        public void Request_puts_system_at_top_level_and_defaults_max_tokens()
        {
            var request = new IrisBatchRequest
            {
                CustomId = "r1",
                Model = "claude-x",
                Messages = new[] { new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi") },
                BodyJson = @"{""top_k"":5}",
            };
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) AnthropicRequestWriter.Write(w, request);
            using var doc = JsonDocument.Parse(ms.ToArray());
            var p = doc.RootElement.GetProperty("params");
            Assert.Equal("r1", doc.RootElement.GetProperty("custom_id").GetString());
            Assert.Equal("Be brief.", p.GetProperty("system").GetString());
            Assert.Equal(AnthropicRequestWriter.DefaultMaxTokens, p.GetProperty("max_tokens").GetInt32());
            Assert.Equal(1, p.GetProperty("messages").GetArrayLength());
            Assert.Equal("user", p.GetProperty("messages")[0].GetProperty("role").GetString());
            Assert.Equal(5, p.GetProperty("top_k").GetInt32());
        }

        [Fact]
        public void Inline_body_streams_the_spool_as_one_json_array()
        {
            var path = Path.GetTempFileName();
            try
            {
                File.WriteAllText(path, "{\"custom_id\":\"a\"}\n{\"custom_id\":\"b\"}\n{\"custom_id\":\"c\"}\n");
                var content = new JsonArrayFileContent("{\"requests\":[", path, 3, "]}");
                var text = content.ReadAsStringAsync().Result;
                Assert.Equal("{\"requests\":[{\"custom_id\":\"a\"},{\"custom_id\":\"b\"},{\"custom_id\":\"c\"}]}", text);
                Assert.Equal(text.Length, content.Headers.ContentLength);
                using var doc = JsonDocument.Parse(text);
                Assert.Equal(3, doc.RootElement.GetProperty("requests").GetArrayLength());
            }
            finally { File.Delete(path); }
        }
    }
}
