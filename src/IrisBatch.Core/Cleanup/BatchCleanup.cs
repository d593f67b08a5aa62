using System.Collections.Generic;
using IrisBatch.Journal;
using IrisBatch.Providers;

namespace IrisBatch.Cleanup
{
    /// <summary>
    /// What Remove-IrisBatch deletes for one batch: at the provider, the batch's input, output and error files (where the
    /// provider keeps files) and the batch itself (where the provider allows it); then, locally, the journal entry.
    /// </summary>
    public static class BatchCleanup
    {
        /// <summary>The remote objects of a terminal batch, in the order they are deleted (files first, the batch last).</summary>
        public static IReadOnlyList<RemoteObject> Plan(IBatchProvider provider, IrisBatchInfo batch, JournalEntry? entry)
        {
            var list = new List<RemoteObject>();
            if (entry?.RemoteRemovedAt != null) return list;   // removed already with -KeepLocal
            var cleanup = provider.Cleanup;
            if ((cleanup & RemoteCleanup.Files) != 0)
            {
                var input = !string.IsNullOrEmpty(batch.InputFileId) ? batch.InputFileId : entry?.InputFileId;
                Add(list, RemoteKind.InputFile, input);
                Add(list, RemoteKind.OutputFile, batch.OutputFileId);
                Add(list, RemoteKind.ErrorFile, batch.ErrorFileId);
            }
            if ((cleanup & RemoteCleanup.Batch) != 0) Add(list, RemoteKind.Batch, batch.Id);
            return list;
        }

        private static void Add(List<RemoteObject> list, RemoteKind kind, string? id)
        {
            if (string.IsNullOrEmpty(id)) return;
            foreach (var o in list) if (o.Id == id) return;   // one file named twice is deleted once
            list.Add(new RemoteObject(kind, id!));
        }

        /// <summary>What the journal entry would lose: a line for -WhatIf and confirmation.</summary>
        public static string DescribeLocal(JournalStore journal, JournalEntry entry, bool keepLocal) =>
            Messages.RemoveEntry(entry.SubmissionId, journal.SubmissionDir(entry.SubmissionId), keepLocal);
    }
}
