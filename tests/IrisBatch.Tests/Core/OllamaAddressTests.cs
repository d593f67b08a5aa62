using System.Linq;
using IrisBatch.Providers;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// Where -Provider Ollama sends its requests (issue 6: -BaseUri picks the server, and takes several). OLLAMA_HOST is
    /// often written as Ollama's own server reads it, without a scheme; one batch's servers must all speak one API.
    /// </summary>
    public class OllamaAddressTests
    {
        private static readonly ProviderInfo Ollama = ProviderFactory.Describe("Ollama");

        [Theory]
        [InlineData("0.0.0.0:11434", "http://0.0.0.0:11434/")]
        [InlineData("127.0.0.1", "http://127.0.0.1:11434/")]
        [InlineData("gpu1:8080", "http://gpu1:8080/")]
        [InlineData("localhost:8000/v1", "http://localhost:8000/v1")]
        [InlineData("[::1]", "http://[::1]:11434/")]
        [InlineData("[::1]:9000", "http://[::1]:9000/")]
        [InlineData("https://ollama.example.com", "https://ollama.example.com/")]
        [InlineData("http://gpu2:11434", "http://gpu2:11434/")]
        public void An_address_without_a_scheme_is_http_on_Ollama_s_port_unless_it_names_one(string given, string expected)
        {
            Assert.Equal(expected, ProviderFactory.ResolveBaseUri(Ollama, given).AbsoluteUri);
        }

        [Fact]
        public void Several_servers_without_schemes_are_each_resolved()
        {
            var servers = ProviderFactory.ResolveBaseUris(Ollama, "gpu1, gpu2:11500");
            Assert.Equal(new[] { "http://gpu1:11434/", "http://gpu2:11500/" }, servers.Select(u => u.AbsoluteUri).ToArray());
        }

        [Fact]
        public void Servers_of_both_APIs_in_one_batch_are_refused_naming_them()
        {
            var ex = Assert.Throws<IrisBatchException>(() => ProviderFactory.ResolveBaseUris(Ollama, "http://gpu1:11434,http://gpu2:8000/v1"));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Contains("http://gpu2:8000/v1", ex.Message);
            Assert.Contains("http://gpu1:11434", ex.Message);
            Assert.Equal(2, ProviderFactory.ResolveBaseUris(Ollama, "http://gpu1:8000/v1,http://gpu2:8000/v1/").Count);
        }

        [Fact]
        public void Other_providers_still_need_a_scheme()
        {
            var ex = Assert.Throws<IrisBatchException>(() => ProviderFactory.ResolveBaseUri(ProviderFactory.Describe("OpenAI"), "api.openai.com"));
            Assert.Equal(ErrorIds.InvalidRequest, ex.ErrorId);
        }
    }
}
