using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace IrisBatch.Emulator.Gemini;

/// <summary>
/// The inline answers of an embedding batch (<c>{"inlinedResponses":[…]}</c>, spec §11.5) as a JSON node that holds no
/// vector: each is computed from its request's text when the Operation is written, and written straight to the output
/// (flushed as it goes). The real service sends them on every read of the Operation, twice; holding them as nodes
/// made 200,000 inline rows cost the emulator over 20 GB.
/// </summary>
internal sealed class InlineEmbedResponses
{
    private static readonly JsonTypeInfo<InlineEmbedResponses> TypeInfo =
        JsonMetadataServices.CreateValueInfo<InlineEmbedResponses>(
            new JsonSerializerOptions(Json.Options) { TypeInfoResolver = JsonTypeInfoResolver.Combine() }, new Writer());

    private readonly IReadOnlyList<InlineItem> _items;
    private readonly int _done;

    private InlineEmbedResponses(IReadOnlyList<InlineItem> items, int done) => (_items, _done) = (items, done);

    /// <summary>A new node (a node has one parent: metadata.output and response each take their own).</summary>
    public static JsonNode Node(IReadOnlyList<InlineItem> items, int done) => JsonValue.Create(new InlineEmbedResponses(items, done), TypeInfo)!;

    private sealed class Writer : JsonConverter<InlineEmbedResponses>
    {
        /// <summary>Buffered bytes written out at a time.</summary>
        private const int FlushAt = 1 << 16;

        public override InlineEmbedResponses Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The emulator only writes embedding answers.");

        public override void Write(Utf8JsonWriter w, InlineEmbedResponses value, JsonSerializerOptions options)
        {
            w.WriteStartObject();
            // An empty repeated field is left out in proto3 JSON.
            if (value._done > 0)
            {
                w.WritePropertyName("inlinedResponses");
                w.WriteStartArray();
                for (int i = 0; i < value._done; i++)
                {
                    var item = value._items[i];
                    w.WriteStartObject();
                    if (item.Answer.Outcome != FakeOutcome.Ok || item.Embed is null)
                    {
                        w.WritePropertyName("error");
                        GenerateContent.Error(item.Answer).WriteTo(w);
                    }
                    else
                    {
                        w.WritePropertyName("response");
                        GeminiEmbeddings.WriteResponse(w, item.Answer, item.Embed);
                    }
                    if (item.Metadata is not null)
                    {
                        w.WritePropertyName("metadata");
                        item.Metadata.WriteTo(w);
                    }
                    w.WriteEndObject();
                    if (w.BytesPending > FlushAt) w.Flush();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
    }
}
