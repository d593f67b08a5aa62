using System.Threading;
using System.Threading.Tasks;

namespace IrisBatch.Providers
{
    /// <summary>
    /// A provider with no batch API of its own (Ollama, any chat endpoint): IrisBatch runs the requests itself,
    /// in whichever process waits on the batch. Waiting starts the execution; ending the wait stops it, and
    /// what is unfinished runs in the next process that waits.
    /// </summary>
    public interface IExecutingProvider
    {
        /// <summary>Requests run at once per server.</summary>
        int ThrottleLimit { get; set; }

        /// <summary>Starts running the batch's unfinished requests in the background, unless another process already does.</summary>
        void Execute(IrisBatchInfo batch, CancellationToken lifetime);

        /// <summary>Stops every execution this provider started and waits for its writes to finish.</summary>
        Task StopAsync();
    }
}
