using System;
using System.Collections.Generic;
using System.Management.Automation;
using IrisBatch.Embeddings;

namespace IrisBatch.Commands
{
    /// <summary>What Get-IrisBatchResult -AsVectorFile wrote: a .npy matrix of the vectors and the ids of its rows.</summary>
    public sealed class IrisBatchVectorFile
    {
        /// <summary>The .npy file: NumPy format 1.0, little-endian float32, shape (Count, Dimensions).</summary>
        public string Path { get; set; } = "";
        /// <summary>The ids file beside it: one custom id per line, UTF-8, row i of the matrix on line i.</summary>
        public string IdsPath { get; set; } = "";
        public long Count { get; set; }
        public int Dimensions { get; set; }
        /// <summary>Results without a vector (failed, cancelled, expired): not in the file; -Status Failed lists them.</summary>
        public long Skipped { get; set; }
        public override string ToString() => Path;
    }

    public sealed partial class GetIrisBatchResultCommand : IDisposable
    {
        /// <summary>
        /// Write the vectors of every batch piped in to this .npy file (and its ids to a .ids.txt file beside it)
        /// instead of emitting results; emits one IrisBatchVectorFile at the end.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AsVectorFile { get; set; }

        private NpyWriter? _vectors;
        private bool _embeddingColumn;
        private long _skipped;
        private readonly List<string> _skippedIds = new List<string>();

        private void BeginVectorFile()
        {
            if (AsVectorFile == null) return;
            if (IncludeInput)
                ThrowTerminatingError(new ErrorRecord(new ParameterBindingException(Messages.VectorFileWithInput()),
                    ErrorMapper.Prefix + ErrorIds.InvalidParameter, ErrorCategory.InvalidArgument, nameof(AsVectorFile)));
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(AsVectorFile);
            try
            {
                _vectors = new NpyWriter(path);
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                ThrowTerminatingError(ErrorMapper.Create(ErrorIds.InvalidRequest, FailureKind.InvalidArgument,
                    Messages.VectorFileUnwritable(path, ex.Message), path));
            }
        }

        /// <summary>Adds a result's vector to the file; a result without one is counted (and said at the end).</summary>
        private void AddVector(IrisBatchResult result)
        {
            if (result.Embedding != null && result.Status == ResultStatus.Succeeded)
            {
                _vectors!.Add(result.CustomId, result.Embedding);
                return;
            }
            _skipped++;
            if (_skippedIds.Count < RepeatedErrors.RowsListed) _skippedIds.Add(result.CustomId);
        }

        protected override void EndProcessing()
        {
            EmitWaitingSets();
            if (_vectors != null)
            {
                _vectors.Close();
                if (_skipped > 0)
                    WriteWarning(Messages.VectorsSkipped(_skipped, _vectors.Path, _skippedIds));
                WriteObject(new IrisBatchVectorFile
                {
                    Path = _vectors.Path,
                    IdsPath = _vectors.IdsPath,
                    Count = _vectors.Rows,
                    Dimensions = _vectors.Dimensions,
                    Skipped = _skipped,
                });
            }
            base.EndProcessing();
        }

        /// <summary>A pipeline stopped midway still leaves a readable file of what was written.</summary>
        public void Dispose() => _vectors?.Close();
    }
}
