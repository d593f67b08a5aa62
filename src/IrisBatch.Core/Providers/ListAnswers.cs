using System.Text.Json;

namespace IrisBatch.Providers
{
    /// <summary>
    /// The items of a list answer (batches, files) whose list the spec makes required: OpenAI's, Azure's and Groq's
    /// <c>data</c> (ListBatchesResponse, spec §1.4, §13.5), Anthropic's <c>data</c> (§3.2), Mistral's <c>data</c> (§12.2,
    /// §12.5), Together's bare array (§14.5) or <c>data</c> (§14.2). An answer without it (an empty body, <c>{}</c>, a
    /// proxy's page) says nothing about what the provider holds: read as an empty list, a look-up for a lost create would
    /// find nothing and the batch would be created and paid for twice. So it is IrisBatch.InvalidResponse, which the
    /// submitter takes for a look-up that failed (CreateUnconfirmed, UploadUnconfirmed). Gemini and xAI are not read
    /// through <see cref="Items"/>: their JSON leaves an empty list out (proto3), so a missing list is an empty one there; but
    /// an empty body or an answer that is not an object is not (<see cref="RequireObject"/>).
    /// </summary>
    public static class ListAnswers
    {
        /// <summary>
        /// The answer of a list whose empty form leaves the list out (Gemini's, xAI's), when it is a JSON object: anything
        /// else (an array, a string, a proxy's JSON) is IrisBatch.InvalidResponse, not an empty list. The caller asks for
        /// the body not to be read as <c>{}</c> when empty (ApiClient.SendJsonAsync's emptyIsObject).
        /// </summary>
        public static JsonElement RequireObject(JsonElement root, string provider, string what, string field)
        {
            if (root.ValueKind != JsonValueKind.Object)
                throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData, Messages.ListWithoutItems(provider, what, field));
            return root;
        }

        /// <param name="field">The list's property; null when the answer may also be the bare array itself (Together).</param>
        public static JsonElement.ArrayEnumerator Items(JsonElement root, string field, string provider, string what, bool bareArray = false)
        {
            if (bareArray && root.ValueKind == JsonValueKind.Array) return root.EnumerateArray();
            var list = root.ValueKind == JsonValueKind.Object ? root.Prop(field) : null;
            if (list == null || list.Value.ValueKind != JsonValueKind.Array)
                throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData, Messages.ListWithoutItems(provider, what, field));
            return list.Value.EnumerateArray();
        }
    }
}
