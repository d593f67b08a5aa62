namespace IrisBatch
{
    /// <summary>One message of a chat request. Content is plain text, or ContentJson holds a structured content value verbatim.</summary>
    public sealed class ChatMessage
    {
        public ChatMessage(string role, string? content, string? contentJson = null)
        {
            Role = role;
            Content = content;
            ContentJson = contentJson;
        }

        public string Role { get; }
        public string? Content { get; }
        /// <summary>A JSON value (e.g. an array of content parts) sent as the message content instead of <see cref="Content"/>.</summary>
        public string? ContentJson { get; }

        public override string ToString() => Role + ": " + (Content ?? ContentJson);
    }
}
