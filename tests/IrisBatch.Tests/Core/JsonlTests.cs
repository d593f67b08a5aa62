using System;
using System.IO;
using System.Linq;
using System.Text;
using IrisBatch.Jsonl;
using Xunit;

namespace IrisBatch.Tests.Core
{
    public class JsonlTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "irisbatch-jsonl-" + Guid.NewGuid().ToString("N"));

        public JsonlTests() => Directory.CreateDirectory(_dir);
        public void Dispose() => Directory.Delete(_dir, true);

        [Fact]
        public void Writer_writes_one_object_per_line_and_counts_bytes()
        {
            var path = Path.Combine(_dir, "a.jsonl");
            using (var w = new JsonlWriter(path))
            {
                w.WriteLine(j => { j.WriteStartObject(); j.WriteString("custom_id", "a"); j.WriteString("text", "line\nbreak é"); j.WriteEndObject(); });
                w.WriteLine(j => { j.WriteStartObject(); j.WriteString("custom_id", "b"); j.WriteEndObject(); });
                Assert.Equal(2, w.Lines);
            }
            var bytes = File.ReadAllBytes(path);
            var lines = Encoding.UTF8.GetString(bytes).Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.Equal("", lines[2]);
            Assert.Contains("\\n", lines[0]);
            Assert.Contains("é", lines[0]);
        }

        [Fact]
        public void Reader_gives_line_numbers_offsets_and_skips_blank_lines()
        {
            var path = Path.Combine(_dir, "b.jsonl");
            File.WriteAllText(path, "{\"a\":1}\r\n\n{\"b\":2}\n   \n{\"c\":3}");
            var lines = JsonlReader.ReadLines(path).ToList();
            Assert.Equal(new[] { "{\"a\":1}", "{\"b\":2}", "{\"c\":3}" }, lines.Select(l => l.Text));
            Assert.Equal(new long[] { 1, 3, 5 }, lines.Select(l => l.Number));
            using var fs = File.OpenRead(path);
            foreach (var l in lines) Assert.Equal(l.Text, JsonlReader.ReadLineAt(fs, l.Offset));
        }

        [Fact]
        public void Reader_has_no_cap_on_line_length()
        {
            var path = Path.Combine(_dir, "c.jsonl");
            var big = new string('x', 5 * 1024 * 1024);
            File.WriteAllText(path, "{\"v\":\"" + big + "\"}\n{\"w\":1}\n");
            var lines = JsonlReader.ReadLines(path).ToList();
            Assert.Equal(2, lines.Count);
            Assert.Equal(big.Length + 8, lines[0].Text.Length);
        }

        [Fact]
        public void Reader_keeps_multibyte_characters_split_across_buffers()
        {
            var path = Path.Combine(_dir, "d.jsonl");
            var text = string.Concat(Enumerable.Repeat("日本語", 40000));
            File.WriteAllText(path, "{\"v\":\"" + text + "\"}\n", new UTF8Encoding(false));
            Assert.Contains(text, JsonlReader.ReadLines(path).Single().Text);
        }
    }
}
