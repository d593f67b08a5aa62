using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;

namespace IrisBatch.Providers
{
    /// <summary>
    /// The input-file upload of the providers that keep files (OpenAI and its hosts, Mistral, Together): one multipart POST,
    /// never retried blindly (a lost upload is found again by its name, FindUploadAsync), answered by a file object whose id
    /// is the result.
    /// </summary>
    public static class FileUpload
    {
        /// <param name="read">Reads anything else the provider's file object tells (Together: its line count).</param>
        public static async Task<string> SendAsync(ApiClient api, string provider, string route, Func<HttpContent?> content,
            BatchSubmission submission, CancellationToken ct, Action<JsonElement>? read = null)
        {
            using var doc = await api.SendJsonAsync(HttpMethod.Post, route, content, $"the upload of {submission.RequestCount} requests", ct, retry: false)
                .ConfigureAwait(false);
            var id = doc.RootElement.Str("id");
            if (string.IsNullOrEmpty(id))
                throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData, Messages.UploadNoFileId(provider));
            read?.Invoke(doc.RootElement);
            return id!;
        }
    }
}
