using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Providers;

namespace IrisBatch.Submission
{
    /// <summary>
    /// Finds the batch a create call made when its answer was lost (issue 15): pages through every batch the provider
    /// lists that was created since the submission began (less <see cref="ClockSkew"/>, since the provider's clock is not
    /// ours and its timestamps have no fixed precision), skips the batches the journal already owns, and keeps those the
    /// provider says could be this submission's (<see cref="IBatchProvider.IsCandidate"/>). The caller adopts one only
    /// when exactly one remains.
    /// </summary>
    public sealed class CreatedBatchLocator
    {
        /// <summary>How far the provider's clock may be from ours.</summary>
        public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

        /// <summary>At most this many pages are read (100 batches each): beyond that the answer is "uncertain", never "none".</summary>
        public const int MaxPages = 2000;

        private readonly IBatchProvider _provider;
        private readonly Func<string, bool> _owned;

        /// <param name="owned">True for a batch id the journal already records for another submission.</param>
        public CreatedBatchLocator(IBatchProvider provider, Func<string, bool> owned)
        {
            _provider = provider;
            _owned = owned;
        }

        /// <summary>The batches that could be the one a create call of <paramref name="submission"/> made.</summary>
        /// <param name="startedAt">When the first create call of the submission was sent (our clock).</param>
        /// <param name="failedAt">When the ambiguous failure happened in this process, or null after a restart.</param>
        public async Task<IReadOnlyList<IrisBatchInfo>> CandidatesAsync(BatchSubmission submission, string? inputFileId,
            DateTimeOffset startedAt, DateTimeOffset? failedAt, CancellationToken ct)
        {
            var found = new List<IrisBatchInfo>();
            if ((_provider.Capabilities & ProviderCapabilities.ListsBatches) == 0) return found;
            var from = startedAt - ClockSkew;
            var to = failedAt + ClockSkew;
            bool newestFirst = (_provider.Capabilities & ProviderCapabilities.ListsNewestFirst) != 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? after = null;
            for (int page = 0; ; page++)
            {
                if (page >= MaxPages)
                    throw new IrisBatchException(ErrorIds.SubmissionUncertain, FailureKind.InvalidOperation,
                        Messages.TooManyToLookUp(_provider.Name, MaxPages * 100));
                var list = await _provider.ListAsync(after, 100, ct).ConfigureAwait(false);
                bool allOlder = list.Batches.Count > 0;
                foreach (var b in list.Batches)
                {
                    if (!seen.Add(b.Id)) continue;
                    if (b.CreatedAt.HasValue && b.CreatedAt.Value < from) continue;
                    allOlder = false;
                    if (to.HasValue && b.CreatedAt.HasValue && b.CreatedAt.Value > to.Value) continue;
                    if (_owned(b.Id)) continue;
                    if (_provider.IsCandidate(submission, inputFileId, b)) found.Add(b);
                }
                if (!list.HasMore) break;
                // "More" with no way on (no cursor, or the one just asked with) is a list that cannot be read to its end:
                // the batch may be on the page it never gives, so it is a failed look-up, not "none found".
                if (string.IsNullOrEmpty(list.Next) || list.Next == after)
                    throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData,
                        Messages.ListCursorStuck(_provider.Name, page + 1));
                if (newestFirst && allOlder) break;
                after = list.Next;
            }
            return found;
        }
    }
}
