using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IrisBatch.Jsonl;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// JsonLineReader (the hot readers' own JSON reader) held to Utf8JsonReader with default options, token by token:
    /// the same tokens, offsets, strings and numbers for every text both accept; a refusal wherever Utf8JsonReader
    /// refuses; and refusals of its own only for the lines its callers leave to their document readers (a lone
    /// surrogate escape, more than 63 levels). Texts: hand-written edge cases, 3,000 generated values and 30,000 damaged
    /// copies of them, each walked straight through and again with Skip at random places.
    /// </summary>
    public class JsonLineReaderTests
    {
        /// <summary>What a reader gave for one token, or for its refusal ("throw").</summary>
        private static List<string> Walk(byte[] bytes, bool ours, int skipSeed, out bool threw)
        {
            var trace = new List<string>();
            var skips = skipSeed == 0 ? null : new Random(skipSeed);
            threw = false;
            try
            {
                if (ours)
                {
                    var r = new JsonLineReader(bytes, 0, bytes.Length);
                    while (r.Read())
                    {
                        if (skips != null && skips.Next(4) == 0 && (r.TokenType == JsonTokenType.PropertyName || r.TokenType == JsonTokenType.StartObject || r.TokenType == JsonTokenType.StartArray))
                        {
                            r.Skip();
                            trace.Add("skip");
                        }
                        trace.Add(Describe(r.TokenType, r.TokenStartIndex, r.BytesConsumed, r.TokenType == JsonTokenType.String || r.TokenType == JsonTokenType.PropertyName ? Try(ref r) : null, r.TokenType == JsonTokenType.Number ? Number(ref r) : null));
                    }
                }
                else
                {
                    var r = new Utf8JsonReader(bytes);
                    while (r.Read())
                    {
                        if (skips != null && skips.Next(4) == 0 && (r.TokenType == JsonTokenType.PropertyName || r.TokenType == JsonTokenType.StartObject || r.TokenType == JsonTokenType.StartArray))
                        {
                            r.Skip();
                            trace.Add("skip");
                        }
                        trace.Add(Describe(r.TokenType, r.TokenStartIndex, r.BytesConsumed, r.TokenType == JsonTokenType.String || r.TokenType == JsonTokenType.PropertyName ? Try(ref r) : null, r.TokenType == JsonTokenType.Number ? Number(ref r) : null));
                    }
                }
            }
            catch (JsonException)
            {
                threw = true;
            }
            return trace;
        }

        private static string Describe(JsonTokenType type, long start, long consumed, string? text, string? number) =>
            type + "@" + start + ".." + consumed + (text != null ? " s=" + text : "") + (number != null ? " n=" + number : "");

        private static string Try(ref JsonLineReader r)
        {
            string? value;
            try { value = r.GetString(); }
            catch (Exception ex) when (ex is InvalidOperationException || ex is JsonException) { return "<bad string>"; }
            bool equal = r.ValueTextEquals(value!);
            bool equalBytes = r.ValueTextEquals(Encoding.UTF8.GetBytes(value!));
            Assert.True(equal && equalBytes, "ValueTextEquals disagrees with GetString for " + value);
            Assert.False(r.ValueTextEquals(value + "x"));
            bool ascii = true;
            foreach (char c in value!) ascii &= c <= 0x7F;
            if (ascii)
            {
                Assert.True(r.TextIs(value), "TextIs disagrees with GetString for " + value);
                Assert.False(r.TextIs(value + "x"));
            }
            return value!;
        }

        [Theory]
        [InlineData("prompt_tokens_details", "prompt_tokens", false)]
        [InlineData("prompt_tokens", "prompt_tokens_details", false)]
        [InlineData("id", "custom_id", false)]
        [InlineData("caf\u00e9", "caf\u00e9", true)]
        [InlineData("caf\u00e9", "cafe", false)]
        [InlineData("cafe", "caf\u00e9", false)]
        [InlineData("\u00e9", "\u00c3\u00a9", false)]
        [InlineData("\u00c3\u00a9", "\u00e9", false)]
        [InlineData("x\ud83d\ude00", "x\ud83d\ude00", true)]
        [InlineData("", "", true)]
        [InlineData("a", "", false)]
        public void ValueTextEquals_compares_the_text_whatever_its_length_in_bytes(string valueEscaped, string textEscaped, bool equal)
        {
            string value = System.Text.RegularExpressions.Regex.Unescape(valueEscaped), text = System.Text.RegularExpressions.Regex.Unescape(textEscaped);
            // Written raw (UTF-8, not escaped), as the fast path reads names and values.
            var bytes = Encoding.UTF8.GetBytes("{\"" + value + "\":\"" + value + "\"}");
            var r = new JsonLineReader(bytes, 0, bytes.Length);
            Assert.True(r.Read());
            Assert.True(r.Read());
            Assert.Equal(equal, r.ValueTextEquals(text));
            Assert.True(r.Read());
            Assert.Equal(equal, r.ValueTextEquals(text));
        }

        /// <summary>
        /// TextIs (an ASCII text, compared inline by length first) agrees with ValueTextEquals on names written with
        /// escapes, whose raw length is not their text's: an escape the same length as the text, longer, or shorter.
        /// </summary>
        [Theory]
        [InlineData(@"custom\u005fid", "custom_id", true)]     // raw 14 bytes, text 9
        [InlineData(@"a\\b", @"a\b", true)]                  // raw a\\b (4 bytes) is a\b (3)
        [InlineData(@"a\bc", @"a\bc", false)]                 // raw a\bc (4 bytes, \b a backspace) is not the 4 chars a\bc
        [InlineData(@"a\bc", "a\bc", true)]                   // ... it is a, backspace, c
        [InlineData(@"\u0041", "A", true)]
        [InlineData(@"\u0041", "B", false)]
        [InlineData("usage", "usage", true)]
        [InlineData("usage", "usagE", false)]
        [InlineData("usage", "error", false)]
        [InlineData("id", "custom_id", false)]
        [InlineData("", "", true)]
        public void TextIs_agrees_with_ValueTextEquals_on_names_with_escapes(string raw, string text, bool equal)
        {
            var bytes = Encoding.UTF8.GetBytes("{\"" + raw + "\":\"" + raw + "\"}");
            var r = new JsonLineReader(bytes, 0, bytes.Length);
            Assert.True(r.Read());
            Assert.True(r.Read());
            Assert.Equal(equal, r.ValueTextEquals(text));
            Assert.Equal(equal, r.TextIs(text));
            Assert.True(r.Read());
            Assert.Equal(equal, r.TextIs(text));
            Assert.True(r.Read());
            Assert.Equal(JsonTokenType.EndObject, r.TokenType);
            bool threw = false;
            try { r.TextIs(text); }
            catch (InvalidOperationException) { threw = true; }
            Assert.True(threw, "TextIs on the end of an object throws, as ValueTextEquals does");
        }

        private static string Try(ref Utf8JsonReader r)
        {
            try { return r.GetString()!; }
            catch (InvalidOperationException) { return "<bad string>"; }
        }

        private static string Number(ref JsonLineReader r)
        {
            string d;
            try { d = r.GetDouble().ToString("R", CultureInfo.InvariantCulture); }
            catch (FormatException) { d = "<range>"; }
            string f;
            try { f = r.GetSingle().ToString("R", CultureInfo.InvariantCulture); }
            catch (FormatException) { f = "<range>"; }
            return (r.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : "-") + "/" + d + "/" + f;
        }

        private static string Number(ref Utf8JsonReader r)
        {
            string d;
            try { d = r.GetDouble().ToString("R", CultureInfo.InvariantCulture); }
            catch (FormatException) { d = "<range>"; }
            string f;
            try { f = r.GetSingle().ToString("R", CultureInfo.InvariantCulture); }
            catch (FormatException) { f = "<range>"; }
            return (r.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : "-") + "/" + d + "/" + f;
        }

        /// <summary>Whether JsonLineReader may refuse a text Utf8JsonReader reads: a surrogate escape, or deep nesting.</summary>
        private static bool OursMayRefuse(byte[] bytes)
        {
            var text = Encoding.UTF8.GetString(bytes);
            if (text.IndexOf("\\ud", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            int depth = 0, max = 0;
            foreach (char c in text)
            {
                if (c == '[' || c == '{') max = Math.Max(max, ++depth);
                else if (c == ']' || c == '}') depth--;
            }
            return max > 63;
        }

        private static void Agree(byte[] bytes, int skipSeed = 0)
        {
            var theirs = Walk(bytes, false, skipSeed, out bool theyThrew);
            var ours = Walk(bytes, true, skipSeed, out bool weThrew);
            string shown = Encoding.UTF8.GetString(bytes);
            if (theyThrew)
            {
                Assert.True(weThrew, "Utf8JsonReader refuses, JsonLineReader reads: " + shown);
                // Up to the refusal, the same tokens (either may refuse a token earlier than the other reports it).
                int common = Math.Min(theirs.Count, ours.Count);
                Assert.Equal(theirs.GetRange(0, common), ours.GetRange(0, common));
                return;
            }
            if (weThrew && OursMayRefuse(bytes)) return;
            Assert.False(weThrew, "JsonLineReader refuses what Utf8JsonReader reads: " + shown);
            Assert.Equal(theirs, ours);
        }

        public static IEnumerable<object[]> EdgeCases()
        {
            string[] texts =
            {
                "{}", "[]", "0", "-0", "1", "-1", "12.5", "1e3", "1E+3", "1e-3", "-0.0e0", "123456789012345678901234567890",
                "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "1e39",
                "3.4028235e38", "3.5e38", "true", "false", "null", " \t\r\n{ \"a\" : 1 , \"b\" : [ 1 , 2 ] } \n",
                "\"\"", "\"a\\\"b\"", "\"\\\\\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"", "\"\\u0041\\u00e9\\u20AC\"", "\"\\ud83d\\ude00\"",
                "\"é€😀\"", "{\"k\\u0065y\":\"v\"}", "{\"a\":{\"b\":{\"c\":[[[]]]}}}", "[1,[2,[3,{\"x\":null}]],true]",
                "{\"a\":1,\"a\":2}", "[\"12345678\",\"1234567\\\"\",\"abcdefghijklmnopqrstuvwxyz\\\\0123456789\"]",
                // Refused by both.
                "", " ", "{", "}", "[", "]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[,1]", "{,}", "01", "1.", ".5", "+1", "-", "1e", "1e+",
                "0x10", "NaN", "Infinity", "tru", "nul", "nulll", "truefalse", "{} {}", "1 2", "\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\u12g4\"",
                "\"a\u0001b\"", "\"tab\there\"", "{a:1}", "{'a':1}", "[1 2]", "{\"a\" 1}", "// c\n1", "/* c */1", "[1]//", "\u00ef\u00bb\u00bf{}",
                "{\"a\":1}}", "[[]]]", "\"\\\"",
                // Refused by JsonLineReader only where its callers read the line the slow way.
                "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"", new string('[', 64) + new string(']', 64), new string('[', 70) + new string(']', 70),
            };
            foreach (var t in texts) yield return new object[] { t };
        }

        [Theory]
        [MemberData(nameof(EdgeCases))]
        public void Agrees_with_Utf8JsonReader_on_edge_cases(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Agree(bytes);
            Agree(bytes, skipSeed: 7);
        }

        [Fact]
        public void FirstMarkedByte_finds_the_lowest_marked_byte_whatever_is_marked_above_it()
        {
            // The string scan jumps to the first stop in a word by this count; bytes above it may be marked too (a borrow
            // marks them falsely), never the ones below.
            var random = new Random(18);
            for (int k = 0; k < 8; k++)
                for (int trial = 0; trial < 200; trial++)
                {
                    ulong above = (ulong)random.NextInt64() & 0x8080808080808080UL & ~((2UL << (8 * k + 7)) - 1);
                    ulong marks = (1UL << (8 * k + 7)) | above;
                    Assert.Equal(k, JsonLineReader.FirstMarkedByte(marks));
                }
        }

        [Fact]
        public void Agrees_with_Utf8JsonReader_on_strings_of_every_length_with_a_stop_byte_at_every_place()
        {
            // The string scan goes a vector, then eight bytes, then one at a time: a quote, a backslash (an escape, good
            // or bad), a control character or a multi-byte character at each place of strings 0 to 100 bytes long, and
            // the string's end at each place of the buffer, must end or refuse the string where Utf8JsonReader does.
            var stops = new[] { "\\\"", "\\n", "\\u00e9", "\\x", "\u0001", "\u001f", "\u00e9", "\"", "\u007f" };
            for (int length = 0; length <= 100; length++)
                for (int at = 0; at <= length; at++)
                    foreach (var stop in stops)
                    {
                        var text = "[\"" + new string('a', at) + stop + new string('b', length - at) + "\",1]";
                        var bytes = Encoding.UTF8.GetBytes(text);
                        Agree(bytes);
                        // Cut short inside a buffer whose next bytes would close it: refused, never read past its end.
                        int cut = 2 + at + stop.Length / 2;
                        var padded = Encoding.UTF8.GetBytes("x" + text.Substring(0, cut) + new string('"', 40) + "]");
                        Assert.Throws<JsonException>(() =>
                        {
                            var r = new JsonLineReader(padded, 1, Encoding.UTF8.GetByteCount(text.Substring(0, cut)));
                            while (r.Read()) { }
                        });
                    }
        }

        [Fact]
        public void Refuses_invalid_UTF8_in_a_string_it_decodes()
        {
            var bytes = new byte[] { (byte)'"', 0x61, 0xFF, 0x62, (byte)'"' };
            var r = new JsonLineReader(bytes, 0, bytes.Length);
            Assert.True(r.Read());
            try
            {
                r.GetString();
                Assert.Fail("invalid UTF-8 decoded");
            }
            catch (JsonException)
            {
            }
        }

        [Fact]
        public void Reads_a_text_in_the_middle_of_a_buffer_with_offsets_from_its_start()
        {
            var bytes = Encoding.UTF8.GetBytes("xx{\"a\":\"b\"}yy");
            var r = new JsonLineReader(bytes, 2, bytes.Length - 4);
            Assert.True(r.Read());
            Assert.True(r.Read());
            Assert.Equal(1, r.TokenStartIndex);
            Assert.True(r.Read());
            Assert.Equal("b", r.GetString());
            Assert.Equal(8, r.BytesConsumed);
            Assert.True(r.Read());
            Assert.Equal(JsonTokenType.EndObject, r.TokenType);
            Assert.False(r.Read());
        }

        [Fact]
        public void Agrees_with_Utf8JsonReader_on_generated_values_and_their_damaged_copies()
        {
            var random = new Random(20261206);
            int damagedRefused = 0;
            for (int n = 0; n < 3000; n++)
            {
                var sb = new StringBuilder();
                Value(sb, random, 0);
                var bytes = Encoding.UTF8.GetBytes(sb.ToString());
                Agree(bytes);
                Agree(bytes, skipSeed: n + 1);
                for (int m = 0; m < 10; m++)
                {
                    var damaged = Damage(bytes, random);
                    Agree(damaged, skipSeed: m % 2 == 0 ? 0 : n * 10 + m + 1);
                    try
                    {
                        var r = new Utf8JsonReader(damaged);
                        while (r.Read()) { }
                    }
                    catch (JsonException)
                    {
                        damagedRefused++;
                    }
                }
            }
            // The damaged copies must exercise refusals, not only texts that happen to stay valid.
            Assert.True(damagedRefused > 10000, "only " + damagedRefused + " damaged copies were invalid");
        }

        private static readonly string[] Keys = { "a", "custom_id", "k\\u00e9y", "é", "😀", "with space", "quote\\\"d", "back\\\\slash", "", "longer_property_name_here" };
        private static readonly string[] Strings =
        {
            "", "x", "plain text of some length to cross eight-byte words", "é€😀 unicode", "esc \\n \\t \\\" \\\\ \\/ \\b \\f \\r",
            "\\u0041\\u00e9\\u20ac", "\\ud83d\\ude00 pair", "12345678", "1234567\\\"", "\\u005c", "tab\\tend",
        };
        private static readonly string[] Numbers =
        {
            "0", "-0", "7", "-42", "3.25", "-0.5", "1e10", "2E-5", "6.02e+23", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "1e400", "123456789.123456789", "0.1", "1e-400",
        };

        private static void Value(StringBuilder sb, Random random, int depth)
        {
            Space(sb, random);
            int kind = depth > 5 ? random.Next(3, 7) : random.Next(7);
            switch (kind)
            {
                case 0:
                case 1:
                    sb.Append('{');
                    int props = random.Next(5);
                    for (int i = 0; i < props; i++)
                    {
                        if (i > 0) sb.Append(',');
                        Space(sb, random);
                        sb.Append('"').Append(Keys[random.Next(Keys.Length)]).Append('"');
                        Space(sb, random);
                        sb.Append(':');
                        Value(sb, random, depth + 1);
                    }
                    Space(sb, random);
                    sb.Append('}');
                    break;
                case 2:
                    sb.Append('[');
                    int items = random.Next(5);
                    for (int i = 0; i < items; i++)
                    {
                        if (i > 0) sb.Append(',');
                        Value(sb, random, depth + 1);
                    }
                    Space(sb, random);
                    sb.Append(']');
                    break;
                case 3:
                case 4:
                    sb.Append('"').Append(Strings[random.Next(Strings.Length)]).Append('"');
                    break;
                case 5:
                    sb.Append(Numbers[random.Next(Numbers.Length)]);
                    break;
                default:
                    sb.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                    break;
            }
            Space(sb, random);
        }

        private static void Space(StringBuilder sb, Random random)
        {
            if (random.Next(4) == 0) sb.Append(" \t\r\n"[random.Next(4)]);
        }

        private static readonly byte[] Specials = Encoding.ASCII.GetBytes("\"\\,:{}[]0-e.+ u1x/tnf");

        private static byte[] Damage(byte[] bytes, Random random)
        {
            var list = new List<byte>(bytes);
            int edits = random.Next(1, 3);
            for (int e = 0; e < edits; e++)
            {
                int at = list.Count == 0 ? 0 : random.Next(list.Count);
                switch (random.Next(4))
                {
                    case 0: if (list.Count > 0) list.RemoveAt(at); break;
                    case 1: list.Insert(at, Specials[random.Next(Specials.Length)]); break;
                    case 2: if (list.Count > 0) list[at] = Specials[random.Next(Specials.Length)]; break;
                    default: list.Insert(at, (byte)random.Next(0, 0x20)); break;
                }
            }
            return list.ToArray();
        }
    }
}
