using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Results;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Core
{
    public class ResultMergeTests : SpooledJournalTest
    {
        public ResultMergeTests() : base("irisbatch-merge-") { }

        private static string Success(string id) =>
            "{\"id\":\"r\",\"custom_id\":\"" + id + "\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"ok " + id + "\"}}]}},\"error\":null}";

        private static string Failure(string id) =>
            "{\"id\":\"r\",\"custom_id\":\"" + id + "\",\"response\":{\"status_code\":400,\"body\":{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"x\"}}},\"error\":null}";

        private string Write(string name, IEnumerable<string> lines)
        {
            var path = Path.Combine(_dir, name);
            File.WriteAllLines(path, lines);
            return path;
        }

        [Fact]
        public void Output_and_error_files_merge_into_one_result_per_request_joined_to_inputs()
        {
            var entry = Spool(5);
            var output = Write("out.jsonl", new[] { Success("request-3"), Success("request-1") });
            var errors = Write("err.jsonl", new[] { Failure("request-2") });
            var batch = new IrisBatchInfo { Id = "batch_1", Status = BatchStatus.Completed, ProviderStatus = "completed" };
            var results = new ResultReader(_provider, batch, _journal.RequestsPath(entry)).Read(new[] { output, errors }).ToList();

            Assert.Equal(new[] { "request-1", "request-2", "request-3", "request-4", "request-5" }, results.Select(r => r.CustomId).OrderBy(x => x));
            var byId = results.ToDictionary(r => r.CustomId);
            Assert.Equal(ResultStatus.Succeeded, byId["request-3"].Status);
            Assert.Equal("ok request-3", byId["request-3"].Output);
            Assert.Equal("{\"n\":\"3\"}", byId["request-3"].Request!.InputJson);
            Assert.Equal("prompt 3", byId["request-3"].Request!.Prompt);
            Assert.Equal(ResultStatus.Failed, byId["request-2"].Status);
            Assert.Equal("missing_result", byId["request-4"].Error!.Code);
            Assert.All(results, r => Assert.Equal("batch_1", r.BatchId));
        }

        [Fact]
        public void Unreported_requests_of_a_cancelled_batch_are_cancelled_and_of_an_expired_batch_expired()
        {
            var entry = Spool(3);
            var output = Write("out.jsonl", new[] { Success("request-2") });
            var cancelled = new ResultReader(_provider, new IrisBatchInfo { Id = "b", Status = BatchStatus.Cancelled }, _journal.RequestsPath(entry))
                .Read(new[] { output, Path.Combine(_dir, "absent.jsonl") }).ToList();
            Assert.Equal(3, cancelled.Count);
            Assert.Equal(2, cancelled.Count(r => r.Status == ResultStatus.Cancelled));
            var expired = new ResultReader(_provider, new IrisBatchInfo { Id = "b", Status = BatchStatus.Expired }, _journal.RequestsPath(entry))
                .Read(new[] { output }).ToList();
            Assert.Equal(2, expired.Count(r => r.Status == ResultStatus.Expired));
        }

        [Fact]
        public void A_batch_that_failed_validation_gives_each_request_its_line_error()
        {
            var entry = Spool(3);
            var batch = new IrisBatchInfo
            {
                Id = "b",
                Status = BatchStatus.Failed,
                Errors = new[] { new BatchValidationError { Code = "model_not_found", Message = "bad model", Line = 2 } },
            };
            var results = new ResultReader(_provider, batch, _journal.RequestsPath(entry)).Read(new string[0]).ToList();
            Assert.Equal(3, results.Count);
            Assert.All(results, r => Assert.Equal(ResultStatus.Failed, r.Status));
            Assert.Equal("model_not_found", results.Single(r => r.CustomId == "request-2").Error!.Code);
            Assert.Equal("batch_failed", results.Single(r => r.CustomId == "request-1").Error!.Code);
        }

        [Fact]
        public void A_malformed_result_line_is_a_failed_result_and_the_rest_still_come()
        {
            var entry = Spool(3);
            var output = Write("out.jsonl", new[] { Success("request-1"), "{\"custom_id\":\"request-2\",\"response\":{", Success("request-3") });
            var results = new ResultReader(_provider, new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed }, _journal.RequestsPath(entry))
                .Read(new[] { output }).ToList();
            Assert.Equal(3, results.Count);
            var bad = results.Single(r => r.CustomId == "request-2");
            Assert.Equal("invalid_result_line", bad.Error!.Code);
            Assert.Contains("Line 2", bad.Error.Message);
        }

        [Fact]
        public void Duplicate_result_lines_are_counted_once()
        {
            var entry = Spool(1);
            var output = Write("out.jsonl", new[] { Success("request-1"), Success("request-1") });
            var reader = new ResultReader(_provider, new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed }, _journal.RequestsPath(entry));
            Assert.Single(reader.Read(new[] { output }).ToList());
            Assert.Equal(1, reader.Duplicates);
        }

        [Fact]
        public void Spooler_splits_by_model_count_and_bytes_and_refuses_duplicate_ids()
        {
            using var spooler = new BatchSpooler(_journal, _provider, null, null, maxRequestsPerBatch: 2, maxBytesPerBatch: 100_000);
            for (int i = 1; i <= 5; i++)
                spooler.Add(new IrisBatchRequest { CustomId = "a" + i, Model = i % 2 == 0 ? "m2" : "m1", Messages = new[] { new ChatMessage("user", "x") }, RowNumber = i });
            Assert.False(spooler.Add(new IrisBatchRequest { CustomId = "a3", Model = "m1", Messages = new[] { new ChatMessage("user", "x") }, RowNumber = 6 }));
            Assert.Equal("a3", spooler.Duplicate!.CustomId);
            Assert.Equal(3, spooler.Duplicate.FirstRow);
            Assert.Equal(6, spooler.Duplicate.SecondRow);
            var parts = spooler.Finish();
            Assert.Equal(new long[] { 2, 2, 1 }, parts.Select(p => p.Entry.RequestCount).OrderByDescending(x => x));
            Assert.All(parts, p => Assert.Single(File.ReadAllLines(_journal.InputPath(p.Entry)).Select(l => l.Contains("\"model\":\"m1\"") ? "m1" : "m2").Distinct()));
            Assert.Single(parts.Select(p => p.Entry.SetId).Distinct());

            using var bySize = new BatchSpooler(_journal, _provider, null, null, maxBytesPerBatch: 400);
            for (int i = 1; i <= 10; i++)
                bySize.Add(new IrisBatchRequest { CustomId = "b" + i, Model = "m", Messages = new[] { new ChatMessage("user", new string('y', 100)) }, RowNumber = i });
            var sized = bySize.Finish();
            Assert.True(sized.Count > 1);
            Assert.All(sized, p => Assert.True(new FileInfo(_journal.InputPath(p.Entry)).Length <= 400));
            Assert.Equal(10, sized.Sum(p => p.Entry.RequestCount));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Requests_and_raw_lines_are_read_when_asked_for_even_after_the_reader_has_ended(bool readRequests)
        {
            // Results in another order than the requests, lines ending in "\r\n", text beyond ASCII: each result's
            // request, input and raw line are its own, whether asked for while reading or after the files are closed.
            var entry = Spool(6);
            var order = new[] { 4, 1, 6, 2, 5, 3 };
            var lines = order.Select(i => Success("request-" + i).Replace("ok request-", "d\u00e9j\u00e0 \u2713 ok request-")).ToList();
            var output = Path.Combine(_dir, "out-crlf.jsonl");
            File.WriteAllText(output, string.Join("\r\n", lines) + "\r\n", new System.Text.UTF8Encoding(false));
            var batch = new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed };

            var results = new ResultReader(_provider, batch, _journal.RequestsPath(entry)).Read(new[] { output }, readRequests).ToList();

            Assert.Equal(6, results.Count);
            for (int k = 0; k < order.Length; k++)
            {
                var r = results[k];
                Assert.Equal("request-" + order[k], r.CustomId);
                Assert.Equal(lines[k], r.RawResponse);
                Assert.Equal("request-" + order[k], r.Request!.CustomId);
                Assert.Equal("prompt " + order[k], r.Request.Prompt);
                Assert.Equal("{\"n\":\"" + order[k] + "\"}", r.Request.InputJson);
            }
        }

        [Fact]
        public void A_line_the_fast_reader_cannot_read_is_read_as_text_and_keeps_its_raw_line()
        {
            var entry = Spool(2);
            var odd = "{\"custom_id\":\"request-2\",\"response\":{\"status_code\":200,\"body\":{\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"hi\"}]}]}},\"error\":null}";
            var output = Write("odd.jsonl", new[] { Success("request-1"), "   ", odd });
            var results = new ResultReader(_provider, new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed }, _journal.RequestsPath(entry))
                .Read(new[] { output }).ToList();
            Assert.Equal(new[] { "request-1", "request-2" }, results.Select(r => r.CustomId));
            Assert.Equal(odd, results[1].RawResponse);
            Assert.Equal(OpenAIResultParser.ParseDocument(odd, 3).Output, results[1].Output);
            Assert.Equal(ResultStatus.Succeeded, results[1].Status);
        }
    }
}
