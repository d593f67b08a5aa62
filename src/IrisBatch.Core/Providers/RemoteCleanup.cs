using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;

namespace IrisBatch.Providers
{
    /// <summary>What a provider lets Remove-IrisBatch delete (<see cref="IBatchProvider.Cleanup"/>).</summary>
    [Flags]
    public enum RemoteCleanup
    {
        /// <summary>Nothing: the provider keeps no files and offers no delete (xAI), or runs nothing remotely (Ollama).</summary>
        None = 0,
        /// <summary>The batch's input, output and error files (OpenAI, Azure, Groq, Mistral, Together, Gemini file mode, Mock).</summary>
        Files = 1,
        /// <summary>The batch itself, once it has ended (Anthropic, Gemini, Mistral).</summary>
        Batch = 2,
    }

    public enum RemoteKind
    {
        InputFile,
        OutputFile,
        ErrorFile,
        Batch,
    }

    /// <summary>One thing a batch left at its provider: a file or the batch itself.</summary>
    public sealed class RemoteObject
    {
        public RemoteObject(RemoteKind kind, string id)
        {
            Kind = kind;
            Id = id;
        }

        public RemoteKind Kind { get; }
        public string Id { get; }

        public override string ToString() => Messages.RemoteItem(Kind, Id);
    }

    /// <summary>The DELETE call every provider's <see cref="IBatchProvider.DeleteAsync"/> makes.</summary>
    public static class RemoteDelete
    {
        /// <summary>Deletes what <paramref name="path"/> names; true when deleted, false when it was already gone (404).</summary>
        public static async Task<bool> SendAsync(ApiClient api, string path, RemoteObject item, CancellationToken ct)
        {
            try
            {
                using (await api.SendJsonAsync(HttpMethod.Delete, path, null, "the delete of " + item, ct).ConfigureAwait(false)) { }
                return true;
            }
            catch (ApiException ex) when (ex.ErrorId == ErrorIds.NotFound)
            {
                return false;
            }
        }

        /// <summary>The error of a provider asked to delete what it has no delete for.</summary>
        public static Task<bool> Unsupported(IBatchProvider provider, RemoteObject item) =>
            throw new IrisBatchException(ErrorIds.InvalidRequest, FailureKind.InvalidOperation,
                Messages.NoDelete(provider.Name, item.ToString())) { Target = item.Id };
    }
}
