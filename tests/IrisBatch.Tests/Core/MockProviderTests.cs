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
    /// <summary>The in-process mock provider: lifecycle per poll, answers, failures, cancel, expiry, unknown ids.</summary>
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
