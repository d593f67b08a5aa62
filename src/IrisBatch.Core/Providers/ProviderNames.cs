namespace IrisBatch.Providers
{
    /// <summary>
    /// How messages name a provider: its own spelling (xAI, Azure OpenAI), not the -Provider value it is known by
    /// inside IrisBatch (Xai, AzureOpenAI).
    /// </summary>
    public static class ProviderNames
    {
        public static string Display(string name) => name switch
        {
            "Xai" => "xAI",
            "AzureOpenAI" => "Azure OpenAI",
            _ => name,
        };
    }
}
