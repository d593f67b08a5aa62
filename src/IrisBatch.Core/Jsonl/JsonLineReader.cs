using System;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace IrisBatch.Jsonl
{
    /// <summary>
    /// A forward-only reader of one JSON text in UTF-8 (a line of a JSONL file), with the part of
    /// <see cref="Utf8JsonReader"/>'s surface the hot readers use, and the same answers for any text both accept. It
    /// is strict: whatever <see cref="Utf8JsonReader"/> with default options refuses, it refuses too (a
    /// <see cref="JsonException"/>), and it also refuses what it does not need (a lone surrogate escape, invalid UTF-8 in
    /// a string it decodes, more than 63 levels), so its callers' slower document readers decide those lines as before.
    /// Why it exists: every method here is compiled optimized on its first call (<see cref="Hot.Path"/>), while the
    /// runtime's reader runs unoptimized for the first second or more of a fresh PowerShell (its string search is a
    /// generic instantiation with no precompiled code, promoted late because a starting PowerShell keeps compiling);
    /// results are read by the hundred thousand, mostly in fresh processes (a scheduled task).
    /// </summary>
    internal ref struct JsonLineReader
    {
        private const int MaxDepth = 63;
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        private readonly byte[] _bytes;
        private readonly int _start;      // the text's first byte in _bytes
        private readonly int _end;        // one past its last
        private int _pos;                 // the next byte to read
        private int _depth;               // containers open
        private ulong _objects;           // bit d: the container at depth d is an object
        private JsonTokenType _type;
        private int _tokenStart;          // the token's first byte (a string's opening quote)
        private int _valueStart;          // a string's or name's first byte inside its quotes; a number's first byte
        private int _valueLength;
        private bool _escaped;            // the string or name has an escape
        private bool _done;               // the root value is complete

        public JsonLineReader(byte[] bytes, int start, int length)
        {
            if ((uint)start > (uint)bytes.Length || (uint)length > (uint)(bytes.Length - start)) throw new ArgumentOutOfRangeException(nameof(length));
            _bytes = bytes;
            _start = _pos = start;
            _end = start + length;
            _depth = 0;
            _objects = 0;
            _type = JsonTokenType.None;
            _tokenStart = _valueStart = _valueLength = 0;
            _escaped = _done = false;
        }

        public JsonTokenType TokenType => _type;

        /// <summary>Where the token starts, from the text's first byte (a string's opening quote).</summary>
        public long TokenStartIndex => _tokenStart - _start;

        /// <summary>The bytes read so far: one past the current token.</summary>
        public long BytesConsumed => _pos - _start;

        /// <summary>Whether the current string or property name has an escape (then <see cref="ValueSpan"/> is its raw bytes).</summary>
        public bool ValueIsEscaped => _escaped;

        /// <summary>The raw bytes of the current string or property name (inside the quotes) or number.</summary>
        public ReadOnlySpan<byte> ValueSpan => new ReadOnlySpan<byte>(_bytes, _valueStart, _valueLength);

        /// <summary>Reads the next token; false after the root value, when only white space is left.</summary>
        [MethodImpl(Hot.Path)]
        public bool Read()
        {
            if (_done)
            {
                SkipWhiteSpace();
                if (_pos < _end) throw Bad("more after the JSON value");
                return false;
            }
            SkipWhiteSpace();
            if (_pos >= _end) throw Bad("the JSON text ends too early");
            byte c = _bytes[_pos];
            switch (_type)
            {
                case JsonTokenType.None:
                case JsonTokenType.PropertyName:
                    return ReadValue(c);
                case JsonTokenType.StartObject:
                    return c == (byte)'}' ? ReadEnd(true) : ReadPropertyName(c);
                case JsonTokenType.StartArray:
                    return c == (byte)']' ? ReadEnd(false) : ReadValue(c);
                default:
                    // After a value, inside a container: a comma and the next member, or the container's end.
                    bool inObject = ((_objects >> _depth) & 1) != 0;
                    if (c == (byte)',')
                    {
                        _pos++;
                        SkipWhiteSpace();
                        if (_pos >= _end) throw Bad("the JSON text ends too early");
                        c = _bytes[_pos];
                        return inObject ? ReadPropertyName(c) : ReadValue(c);
                    }
                    if (c == (inObject ? (byte)'}' : (byte)']')) return ReadEnd(inObject);
                    throw Bad("a comma or the end of the container expected");
            }
        }

        /// <summary>
        /// Skips the current value: on a property name, its value; on the start of an object or array, all of it up to
        /// its end (the reader is left on that end); on any other token, nothing.
        /// </summary>
        [MethodImpl(Hot.Path)]
        public void Skip()
        {
            if (_type == JsonTokenType.PropertyName) Read();
            if (_type != JsonTokenType.StartObject && _type != JsonTokenType.StartArray) return;
            int outer = _depth - 1;
            while (_depth > outer) Read();
        }

        /// <summary>The current string or property name, unescaped; null on a null token.</summary>
        [MethodImpl(Hot.Path)]
        public string? GetString()
        {
            if (_type == JsonTokenType.Null) return null;
            if (_type != JsonTokenType.String && _type != JsonTokenType.PropertyName) throw new InvalidOperationException(Messages.JsonLineNotString());
            try
            {
                return _escaped ? Unescape() : Strict.GetString(_bytes, _valueStart, _valueLength);
            }
            catch (DecoderFallbackException ex)
            {
                throw new JsonException(Messages.JsonLineBadUtf8(), ex);
            }
        }

        /// <summary>
        /// As <see cref="ValueTextEquals(string)"/> for an ASCII <paramref name="ascii"/> (the parsers' property names and
        /// known values), compiled into its caller: a string without escapes has a byte per char of such a text, so a
        /// length that differs settles it with no call, and most names asked about differ in length. The parsers ask
        /// 80 or so of these per result line.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TextIs(string ascii) =>
            !_escaped && (_type == JsonTokenType.PropertyName || _type == JsonTokenType.String)
                ? _valueLength == ascii.Length && AsciiBytesAre(ascii)
                : ValueTextEquals(ascii);

        /// <summary>Whether the current token's bytes, as many as the text's chars, are the ASCII text's.</summary>
        [MethodImpl(Hot.Path)]
        private bool AsciiBytesAre(string ascii)
        {
            var bytes = _bytes;
            int at = _valueStart;
            for (int i = 0; i < ascii.Length; i++)
                if (bytes[at + i] != ascii[i]) return false;
            return true;
        }

        /// <summary>Whether the current string or property name is <paramref name="text"/>.</summary>
        [MethodImpl(Hot.Path)]
        public bool ValueTextEquals(string text)
        {
            if (_type != JsonTokenType.String && _type != JsonTokenType.PropertyName) throw new InvalidOperationException(Messages.JsonLineNotString());
            if (_escaped) return string.Equals(GetString(), text, StringComparison.Ordinal);
            var bytes = _bytes;
            int at = _valueStart, length = _valueLength;
            if (length != text.Length)
            {
                // A char takes at least one byte: fewer bytes than chars is never equal; more is equal only when the
                // text has a char beyond ASCII (most names differ already in their first char, which settles it).
                if (length < text.Length || text.Length == 0) return false;
                char first = text[0];
                if (first <= 0x7F && bytes[at] != first) return false;
                foreach (char c in text)
                    if (c > 0x7F) return string.Equals(GetString(), text, StringComparison.Ordinal);
                return false;
            }
            // As many bytes as chars: equal only if both are ASCII, and then byte for char.
            for (int i = 0; i < length; i++)
            {
                char ch = text[i];
                if (ch > 0x7F || bytes[at + i] != ch) return false;
            }
            return true;
        }

        /// <summary>Whether the current string or property name is the text whose UTF-8 bytes are <paramref name="utf8"/>.</summary>
        [MethodImpl(Hot.Path)]
        public bool ValueTextEquals(byte[] utf8)
        {
            if (_type != JsonTokenType.String && _type != JsonTokenType.PropertyName) throw new InvalidOperationException(Messages.JsonLineNotString());
            if (_escaped) return string.Equals(GetString(), Strict.GetString(utf8), StringComparison.Ordinal);
            if (_valueLength != utf8.Length) return false;
            var bytes = _bytes;
            int at = _valueStart;
            for (int i = 0; i < utf8.Length; i++)
                if (bytes[at + i] != utf8[i]) return false;
            return true;
        }

        /// <summary>The current number as a long: false when it has a fraction or an exponent, or does not fit.</summary>
        [MethodImpl(Hot.Path)]
        public bool TryGetInt64(out long value)
        {
            if (_type != JsonTokenType.Number) throw new InvalidOperationException(Messages.JsonLineNotNumber());
            return Utf8Parser.TryParse(ValueSpan, out value, out int used) && used == _valueLength;
        }

        /// <summary>The current number as a double (infinite beyond its range, as the runtime's reader gives it).</summary>
        [MethodImpl(Hot.Path)]
        public double GetDouble()
        {
            if (_type != JsonTokenType.Number) throw new InvalidOperationException(Messages.JsonLineNotNumber());
            if (Utf8Parser.TryParse(ValueSpan, out double value, out int used) && used == _valueLength) return value;
            throw new FormatException(Messages.JsonLineNumberRange("double"));
        }

        /// <summary>The current number as a float (infinite beyond its range, as the runtime's reader gives it).</summary>
        [MethodImpl(Hot.Path)]
        public float GetSingle()
        {
            if (_type != JsonTokenType.Number) throw new InvalidOperationException(Messages.JsonLineNotNumber());
            if (Utf8Parser.TryParse(ValueSpan, out float value, out int used) && used == _valueLength) return value;
            throw new FormatException(Messages.JsonLineNumberRange("float"));
        }

        [MethodImpl(Hot.Path)]
        private bool ReadValue(byte c)
        {
            _tokenStart = _pos;
            switch (c)
            {
                case (byte)'{':
                case (byte)'[':
                    if (++_depth > MaxDepth) throw Bad("the JSON text is nested too deeply");
                    bool isObject = c == (byte)'{';
                    _objects = isObject ? _objects | (1UL << _depth) : _objects & ~(1UL << _depth);
                    _pos++;
                    _type = isObject ? JsonTokenType.StartObject : JsonTokenType.StartArray;
                    return true;
                case (byte)'"':
                    ScanString();
                    _type = JsonTokenType.String;
                    break;
                case (byte)'t':
                    Literal("true");
                    _type = JsonTokenType.True;
                    break;
                case (byte)'f':
                    Literal("false");
                    _type = JsonTokenType.False;
                    break;
                case (byte)'n':
                    Literal("null");
                    _type = JsonTokenType.Null;
                    break;
                default:
                    if (c != (byte)'-' && (c < (byte)'0' || c > (byte)'9')) throw Bad("a JSON value expected");
                    ScanNumber();
                    _type = JsonTokenType.Number;
                    break;
            }
            if (_depth == 0) _done = true;
            return true;
        }

        [MethodImpl(Hot.Path)]
        private bool ReadPropertyName(byte c)
        {
            if (c != (byte)'"') throw Bad("a property name expected");
            _tokenStart = _pos;
            ScanString();
            SkipWhiteSpace();
            if (_pos >= _end || _bytes[_pos] != (byte)':') throw Bad("a colon expected after the property name");
            _pos++;
            _type = JsonTokenType.PropertyName;
            return true;
        }

        [MethodImpl(Hot.Path)]
        private bool ReadEnd(bool isObject)
        {
            _tokenStart = _pos;
            _pos++;
            _depth--;
            _type = isObject ? JsonTokenType.EndObject : JsonTokenType.EndArray;
            if (_depth == 0) _done = true;
            return true;
        }

        /// <summary>
        /// From an opening quote to one past its closing quote, checking each escape; sets the value's bytes. A vector
        /// (32 bytes with AVX2), then eight bytes, at a time while none of them is a quote, a backslash or a control
        /// character.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private void ScanString()
        {
            var bytes = _bytes;
            int end = _end;
            int i = _pos + 1;
            bool escaped = false;
            while (true)
            {
                if (Vector.IsHardwareAccelerated)
                {
                    int width = Vector<byte>.Count;
                    var quotes = new Vector<byte>((byte)'"');
                    var backslashes = new Vector<byte>((byte)'\\');
                    var spaces = new Vector<byte>((byte)0x20);
                    while (i + width <= end)
                    {
                        var v = new Vector<byte>(bytes, i);
                        // Bytes compare unsigned: below 0x20 is a control character, never a byte of a longer UTF-8 sequence.
                        var stop = Vector.Equals(v, quotes) | Vector.Equals(v, backslashes) | Vector.LessThan(v, spaces);
                        if (!stop.Equals(Vector<byte>.Zero)) break;
                        i += width;
                    }
                }
                while (i + 8 <= end)
                {
                    ulong w = Unsafe.ReadUnaligned<ulong>(ref bytes[i]);   // i + 8 <= end <= bytes.Length; little-endian or not, each byte is tested alike
                    ulong quote = w ^ 0x2222222222222222UL, slash = w ^ 0x5C5C5C5C5C5C5C5CUL;
                    // A byte that is 0 (after the xor: a quote or a backslash) or below 0x20 sets its high bit here.
                    ulong found = (((quote - 0x0101010101010101UL) & ~quote) | ((slash - 0x0101010101010101UL) & ~slash) | ((w - 0x2020202020202020UL) & ~w)) & 0x8080808080808080UL;
                    if (found != 0)
                    {
                        // The lowest marked byte is a real stop (a borrow can only mark bytes above one), and on a
                        // little-endian machine it is the first in memory: go straight to it, rather than a byte at a
                        // time through the loop above (which, for the short names of every property, cost a vector
                        // compare and a word compare per byte).
                        if (BitConverter.IsLittleEndian) i += FirstMarkedByte(found);
                        break;
                    }
                    i += 8;
                }
                if (i >= end) throw Bad("a string is not closed");
                byte b = bytes[i];
                if (b == (byte)'"') break;
                if (b == (byte)'\\')
                {
                    escaped = true;
                    if (i + 1 >= end) throw Bad("a string is not closed");
                    switch (bytes[i + 1])
                    {
                        case (byte)'"': case (byte)'\\': case (byte)'/': case (byte)'b': case (byte)'f': case (byte)'n': case (byte)'r': case (byte)'t':
                            i += 2;
                            break;
                        case (byte)'u':
                            if (i + 6 > end) throw Bad("a string is not closed");
                            for (int k = i + 2; k < i + 6; k++)
                                if (Hex(bytes[k]) < 0) throw Bad("an escape of four hexadecimal digits expected");
                            i += 6;
                            break;
                        default:
                            throw Bad("an escape that JSON does not have");
                    }
                    continue;
                }
                if (b < 0x20) throw Bad("a control character in a string");
                i++;
            }
            _valueStart = _pos + 1;
            _valueLength = i - _valueStart;
            _escaped = escaped;
            _pos = i + 1;
        }

        /// <summary>
        /// The index (0 to 7, from the least significant) of the lowest byte of <paramref name="marks"/> with its high
        /// bit set, where only high bits are set and at least one is: the bytes below it, counted by a multiply.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static int FirstMarkedByte(ulong marks)
        {
            ulong lowest = marks & (0UL - marks);                   // 1 << (8k + 7) for the lowest marked byte k
            ulong below = (lowest - 1) & 0x0101010101010101UL;      // the low bit of bytes 0..k: k + 1 of them
            return (int)((below * 0x0101010101010101UL) >> 56) - 1;
        }

        [MethodImpl(Hot.Path)]
        private void ScanNumber()
        {
            var bytes = _bytes;
            int end = _end;
            int i = _pos;
            if (bytes[i] == (byte)'-') i++;
            if (i >= end) throw Bad("a number ends too early");
            if (bytes[i] == (byte)'0') i++;
            else if (IsDigit(bytes[i])) while (i < end && IsDigit(bytes[i])) i++;
            else throw Bad("a digit expected");
            if (i < end && bytes[i] == (byte)'.')
            {
                i++;
                if (i >= end || !IsDigit(bytes[i])) throw Bad("a digit expected after the decimal point");
                while (i < end && IsDigit(bytes[i])) i++;
            }
            if (i < end && (bytes[i] == (byte)'e' || bytes[i] == (byte)'E'))
            {
                i++;
                if (i < end && (bytes[i] == (byte)'+' || bytes[i] == (byte)'-')) i++;
                if (i >= end || !IsDigit(bytes[i])) throw Bad("a digit expected in the exponent");
                while (i < end && IsDigit(bytes[i])) i++;
            }
            if (i < end)
            {
                byte next = bytes[i];
                if (next != (byte)',' && next != (byte)'}' && next != (byte)']' && !IsWhiteSpace(next)) throw Bad("a number ends with something else");
            }
            _valueStart = _pos;
            _valueLength = i - _pos;
            _escaped = false;
            _pos = i;
        }

        [MethodImpl(Hot.Path)]
        private void Literal(string word)
        {
            if (_pos + word.Length > _end) throw Bad("a literal ends too early");
            for (int k = 0; k < word.Length; k++)
                if (_bytes[_pos + k] != word[k]) throw Bad("true, false or null expected");
            _pos += word.Length;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SkipWhiteSpace()
        {
            while (_pos < _end && IsWhiteSpace(_bytes[_pos])) _pos++;
        }

        /// <summary>The current string with its escapes undone; a lone surrogate is refused.</summary>
        [MethodImpl(Hot.Path)]
        private string Unescape()
        {
            var bytes = _bytes;
            int i = _valueStart, end = _valueStart + _valueLength;
            var chars = new char[_valueLength];
            int n = 0;
            while (i < end)
            {
                int run = i;
                while (i < end && bytes[i] != (byte)'\\') i++;
                if (i > run) n += Strict.GetChars(bytes, run, i - run, chars, n);
                if (i >= end) break;
                byte e = bytes[i + 1];
                i += 2;
                switch (e)
                {
                    case (byte)'b': chars[n++] = '\b'; break;
                    case (byte)'f': chars[n++] = '\f'; break;
                    case (byte)'n': chars[n++] = '\n'; break;
                    case (byte)'r': chars[n++] = '\r'; break;
                    case (byte)'t': chars[n++] = '\t'; break;
                    case (byte)'u':
                        char ch = (char)HexValue(bytes, i);
                        i += 4;
                        if (char.IsLowSurrogate(ch)) throw Bad("a lone surrogate escape");
                        if (char.IsHighSurrogate(ch))
                        {
                            if (i + 6 > end || bytes[i] != (byte)'\\' || bytes[i + 1] != (byte)'u') throw Bad("a lone surrogate escape");
                            char low = (char)HexValue(bytes, i + 2);
                            if (!char.IsLowSurrogate(low)) throw Bad("a lone surrogate escape");
                            chars[n++] = ch;
                            ch = low;
                            i += 6;
                        }
                        chars[n++] = ch;
                        break;
                    default: chars[n++] = (char)e; break;   // " \ and /
                }
            }
            return new string(chars, 0, n);
        }

        private static int HexValue(byte[] bytes, int at) =>
            (Hex(bytes[at]) << 12) | (Hex(bytes[at + 1]) << 8) | (Hex(bytes[at + 2]) << 4) | Hex(bytes[at + 3]);

        private static int Hex(byte b) =>
            b >= (byte)'0' && b <= (byte)'9' ? b - '0' : b >= (byte)'a' && b <= (byte)'f' ? b - 'a' + 10 : b >= (byte)'A' && b <= (byte)'F' ? b - 'A' + 10 : -1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool IsWhiteSpace(byte b) => b == (byte)' ' || b == (byte)'\n' || b == (byte)'\r' || b == (byte)'\t';

        private JsonException Bad(string what) => new JsonException(Messages.JsonLineInvalid(_pos - _start, what));
    }
}
