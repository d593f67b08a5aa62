using System;
using System.Collections.Generic;
using System.IO;

namespace IrisBatch.Results
{
    /// <summary>
    /// Where each request's result line is, in the order the requests were submitted: what reading results in input
    /// order learns in its first pass over the result files and the requests file (about 40 bytes a request). The first
    /// read of a batch saves it beside the results (<see cref="FileName"/>), so every later read starts at once instead
    /// of scanning both files again (for 50,000 results of 2 KB, about 215 MB). A saved index is used only for the same
    /// requests file and result files, while they have the lengths and write times it was made from; a new download deletes it.
    /// It is a cache: one that cannot be read or written is made again, never an error.
    /// </summary>
    internal sealed class ResultOrderIndex
    {
        /// <summary>The index's file in a batch's results folder.</summary>
        public const string FileName = "order.idx";

        private const int Magic = 0x58444f49;   // "IODX"
        private const int Version = 1;

        public ResultOrderIndex(int count)
        {
            Count = count;
            FileOf = new sbyte[count];
            Offsets = new long[count];
            Lengths = new int[count];
            Numbers = new long[count];
            RequestOffsets = new long[count];
            RequestLengths = new int[count];
            Keys = new long[count];
            for (int i = 0; i < count; i++) FileOf[i] = -1;
        }

        /// <summary>Requests (the requests file's lines with a custom id, the first of each id).</summary>
        public int Count { get; }

        /// <summary>Per request: its result line's file (an index into the result files), or -1 where no file has one.</summary>
        public sbyte[] FileOf { get; }
        public long[] Offsets { get; }
        public int[] Lengths { get; }

        /// <summary>Per request: its result line's number in its file (for the message of a line that cannot be read).</summary>
        public long[] Numbers { get; }

        /// <summary>Per request: where its line is in the requests file.</summary>
        public long[] RequestOffsets { get; }
        public int[] RequestLengths { get; }

        /// <summary>Per request: its place in its submission (seq, else row; see <see cref="ResultReader.InputOrderKey"/>).</summary>
        public long[] Keys { get; }

        /// <summary>Result lines whose id the requests file does not have, in file order (file, offset, length, line number).</summary>
        public List<(int File, long Offset, int Length, long Number)> Others { get; } = new List<(int, long, int, long)>();

        /// <summary>Result lines of an id already met (the first is kept).</summary>
        public long Duplicates { get; set; }

