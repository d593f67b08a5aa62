using System;
using System.IO;
using System.Text.Json;
using IrisBatch.Providers.Xai;
using IrisBatch.Requests;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// xAI takes at most 25 MB per add-requests call (spec §5), and a request goes in one call: a row whose request is
    /// larger (a 19 MiB image is under the 20 MiB image limit but about 26 MB as base64) is refused, naming the row,
    /// before the batch is created, rather than failing the whole submission with a 413 after an empty batch was made.
    /// </summary>
    public class XaiAddCallLimitTests
    {
        private static IrisBatchRequest Request(ImageInput image) => new IrisBatchRequest
        {
            CustomId = "big",
            Model = "grok-4",
            RowNumber = 7,
            Messages = new[] { new ChatMessage("user", "Describe") },
            Images = new[] { image },
        };

        private static string Png(int size)
        {
            var header = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
            var bytes = new byte[size];
            Array.Copy(header, bytes, header.Length);
            var path = Path.Combine(Path.GetTempPath(), "ib-xai-" + Guid.NewGuid().ToString("N") + ".png");
            File.WriteAllBytes(path, bytes);
            return path;
        }

        private static long Written(IrisBatchRequest r)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) XaiRequestWriter.Write(w, r);
            return ms.Length;
        }

        [Fact]
        public void A_request_over_one_add_call_is_refused_naming_the_row()
        {
            var path = Png(19 * 1024 * 1024);
            try
            {
                var ex = Assert.Throws<IrisBatchException>(() => Written(Request(ImageInput.From(path, null))));
                Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
                Assert.Contains("Row 7", ex.Message);
                Assert.Contains("25,000,000", ex.Message);
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void A_request_that_fits_one_add_call_is_written()
        {
            var path = Png(15 * 1024 * 1024);
            try
            {
                long bytes = Written(Request(ImageInput.From(path, null)));
                Assert.InRange(bytes, 20_000_000, 25_000_000 - 21);
            }
            finally { File.Delete(path); }
        }
    }
}
