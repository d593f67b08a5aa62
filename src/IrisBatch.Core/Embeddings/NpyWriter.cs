using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace IrisBatch.Embeddings
{
    /// <summary>
    /// Writes vectors, one row at a time, to a NumPy .npy file (format version 1.0: magic "\x93NUMPY", version 1 0,
    /// a little-endian uint16 header length, an ASCII dict header padded with spaces to a 64-byte boundary and ended
    /// by '\n', then the data): dtype '&lt;f4' (little-endian float32), C order, shape (rows, dimensions). numpy.load
    /// reads it. The row count is not known until the end, so the header is written with room for any count and
    /// written again, at the same length, when the file is closed. Beside it goes the ids file: one custom id per line,
    /// UTF-8, in the rows' order (the .npy path with ".ids.txt" for ".npy").
    /// </summary>
    public sealed class NpyWriter : IDisposable
    {
        /// <summary>Header block size (magic, version, length and dict): room for any 64-bit row and column counts.</summary>
        public const int HeaderBytes = 128;

        private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };

        private readonly FileStream _data;
        private readonly StreamWriter _ids;
        private byte[] _row = new byte[0];
        private bool _closed;

        public NpyWriter(string path)
        {
            Path = System.IO.Path.GetFullPath(path);
            IdsPath = IdsPathFor(Path);
            _data = new FileStream(Path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
            _ids = new StreamWriter(new FileStream(IdsPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 14), new UTF8Encoding(false)) { NewLine = "\n" };
            var header = Header(0, 0);
            _data.Write(header, 0, header.Length);
        }

        public string Path { get; }
        public string IdsPath { get; }
        public long Rows { get; private set; }
        /// <summary>The vectors' length, set by the first row (0 before it).</summary>
        public int Dimensions { get; private set; }

        /// <summary>"vectors.npy" → "vectors.ids.txt"; any other name gets ".ids.txt" appended.</summary>
        public static string IdsPathFor(string npyPath) =>
            npyPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? npyPath.Substring(0, npyPath.Length - 4) + ".ids.txt" : npyPath + ".ids.txt";

        /// <summary>Appends one row. Every row must have the first row's length (a file holds one matrix).</summary>
        public void Add(string id, float[] vector)
        {
            if (_closed) throw new ObjectDisposedException(nameof(NpyWriter));
            if (Rows == 0) Dimensions = vector.Length;
            else if (vector.Length != Dimensions)
                throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData,
                    Messages.VectorLengthDiffers(id, vector.Length, Dimensions)) { Target = id };
            int bytes = vector.Length * 4;
            if (_row.Length < bytes) _row = new byte[bytes];
            Buffer.BlockCopy(vector, 0, _row, 0, bytes);
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < bytes; i += 4) Array.Reverse(_row, i, 4);
            _data.Write(_row, 0, bytes);
            _ids.Write(id);
            _ids.Write('\n');
            Rows++;
        }

        /// <summary>The 128-byte header block of a (rows, dimensions) float32 matrix.</summary>
        public static byte[] Header(long rows, int dimensions)
        {
            var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                rows.ToString(CultureInfo.InvariantCulture) + ", " + dimensions.ToString(CultureInfo.InvariantCulture) + "), }";
            int headerLength = HeaderBytes - Magic.Length - 2;
            var text = dict.PadRight(headerLength - 1) + "\n";
            var block = new byte[HeaderBytes];
            Array.Copy(Magic, block, Magic.Length);
            block[8] = (byte)(headerLength & 0xff);
            block[9] = (byte)(headerLength >> 8);
            Encoding.ASCII.GetBytes(text, 0, text.Length, block, 10);
            return block;
        }

        /// <summary>Writes the final shape into the header and closes both files.</summary>
        public void Close()
        {
            if (_closed) return;
            _closed = true;
            _ids.Dispose();
            _data.Flush();
            _data.Position = 0;
            var header = Header(Rows, Dimensions);
            _data.Write(header, 0, header.Length);
            _data.Dispose();
        }

        public void Dispose() => Close();
    }
}
