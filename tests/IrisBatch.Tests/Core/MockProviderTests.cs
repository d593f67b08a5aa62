using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using IrisBatch.Http;
using IrisBatch.Jsonl;
using IrisBatch.Providers;
using IrisBatch.Providers.Mock;
using IrisBatch.Results;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>The in-process mock provider: lifecycle per poll, answers, failures, cancel, expiry, unknown ids, its files and their deletion.</summary>
    public sealed class MockProviderTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "irisbatch-mock-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        private readonly MockProvider _mock;

        public MockProviderTests()
        {
            Environment.SetEnvironmentVariable(MockLifecycle.ModeVariable, null);
            _mock = new MockProvider(new Uri(MockProvider.DefaultBaseUri), new HttpSettings(), _root);
        }

        public void Dispose()
        {
            if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        }

        private IrisBatchInfo Submit(params string[] prompts)
        {
            Directory.CreateDirectory(_root);
            var input = Path.Combine(_root, "input-" + Guid.NewGuid().ToString("N") + ".jsonl");
            using (var w = new JsonlWriter(input))
                for (int i = 0; i < prompts.Length; i++)
                {
                    var r = new IrisBatchRequest { CustomId = "r" + (i + 1), Model = "gpt-4o-mini", Messages = new[] { new ChatMessage("system", "Be brief."), new ChatMessage("user", prompts[i]) } };
                    w.WriteLine(x => _mock.WriteRequest(x, r));
                }
            var submission = new BatchSubmission { InputPath = input, RequestCount = prompts.Length, Model = "gpt-4o-mini", IdempotencyKey = "ib-" + Guid.NewGuid().ToString("N"), Name = "test" };
            var fileId = _mock.UploadAsync(submission, null, CancellationToken.None).GetAwaiter().GetResult();
            return _mock.CreateAsync(submission, fileId, CancellationToken.None).GetAwaiter().GetResult();
        }

        private IrisBatchInfo Poll(string id) => _mock.GetAsync(id, CancellationToken.None).GetAwaiter().GetResult();

        private List<IrisBatchResult> Results(IrisBatchInfo batch)
        {
            var dir = Path.Combine(_root, "results-" + batch.Id);
            Directory.CreateDirectory(dir);
            var files = _mock.DownloadResultsAsync(batch, dir, null, CancellationToken.None).GetAwaiter().GetResult();
            return new ResultReader(_mock, batch, null).Read(files).ToList();
        }

        [Fact]
        public void Each_poll_takes_one_step_with_counts_rising()
        {
            var b = Submit("a", "b", "c", "d");
            Assert.Equal(BatchStatus.Pending, b.Status);
            Assert.Equal("test", b.Name);
            var seen = new List<(BatchStatus, long)>();
            for (int i = 0; i < 4; i++)
            {
                var p = Poll(b.Id);
                seen.Add((p.Status, p.Processed));
            }
            Assert.Equal(new[] { (BatchStatus.InProgress, 2L), (BatchStatus.Finalizing, 4L), (BatchStatus.Completed, 4L), (BatchStatus.Completed, 4L) }, seen);
        }

        [Fact]
        public void Answers_echo_the_last_user_message_and_fail_marker_fails_with_400()
        {
            var b = Submit("hello world", "please [fail]", "boom [fail500]");
            for (int i = 0; i < 3; i++) b = Poll(b.Id);
            Assert.Equal(BatchStatus.Completed, b.Status);
            Assert.Equal(1, b.Succeeded);
            Assert.Equal(2, b.Failed);
            var results = Results(b).ToDictionary(r => r.CustomId);
            Assert.Equal("Echo: hello world", results["r1"].Output);
            Assert.Equal(4, results["r1"].Usage!.InputTokens);   // "Be brief." + "hello world"
            Assert.Equal(ResultStatus.Failed, results["r2"].Status);
            Assert.Equal(400, results["r2"].Error!.HttpStatus);
            Assert.Equal("emulated_failure", results["r2"].Error!.Code);
            Assert.Equal(500, results["r3"].Error!.HttpStatus);
        }

        [Fact]
        public void Cancel_goes_through_cancelling_and_keeps_the_requests_that_ran()
        {
            var b = Submit("a", "b", "c", "d");
            Poll(b.Id);                                   // in_progress, 2 of 4 done
            var c = _mock.CancelAsync(b.Id, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(BatchStatus.Cancelling, c.Status);
            Assert.False(c.IsComplete);
            var done = Poll(b.Id);
            Assert.Equal(BatchStatus.Cancelled, done.Status);
            Assert.Equal(2, done.Processed);
            Assert.Equal(new[] { "r1", "r2" }, Results(done).Select(r => r.CustomId).OrderBy(x => x));
            var ex = Assert.Throws<IrisBatchException>(() => _mock.CancelAsync(b.Id, CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(ErrorIds.BadRequest, ex.ErrorId);
        }

        [Fact]
        public void Expire_marker_expires_half_way_with_batch_expired_lines()
        {
            var b = Submit("a", "b [expire]", "c");
            for (int i = 0; i < 3; i++) b = Poll(b.Id);
            Assert.Equal(BatchStatus.Expired, b.Status);
            var results = Results(b).ToDictionary(r => r.CustomId);
            Assert.Equal(ResultStatus.Succeeded, results["r2"].Status);
            Assert.Equal(ResultStatus.Expired, results["r3"].Status);
        }

        [Fact]
        public void Invalid_marker_fails_validation_naming_the_line()
        {
            var b = Submit("a", "b", "[invalid] c");
            b = Poll(b.Id);
            Assert.Equal(BatchStatus.Failed, b.Status);
            Assert.Equal(3, Assert.Single(b.Errors).Line);
        }

        [Fact]
        public void Unknown_and_unsafe_ids_are_not_found()
        {
            foreach (var id in new[] { "batch_nope", "../etc" })
            {
                var ex = Assert.Throws<IrisBatchException>(() => Poll(id));
                Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
                Assert.Equal(id, ex.Target);
            }
        }

        [Fact]
        public void List_is_newest_first_with_paging_and_does_not_advance()
        {
            var first = Submit("a");
            var second = Submit("b");
            var page = _mock.ListAsync(null, 1, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(second.Id, Assert.Single(page.Batches).Id);
            Assert.True(page.HasMore);
            var next = _mock.ListAsync(page.Next, 10, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(first.Id, Assert.Single(next.Batches).Id);
            Assert.False(next.HasMore);
            Assert.Equal(BatchStatus.Pending, next.Batches[0].Status);
        }

        private bool Delete(RemoteKind kind, string id) =>
            _mock.DeleteAsync(new RemoteObject(kind, id), CancellationToken.None).GetAwaiter().GetResult();

        private IrisBatchInfo Finished(params string[] prompts)
        {
            var b = Submit(prompts);
            for (int i = 0; i < 3; i++) b = Poll(b.Id);
            Assert.True(b.IsComplete);
            return b;
        }

        private bool InStore(string fileId) => File.Exists(Path.Combine(_root, "files", fileId + ".jsonl"));

        [Fact]
        public void A_finished_batch_has_its_input_output_and_error_files_in_the_store()
        {
            Assert.Equal(RemoteCleanup.Files, _mock.Cleanup);
            var b = Finished("a", "b [fail]");
            Assert.Equal(b.Id + "_output", b.OutputFileId);
            Assert.Equal(b.Id + "_error", b.ErrorFileId);
            foreach (var id in new[] { b.InputFileId!, b.OutputFileId!, b.ErrorFileId! }) Assert.True(InStore(id), id);
            var clean = Finished("c", "d");
            Assert.Null(clean.ErrorFileId);
            Assert.False(InStore(clean.Id + "_error"));
            Assert.True(InStore(clean.OutputFileId!));
        }

        [Fact]
        public void A_file_is_deleted_once_then_it_is_already_gone_and_the_other_batchs_files_stay()
        {
            var b = Finished("a", "b [fail]");
            var other = Finished("c", "d [fail]");
            var files = new[] { (RemoteKind.InputFile, b.InputFileId!), (RemoteKind.OutputFile, b.OutputFileId!), (RemoteKind.ErrorFile, b.ErrorFileId!) };
            foreach (var (kind, id) in files) Assert.True(Delete(kind, id), id);
            foreach (var (kind, id) in files)
            {
                Assert.False(InStore(id), id);
                Assert.False(Delete(kind, id), id);
            }
            foreach (var id in new[] { other.InputFileId!, other.OutputFileId!, other.ErrorFileId! }) Assert.True(InStore(id), id);
            Assert.Equal(2, Results(other).Count);
            // The batch itself stays, as at OpenAI: it still names its files.
            var after = Poll(b.Id);
            Assert.Equal(b.OutputFileId, after.OutputFileId);
        }

        [Fact]
        public void A_deleted_result_file_cannot_be_downloaded_it_is_not_found_naming_the_file()
        {
            var b = Finished("a", "b [fail]");
            Assert.True(Delete(RemoteKind.ErrorFile, b.ErrorFileId!));
            var ex = Assert.Throws<IrisBatchException>(() => Results(b));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.Equal(404, ex.HttpStatus);
            Assert.Equal(b.Id, ex.Target);
            Assert.Contains(b.ErrorFileId!, ex.Message);
        }

        [Fact]
        public void The_results_outlive_the_input_file()
        {
            var b = Finished("a", "b [fail]", "c");
            Assert.True(Delete(RemoteKind.InputFile, b.InputFileId!));
            var results = Results(b);
            Assert.Equal(new[] { "r1", "r2", "r3" }, results.Select(r => r.CustomId).OrderBy(x => x));
            Assert.Equal("Echo: c", results.Single(r => r.CustomId == "r3").Output);
        }

        [Fact]
        public void The_results_of_a_batch_finished_before_files_were_made_are_made_before_its_input_goes()
        {
            // A batch an older mock finished: terminal, its results never made in the store.
            var b = Finished("a", "b [expire]", "c", "d");
            var store = new MockStore(_root);
            var state = store.Load(b.Id)!;
            state.ResultsWritten = false;
            store.Save(state);
            Assert.True(store.DeleteFile(b.OutputFileId!));
            Assert.True(store.DeleteFile(b.ErrorFileId!));
            Assert.True(Delete(RemoteKind.InputFile, b.InputFileId!));
            Assert.True(InStore(b.OutputFileId!));
            Assert.True(InStore(b.ErrorFileId!));
            Assert.Equal(new[] { ResultStatus.Succeeded, ResultStatus.Succeeded, ResultStatus.Expired, ResultStatus.Expired },
                Results(b).Select(r => r.Status).OrderBy(x => x));
        }

        [Fact]
        public void Of_parallel_deletes_of_one_file_exactly_one_deletes_it()
        {
            var b = Finished("a");
            var outcomes = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
                .Select(_ => Delete(RemoteKind.OutputFile, b.OutputFileId!)).ToList();
            Assert.Equal(1, outcomes.Count(x => x));
            Assert.False(InStore(b.OutputFileId!));
        }

        [Fact]
        public void The_batch_itself_cannot_be_deleted_and_unknown_or_unsafe_files_are_already_gone()
        {
            var b = Finished("a");
            var ex = Assert.Throws<IrisBatchException>(() => Delete(RemoteKind.Batch, b.Id));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Equal(BatchStatus.Completed, Poll(b.Id).Status);
            Assert.False(Delete(RemoteKind.InputFile, "file-mock-nope"));
            Assert.False(Delete(RemoteKind.OutputFile, "batch_mock_nope_output"));
            Assert.False(Delete(RemoteKind.InputFile, "../batches/" + b.Id));
            Assert.True(InStore(b.InputFileId!));
        }

        [Fact]
        public void The_factory_builds_the_mock_without_a_key()
        {
            var p = ProviderFactory.Create("mock", null, null, new HttpSettings());
            Assert.Equal("Mock", p.Name);
            Assert.Contains("Mock", ProviderFactory.Names);
        }

        [Theory]
        [InlineData("hello  there world")]
        [InlineData("")]
        [InlineData("x [fail]")]
        public void The_answer_rule_is_the_emulators(string prompt)
        {
            var fake = global::IrisBatch.Emulator.FakeModel.Answer(new[] { new global::IrisBatch.Emulator.FakeMessage("system", "Be brief."), new global::IrisBatch.Emulator.FakeMessage("user", prompt) });
            var line = $"{{\"custom_id\":\"a\",\"body\":{{\"model\":\"m\",\"messages\":[{{\"role\":\"system\",\"content\":\"Be brief.\"}},{{\"role\":\"user\",\"content\":\"{prompt}\"}}]}}}}";
            var mine = MockModel.Read(line);
            Assert.Equal(fake.Content, MockModel.Answer(mine.LastUser));
            Assert.Equal(fake.PromptTokens, mine.PromptTokens);
            Assert.Equal(fake.Outcome != global::IrisBatch.Emulator.FakeOutcome.Ok, MockModel.Fails(mine.LastUser));
        }
    }
}
