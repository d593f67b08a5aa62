using System;
using System.IO;
using System.Text;
using System.Text.Json;
using IrisBatch.Journal;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>The request records of the journal: the input row's JSON is copied as it is only when IrisBatch wrote it.</summary>
    public class RequestRecordTests
    {
        private static IrisBatchRequest Request() => new IrisBatchRequest
        {
            CustomId = "r-1",
            Model = "m",
            Messages = new[] { new ChatMessage("user", "hi") },
            RowNumber = 1,
        };

        private static string Written(IrisBatchRequest r)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) RequestRecord.Write(w, r);
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        [Fact]
        public void Input_json_set_from_outside_is_checked_and_refused_when_broken()
        {
            var r = Request();
            r.InputJson = "{\"name\": \"Lamp\"";   // not closed
            Assert.ThrowsAny<Exception>(() => Written(r));
        }

        [Fact]
        public void Input_json_set_from_outside_after_IrisBatch_set_it_is_checked_again()
        {
            var r = Request();
            r.SetValidInputJson("{\"name\":\"Lamp\"}");
            r.InputJson = "[1,";
            Assert.ThrowsAny<Exception>(() => Written(r));
        }

        [Fact]
        public void Input_json_IrisBatch_wrote_is_copied_as_it_is_and_reads_back()
        {
            var r = Request();
            r.SetValidInputJson("{\"name\":\"Lamp\",\"price\":12}");
            var line = Written(r);
            Assert.Contains("\"input\":{\"name\":\"Lamp\",\"price\":12}", line);
            var back = RequestRecord.Read(line);
            Assert.Equal("{\"name\":\"Lamp\",\"price\":12}", back.InputJson);
            Assert.Equal("r-1", back.CustomId);
        }

        [Fact]
        public void A_request_read_back_from_the_journal_keeps_its_input_copyable()
        {
            var r = Request();
            r.InputJson = "{\"n\":1}";
            var line = Encoding.UTF8.GetBytes(Written(r));
            var back = Results.RequestRecordReader.Read(line, 0, line.Length);
            Assert.Equal("{\"n\":1}", back.InputJson);
            Assert.True(back.InputJsonIsValid);
            back.InputJson = "{\"n\":2}";
            Assert.False(back.InputJsonIsValid);
        }
    }
}
