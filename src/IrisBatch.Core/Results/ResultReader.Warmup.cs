using System;
using System.Collections.Generic;
using IrisBatch.Estimates;
using IrisBatch.Jsonl;
using IrisBatch.Providers;
using IrisBatch.Providers.OpenAI;

namespace IrisBatch.Results
{
    public sealed partial class ResultReader
    {
        /// <summary>
        /// Starts compiling the per-line methods a read of results runs (see <see cref="Warmup"/>): the line reader, the
        /// window on the files, the journal's request reader when the requests are read (<paramref name="readRequests"/>),
        /// and the pricing. Called as a command starts, before it knows its batches.
        /// </summary>
        public static void StartWarmup(bool readRequests) =>
            Warmup.Start(readRequests ? "results+requests" : "results", () => WarmupMethods(readRequests));

        /// <summary>What <see cref="StartWarmup(bool)"/> compiles.</summary>
        internal static (Type, string[])[] WarmupMethods(bool readRequests)
        {
            var methods = new List<(Type, string[])>
            {
                (typeof(JsonLineReader), new[] { "Read", "ReadValue", "ReadPropertyName", "ReadEnd", "ScanString", "ScanNumber", "GetString", "Skip", "TryGetInt64", "AsciiBytesAre", "Literal" }),
                (typeof(LineWindow), new[] { "Read" }),
                (typeof(ResultReader), new[] { "ParseShared" }),
                (typeof(CostCalculator), new[] { "Of", "CostOf" }),
                (typeof(InputOrderLines.Maker), new[] { "Make" }),
            };
            if (readRequests)
            {
                methods.Add((typeof(RequestRecordReader), new[] { "Read", "ReadFast", "Values", "Str", "Long" }));
                methods.Add((typeof(InputNames), new[] { "Read" }));
            }
            return methods.ToArray();
        }

        /// <summary>Starts compiling the provider's own per-line parser, where it reads lines from their bytes (OpenAI's, and its kin's).</summary>
        public static void StartWarmup(IBatchProvider provider)
        {
            if (provider is IUtf8ResultLines) Warmup.Start("openai-lines", () => ProviderWarmupMethods);
        }

        /// <summary>What <see cref="StartWarmup(IBatchProvider)"/> compiles.</summary>
        internal static readonly (Type, string[])[] ProviderWarmupMethods =
        {
            (typeof(OpenAIResultParser), new[] { "TryParseFast", "FastResponse", "FastBody", "FastChoices", "FastUsage", "FastUsageDetails", "FastError", "ReadLong" }),
        };
    }
}
