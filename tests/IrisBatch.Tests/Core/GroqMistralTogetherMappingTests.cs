using System;
using System.IO;
using System.Text;
using System.Text.Json;
using IrisBatch.Http;
using IrisBatch.Jsonl;
using IrisBatch.Providers;
using IrisBatch.Providers.Mistral;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Providers.Together;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Issue 19: how Mistral's and Together's wire shapes (spec §12, §14) and Groq's differences (§13) are read.</summary>
    public class GroqMistralTogetherMappingTests
    {
        [Theory]
        [InlineData("QUEUED", BatchStatus.Pending)]
        [InlineData("RUNNING", BatchStatus.InProgress)]
        [InlineData("CANCELLATION_REQUESTED", BatchStatus.Cancelling)]
        [InlineData("SUCCESS", BatchStatus.Completed)]
        [InlineData("FAILED", BatchStatus.Failed)]
        [InlineData("TIMEOUT_EXCEEDED", BatchStatus.Expired)]
        [InlineData("CANCELLED", BatchStatus.Cancelled)]
        [InlineData("SOMETHING_NEW", BatchStatus.Unknown)]
        public void Mistral_statuses_map_and_an_unknown_one_is_not_terminal(string status, BatchStatus expected)
        {
            Assert.Equal(expected, MistralJson.MapStatus(status, started: true));
            Assert.False(BatchStatus.Unknown.IsTerminal());
        }

        [Fact]
        public void Mistral_job_reads_flat_counters_files_errors_and_metadata()
        {
            using var doc = JsonDocument.Parse(@"{""id"":""b6d4b0c8-1c9e-4a43-9f3c-1f2b1a0e1d11"",""object"":""batch"",""input_files"":[""fe3343a2-3b8d-404b-ba32-a78dede2614a""],
                ""metadata"":{""irisbatch_key"":""ib-1"",""irisbatch_name"":""nightly"",""team"":""ops""},""endpoint"":""/v1/chat/completions"",""model"":""mistral-small-latest"",
                ""output_file"":""o-1"",""error_file"":null,""errors"":[{""message"":""bad line"",""count"":3}],""status"":""RUNNING"",""created_at"":1759500189,
                ""total_requests"":10,""completed_requests"":6,""succeeded_requests"":5,""failed_requests"":1,""started_at"":1759500190,""completed_at"":null}");
            var b = MistralJson.ReadBatch(doc.RootElement, "http://127.0.0.1:1/mistral/v1");
            Assert.Equal(BatchStatus.InProgress, b.Status);
            Assert.Equal(10, b.Total);
            Assert.Equal(5, b.Succeeded);
            Assert.Equal(1, b.Failed);
            Assert.Equal("fe3343a2-3b8d-404b-ba32-a78dede2614a", b.InputFileId);
            Assert.Equal("o-1", b.OutputFileId);
            Assert.Null(b.ErrorFileId);
            Assert.Equal("ib-1", b.IdempotencyKey);
            Assert.Equal("nightly", b.Name);
            Assert.Equal("ops", b.Metadata["team"]);
            Assert.Contains("3 times", b.Errors[0].Message);
        }

        [Theory]
        [InlineData(@"{""object"":""error"",""message"":""Invalid model: x"",""type"":""invalid_request_error"",""param"":""model"",""code"":""unknown_model""}", "Invalid model: x", "unknown_model")]
        [InlineData(@"{""detail"":[{""type"":""less_than_equal"",""loc"":[""body"",""timeout_hours""],""msg"":""Input should be less than or equal to 168""}]}", "body.timeout_hours: Input should be less than or equal to 168", "validation_error")]
        [InlineData(@"{""message"":""Unauthorized"",""request_id"":""abc""}", "Unauthorized", null)]
        public void Mistral_errors_are_read_in_all_three_shapes(string body, string message, string? code)
        {
            var info = MistralJson.ParseError(body)!;
            Assert.Equal(message, info.Message);
            Assert.Equal(code, info.Code);
        }

        [Fact]
        public void Mistral_failed_line_takes_the_message_at_the_top_of_its_body()
        {
            var r = MistralJson.ParseResult(@"{""id"":""batch-1"",""custom_id"":""request-2"",""response"":{""status_code"":400,""body"":{""object"":""error"",""message"":""Prompt refused"",""type"":""invalid_request_error"",""param"":null,""code"":""bad_prompt""}},""error"":null}", 1);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("Prompt refused", r.Error!.Message);
            Assert.Equal("bad_prompt", r.Error.Code);
            Assert.Equal(400, r.Error.HttpStatus);
            var ok = MistralJson.ParseResult(@"{""id"":""batch-1"",""custom_id"":""request-1"",""response"":{""status_code"":200,""body"":{""choices"":[{""index"":0,""message"":{""role"":""assistant"",""content"":""Hi""}}],""usage"":{""prompt_tokens"":3,""completion_tokens"":1,""total_tokens"":4}}},""error"":null}", 2);
            Assert.Equal(ResultStatus.Succeeded, ok.Status);
            Assert.Equal("Hi", ok.Output);
        }

        [Fact]
        public void Mistral_failed_line_with_a_422_detail_list_reads_like_the_API_error()
        {
            var r = MistralJson.ParseResult(@"{""id"":""batch-1"",""custom_id"":""request-4"",""response"":{""status_code"":422,""body"":{""detail"":[{""type"":""string_too_short"",""loc"":[""body"",""messages"",0,""content""],""msg"":""String should have at least 1 character"",""input"":""""},{""type"":""missing"",""loc"":[""body"",""model""],""msg"":""Field required""}]}},""error"":null}", 4);
            Assert.Equal(ResultStatus.Failed, r.Status);
            Assert.Equal("body.messages.0.content: String should have at least 1 character; body.model: Field required", r.Error!.Message);
            Assert.Equal(MistralJson.ParseError(@"{""detail"":[{""type"":""string_too_short"",""loc"":[""body"",""messages"",0,""content""],""msg"":""String should have at least 1 character""},{""type"":""missing"",""loc"":[""body"",""model""],""msg"":""Field required""}]}")!.Message, r.Error.Message);
            Assert.Equal("validation_error", r.Error.Code);
            Assert.Equal(422, r.Error.HttpStatus);
            Assert.DoesNotContain("[", r.Error.Message);
            var plain = MistralJson.ParseResult(@"{""id"":""batch-1"",""custom_id"":""request-5"",""response"":{""status_code"":404,""body"":{""detail"":""Not Found""}},""error"":null}", 5);
            Assert.Equal("Not Found", plain.Error!.Message);
        }

        [Fact]
        public void Mistral_metadata_limits_are_the_spec_ones_without_a_pair_cap()
        {
            var limits = new MistralProvider(new Uri("http://127.0.0.1:1/mistral/v1"), "k", new HttpSettings()).Limits;
            Assert.Equal(32, limits.MaxMetadataKeyLength);
            Assert.Equal(1, limits.MinMetadataValueLength);
            Assert.Equal(512, limits.MaxMetadataValueLength);
            Assert.Equal(int.MaxValue, limits.MaxMetadataPairs);
            Assert.Equal(0, OpenAIHost.OpenAI.Limits.MinMetadataValueLength);
        }

        [Theory]
        [InlineData("https://api.groq.com", "https://api.groq.com/openai/v1")]
        [InlineData("https://api.groq.com/", "https://api.groq.com/openai/v1")]
        [InlineData("https://api.groq.com/openai/v1", "https://api.groq.com/openai/v1")]
        [InlineData("https://api.groq.com/openai/v1/", "https://api.groq.com/openai/v1/")]
        [InlineData("http://127.0.0.1:5000/groq/openai/v1", "http://127.0.0.1:5000/groq/openai/v1")]
        [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/openai/v1")]
        public void Groq_base_URL_may_be_the_host_alone_as_in_the_Groq_SDK(string given, string expected)
        {
            var groq = ProviderFactory.Describe("Groq");
            Assert.Equal(expected, ProviderFactory.ResolveBaseUri(groq, given).AbsoluteUri);
            // Only Groq and Mistral: another provider's bare host stays as given.
            Assert.Equal("https://example.com/", ProviderFactory.ResolveBaseUri(ProviderFactory.Describe("Together"), "https://example.com").AbsoluteUri);
        }

        [Theory]
        [InlineData("https://api.mistral.ai", "https://api.mistral.ai/v1")]
        [InlineData("https://api.mistral.ai/", "https://api.mistral.ai/v1")]
        [InlineData("https://api.mistral.ai/v1", "https://api.mistral.ai/v1")]
        [InlineData("http://127.0.0.1:5000/mistral/v1", "http://127.0.0.1:5000/mistral/v1")]
        [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/v1")]
        public void Mistral_base_URL_may_be_the_host_alone_as_its_server_is(string given, string expected)
        {
            // spec §12.1: the server is https://api.mistral.ai and every path starts /v1/.
            Assert.Equal(expected, ProviderFactory.ResolveBaseUri(ProviderFactory.Describe("Mistral"), given).AbsoluteUri);
        }

        [Theory]
        [InlineData("VALIDATING", BatchStatus.Pending)]
        [InlineData("IN_PROGRESS", BatchStatus.InProgress)]
        [InlineData("CANCELING", BatchStatus.Cancelling)]
        [InlineData("COMPLETED", BatchStatus.Completed)]
        [InlineData("FAILED", BatchStatus.Failed)]
        [InlineData("EXPIRED", BatchStatus.Expired)]
        [InlineData("CANCELLED", BatchStatus.Cancelled)]
        [InlineData("PAUSED", BatchStatus.Unknown)]
        public void Together_uppercase_statuses_map(string status, BatchStatus expected) => Assert.Equal(expected, TogetherJson.MapStatus(status));

        [Fact]
        public void Together_progress_becomes_honest_counts_and_a_finished_job_counts_its_files()
        {
            using var doc = JsonDocument.Parse(@"{""id"":""j-1"",""input_file_id"":""file-in"",""status"":""IN_PROGRESS"",""progress"":37.5,""created_at"":""2024-01-15T14:30:00Z"",""job_deadline"":""2024-01-16T14:30:00Z"",""model_id"":""m""}");
            var running = TogetherJson.ReadBatch(doc.RootElement, "http://x");
            TogetherJson.ApplyCounts(running, 8, TogetherJson.Progress(doc.RootElement), null, null);
            Assert.Equal(8, running.Total);
            Assert.Equal(3, running.Succeeded);   // floor(37.5% of 8): finished so far, failures unknown until the end
            Assert.Equal(0, running.Failed);
            Assert.Equal(new DateTimeOffset(2024, 1, 15, 14, 30, 0, TimeSpan.Zero), running.CreatedAt);
            Assert.Equal(new DateTimeOffset(2024, 1, 16, 14, 30, 0, TimeSpan.Zero), running.ExpiresAt);

            using var done = JsonDocument.Parse(@"{""id"":""j-1"",""input_file_id"":""file-in"",""status"":""COMPLETED"",""progress"":100,""output_file_id"":""o"",""error_file_id"":""e""}");
            var finished = TogetherJson.ReadBatch(done.RootElement, "http://x");
            TogetherJson.ApplyCounts(finished, 8, 100, 6, 2);
            Assert.Equal(6, finished.Succeeded);
            Assert.Equal(2, finished.Failed);
        }

        [Fact]
        public void Together_batch_errors_are_strings_and_Groq_errors_may_be_a_bare_array()
        {
            Assert.Equal("batch not found", OpenAIJson.ParseError(@"{""error"":""batch not found""}")!.Message);
            using var doc = JsonDocument.Parse(@"{""id"":""batch_01"",""object"":""batch"",""status"":""completed"",""errors"":[{""code"":""invalid_method"",""message"":""bad"",""param"":""method"",""line"":4}]}");
            var b = OpenAIJson.ReadBatch(doc.RootElement, "Groq", new Uri("http://x"));
            Assert.Equal(4, b.Errors[0].Line);
            Assert.Equal("invalid_method", b.Errors[0].Code);
        }

        [Theory]
        [InlineData(24, "24h")]
        [InlineData(36, "36h")]
        [InlineData(72, "3d")]
        [InlineData(168, "7d")]
        public void Completion_windows_are_written_as_durations(int hours, string text) =>
            Assert.Equal(text, CompletionWindows.Format(TimeSpan.FromHours(hours)));

        [Fact]
        public void Completion_windows_are_checked_against_each_provider()
        {
            Assert.Equal(168, CompletionWindows.Check(OpenAIHost.Groq.Limits, "Groq", TimeSpan.FromDays(7)));
            Assert.Equal(24, CompletionWindows.Check(OpenAIHost.OpenAI.Limits, "OpenAI", TimeSpan.FromHours(24)));
            var groq8 = Assert.Throws<IrisBatchException>(() => CompletionWindows.Check(OpenAIHost.Groq.Limits, "Groq", TimeSpan.FromDays(8)));
            Assert.Equal(ErrorIds.InvalidCompletionWindow, groq8.ErrorId);
            Assert.Contains("24 h to 168 h", groq8.Message);
            var openAI = Assert.Throws<IrisBatchException>(() => CompletionWindows.Check(OpenAIHost.OpenAI.Limits, "OpenAI", TimeSpan.FromHours(48)));
            Assert.Contains("only 24 h", openAI.Message);
            var mistral = new MistralProvider(new Uri("http://127.0.0.1:1/mistral/v1"), "k", new HttpSettings());
            Assert.Equal(1, CompletionWindows.Check(mistral.Limits, "Mistral", TimeSpan.FromHours(1)));
            Assert.Throws<IrisBatchException>(() => CompletionWindows.Check(mistral.Limits, "Mistral", TimeSpan.FromMinutes(90)));
            Assert.Throws<IrisBatchException>(() => CompletionWindows.Check(mistral.Limits, "Mistral", TimeSpan.FromHours(169)));
            var none = Assert.Throws<IrisBatchException>(() => CompletionWindows.Check(new ProviderLimits(), "Anthropic", TimeSpan.FromHours(24)));
            Assert.Contains("has no batch completion window", none.Message);
        }

        private static JsonElement Line(IBatchProvider p, IrisBatchRequest r)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options)) p.WriteRequest(w, r);
            using var doc = JsonDocument.Parse(ms.ToArray());
            return doc.RootElement.Clone();
        }

        [Fact]
        public void Mistral_lines_leave_the_model_to_the_job_and_Together_lines_carry_it_neither_has_method_or_url()
        {
            var r = new IrisBatchRequest { CustomId = "request-1", Model = "m-1", MaxTokens = 64, Messages = new[] { new ChatMessage("user", "Hi") } };
            var mistral = Line(new MistralProvider(new Uri("http://127.0.0.1:1/mistral/v1"), "k", new HttpSettings()), r);
            var together = Line(new TogetherProvider(new Uri("http://127.0.0.1:1/together/v1"), "k", new HttpSettings()), r);
            foreach (var line in new[] { mistral, together })
            {
                Assert.False(line.TryGetProperty("method", out _));
                Assert.False(line.TryGetProperty("url", out _));
                Assert.Equal(64, line.GetProperty("body").GetProperty("max_tokens").GetInt32());
            }
            Assert.False(mistral.GetProperty("body").TryGetProperty("model", out _));
            Assert.Equal("m-1", together.GetProperty("body").GetProperty("model").GetString());
            var groq = Line(new OpenAIProvider(new Uri("http://127.0.0.1:1/groq/openai/v1"), "k", new HttpSettings(), OpenAIHost.Groq), r);
            Assert.Equal("/v1/chat/completions", groq.GetProperty("url").GetString());
        }

        /// <summary>
        /// Groq takes reasoning_effort on the models its SDK names (groq-sdk 1.6.0: gpt-oss low/medium/high, qwen3 none/default),
        /// which models.json lists with those efforts; spec §13 names none. Before, Groq's line carried any effort on any
        /// model: uploaded, run, and every row Failed a day later ("Unsupported parameter: 'reasoning_effort'") on the others.
        /// </summary>
        [Fact]
        public void Groq_takes_ReasoningEffort_on_the_models_listing_it_and_refuses_it_for_the_row_on_the_others()
        {
            var groq = new OpenAIProvider(new Uri("http://127.0.0.1:1/groq/openai/v1"), "k", new HttpSettings(), OpenAIHost.Groq);
            IrisBatchRequest Row(string model, string effort) => new IrisBatchRequest
            {
                CustomId = "request-7", RowNumber = 7, Model = model, ReasoningEffort = effort, Messages = new[] { new ChatMessage("user", "Hi") },
            };
            Assert.Equal("low", Line(groq, Row("openai/gpt-oss-120b", "low")).GetProperty("body").GetProperty("reasoning_effort").GetString());
            var plain = Assert.Throws<IrisBatchException>(() => Line(groq, Row("llama-3.1-8b-instant", "low")));
            Assert.Equal(ErrorIds.InvalidRequest, plain.ErrorId);
            Assert.Contains("Row 7", plain.Message);
            Assert.Contains("'llama-3.1-8b-instant' has no reasoning effort", plain.Message);
            var notTaken = Assert.Throws<IrisBatchException>(() => Line(groq, Row("openai/gpt-oss-20b", "minimal")));
            Assert.Equal(ErrorIds.InvalidRequest, notTaken.ErrorId);
            Assert.Contains("does not take reasoning effort 'minimal'", notTaken.Message);
            Assert.Throws<IrisBatchException>(() => Line(groq, Row("qwen/qwen3-32b", "low")));
            // A model models.json does not list is sent as written, as for OpenAI.
            Assert.Equal("high", Line(groq, Row("groq/some-new-model", "high")).GetProperty("body").GetProperty("reasoning_effort").GetString());
        }
    }
}
