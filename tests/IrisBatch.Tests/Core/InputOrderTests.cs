using System.Linq;
using System.Text;
using IrisBatch.Results;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>Issue 18: results in input order (ids read from line bytes, the journal's seq, a stable merge).</summary>
    public class InputOrderTests
    {
        [Theory]
        [InlineData(@"{""id"":""batch_req_1"",""custom_id"":""request-7"",""response"":{""status_code"":200}}", "request-7")]
        [InlineData(@"{""custom_id"" : ""a-1"",""result"":{""type"":""succeeded""}}", "a-1")]
        [InlineData(@"{""key"":""g-2"",""response"":{}}", "g-2")]
        [InlineData(@"{""batch_request_id"":""x_3"",""batch_result"":{}}", "x_3")]
        [InlineData(@"{""response"":{""body"":""no id here""}}", null)]
        [InlineData(@"{""custom_id"":""esc\""aped""}", null)]
        public void Result_line_ids_are_read_from_the_bytes(string line, string? expected)
        {
            var bytes = Encoding.UTF8.GetBytes("  " + line + "  ");
            Assert.Equal(expected, ResultReader.ResultLineId(bytes, 2, bytes.Length - 4));
        }

        [Theory]
        [InlineData(@"{""custom_id"":""r-1"",""seq"":1234,""row"":5,""model"":""m""}", 1234)]
        [InlineData(@"{""custom_id"":""r-1"",""row"":77,""model"":""m""}", 77)]
        [InlineData(@"{""custom_id"":""r-1"",""model"":""m""}", 0)]
        public void A_request_line_is_placed_by_its_seq_else_its_row(string line, long expected)
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            Assert.Equal(expected, ResultReader.InputOrderKey(bytes, 0, bytes.Length));
        }

        [Fact]
        public void Merge_follows_the_keys_and_keeps_batch_order_on_ties()
        {
            OrderedResult R(string id, long key) => new OrderedResult(new IrisBatchResult { CustomId = id }, key);
            var a = new[] { R("a1", 1), R("a3", 3), R("a5", 5), R("z", 0) };
            var b = new[] { R("b2", 2), R("b4", 4) };
            var merged = InputOrder.Merge(new[] { a, b }).Select(r => r.CustomId).ToArray();
            Assert.Equal(new[] { "a1", "b2", "a3", "b4", "a5", "z" }, merged);
            var ties = InputOrder.Merge(new[] { new[] { R("x1", 0), R("x2", 0) }, new[] { R("y1", 0) } }).Select(r => r.CustomId).ToArray();
            Assert.Equal(new[] { "x1", "x2", "y1" }, ties);
        }
    }
}
