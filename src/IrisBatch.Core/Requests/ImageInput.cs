using System;
using System.IO;

namespace IrisBatch
{
    /// <summary>
    /// One image of a request: an https URL, or a local file read at once into base64 data with the media type its
    /// bytes show (png, jpeg, gif, webp), and its size in pixels where the header gives it (for token estimates).
    /// </summary>
    public sealed class ImageInput
    {
        /// <summary>Largest file read (the largest any provider takes per image, OpenAI's and xAI's 20 MB); each provider checks its own limit.</summary>
        public const long MaxFileBytes = 20L * 1024 * 1024;

        public ImageInput(string source, string? url, string? mediaType, string? data, long bytes = 0, int width = 0, int height = 0, bool animated = false)
        {
            Animated = animated;
            Source = source;
            Url = url;
            MediaType = mediaType;
            Data = data;
            Bytes = bytes;
            Width = width;
            Height = height;
        }

        /// <summary>What the request named: the URL or the file's path.</summary>
        public string Source { get; }
        /// <summary>The https URL, for an image sent by reference; null for file data.</summary>
        public string? Url { get; }
        /// <summary>image/png, image/jpeg, image/gif or image/webp (files only).</summary>
        public string? MediaType { get; }
        /// <summary>The file's bytes as base64 (files only).</summary>
        public string? Data { get; }
        /// <summary>The file's size in bytes (0 for a URL).</summary>
        public long Bytes { get; }
        public int Width { get; }
        public int Height { get; }
        /// <summary>A GIF file with more than one frame (OpenAI and Azure read only still GIFs, spec §11.2).</summary>
        public bool Animated { get; }

        public bool IsUrl => Url != null;

        /// <summary>A data: URL of the file (OpenAI's and xAI's form), or the URL itself.</summary>
        public string AsUrl() => Url ?? $"data:{MediaType};base64,{Data}";

        public override string ToString() => Source;

