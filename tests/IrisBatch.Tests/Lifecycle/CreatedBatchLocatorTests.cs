using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Providers;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Lifecycle;

/// <summary>
/// The look-up after a lost create reads the provider's list to its end. A list that says there is more but gives no
/// way on (no cursor, or the cursor it was just asked with) cannot be read to its end: the batch looked for may be on
/// the page it never gives. Taking that for the end would find nothing and create the batch again, paying twice.
/// </summary>
public sealed class CreatedBatchLocatorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Theory]
    [InlineData("same")]    // next_cursor equal to the one asked with (a cursor that does not move)
    [InlineData("none")]    // has_more true without a cursor
    public async Task A_list_that_says_more_but_gives_no_way_on_is_a_failed_look_up(string next)
    {
        var provider = new PagedProvider(new[]
        {
            new BatchPage { Batches = new[] { Batch("stranger-1") }, HasMore = true, Next = "page-2" },
            new BatchPage { Batches = new[] { Batch("stranger-2") }, HasMore = true, Next = next == "same" ? "page-2" : null },
        });
        var locator = new CreatedBatchLocator(provider, _ => false);

        var ex = await Assert.ThrowsAsync<IrisBatchException>(() =>
            locator.CandidatesAsync(new BatchSubmission { IdempotencyKey = "ib-1", RequestCount = 10 }, null, Now, Now, CancellationToken.None));

        Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
        Assert.Contains("TestProvider", ex.Message);
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task A_list_that_ends_is_read_to_its_end_and_its_candidates_kept()
    {
        var provider = new PagedProvider(new[]
        {
            new BatchPage { Batches = new[] { Batch("stranger-1") }, HasMore = true, Next = "page-2" },
            new BatchPage { Batches = new[] { Batch("ours", "ib-1") }, HasMore = false, Next = null },
        });
        var found = await new CreatedBatchLocator(provider, _ => false)
            .CandidatesAsync(new BatchSubmission { IdempotencyKey = "ib-1", RequestCount = 10 }, null, Now, Now, CancellationToken.None);

        Assert.Equal("ours", Assert.Single(found).Id);
        Assert.Equal(2, provider.Calls);
    }

    private static IrisBatchInfo Batch(string id, string key = "ib-other") =>
        new IrisBatchInfo { Id = id, IdempotencyKey = key, Total = 10, CreatedAt = Now };

    /// <summary>A provider whose list answers the given pages in turn; only what the locator calls is there.</summary>
    private sealed class PagedProvider : IBatchProvider
    {
        private readonly IReadOnlyList<BatchPage> _pages;
        public PagedProvider(IReadOnlyList<BatchPage> pages) => _pages = pages;
        public int Calls { get; private set; }

        public string Name => "TestProvider";
        public Uri BaseUri => new Uri("http://127.0.0.1:9/v1");
        public string Location => BaseUri.AbsoluteUri;
        public ProviderLimits Limits { get; } = new ProviderLimits();
        public ProviderCapabilities Capabilities => ProviderCapabilities.ListsBatches;
        public IExecutingProvider? Executor => null;
        public RemoteCleanup Cleanup => RemoteCleanup.None;

        public Task<BatchPage> ListAsync(string? after, int limit, CancellationToken ct) =>
            Task.FromResult(_pages[Math.Min(Calls++, _pages.Count - 1)]);

        public bool IsCandidate(BatchSubmission submission, string? inputFileId, IrisBatchInfo batch) =>
            batch.IdempotencyKey == submission.IdempotencyKey;

        public void WriteRequest(Utf8JsonWriter writer, IrisBatchRequest request) => throw new NotSupportedException();
        public Task<string?> UploadAsync(BatchSubmission submission, Action<long>? progress, CancellationToken ct) => throw new NotSupportedException();
        public Task<string?> FindUploadAsync(string idempotencyKey, CancellationToken ct) => throw new NotSupportedException();
        public Task<IrisBatchInfo> FinishCreateAsync(IrisBatchInfo found, BatchSubmission submission, CancellationToken ct) => throw new NotSupportedException();
        public Task<IrisBatchInfo> CreateAsync(BatchSubmission submission, string? fileId, CancellationToken ct) => throw new NotSupportedException();
        public Task<IrisBatchInfo> GetAsync(string id, CancellationToken ct) => throw new NotSupportedException();
        public Task<IrisBatchInfo> CancelAsync(string id, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<string>> DownloadResultsAsync(IrisBatchInfo batch, string directory, Action<long>? progress, CancellationToken ct) => throw new NotSupportedException();
        public IrisBatchResult ParseResultLine(string line, long lineNumber) => throw new NotSupportedException();
        public Task<bool> DeleteAsync(RemoteObject item, CancellationToken ct) => throw new NotSupportedException();
    }
}
