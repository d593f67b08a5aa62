using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace IrisBatch.Emulator;

/// <summary>
/// The fake embedding model (spec §11.5): a deterministic, unit-length vector per text, so a test (or a client's test) can
/// compute the vector the emulator answers. <see cref="Vector"/>: seed = the first 8 bytes of SHA-256 over the text's UTF-8
/// bytes, read little-endian; component i = the i-th draw of SplitMix64 from that seed, mapped to [-1, 1) as
/// <c>(draw &gt;&gt; 11) * 2^-53 * 2 - 1</c>; then the first <c>dimensions</c> components are divided by their Euclidean norm
/// (computed in double) and stored as float32. So a shorter vector is the longer one truncated and re-normalised, as OpenAI
/// shortens <c>text-embedding-3</c> vectors. Gemini does not re-normalise a truncated vector (<see cref="Truncated"/>).
/// Token inputs (OpenAI <c>int[]</c>) are hashed as their decimal values joined by ",".
/// </summary>
public static class EmbeddingVectors
{
    /// <summary>Default sizes of the embedding models the emulator knows; others get <see cref="FallbackDimensions"/>.</summary>
    public static int DefaultDimensions(string model) => model switch
    {
        _ when model.StartsWith("text-embedding-3-large", StringComparison.Ordinal) => 3072,
        _ when model.StartsWith("text-embedding-3-small", StringComparison.Ordinal) => 1536,
        _ when model.StartsWith("text-embedding-ada-002", StringComparison.Ordinal) => 1536,
        _ when model.Contains("gemini-embedding", StringComparison.Ordinal) => 3072,
        _ when model.Contains("text-embedding-004", StringComparison.Ordinal) || model.Contains("embedding-001", StringComparison.Ordinal) => 768,
        _ when model.StartsWith("nomic-embed-text", StringComparison.Ordinal) => 768,
        _ when model.StartsWith("mxbai-embed-large", StringComparison.Ordinal) => 1024,
        _ when model.StartsWith("mistral-embed", StringComparison.Ordinal) => 1024,   // docs.mistral.ai Text Embeddings: "It returns 1024"
        _ when model.StartsWith("all-minilm", StringComparison.Ordinal) => 384,
        _ => FallbackDimensions,
    };

    public const int FallbackDimensions = 768;

    /// <summary>The unit vector of <paramref name="dimensions"/> components for a text.</summary>
    public static float[] Vector(string text, int dimensions)
    {
        if (dimensions < 1) throw new ArgumentOutOfRangeException(nameof(dimensions));
        var raw = Raw(text, dimensions);
        double norm = 0;
        foreach (double x in raw) norm += x * x;
        norm = Math.Sqrt(norm);
        var v = new float[dimensions];
        for (int i = 0; i < dimensions; i++) v[i] = (float)(raw[i] / norm);
        return v;
    }

    /// <summary>The first <paramref name="dimensions"/> components of the unit vector of <paramref name="fullDimensions"/> (not re-normalised).</summary>
    public static float[] Truncated(string text, int fullDimensions, int dimensions)
    {
        var full = Vector(text, fullDimensions);
        return dimensions >= fullDimensions ? full : full[..dimensions];
    }

    /// <summary>OpenAI's base64 form: the float32 values little-endian, base64-encoded.</summary>
    public static string ToBase64(float[] vector)
    {
        var bytes = new byte[vector.Length * 4];
        for (int i = 0; i < vector.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), vector[i]);
        return Convert.ToBase64String(bytes);
    }

    public static float[] FromBase64(string base64)
    {
        byte[] bytes = Convert.FromBase64String(base64);
        var v = new float[bytes.Length / 4];
        for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        return v;
    }

    /// <summary>The text a token input is hashed as.</summary>
    public static string TokensText(ReadOnlySpan<long> tokens)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < tokens.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(tokens[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static double[] Raw(string text, int n)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        ulong state = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        var raw = new double[n];
        for (int i = 0; i < n; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            raw[i] = (z >> 11) * (1.0 / (1UL << 53)) * 2 - 1;
        }
        return raw;
    }
}
