using System.Collections.Concurrent;
using System.IO;

namespace IrisBatch.Emulator;

/// <summary>The number of non-empty lines of a stored file (Mistral's num_lines, Together's LineCount), counted once per file.</summary>
internal static class LineCounts
{
    private static readonly ConcurrentDictionary<string, long> Known = new();

    public static long Of(StoredFile file) => Known.GetOrAdd(file.Path, _ => Count(file));

    private static long Count(StoredFile file)
    {
        try
        {
            using var s = file.OpenRead();
            var buffer = new byte[1 << 16];
            long lines = 0;
            bool content = false;
            int n;
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
                for (int i = 0; i < n; i++)
                {
                    byte b = buffer[i];
                    if (b == (byte)'\n')
                    {
                        if (content) lines++;
                        content = false;
                    }
                    else if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t')) content = true;
                }
            return content ? lines + 1 : lines;
        }
        catch (IOException) { return 0; }
    }
}
