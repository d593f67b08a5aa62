using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using IrisBatch.Journal;
using IrisBatch.Jsonl;
using IrisBatch.Providers.OpenAI;
using IrisBatch.Results;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// The forward-only readers on the results path (result lines, request records, line splitting) must agree with
    /// the document-based readers they stand in for, on the usual shapes and on the odd ones they hand back.
    /// </summary>
    public class FastPathTests
    {
        public static IEnumerable<object[]> ResultLines() => new[]
        {
            // the usual shapes: the fast path reads them
            new object[] { true, "{\"id\":\"r1\",\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"request_id\":\"q\",\"body\":{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Echo: h\\u00e9llo \\\"x\\\"\\nnext\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}},\"error\":null}" },
            new object[] { true, "{\"custom_id\":\"b\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null}}]}},\"error\":null}" },
            new object[] { true, "{\"custom_id\":\"c\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"text\":\"legacy\"}],\"usage\":{\"input_tokens\":\"5\",\"output_tokens\":2.0}}}}" },
            new object[] { true, "{\"custom_id\":\"d\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[]}}}" },
            new object[] { true, "{\"custom_id\":\"e\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[7,{\"message\":{\"content\":\"second\"}}]}}}" },
            new object[] { true, "{\"custom_id\":\"f\",\"response\":{\"status_code\":200,\"body\":null}}" },
            new object[] { true, "{\"custom_id\":\"g\",\"response\":{\"status_code\":\"201\",\"body\":{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"usage\":null}}}" },
            new object[] { true, "{\"custom_id\":\"h\",\"response\":{\"status_code\":400,\"body\":{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"emulated_failure\"}}},\"error\":null}" },
            new object[] { true, "{\"custom_id\":\"i\",\"response\":{\"status_code\":500,\"body\":{\"error\":{\"message\":null,\"type\":\"server_error\",\"param\":null,\"code\":null}}},\"error\":null}" },
            new object[] { true, "{\"custom_id\":\"j\",\"response\":{\"status_code\":503}}" },
            new object[] { true, "{\"custom_id\":\"k\",\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"This request could not be executed before the completion window expired.\"}}" },
            new object[] { true, "{\"error\":{\"code\":\"batch_cancelled\",\"message\":\"m\"},\"response\":{\"status_code\":499},\"custom_id\":\"l\",\"extra\":[1,{\"a\":[]}]}" },
            new object[] { true, "{\"custom_id\":\"m\",\"response\":{\"status_code\":200.0,\"body\":{\"choices\":[{\"message\":{\"content\":\"x\"},\"text\":\"ignored\"}],\"usage\":{\"prompt_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":0}}}}}   " },
            new object[] { true, "{\"custom_id\":\"n\",\"error\":{\"code\":\"other\"}}" },
            // issue 14: refusals, cut answers, reasoning and cached tokens (spec §11.1, §11.6)
            new object[] { true, "{\"custom_id\":\"n1\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"I can't help.\",\"annotations\":[]},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,\"total_tokens\":14,\"prompt_tokens_details\":{\"cached_tokens\":2,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":6,\"audio_tokens\":0}}}}}" },
            new object[] { true, "{\"custom_id\":\"n2\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"{\\\"a\\\":\",\"refusal\":null},\"finish_reason\":\"length\"}]}}}" },
            new object[] { true, "{\"custom_id\":\"n3\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"\"},\"finish_reason\":\"length\"}],\"usage\":{\"completion_tokens_details\":null}}}}" },
            new object[] { true, "{\"custom_id\":\"n4\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":\"content_filter\"}]}}}" },
            // the model the provider says answered (Azure: the model behind the deployment the request named)
            new object[] { true, "{\"custom_id\":\"n5\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"message\":{\"content\":\"x\"}}]}}}" },
            new object[] { true, "{\"custom_id\":\"n6\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"x\"}}],\"model\":null}}}" },
            new object[] { true, "{\"custom_id\":\"n7\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"gpt-\\u0034o\",\"choices\":[]}}}" },
            new object[] { true, "{\"custom_id\":\"n8\",\"response\":{\"status_code\":400,\"body\":{\"model\":\"m\",\"error\":{\"code\":\"x\"}}}}" },
            // odd shapes: handed to the document reader
            new object[] { false, "{\"custom_id\":\"o1\",\"response\":{\"status_code\":200,\"body\":{\"object\":\"response\",\"model\":\"gpt-5-mini-2025-08-07\",\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"resp\"}]}]}}}" },
            new object[] { false, "{\"custom_id\":\"o2\",\"response\":{\"status_code\":200,\"body\":{\"model\":5,\"choices\":[]}}}" },
            new object[] { false, "{\"custom_id\":\"o3\",\"response\":{\"status_code\":200,\"body\":{\"model\":\"a\",\"model\":\"b\",\"choices\":[]}}}" },
            new object[] { false, "{\"custom_id\":\"o\",\"response\":{\"status_code\":200,\"body\":{\"output\":[{\"content\":[{\"type\":\"output_text\",\"text\":\"resp\"}]}]}}}" },
            new object[] { false, "{\"custom_id\":\"p\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"text\":\"b\"}]}}]}}}" },
            new object[] { false, "{\"custom_id\":\"q\",\"custom_id\":\"q2\",\"response\":{\"status_code\":200}}" },
            new object[] { false, "{\"custom_id\":\"r\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"x\"}}]}}" },
            new object[] { false, "{\"custom_id\":\"s\"} trailing" },
            new object[] { false, "{\"response\":{\"status_code\":200}}" },
            new object[] { false, "{\"custom_id\":12,\"response\":{\"status_code\":200}}" },
            new object[] { false, "{\"custom_id\":\"t\"}" },
            new object[] { false, "{\"custom_id\":\"u\",\"response\":{\"status_code\":400,\"body\":{\"error\":\"plain\"}}}" },
            new object[] { false, "{\"custom_id\":\"v\",\"error\":{\"code\":42,\"message\":\"n\"}}" },
            new object[] { false, "[1,2]" },
            new object[] { false, "{\"custom_id\":\"w\",\"response\":\"nope\"}" },
            new object[] { false, "{\"custom_id\":\"x\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":\"m\"}]}}}" },
        };

        [Theory]
        [MemberData(nameof(ResultLines))]
        public void Result_lines_read_the_same_with_or_without_a_document(bool fast, string line)
        {
            Assert.Equal(fast, OpenAIResultParser.TryParseFast(line) != null);
            var expected = OpenAIResultParser.ParseDocument(line, 7);
            var actual = OpenAIResultParser.Parse(line, 7);
            Assert.Equal(Describe(expected), Describe(actual));
        }

        private static string Describe(IrisBatchResult r) => string.Join("|", new object?[]
        {
            r.CustomId, r.Status, r.Output, r.RawResponse,
            r.Error?.Code, r.Error?.Message, r.Error?.HttpStatus, r.Error?.Type,
            r.Usage?.InputTokens, r.Usage?.OutputTokens, r.Usage?.TotalTokens, r.Usage == null,
            r.StopReason, r.Truncated, r.Usage?.ReasoningTokens, r.Usage?.CachedTokens, r.ResponseModel,
        }.Select(v => v == null ? "<null>" : v.ToString()));

        [Fact]
        public void Both_paths_read_the_reported_model_and_share_one_string_while_it_repeats()
        {
            const string chat = "{{\"custom_id\":\"{0}\",\"response\":{{\"status_code\":200,\"body\":{{\"model\":\"{1}\",\"choices\":[{{\"message\":{{\"content\":\"x\"}}}}]}}}}}}";
            const string responses = "{{\"custom_id\":\"{0}\",\"response\":{{\"status_code\":200,\"body\":{{\"object\":\"response\",\"model\":\"{1}\",\"status\":\"completed\",\"output\":[]}}}}}}";
            string Line(string shape, string id, string model) => string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, id, model);
            // The byte path (as the result reader calls it) and the document path.
            IrisBatchResult Bytes(string line)
            {
                var bytes = Encoding.UTF8.GetBytes("xx" + line);
                return OpenAIResultParser.TryParseFast(bytes, 2, bytes.Length - 2)!;
            }
            var a = Bytes(Line(chat, "a", "gpt-4o-mini-2024-07-18"));
            var b = Bytes(Line(chat, "b", "gpt-4o-mini-2024-07-18"));
            Assert.Equal("gpt-4o-mini-2024-07-18", a.ResponseModel);
            Assert.Same(a.ResponseModel, b.ResponseModel);
            var c = OpenAIResultParser.ParseDocument(Line(responses, "c", "gpt-5-mini-2025-08-07"), 1);
            var d = OpenAIResultParser.ParseDocument(Line(responses, "d", "gpt-5-mini-2025-08-07"), 2);
            Assert.Equal("gpt-5-mini-2025-08-07", c.ResponseModel);
            Assert.Same(c.ResponseModel, d.ResponseModel);
            // A new name is read as itself, on either path.
            Assert.Equal("gpt-4o-2024-08-06", Bytes(Line(chat, "e", "gpt-4o-2024-08-06")).ResponseModel);
            Assert.Equal("gpt-4o-2024-11-20", OpenAIResultParser.ParseDocument(Line(chat, "f", "gpt-4o-2024-11-20"), 3).ResponseModel);
        }

        public static IEnumerable<object[]> RequestLines()
        {
            var written = new[]
            {
                new IrisBatchRequest { CustomId = "request-1", Model = "gpt-4o-mini", RowNumber = 1, Messages = new[] { new ChatMessage("user", "Describe {x} \"quoted\" é 😀\n") }, InputJson = "{\"sku\":\"a\",\"n\":1.5,\"tags\":[\"x\",null],\"nested\":{\"k\":true}}" },
                new IrisBatchRequest { CustomId = "r2", Model = "m", RowNumber = 2, MaxTokens = 50, Temperature = 0.2, BodyJson = "{\"response_format\":{\"type\":\"json_object\"}}",
                    Messages = new[] { new ChatMessage("system", "be brief"), new ChatMessage("user", null, "[{\"type\":\"text\",\"text\":\"hi\"}]") } },
                new IrisBatchRequest { CustomId = "r3", Model = "m", Messages = new ChatMessage[0] },
                new IrisBatchRequest { CustomId = "r4", Model = "gpt-5-mini", RowNumber = 4, ReasoningEffort = "low", Schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"],\"additionalProperties\":false}",
                    SchemaName = "answer", Messages = new[] { new ChatMessage("user", "q") }, InputJson = "{\"sku\":\"b\"}" },
            };
            foreach (var r in written)
            {
                using var ms = new MemoryStream();
                using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options)) RequestRecord.Write(w, r);
                yield return new object[] { Encoding.UTF8.GetString(ms.ToArray()) };
            }
            yield return new object[] { "{\"custom_id\":\"a\",\"row\":\"12\",\"model\":null,\"messages\":[5,{\"role\":null,\"content\":3},{\"content_json\":null,\"content\":{\"a\":1}}],\"max_tokens\":2.9,\"temperature\":\"0.5\",\"body\":null,\"input\":\"text\"}" };
            yield return new object[] { "{\"unknown\":[1,{\"x\":2}],\"row\":3.0,\"messages\":null,\"input\":[1,2]}" };
            yield return new object[] { "{\"custom_id\":\"dup\",\"custom_id\":\"second\",\"row\":1}" };
        }

        [Theory]
        [MemberData(nameof(RequestLines))]
        public void Request_records_read_the_same_from_bytes(string line)
        {
            var bytes = Encoding.UTF8.GetBytes("xx" + line + "yy");
            var expected = RequestRecord.Read(line);
            var actual = RequestRecordReader.Read(bytes, 2, bytes.Length - 4);
            Assert.Equal(DescribeRequest(expected), DescribeRequest(actual));
        }

        [Theory]
        [MemberData(nameof(RequestLines))]
        public void Request_records_read_for_flat_rows_keep_everything_but_the_messages(string line)
        {
            var bytes = Encoding.UTF8.GetBytes("xx" + line + "yy");
            var expected = RequestRecord.Read(line);
            var actual = RequestRecordReader.Read(bytes, 2, bytes.Length - 4, new InputNames());
            Assert.Equal(DescribeRequest(expected, messages: false), DescribeRequest(actual, messages: false));
            if (expected.Messages.Count > 0) Assert.True(actual.MessagesLeftOut);
        }

        [Fact]
        public void A_request_record_has_its_messages_last_and_a_flat_reader_stops_there()
        {
            var request = new IrisBatchRequest { CustomId = "r1", Model = "m", RowNumber = 1, MaxTokens = 9, Messages = new[] { new ChatMessage("user", "a long prompt") }, InputJson = "{\"sku\":\"a\"}" };
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options)) RequestRecord.Write(w, request);
            var line = Encoding.UTF8.GetString(ms.ToArray());
            using (var doc = JsonDocument.Parse(line))
                Assert.Equal("messages", doc.RootElement.EnumerateObject().Last().Name);
            // Everything from the messages on is left unread: a line cut inside them still reads for flat rows.
            var cut = Encoding.UTF8.GetBytes(line.Substring(0, line.IndexOf("a long prompt", StringComparison.Ordinal)));
            var flat = RequestRecordReader.Read(cut, 0, cut.Length, new InputNames());
            Assert.Equal("r1", flat.CustomId);
            Assert.Equal(9, flat.MaxTokens);
            Assert.Equal(new object?[] { "a" }, flat.InputValues!.Values);
            Assert.True(flat.MessagesLeftOut);
            // A record of before, its messages before its input, is read whole as before.
            var old = Encoding.UTF8.GetBytes("{\"custom_id\":\"r0\",\"row\":1,\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"p\"}],\"max_tokens\":3,\"input\":{\"sku\":\"z\"}}");
            var read = RequestRecordReader.Read(old, 0, old.Length, new InputNames());
            Assert.Equal(3, read.MaxTokens);
            Assert.Equal(new object?[] { "z" }, read.InputValues!.Values);
        }

        [Fact]
        public void Input_rows_read_for_flat_rows_are_their_json_values_and_share_their_names()
        {
            var names = new InputNames();
            IrisBatchRequest Read(string input)
            {
                var bytes = Encoding.UTF8.GetBytes("{\"custom_id\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"p\"}],\"input\":" + input + "}");
                return RequestRecordReader.Read(bytes, 0, bytes.Length, names);
            }
            var first = Read("{\"sku\":\"S-1\",\"n\":2,\"x\":1.5,\"ok\":true,\"no\":false,\"none\":null,\"esc\":\"a\\\"b\\u00e9\"}");
            Assert.Equal(new[] { "sku", "n", "x", "ok", "no", "none", "esc" }, first.InputValues!.Names);
            Assert.Equal(new object?[] { "S-1", 2L, 1.5, true, false, null, "a\"b\u00e9" }, first.InputValues.Values);
            // No copy of the row's JSON is kept: InputJson, asked for, is written from the values, the same object (the
            // journal's writer escapes less: the é as itself).
            Assert.Equal("{\"sku\":\"S-1\",\"n\":2,\"x\":1.5,\"ok\":true,\"no\":false,\"none\":null,\"esc\":\"a\\\"b\u00e9\"}", first.InputJson);
            Assert.Empty(first.Messages);

            // The same names: the same array. Fewer, more or other names: an array of their own, then shared in turn.
            var second = Read("{\"sku\":\"S-2\",\"n\":3,\"x\":0,\"ok\":false,\"no\":true,\"none\":\"v\",\"esc\":\"\"}");
            Assert.Same(first.InputValues.Names, second.InputValues!.Names);
            var fewer = Read("{\"sku\":\"S-3\",\"n\":4}");
            Assert.Equal(new[] { "sku", "n" }, fewer.InputValues!.Names);
            Assert.Equal(new object?[] { "S-3", 4L }, fewer.InputValues.Values);
            var more = Read("{\"sku\":\"S-4\",\"n\":5,\"extra\":\"e\"}");
            Assert.Equal(new[] { "sku", "n", "extra" }, more.InputValues!.Names);
            var other = Read("{\"id\":\"S-5\"}");
            Assert.Equal(new[] { "id" }, other.InputValues!.Names);
            Assert.Same(other.InputValues.Names, Read("{\"id\":\"S-6\"}").InputValues!.Names);
            Assert.Empty(Read("{}").InputValues!.Names);

            // A value that is an object or an array: no values, the row's JSON text as before.
            var nested = Read("{\"sku\":\"S-7\",\"tags\":[1,2],\"after\":1}");
            Assert.Null(nested.InputValues);
            Assert.Equal("{\"sku\":\"S-7\",\"tags\":[1,2],\"after\":1}", nested.InputJson);
            // A number beyond a double's range (which values could not write back): no values, the JSON text as written.
            var huge = Read("{\"sku\":\"S-8\",\"n\":1e999}");
            Assert.Null(huge.InputValues);
            Assert.Equal("{\"sku\":\"S-8\",\"n\":1e999}", huge.InputJson);
            var small = Read("{\"n\":-2.5,\"big\":12345678901234567890}");
            Assert.Equal(new object?[] { -2.5, 1.2345678901234567E+19 }, small.InputValues!.Values);
            using (var doc = JsonDocument.Parse(small.InputJson!))
            {
                Assert.Equal(-2.5, doc.RootElement.GetProperty("n").GetDouble());
                Assert.Equal(1.2345678901234567E+19, doc.RootElement.GetProperty("big").GetDouble());
            }
            Assert.Null(Read("\"text\"").InputValues);
            Assert.Equal("\"text\"", Read("\"text\"").InputJson);
        }

        [Theory]
        [InlineData("{\"custom_id\":\"a\",\"messages\":{\"not\":\"an array\"}}")]
        [InlineData("not json")]
        [InlineData("{\"custom_id\":\"a\"} {}")]
        public void Request_records_the_fast_reader_cannot_read_fail_as_before(string line)
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            var expected = Record.Exception(() => RequestRecord.Read(line));
            var actual = Record.Exception(() => RequestRecordReader.Read(bytes, 0, bytes.Length));
            Assert.NotNull(expected);
            Assert.Equal(expected!.GetType(), actual?.GetType());
            Assert.Equal(expected.Message, actual!.Message);
        }

        private static string DescribeRequest(IrisBatchRequest r, bool messages = true) => string.Join("|", new object?[]
        {
            r.CustomId, r.RowNumber, r.Model, r.MaxTokens, r.Temperature, r.BodyJson, r.InputJson, r.Endpoint, r.Dimensions,
            messages ? string.Join(";", r.Messages.Select(m => m.Role + "=" + (m.Content ?? "<null>") + "/" + (m.ContentJson ?? "<null>"))) : "",
        }.Select(v => v == null ? "<null>" : v.ToString()));

        [Theory]
        [InlineData(16)]
        [InlineData(64)]
        [InlineData(1 << 16)]
        public void Line_scanner_splits_like_a_plain_split_at_any_buffer_size(int bufferSize)
        {
            var text = "{\"a\":1}\r\n\n" + new string('x', 100) + "\n\r\n   \n{\"é\":\"😀\"}\r\r\n{\"last\":true}";
            var bytes = Encoding.UTF8.GetBytes(text);
            var expected = new List<(string, long, long)>();
            long offset = 0, number = 0;
            foreach (var part in SplitBytes(bytes))
            {
                number++;
                var line = part;
                if (line.Length > 0 && line[line.Length - 1] == (byte)'\r') line = line.Take(line.Length - 1).ToArray();
                expected.Add((Encoding.UTF8.GetString(line), number, offset));
                offset += part.Length + 1;
            }
            var scanner = new JsonlLineScanner(new MemoryStream(bytes), bufferSize);
            var actual = new List<(string, long, long)>();
            while (scanner.MoveNext()) actual.Add((Encoding.UTF8.GetString(scanner.Buffer, scanner.Start, scanner.Length), scanner.Number, scanner.Offset));
            Assert.Equal(expected, actual);

            // ReadLines keeps what it always kept: non-blank lines with one '\r' removed, numbered and placed.
            var lines = JsonlReader.ReadLines(new MemoryStream(bytes)).ToList();
            Assert.Equal(expected.Where(e => e.Item1.Trim().Length > 0).Select(e => (e.Item1, e.Item2, e.Item3)), lines.Select(l => (l.Text, l.Number, l.Offset)));
            Assert.Equal("{\"é\":\"😀\"}\r", lines[2].Text);
        }

        private static IEnumerable<byte[]> SplitBytes(byte[] bytes)
        {
            int start = 0;
            for (int i = 0; i < bytes.Length; i++)
                if (bytes[i] == (byte)'\n')
                {
                    yield return bytes.Skip(start).Take(i - start).ToArray();
                    start = i + 1;
                }
            if (start < bytes.Length) yield return bytes.Skip(start).ToArray();
        }
    }
}
