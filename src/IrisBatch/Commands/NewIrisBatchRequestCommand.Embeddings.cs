using System.Collections.Generic;
using System.Management.Automation;
using IrisBatch.Embeddings;

namespace IrisBatch.Commands
{
    /// <summary>New-IrisBatchRequest -Endpoint Embeddings: one embedding input per row (spec §11.5).</summary>
    public sealed partial class NewIrisBatchRequestCommand
    {
        /// <summary>Embeddings only: the vector length (OpenAI dimensions, Gemini outputDimensionality; text-embedding-3 and later).</summary>
        [Parameter]
        [ValidateRange(1, 65536)]
        public int Dimensions { get; set; }

        private int? _dimensions;

        /// <summary>Parameters that mean nothing to an embedding request: each is a parameter error with -Endpoint Embeddings.</summary>
        private static readonly string[] ChatOnly = { "SystemPrompt", "Schema", "Image", "Temperature", "MaxTokens", "ReasoningEffort", "Messages" };

        /// <summary>
        /// Refuses, before any row, what an embedding request cannot carry (a chat-only parameter, or -Dimensions
        /// without -Endpoint Embeddings), and a -Dimensions the -Model given on the command line cannot give (a -Model
        /// script block's models are checked per row).
        /// </summary>
        private void CheckEmbeddingParameters(bool embeddings)
        {
            if (!embeddings)
            {
                if (Bound(nameof(Dimensions)))
                    ThrowParameterError(nameof(Dimensions), IrisBatch.Messages.DimensionsWithoutEmbeddings());
                return;
            }
            var used = new List<string>();
            foreach (var name in ChatOnly) if (Bound(name)) used.Add("-" + name);
            if (used.Count > 0)
                ThrowParameterError(used[0].Substring(1), IrisBatch.Messages.ChatOnlyForEmbeddings(used));
            if (Bound(nameof(Dimensions)))
            {
                _dimensions = Dimensions;
                if (Bound(nameof(Model)) && ModelArgument() is { } model && !(model is ScriptBlock))
                {
                    var problem = EmbeddingLimits.CheckDimensions(ModelText(model)!, Dimensions);
                    if (problem != null) ThrowParameterError(nameof(Dimensions), IrisBatch.Messages.DimensionsProblem(problem));
                }
            }
        }

        /// <summary>A row's -Dimensions, checked against the row's model when the model comes from the row.</summary>
        private int? DimensionsFor(string model)
        {
            if (_dimensions == null || _modelFromCommandLine != null) return _dimensions;
            var problem = EmbeddingLimits.CheckDimensions(model, _dimensions.Value);
            if (problem != null) throw new RowException(problem, "dimensions|" + model, problem);
            return _dimensions;
        }

        private void ThrowParameterError(string parameter, string message)
        {
            var record = new ErrorRecord(new ParameterBindingException(message), ErrorMapper.Prefix + ErrorIds.InvalidParameter,
                ErrorCategory.InvalidArgument, parameter);
            record.ErrorDetails = new ErrorDetails(message);
            ThrowTerminatingError(record);
        }
    }
}
