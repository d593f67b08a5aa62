using System;
using System.Buffers.Text;

namespace IrisBatch.Emulator;

/// <summary>
/// Image checks shared by the providers (spec §11.2): the media type from the bytes' magic numbers, base64 validity,
/// data URLs, URL schemes, sizes. A URL whose host ends in <c>.invalid</c> (RFC 2606) is one the service cannot download.
/// </summary>
public static class Images
{
    public const long OpenAIMaxBytes = 20L * 1024 * 1024;
    public const long OpenAIMaxRequestBytes = 50L * 1024 * 1024;
    public const int OpenAIMaxImages = 500;
    public const long AnthropicMaxBytes = 5L * 1024 * 1024;
    public const int AnthropicMaxImages = 100;
    public const int AnthropicMaxSide = 8000, AnthropicManyImages = 20, AnthropicMaxSideWhenMany = 2000;
    public const long XaiMaxBytes = 20L * 1024 * 1024;

    /// <summary>"image/png", "image/jpeg", "image/gif", "image/webp" (or heic/heif), from the first bytes; null when none matches.</summary>
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G' && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) return "image/png";
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
        if (b.Length >= 6 && b[0] == (byte)'G' && b[1] == (byte)'I' && b[2] == (byte)'F' && b[3] == (byte)'8' && (b[4] == (byte)'7' || b[4] == (byte)'9') && b[5] == (byte)'a') return "image/gif";
        if (b.Length >= 12 && b[0] == (byte)'R' && b[1] == (byte)'I' && b[2] == (byte)'F' && b[3] == (byte)'F' && b[8] == (byte)'W' && b[9] == (byte)'E' && b[10] == (byte)'B' && b[11] == (byte)'P') return "image/webp";
        if (b.Length >= 12 && b[4] == (byte)'f' && b[5] == (byte)'t' && b[6] == (byte)'y' && b[7] == (byte)'p')
        {
            string brand = System.Text.Encoding.ASCII.GetString(b.Slice(8, 4));
            if (brand is "heic" or "heix" or "hevc" or "hevx") return "image/heic";
            if (brand is "mif1" or "msf1" or "heim" or "heis") return "image/heif";
        }
        return null;
    }

    /// <summary>
    /// Width and height from a png, gif, webp or jpeg header; (0, 0) when the header does not say. Kept apart from the
    /// client's reader on purpose: the emulator stands in for the service and does not use the client's code.
    /// </summary>
    public static (int Width, int Height) SizeOf(ReadOnlySpan<byte> b)
    {
        switch (Sniff(b))
        {
            case "image/png":
                return b.Length >= 24 ? (b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19], b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23]) : (0, 0);
            case "image/gif":
                return b.Length >= 10 ? (b[6] | b[7] << 8, b[8] | b[9] << 8) : (0, 0);
            case "image/webp":
                if (b.Length < 30 || b[12] != (byte)'V' || b[13] != (byte)'P' || b[14] != (byte)'8') return (0, 0);
                if (b[15] == (byte)' ') return ((b[26] | b[27] << 8) & 0x3FFF, (b[28] | b[29] << 8) & 0x3FFF);
                if (b[15] == (byte)'L') { int bits = b[21] | b[22] << 8 | b[23] << 16 | b[24] << 24; return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1); }
                if (b[15] == (byte)'X') return (1 + (b[24] | b[25] << 8 | b[26] << 16), 1 + (b[27] | b[28] << 8 | b[29] << 16));
                return (0, 0);
            case "image/jpeg":
                for (int i = 2; i + 9 < b.Length;)
                {
                    if (b[i] != 0xFF) { i++; continue; }
                    int marker = b[i + 1];
                    if (marker == 0xFF) { i++; continue; }
                    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { i += 2; continue; }
                    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
                        return (b[i + 7] << 8 | b[i + 8], b[i + 5] << 8 | b[i + 6]);
                    i += 2 + (b[i + 2] << 8 | b[i + 3]);
                }
                return (0, 0);
        }
        return (0, 0);
    }

    /// <summary>Strict base64 (standard alphabet, padded). Null when the text is not base64.</summary>
    public static byte[]? Decode(string text)
    {
        if (text.Length == 0 || !Base64.IsValid(text, out int length)) return null;
        var bytes = new byte[length];
        return Convert.TryFromBase64String(text, bytes, out int n) ? bytes[..n] : null;
    }

    /// <summary>A data URL split into its media type and base64 payload; false when it is not <c>data:&lt;type&gt;;base64,&lt;data&gt;</c>.</summary>
    public static bool TryParseDataUrl(string url, out string mediaType, out string payload)
    {
        mediaType = payload = "";
        if (!url.StartsWith("data:", StringComparison.Ordinal)) return false;
        int comma = url.IndexOf(',');
        if (comma < 0) return false;
        string meta = url[5..comma];
        if (!meta.EndsWith(";base64", StringComparison.Ordinal)) return false;
        mediaType = meta[..^7].ToLowerInvariant();
        payload = url[(comma + 1)..];
        return true;
    }

    public static bool IsHttps(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps && u.Host.Length > 0;

    public static bool IsHttpOrHttps(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) && u.Host.Length > 0;

    /// <summary>The emulator's convention for a URL the service cannot download: its host ends in ".invalid".</summary>
    public static bool Unreachable(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Host.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase) || u.Host.Equals("invalid", StringComparison.OrdinalIgnoreCase));

    /// <summary>A GIF with more than one image frame (OpenAI takes only non-animated GIFs).</summary>
    public static bool IsAnimatedGif(ReadOnlySpan<byte> b)
    {
        if (Sniff(b) != "image/gif" || b.Length < 13) return false;
        int i = 13;
        if ((b[10] & 0x80) != 0) i += 3 * (1 << ((b[10] & 0x07) + 1));
        int frames = 0;
        while (i < b.Length)
        {
            byte block = b[i++];
            if (block == 0x3B) break;                    // trailer
            if (block == 0x21)                           // extension: label, then sub-blocks
            {
                if (i >= b.Length) break;
                i++;
                if (!SkipSubBlocks(b, ref i)) break;
            }
            else if (block == 0x2C)                      // image descriptor
            {
                if (++frames > 1) return true;
                if (i + 9 > b.Length) break;
                byte packed = b[i + 8];
                i += 9;
                if ((packed & 0x80) != 0) i += 3 * (1 << ((packed & 0x07) + 1));
                i++;                                     // LZW minimum code size
                if (!SkipSubBlocks(b, ref i)) break;
            }
            else break;
        }
        return false;
    }

    private static bool SkipSubBlocks(ReadOnlySpan<byte> b, ref int i)
    {
        while (i < b.Length)
        {
            int size = b[i++];
            if (size == 0) return true;
            i += size;
        }
        return false;
    }
}