        /// <summary>
        /// An https URL as it is, or a file (a path relative to <paramref name="baseDirectory"/>) read and checked.
        /// Throws <see cref="FormatException"/> saying what is wrong with the file (missing, not an image, too big).
        /// </summary>
        public static ImageInput From(string value, string? baseDirectory)
        {
            var text = (value ?? "").Trim();
            if (text.Length == 0) throw new FormatException(Messages.ImageEmpty());
            if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out _)) throw new FormatException(Messages.ImageUrlInvalid(text));
                return new ImageInput(text, text, null, null);
            }
            if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                throw new FormatException(Messages.ImageUrlNotHttps(text));
            string path;
            try { path = baseDirectory != null ? Path.GetFullPath(Path.Combine(baseDirectory, text)) : Path.GetFullPath(text); }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
            {
                throw new FormatException(Messages.ImagePathInvalid(text, ex.Message));
            }
            if (!File.Exists(path)) throw new FormatException(Messages.ImageFileMissing(path));
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                throw new FormatException(Messages.ImageFileTooBig(path, length, MaxFileBytes / (1024 * 1024)));
            byte[] bytes;
            try { bytes = File.ReadAllBytes(path); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new FormatException(Messages.ImageFileUnreadable(path, ex.Message));
            }
            var type = MediaTypeOf(bytes);
            if (type == null) throw new FormatException(Messages.ImageNotAnImage(path));
            var (w, h) = SizeOf(bytes, type);
            return new ImageInput(path, null, type, Convert.ToBase64String(bytes), bytes.Length, w, h, type == "image/gif" && IsAnimatedGif(bytes));
        }

        /// <summary>The media type the bytes show, or null when they are none of png, jpeg, gif, webp.</summary>
        public static string? MediaTypeOf(byte[] b)
        {
            if (b.Length >= 8 && b[0] == 0x89 && b[1] == 0x50 && b[2] == 0x4E && b[3] == 0x47 && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) return "image/png";
            if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
            if (b.Length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8' && (b[4] == '7' || b[4] == '9') && b[5] == 'a') return "image/gif";
            if (b.Length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return "image/webp";
            return null;
        }

        /// <summary>Width and height from the image header, or (0, 0) when the header does not say.</summary>
        internal static (int, int) SizeOf(byte[] b, string type)
        {
            try
            {
                switch (type)
                {
                    case "image/png":
                        return b.Length >= 24 ? (BigEndian(b, 16), BigEndian(b, 20)) : (0, 0);
                    case "image/gif":
                        return b.Length >= 10 ? (b[6] | b[7] << 8, b[8] | b[9] << 8) : (0, 0);
                    case "image/webp":
                        if (b.Length >= 30 && b[12] == 'V' && b[13] == 'P' && b[14] == '8')
                        {
                            if (b[15] == ' ') return ((b[26] | b[27] << 8) & 0x3FFF, (b[28] | b[29] << 8) & 0x3FFF);
                            if (b[15] == 'L') { int bits = b[21] | b[22] << 8 | b[23] << 16 | b[24] << 24; return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1); }
                            if (b[15] == 'X') return (1 + (b[24] | b[25] << 8 | b[26] << 16), 1 + (b[27] | b[28] << 8 | b[29] << 16));
                        }
                        return (0, 0);
                    case "image/jpeg":
                        int i = 2;
                        while (i + 9 < b.Length)
                        {
                            if (b[i] != 0xFF) { i++; continue; }
                            int marker = b[i + 1];
                            if (marker == 0xFF) { i++; continue; }
                            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { i += 2; continue; }
                            int len = b[i + 2] << 8 | b[i + 3];
                            bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                            if (sof) return (b[i + 7] << 8 | b[i + 8], b[i + 5] << 8 | b[i + 6]);
                            i += 2 + len;
                        }
                        return (0, 0);
                }
            }
            catch (IndexOutOfRangeException) { }
            return (0, 0);
        }

        /// <summary>Whether a GIF has more than one image frame.</summary>
        internal static bool IsAnimatedGif(byte[] b)
        {
            if (b.Length < 13) return false;
            int i = 13;
            if ((b[10] & 0x80) != 0) i += 3 * (1 << ((b[10] & 0x07) + 1));    // global colour table
            int frames = 0;
            while (i < b.Length)
            {
                byte block = b[i++];
                if (block == 0x21)                                              // extension: label, then sub-blocks
                {
                    if (++i > b.Length || !SkipSubBlocks(b, ref i)) break;
                }
                else if (block == 0x2C)                                         // image descriptor
                {
                    if (++frames > 1) return true;
                    if (i + 9 > b.Length) break;
                    byte packed = b[i + 8];
                    i += 9;
                    if ((packed & 0x80) != 0) i += 3 * (1 << ((packed & 0x07) + 1));
                    i++;                                                        // LZW minimum code size
                    if (!SkipSubBlocks(b, ref i)) break;
                }
                else break;                                                     // trailer (0x3B) or not a GIF block
            }
            return false;
        }

        private static bool SkipSubBlocks(byte[] b, ref int i)
        {
            while (i < b.Length)
            {
                int size = b[i++];
                if (size == 0) return true;
                i += size;
            }
            return false;
        }

        private static int BigEndian(byte[] b, int i) => b[i] << 24 | b[i + 1] << 16 | b[i + 2] << 8 | b[i + 3];

        /// <summary>
        /// The input tokens an image is estimated to cost. OpenAI-style models (and others not named below): the
        /// documented high-detail formula, 85 + 170 per 512-px tile after scaling to fit 2048x2048 and then a shortest
        /// side of 768 (a URL, whose size is unknown, as 1024x1024: 765); gpt-4o-mini 2,833 + 5,667 per tile (a URL:
        /// 25,501). Claude: width x height / 750 after scaling the long side to 1568 (a URL: 1,600). Gemini: 258 for an image up to 384x384, else 258 per 768x768 tile
        /// (a URL: 1,032).
        /// </summary>
        public int EstimateTokens(string model)
        {
            var m = (model ?? "").ToLowerInvariant();
            double w = Width, h = Height;
            bool known = w > 0 && h > 0;
            if (m.StartsWith("claude"))
            {
                if (!known) return 1600;
                double scale = Math.Min(1.0, 1568.0 / Math.Max(w, h));
                return (int)Math.Ceiling(w * scale * h * scale / 750.0);
            }
            if (m.StartsWith("gemini"))
            {
                if (!known) return 1032;
                if (w <= 384 && h <= 384) return 258;
                return 258 * (int)(Math.Ceiling(w / 768.0) * Math.Ceiling(h / 768.0));
            }
            // gpt-4o-mini bills an image at 2,833 + 5,667 per tile (OpenAI's vision guide), 33 times gpt-4o's count.
            bool mini = m.StartsWith("gpt-4o-mini", StringComparison.Ordinal);
            int baseTokens = mini ? 2833 : 85, tileTokens = mini ? 5667 : 170;
            if (!known) return baseTokens + 4 * tileTokens;
            double fit = Math.Min(1.0, 2048.0 / Math.Max(w, h));
            w *= fit;
            h *= fit;
            double shortSide = Math.Min(w, h);
            if (shortSide > 768)
            {
                w *= 768 / shortSide;
                h *= 768 / shortSide;
            }
            return baseTokens + tileTokens * (int)(Math.Ceiling(w / 512.0) * Math.Ceiling(h / 512.0));
        }
    }
}
