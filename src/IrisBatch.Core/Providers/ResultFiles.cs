using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;

namespace IrisBatch.Providers
{
    /// <summary>
    /// What the file-based batch protocols share (OpenAI-like Files APIs: Mistral §12.2, Together §14.2): a multipart
    /// upload of the spooled JSONL, and the download of a finished batch's output and error files from files/{id}/content.
    /// </summary>
    public static class ResultFiles
    {
        /// <summary>Downloads the output file, then the error file (each when the batch names one) into <paramref name="directory"/>.</summary>
        public static async Task<IReadOnlyList<string>> DownloadAsync(ApiClient api, string? outputFileId, string? errorFileId,
            string directory, Action<long>? progress, CancellationToken ct)
        {
            var written = new List<string>();
            long done = 0;
            foreach (var (fileId, name) in new[] { (outputFileId, "output.jsonl"), (errorFileId, "errors.jsonl") })
            {
                if (string.IsNullOrEmpty(fileId)) continue;
                var target = Path.Combine(directory, name);
                long before = done;
                done += await api.DownloadToFileAsync("files/" + Uri.EscapeDataString(fileId) + "/content", target,
                    progress == null ? null : (Action<long>)(n => progress(before + n)), $"the download of file {fileId}", ct).ConfigureAwait(false);
                written.Add(target);
            }
            return written;
        }

        /// <summary>A multipart body with the given text fields and the file streamed from disk as the "file" part.</summary>
        public static HttpContent Multipart(string path, string fileName, Action<long>? progress, params (string Name, string Value)[] fields)
        {
            var content = new MultipartFormDataContent("irisbatch-" + Guid.NewGuid().ToString("N"));
            foreach (var (name, value) in fields)
            {
                var field = new StringContent(value, Encoding.UTF8);
                field.Headers.ContentType = null;
                field.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"" + name + "\"" };
                content.Add(field);
            }
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var file = new StreamContent(progress == null ? (Stream)stream : new ProgressStream(stream, progress), 1 << 16);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"" + fileName + "\"" };
            content.Add(file);
            return content;
        }

        public static HttpContent Json(byte[] body) => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
    }
}