        /// <summary>The index saved beside <paramref name="resultFiles"/>, when it was made from these very files; else null.</summary>
        public static ResultOrderIndex? TryLoad(string requestsPath, IReadOnlyList<string> resultFiles)
        {
            var path = PathFor(resultFiles);
            if (path == null || !BitConverter.IsLittleEndian || !File.Exists(path)) return null;
            try
            {
                var bytes = File.ReadAllBytes(path);
                int at = 0;
                if (Int(bytes, ref at) != Magic || Int(bytes, ref at) != Version) return null;
                var names = Names(requestsPath, resultFiles);
                if (Int(bytes, ref at) != names.Length || at + names.Length > bytes.Length) return null;
                for (int i = 0; i < names.Length; i++)
                    if (bytes[at + i] != names[i]) return null;
                at += names.Length;
                var stamp = Stamp(requestsPath, resultFiles);
                if (Int(bytes, ref at) != stamp.Length) return null;
                foreach (long s in stamp)
                    if (Long(bytes, ref at) != s) return null;
                int n = Int(bytes, ref at);
                if (n < 0 || n > (bytes.Length - at) / 41) return null;
                var index = new ResultOrderIndex(n) { Duplicates = Long(bytes, ref at) };
                Copy(bytes, ref at, index.FileOf, n);
                Copy(bytes, ref at, index.Offsets, n * 8);
                Copy(bytes, ref at, index.Lengths, n * 4);
                Copy(bytes, ref at, index.Numbers, n * 8);
                Copy(bytes, ref at, index.RequestOffsets, n * 8);
                Copy(bytes, ref at, index.RequestLengths, n * 4);
                Copy(bytes, ref at, index.Keys, n * 8);
                int others = Int(bytes, ref at);
                if (others < 0 || others > (bytes.Length - at) / 24) return null;
                for (int i = 0; i < others; i++)
                    index.Others.Add((Int(bytes, ref at), Long(bytes, ref at), Int(bytes, ref at), Long(bytes, ref at)));
                for (int i = 0; i < n; i++)
                    if (index.FileOf[i] >= resultFiles.Count) return null;
                foreach (var o in index.Others)
                    if (o.File < 0 || o.File >= resultFiles.Count) return null;
                return at == bytes.Length ? index : null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>Saves the index beside <paramref name="resultFiles"/> (readable by the user only); a folder that cannot take it is left as it is.</summary>
        public void TrySave(string requestsPath, IReadOnlyList<string> resultFiles)
        {
            var path = PathFor(resultFiles);
            if (path == null || !BitConverter.IsLittleEndian) return;
            var names = Names(requestsPath, resultFiles);
            var stamp = Stamp(requestsPath, resultFiles);
            int n = Count;
            var bytes = new byte[4 * 4 + names.Length + stamp.Length * 8 + 4 + 8 + n * 41 + 4 + Others.Count * 24];
            int at = 0;
            Put(bytes, ref at, Magic);
            Put(bytes, ref at, Version);
            Put(bytes, ref at, names.Length);
            names.CopyTo(bytes, at);
            at += names.Length;
            Put(bytes, ref at, stamp.Length);
            foreach (long s in stamp) Put(bytes, ref at, s);
            Put(bytes, ref at, n);
            Put(bytes, ref at, Duplicates);
            Paste(FileOf, bytes, ref at, n);
            Paste(Offsets, bytes, ref at, n * 8);
            Paste(Lengths, bytes, ref at, n * 4);
            Paste(Numbers, bytes, ref at, n * 8);
            Paste(RequestOffsets, bytes, ref at, n * 8);
            Paste(RequestLengths, bytes, ref at, n * 4);
            Paste(Keys, bytes, ref at, n * 8);
            Put(bytes, ref at, Others.Count);
            foreach (var o in Others)
            {
                Put(bytes, ref at, o.File);
                Put(bytes, ref at, o.Offset);
                Put(bytes, ref at, o.Length);
                Put(bytes, ref at, o.Number);
            }
            var temp = path + ".tmp";
            try
            {
                File.WriteAllBytes(temp, bytes);
                AtomicFile.RestrictFile(temp);
                AtomicFile.Replace(temp, path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is IrisBatchException)
            {
                try { File.Delete(temp); } catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
            }
        }

        /// <summary>Deletes the index saved in <paramref name="resultsDirectory"/> (results downloaded again).</summary>
        public static void Delete(string resultsDirectory)
        {
            var path = Path.Combine(resultsDirectory, FileName);
            if (File.Exists(path)) File.Delete(path);
        }

        private static string? PathFor(IReadOnlyList<string> resultFiles)
        {
            if (resultFiles.Count == 0 || resultFiles.Count > sbyte.MaxValue) return null;
            var dir = Path.GetDirectoryName(resultFiles[0]);
            if (string.IsNullOrEmpty(dir)) return null;
            foreach (var f in resultFiles)
                if (!string.Equals(Path.GetDirectoryName(f), dir, StringComparison.Ordinal)) return null;
            return Path.Combine(dir, FileName);
        }

        /// <summary>The files it indexes, by name (the folder may hold others' files).</summary>
        private static byte[] Names(string requestsPath, IReadOnlyList<string> resultFiles) =>
            System.Text.Encoding.UTF8.GetBytes(string.Join("\n", System.Linq.Enumerable.Select(Prepend(requestsPath, resultFiles), Path.GetFullPath)));

        /// <summary>The length and write time of the requests file and of each result file (-1, -1 for one that is absent).</summary>
        private static long[] Stamp(string requestsPath, IReadOnlyList<string> resultFiles)
        {
            var stamp = new long[2 * (1 + resultFiles.Count)];
            int k = 0;
            foreach (var f in Prepend(requestsPath, resultFiles))
            {
                var info = new FileInfo(f);
                stamp[k++] = info.Exists ? info.Length : -1;
                stamp[k++] = info.Exists ? info.LastWriteTimeUtc.Ticks : -1;
            }
            return stamp;
        }

        private static IEnumerable<string> Prepend(string first, IReadOnlyList<string> rest)
        {
            yield return first;
            foreach (var r in rest) yield return r;
        }

        private static int Int(byte[] b, ref int at)
        {
            if (at + 4 > b.Length) throw new EndOfStreamException();
            int v = BitConverter.ToInt32(b, at);
            at += 4;
            return v;
        }

        private static long Long(byte[] b, ref int at)
        {
            if (at + 8 > b.Length) throw new EndOfStreamException();
            long v = BitConverter.ToInt64(b, at);
            at += 8;
            return v;
        }

        private static void Copy(byte[] b, ref int at, Array to, int bytes)
        {
            if (at + bytes > b.Length) throw new EndOfStreamException();
            Buffer.BlockCopy(b, at, to, 0, bytes);
            at += bytes;
        }

        private static void Put(byte[] b, ref int at, int v)
        {
            BitConverter.GetBytes(v).CopyTo(b, at);
            at += 4;
        }

        private static void Put(byte[] b, ref int at, long v)
        {
            BitConverter.GetBytes(v).CopyTo(b, at);
            at += 8;
        }

        private static void Paste(Array from, byte[] b, ref int at, int bytes)
        {
            Buffer.BlockCopy(from, 0, b, at, bytes);
            at += bytes;
        }
    }
}
