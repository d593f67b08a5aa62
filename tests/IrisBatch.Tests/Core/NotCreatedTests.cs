using System;
using System.Linq;
using IrisBatch.Journal;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Which sent submissions with no batch may be removed (issue 18's clean-up): only a history that says no batch
    /// exists is <see cref="NotCreatedKind.NoBatch"/>; every step whose outcome is unknown keeps the entry.
    /// </summary>
    public class NotCreatedTests
    {
        private static JournalEntry Entry(SubmissionState state, params JournalStep[] steps)
        {
            var e = new JournalEntry { SubmissionId = "20261207000000-abcdef012345", State = state, InputFileId = state == SubmissionState.Spooled ? null : "file-1" };
            var at = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
            foreach (var s in steps) e.History.Add(new StateChange { At = at = at.AddSeconds(1), State = JournalSteps.Text(s), Detail = s.ToString() });
            return e;
        }

        private const JournalStep Spooled = JournalStep.Spooled, UpStarted = JournalStep.UploadStarted, Up = JournalStep.Uploaded,
            UpRefused = JournalStep.UploadRefused, Started = JournalStep.CreateStarted, Refused = JournalStep.CreateRefused;

        [Theory]
        [InlineData(SubmissionState.Spooled, NotCreatedKind.None, new[] { Spooled })]                                         // a spool, SpoolRecovery's
        [InlineData(SubmissionState.Spooled, NotCreatedKind.NoBatch, new[] { Spooled, UpStarted, UpRefused })]
        [InlineData(SubmissionState.Spooled, NotCreatedKind.UploadUnknown, new[] { Spooled, UpStarted })]                     // UploadUnconfirmed, or killed
        [InlineData(SubmissionState.Spooled, NotCreatedKind.UploadUnknown, new[] { Spooled, UpStarted, UpRefused, UpStarted })]
        [InlineData(SubmissionState.Uploaded, NotCreatedKind.NoBatch, new[] { Spooled, UpStarted, Up })]                      // stopped before any create call
        [InlineData(SubmissionState.Uploaded, NotCreatedKind.NoBatch, new[] { Spooled, UpStarted, Up, Started, Refused })]
        [InlineData(SubmissionState.Uploaded, NotCreatedKind.NoBatch, new[] { Spooled, UpStarted, Up, Started, Started, Refused })]
        [InlineData(SubmissionState.Uploaded, NotCreatedKind.CreateUnknown, new[] { Spooled, UpStarted, Up, Started })]       // CreateUnconfirmed, or killed
        [InlineData(SubmissionState.Uploaded, NotCreatedKind.CreateUnknown, new[] { Spooled, UpStarted, Up, Started, Refused, Started })]
        [InlineData(SubmissionState.Uploaded, NotCreatedKind.CreateUnknown, new[] { Spooled, UpStarted, Up, JournalStep.Adopted })]
        [InlineData(SubmissionState.Uploaded, NotCreatedKind.Uncertain, new[] { Spooled, UpStarted, Up, Started, JournalStep.Uncertain })]
        public void A_sent_submission_is_classified_by_its_history(SubmissionState state, NotCreatedKind expected, JournalStep[] steps)
        {
            Assert.Equal(expected, NotCreated.Classify(Entry(state, steps)));
        }

        [Fact]
        public void A_created_batch_is_none_of_them()
        {
            var e = Entry(SubmissionState.Created, Spooled, UpStarted, Up, Started, JournalStep.Created);
            e.BatchId = "batch_1";
            Assert.Equal(NotCreatedKind.None, NotCreated.Classify(e));
            Assert.Null(NotCreated.ToBatch(e));
        }

        [Fact]
        public void Settled_only_when_every_earlier_call_of_the_step_was_refused()
        {
            Assert.True(NotCreated.CreateSettled(Entry(SubmissionState.Uploaded, Spooled, UpStarted, Up)));
            Assert.True(NotCreated.CreateSettled(Entry(SubmissionState.Uploaded, Spooled, UpStarted, Up, Started, Refused)));
            Assert.False(NotCreated.CreateSettled(Entry(SubmissionState.Uploaded, Spooled, UpStarted, Up, Started)));
            Assert.True(NotCreated.UploadSettled(Entry(SubmissionState.Spooled, Spooled)));
            Assert.True(NotCreated.UploadSettled(Entry(SubmissionState.Spooled, Spooled, UpStarted, UpRefused)));
            Assert.False(NotCreated.UploadSettled(Entry(SubmissionState.Spooled, Spooled, UpStarted)));
        }

        [Fact]
        public void Listed_with_no_id_its_submission_and_why()
        {
            var refused = NotCreated.ToBatch(Entry(SubmissionState.Uploaded, Spooled, UpStarted, Up, Started, Refused))!;
            Assert.Equal("", refused.Id);
            Assert.Equal("20261207000000-abcdef012345", refused.SubmissionId);
            Assert.Equal(BatchStatus.Failed, refused.Status);
            Assert.Equal("file-1", refused.InputFileId);
            Assert.Equal("create_refused", refused.Errors.Single().Code);
            Assert.Equal("CreateRefused", refused.Errors.Single().Message);

            var unknown = NotCreated.ToBatch(Entry(SubmissionState.Uploaded, Spooled, UpStarted, Up, Started))!;
            Assert.Equal(BatchStatus.Unknown, unknown.Status);
            Assert.Equal("create_unconfirmed", unknown.Errors.Single().Code);
            Assert.Contains("20261207000000-abcdef012345", unknown.Errors.Single().Message);
        }
    }
}
