using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using IrisBatch.Http;
using IrisBatch.Journal;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Results;
using IrisBatch.Submission;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Issue 18 (bench B2/B6): reading results in input order through line windows, whatever order the provider wrote
    /// them in: in order, shuffled, in runs, across the output and error files, with CRLF lines, duplicates, a missing
    /// request and an id the journal does not have.
    /// </summary>
    public class InputOrderReadTests : SpooledJournalTest
    {
        public InputOrderReadTests() : base("irisbatch-order-") { }

        // Long lines (a few KB), so that a file spans several windows.
        private static string Success(string id) =>
            "{\"id\":\"r\",\"custom_id\":\"" + id + "\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"ok " + id + " " + new string('x', 3000) + " d\u00e9j\u00e0\"}}]}},\"error\":null}";

        private static string Failure(string id) =>
            "{\"id\":\"r\",\"custom_id\":\"" + id + "\",\"response\":{\"status_code\":400,\"body\":{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"x\"}}},\"error\":null}";

        private string Write(string name, IEnumerable<string> lines, string newline)
        {
            var path = Path.Combine(_dir, name);
            File.WriteAllText(path, string.Join(newline, lines) + newline, new UTF8Encoding(false));
            return path;
        }

        public static IEnumerable<object[]> Orders()
        {
            const int n = 300;
            var inOrder = Enumerable.Range(1, n).ToArray();
            var shuffled = inOrder.OrderBy(i => (i * 7919) % 311).ToArray();
            var runs = inOrder.OrderByDescending(i => (i - 1) / 50).ThenBy(i => i).ToArray();   // runs of 50 in order, the runs reversed
            var reversed = inOrder.Reverse().ToArray();
            foreach (var order in new[] { inOrder, shuffled, runs, reversed })
                foreach (var newline in new[] { "\n", "\r\n" })
                    foreach (var readRequests in new[] { false, true })
                        foreach (var parallel in new[] { false, true })
                            yield return new object[] { order, newline, readRequests, parallel };
        }

        [Theory]
        [MemberData(nameof(Orders))]
        public void Results_come_in_request_order_with_their_own_lines_and_requests(int[] order, string newline, bool readRequests, bool parallel)
        {
            const int n = 300;
            var entry = Spool(n);
            // Request 17 failed (error file), 42 was never reported, 99 was reported twice, and one id is not the journal's.
            var lines = order.Where(i => i != 17 && i != 42).Select(i => Success("request-" + i)).ToList();
            lines.Insert(lines.Count / 2, Success("request-99").Replace("ok request-99", "second"));
            lines.Insert(3, Success("stranger-1"));
            var output = Write("output.jsonl", lines, newline);
            var errors = Write("errors.jsonl", new[] { Failure("request-17") }, newline);
            var batch = new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed };
            var reader = new ResultReader(_provider, batch, _journal.RequestsPath(entry)) { ParallelFrom = parallel ? 1 : int.MaxValue, Workers = 2 };

            var results = reader.ReadInInputOrder(new[] { output, errors }, readRequests).Select(o => o.Result).ToList();

            // The first read saved where each line is; a second reader uses it and gives the same results.
            Assert.True(File.Exists(Path.Combine(_dir, ResultOrderIndex.FileName)));
            var again = new ResultReader(_provider, batch, _journal.RequestsPath(entry)) { ParallelFrom = parallel ? 1 : int.MaxValue, Workers = 2 };
            var second = again.ReadInInputOrder(new[] { output, errors }, readRequests).Select(o => o.Result).ToList();
            Assert.Equal(results.Select(r => r.CustomId + " " + r.Status + " " + r.RawResponse + " " + r.Request?.InputJson),
                second.Select(r => r.CustomId + " " + r.Status + " " + r.RawResponse + " " + r.Request?.InputJson));
            Assert.Equal(1, again.Duplicates);

            var expected = Enumerable.Range(1, n).Select(i => "request-" + i).Concat(new[] { "stranger-1" }).ToArray();
            Assert.Equal(expected, results.Select(r => r.CustomId).ToArray());
            Assert.Equal(1, reader.Duplicates);
            var all = File.ReadAllText(output).Split(new[] { newline }, StringSplitOptions.RemoveEmptyEntries).Concat(new[] { Failure("request-17") }).ToList();
            for (int i = 1; i <= n; i++)
            {
                var r = results[i - 1];
                if (i == 42)
                {
                    Assert.Equal(ResultStatus.Failed, r.Status);
                    Assert.Equal("missing_result", r.Error!.Code);
                }
                else if (i == 17)
                {
                    Assert.Equal(ResultStatus.Failed, r.Status);
                    Assert.Equal(Failure("request-17"), r.RawResponse);
                }
                else
                {
                    Assert.Equal(ResultStatus.Succeeded, r.Status);
                    // The first of the two lines of request 99 is kept.
                    var line = all.First(l => l.Contains("\"custom_id\":\"request-" + i + "\""));
                    Assert.Equal(line, r.RawResponse);
                    Assert.StartsWith(i == 99 && line.Contains("second") ? "second" : "ok request-" + i + " ", r.Output);
                }
                // Asked for after the reader has ended (its files are closed): still the request's own.
                Assert.Equal("request-" + i, r.Request!.CustomId);
                Assert.Equal("prompt " + i, r.Request.Prompt);
                Assert.Equal("{\"n\":\"" + i + "\"}", r.Request.InputJson);
            }
            Assert.Equal("stranger-1", results[n].CustomId);
            Assert.Null(results[n].Request);
            // The line whose id is not the journal's is counted (Get-IrisBatchResult warns), by both readers.
            Assert.Equal(1, reader.Unknown);
            Assert.Equal("stranger-1", reader.FirstUnknown);
            Assert.Equal(1, again.Unknown);

            // Read in the files' order (-Unordered): the same stranger, counted the same.
            var unordered = new ResultReader(_provider, batch, _journal.RequestsPath(entry));
            var inFileOrder = unordered.Read(new[] { output, errors }, readRequests).ToList();
            Assert.Single(inFileOrder, r => r.CustomId == "stranger-1");
            Assert.Equal(1, unordered.Unknown);
            Assert.Equal("stranger-1", unordered.FirstUnknown);
        }

        [Fact]
        public void A_line_cut_before_its_custom_id_is_an_unreadable_result_not_an_unknown_id()
        {
            var entry = Spool(3);
            var cut = Success("request-2").Substring(0, 10);
            var output = Write("output.jsonl", new[] { Success("request-1"), cut, Success("request-3") }, "\n");
            var batch = new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed };
            foreach (var inOrder in new[] { true, false })
            {
                var reader = new ResultReader(_provider, batch, _journal.RequestsPath(entry));
                var results = inOrder ? reader.ReadInInputOrder(new[] { output }).Select(o => o.Result).ToList() : reader.Read(new[] { output }).ToList();
                Assert.Single(results, r => r.CustomId.Length == 0 && r.Status == ResultStatus.Failed);
                Assert.Equal(0, reader.Unknown);
                Assert.Null(reader.FirstUnknown);
                ResultOrderIndex.Delete(_dir);
            }
        }

        [Theory]
        [InlineData(true, true)]
        [InlineData(true, false)]
        [InlineData(false, true)]
        [InlineData(false, false)]
        public void A_damaged_requests_file_is_a_journal_error_naming_it(bool inOrder, bool readRequests)
        {
            var entry = Spool(3);
            var path = _journal.RequestsPath(entry);
            var lines = File.ReadAllLines(path);
            lines[1] = lines[1].Substring(0, 30);
            File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
            var output = Write("output.jsonl", new[] { Success("request-1"), Success("request-2"), Success("request-3") }, "\n");
            var reader = new ResultReader(_provider, new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed }, path);

            var ex = Assert.Throws<IrisBatchException>(() =>
            {
                var results = inOrder ? reader.ReadInInputOrder(new[] { output }, readRequests).Select(o => o.Result) : reader.Read(new[] { output }, readRequests);
                foreach (var r in results) _ = r.Request;
            });
            Assert.Equal(ErrorIds.Journal, ex.ErrorId);
            Assert.Contains(path, ex.Message);
            Assert.Contains("byte " + (lines[0].Length + 1), ex.Message);
        }

        [Fact]
        public void Results_of_a_batch_submitted_elsewhere_are_not_counted_as_unknown()
        {
            var output = Write("output.jsonl", new[] { Success("request-1"), Success("request-2") }, "\n");
            var reader = new ResultReader(_provider, new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed }, null);
            Assert.Equal(2, reader.ReadInInputOrder(new[] { output }).Count());
            Assert.Equal(0, reader.Unknown);
            Assert.Null(reader.FirstUnknown);
        }

        /// <summary>Reads batch "b" of <paramref name="entry"/> from these files in input order: each result's id and output.</summary>
        private List<string> ReadIds(JournalEntry entry, params string[] files) =>
            new ResultReader(_provider, new IrisBatchInfo { Id = "b", Status = BatchStatus.Completed }, _journal.RequestsPath(entry)) { ParallelFrom = 1, Workers = 2 }
                .ReadInInputOrder(files).Select(o => o.Result.CustomId + ":" + o.Result.Status + ":" + o.Result.Output?.Substring(0, Math.Min(20, o.Result.Output.Length))).ToList();

        [Fact]
        public void A_saved_line_index_is_not_used_for_files_that_changed_or_for_another_batch()
        {
            const int n = 40;
            var entry = Spool(n);
            var output = Write("output.jsonl", Enumerable.Range(1, n).Reverse().Select(i => Success("request-" + i)), "\n");
            var first = ReadIds(entry, output);
            Assert.Equal(Enumerable.Range(1, n).Select(i => "request-" + i), first.Select(x => x.Split(':')[0]));
            var saved = Path.Combine(_dir, ResultOrderIndex.FileName);
            Assert.True(File.Exists(saved));

            // Downloaded again with another order and one line less: the saved offsets are wrong now, so they are not used.
            Write("output.jsonl", Enumerable.Range(1, n).Where(i => i != 7).Select(i => Success("request-" + i)), "\n");
            var changed = ReadIds(entry, output);
            Assert.Equal(n, changed.Count);
            Assert.StartsWith("request-7:Failed", changed[6]);
            Assert.All(changed.Where((_, k) => k != 6), x => Assert.Contains(":Succeeded:ok request-", x));
            Assert.Equal(Enumerable.Range(1, n).Select(i => "request-" + i), changed.Select(x => x.Split(':')[0]));

            // Another batch's files in the same folder: its own index replaces this one, each read is its own.
            var other = Write("other.jsonl", Enumerable.Range(1, n).Select(i => Success("request-" + i).Replace("ok request-", "other request-")), "\n");
            Assert.All(ReadIds(entry, other), x => Assert.Contains(":other request-", x));
            Assert.All(ReadIds(entry, output).Where((_, k) => k != 6), x => Assert.Contains(":ok request-", x));
        }

        [Fact]
        public void Readers_that_make_and_save_the_line_index_at_once_each_read_every_result()
        {
            const int n = 400;
            var entry = Spool(n);
            var output = Write("output.jsonl", Enumerable.Range(1, n).OrderBy(i => (i * 101) % 401).Select(i => Success("request-" + i)), "\n");
            var saved = Path.Combine(_dir, ResultOrderIndex.FileName);
            for (int round = 0; round < 5; round++)
            {
                if (File.Exists(saved)) File.Delete(saved);
                var reads = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4).Select(_ => ReadIds(entry, output)).ToList();
                foreach (var ids in reads) Assert.Equal(reads[0], ids);
                Assert.Equal(Enumerable.Range(1, n).Select(i => "request-" + i), reads[0].Select(x => x.Split(':')[0]));
                Assert.All(reads[0], x => Assert.Contains(":Succeeded:ok request-", x));
                // What was saved is whole: a later read uses it and reads the same.
                Assert.True(File.Exists(saved));
                Assert.Equal(reads[0], ReadIds(entry, output));
                Assert.Empty(Directory.GetFiles(_dir, ResultOrderIndex.FileName + "*.tmp"));
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(9)]
        [InlineData(200)]
        [InlineData(-1)]
        public void A_damaged_line_index_is_made_again(int keep)
        {
            const int n = 30;
            var entry = Spool(n);
            var output = Write("output.jsonl", Enumerable.Range(1, n).OrderBy(i => (i * 13) % 31).Select(i => Success("request-" + i)), "\n");
            var expected = ReadIds(entry, output);
            var saved = Path.Combine(_dir, ResultOrderIndex.FileName);
            var good = File.ReadAllBytes(saved);
            // Cut short (keep bytes), or every byte after the header flipped (-1).
            var damaged = keep >= 0 ? good.Take(keep).ToArray() : good.Select((b, k) => k < 24 ? b : (byte)~b).ToArray();
            File.WriteAllBytes(saved, damaged);

            Assert.Equal(expected, ReadIds(entry, output));
            Assert.Equal(good, File.ReadAllBytes(saved));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void A_set_of_shuffled_batches_merges_into_submission_order(bool parallel)
        {
            // One submission split by model into three batches (request i to model m(i % 3)), each result file shuffled.
            const int n = 120;
            List<SpooledPart> parts;
            using (var spooler = new BatchSpooler(_journal, _provider, "t", null))
            {
                for (int i = 1; i <= n; i++)
                    Assert.True(spooler.Add(new IrisBatchRequest
                    {
                        CustomId = "request-" + i,
                        Model = "m" + (i % 3),
                        Messages = new[] { new ChatMessage("user", "prompt " + i) },
                        InputJson = "{\"n\":\"" + i + "\"}",
                        RowNumber = i,
                    }));
                parts = spooler.Finish().ToList();
            }
            Assert.Equal(3, parts.Count);
            var readers = new List<IEnumerable<OrderedResult>>();
            foreach (var part in parts)
            {
                var ids = File.ReadLines(_journal.RequestsPath(part.Entry)).Select(l => ResultReader.ReadCustomId(l)!).ToList();
                var shuffled = ids.OrderBy(id => (id.GetHashCode() * 31) ^ 0x5bd1e995).ToList();
                var output = Write($"out-{part.Entry.Model}.jsonl", shuffled.Select(Success), "\n");
                var reader = new ResultReader(_provider, new IrisBatchInfo { Id = "b-" + part.Entry.Model, Status = BatchStatus.Completed }, _journal.RequestsPath(part.Entry)) { ParallelFrom = 1, Workers = 2 };
                readers.Add(reader.ReadInInputOrder(new[] { output }, readRequests: true, parallel: parallel));
            }
            // The batches given in another order than they were spooled: each request's seq decides.
            readers.Reverse();
            var merged = InputOrder.Merge(readers).ToList();
            Assert.Equal(Enumerable.Range(1, n).Select(i => "request-" + i), merged.Select(r => r.CustomId));
            Assert.Equal(Enumerable.Range(1, n).Select(i => "{\"n\":\"" + i + "\"}"), merged.Select(r => r.Request!.InputJson));
        }

        [Fact]
        public void A_line_window_reads_lines_in_order_with_few_reads_and_any_other_line_alone()
        {
            var lines = Enumerable.Range(0, 400).Select(i => $"line {i} " + new string((char)('a' + i % 26), 1000 + i)).ToList();
            var path = Write("lines.txt", lines, "\r\n");
            var offsets = new List<(long Offset, int Length)>();
            long at = 0;
            foreach (var l in lines)
            {
                offsets.Add((at, l.Length));
                at += l.Length + 2;
            }
            using (var window = new LineWindow(path))
            {
                for (int i = 0; i < lines.Count; i++)
                {
                    var seg = window.Read(offsets[i].Offset, offsets[i].Length);
                    Assert.Equal(lines[i], Encoding.UTF8.GetString(seg.Array!, seg.Offset, seg.Count));
                }
                Assert.True(window.Reads <= 4, $"{window.Reads} reads for {lines.Count} lines in order");
            }
            using (var window = new LineWindow(path))
            {
                foreach (var i in Enumerable.Range(0, lines.Count).OrderBy(i => (i * 37) % 401))
                {
                    var seg = window.Read(offsets[i].Offset, offsets[i].Length);
                    Assert.Equal(lines[i], Encoding.UTF8.GetString(seg.Array!, seg.Offset, seg.Count));
                }
                // Past the end: what there is.
                var tail = window.Read(at - 5, 100);
                Assert.Equal(5, tail.Count);
            }
        }

        [Fact]
        public void A_result_line_id_equal_to_the_expected_one_is_that_string()
        {
            var bytes = Encoding.UTF8.GetBytes(Success("request-12"));
            var expected = "request-" + 12;
            Assert.Same(expected, ResultReader.ResultLineId(bytes, 0, bytes.Length, expected));
            Assert.Equal("request-12", ResultReader.ResultLineId(bytes, 0, bytes.Length, "request-13"));
            Assert.Equal("request-12", ResultReader.ResultLineId(bytes, 0, bytes.Length, "request-1"));
            Assert.Equal("request-12", ResultReader.ResultLineId(bytes, 0, bytes.Length, null));
            var accented = Encoding.UTF8.GetBytes(Success("r\u00e9-1"));
            Assert.Equal("r\u00e9-1", ResultReader.ResultLineId(accented, 0, accented.Length, "r\u00e9-1"));
        }

        private sealed class Maker : IItemMaker<int>
        {
            private readonly Func<int, int> _make;
            private readonly Action _disposed;
            public Maker(Func<int, int> make, Action disposed) { _make = make; _disposed = disposed; }
            public int Make(int i) => _make(i);
            public void Dispose() => _disposed();
        }

        [Theory]
        [InlineData(0, 1)]
        [InlineData(1, 2)]
        [InlineData(129, 2)]
        [InlineData(5000, 2)]
        [InlineData(5000, 3)]
        public void Ordered_parallel_items_come_in_order_and_every_maker_is_disposed(int count, int workers)
        {
            int makers = 0, disposed = 0;
            var items = OrderedParallel.Of(count, () =>
            {
                System.Threading.Interlocked.Increment(ref makers);
                return new Maker(i => i * 2, () => System.Threading.Interlocked.Increment(ref disposed));
            }, workers, chunk: 16, ahead: 3).ToList();
            Assert.Equal(Enumerable.Range(0, count).Select(i => i * 2), items);
            Assert.Equal(makers, disposed);
        }

        [Fact]
        public void Ordered_parallel_gives_the_items_before_a_failure_then_the_failure()
        {
            var seen = new List<int>();
            var ex = Assert.Throws<InvalidOperationException>(() =>
            {
                foreach (var i in OrderedParallel.Of(1000, () => new Maker(i => i == 517 || i == 900 ? throw new InvalidOperationException("item " + i) : i, () => { }), 2, chunk: 16, ahead: 2))
                    seen.Add(i);
            });
            Assert.Equal("item 517", ex.Message);
            Assert.Equal(Enumerable.Range(0, 517), seen);
        }

        [Fact]
        public void Ordered_parallel_stopped_early_stops_its_workers()
        {
            int disposed = 0;
            var first = OrderedParallel.Of(100000, () => new Maker(i => i, () => System.Threading.Interlocked.Increment(ref disposed)), 2, chunk: 16, ahead: 2).Take(40).ToList();
            Assert.Equal(Enumerable.Range(0, 40), first);
            Assert.Equal(2, disposed);   // both workers ended (joined) before Take returned
        }
    }
}
