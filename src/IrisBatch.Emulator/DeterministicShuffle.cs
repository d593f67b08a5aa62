using System;

namespace IrisBatch.Emulator;

/// <summary>
/// Result files list requests in an order that differs from the input, so clients must join on custom_id.
/// The order is a permutation seeded by the batch id: the same batch always yields the same file.
/// </summary>
internal static class DeterministicShuffle
{
    public static int[] Permutation(int count, string seed)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var rng = new Random(Fnv1a(seed));
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        if (count >= 2 && IsIdentity(order)) (order[0], order[1]) = (order[1], order[0]);
        return order;
    }

    private static bool IsIdentity(int[] order)
    {
        for (int i = 0; i < order.Length; i++) if (order[i] != i) return false;
        return true;
    }

    private static int Fnv1a(string s)
    {
        uint h = 2166136261;
        foreach (char c in s) { h ^= c; h *= 16777619; }
        return (int)(h & 0x7FFFFFFF);
    }
}
