using System.Text.Json.Nodes;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;
using static IrisBatch.Tests.Emulator.FeatureBatch;

namespace IrisBatch.Tests.Emulator;

/// <summary>Spec §11.2 on OpenAI chat lines: URL schemes, base64, media type against the bytes, roles, vision models; and the image counters.</summary>
public sealed class ImageRulesTests
{
    private static JsonObject WithImage(string url, string model = "gpt-4o-mini", string role = "user", string? detail = null)
    {
        var image = new JsonObject { ["url"] = url };
        if (detail is not null) image["detail"] = detail;
        return new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = role,
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = "Describe this photo" },
                    new JsonObject { ["type"] = "image_url", ["image_url"] = image }),
            }),
        };
    }

    [Fact]
    public async Task Valid_images_are_answered_and_counted()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("url", WithImage("https://example.com/cat.png", detail: "low")),
            Line("http", WithImage("http://example.com/cat.png")),
            Line("png", WithImage(ImageBytes.DataUrl("image/png", ImageBytes.Png))),
            Line("jpeg", WithImage(ImageBytes.DataUrl("image/jpeg", ImageBytes.Jpeg), detail: "high")),
            Line("jpg", WithImage(ImageBytes.DataUrl("image/jpg", ImageBytes.Jpeg))),
            Line("gif", WithImage(ImageBytes.DataUrl("image/gif", ImageBytes.Gif))),
            Line("webp", WithImage(ImageBytes.DataUrl("image/webp", ImageBytes.Webp))),
            Line("none", ChatBody("gpt-4o-mini", "no image")));
        Assert.Equal((8, 8, 0), EmulatorApi.Counts(batch));
        Assert.Equal("Echo: Describe this photo", Message(lines["png"]).GetProperty("content").GetString());
        var f = host.State.Stats.Features.For("openai");
        Assert.Equal(8, f.Requests);
        Assert.Equal(7, f.ImageRequests);
        Assert.Equal(7, f.ImageParts);
        Assert.Equal(2, f.ImageUrlParts);
        var stats = await api.ControlAsync("/_emulator/stats");
        Assert.Equal(7, stats.GetProperty("features").GetProperty("total").GetProperty("image_requests").GetInt32());
    }

    public static TheoryData<string, string, string> BadImages() => new()
    {
        { ImageBytes.DataUrl("image/png", ImageBytes.Jpeg), "invalid_image_format", "Invalid image data: the data URL declares 'image/png' but the image is 'image/jpeg'." },
        { "data:image/png;base64,@@not base64@@", "invalid_value", "Invalid 'messages[0].content[1].image_url.url'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got an invalid value." },
        { "data:image/png," + "iVBORw0KGgo=", "invalid_value", "Invalid 'messages[0].content[1].image_url.url'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got an invalid value." },
        { ImageBytes.DataUrl("image/png", ImageBytes.Text), "invalid_image_format", "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp']." },
        { ImageBytes.DataUrl("image/tiff", ImageBytes.Png), "invalid_image_format", "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp']." },
        { ImageBytes.DataUrl("image/gif", ImageBytes.AnimatedGif), "invalid_image_format", "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp']." },
        { "ftp://example.com/a.png", "invalid_value", "Invalid 'messages[0].content[1].image_url.url'. Expected a valid URL, but got a value with an invalid format." },
        { "C:\\photos\\a.png", "invalid_value", "Invalid 'messages[0].content[1].image_url.url'. Expected a valid URL, but got a value with an invalid format." },
        { "https://photos.invalid/a.png", "invalid_image_url", "Timeout while downloading https://photos.invalid/a.png." },
    };

    [Fact]
    public async Task OpenAI_refuses_more_than_500_images_in_a_request()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var many = WithImage("https://example.com/0.png");
        var content = many["messages"]![0]!["content"]!.AsArray();
        for (int i = 1; i <= 500; i++) content.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = $"https://example.com/{i}.png" } });
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat, Line("many", many), Line("good", WithImage("https://example.com/a.png")));
        Assert.Equal((2, 1, 1), EmulatorApi.Counts(batch));
        var error = AssertRejected(lines["many"], "messages[0].content[501].image_url.url", "invalid_value");
        Assert.Equal("Too many images in request. Max is 500.", error.GetProperty("message").GetString());
    }

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task A_bad_image_fails_its_line_naming_the_part(string url, string code, string message)
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat, Line("bad", WithImage(url)), Line("good", WithImage("https://example.com/a.png")));
        Assert.Equal((2, 1, 1), EmulatorApi.Counts(batch));
        var error = AssertRejected(lines["bad"], "messages[0].content[1].image_url.url", code);
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(1, host.State.Stats.Features.For("openai").Rejected);
    }

    [Fact]
    public async Task Images_only_in_user_messages_of_vision_models_with_a_known_detail()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (_, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("system", WithImage("https://example.com/a.png", role: "system")),
            Line("detail", WithImage("https://example.com/a.png", detail: "ultra")));
        Assert.Equal("Image URLs are only allowed for messages with role 'user', but this message with role 'system' contains an image URL.",
            AssertRejected(lines["system"], "messages[0]").GetProperty("message").GetString());
        AssertRejected(lines["detail"], "messages[0].content[1].image_url.detail", "invalid_value");
        var (_, o3) = await RunAsync(api, EmulatorApi.Chat, Line("o3mini", WithImage("https://example.com/a.png", model: "o3-mini")));
        Assert.Equal("Invalid content type. image_url is only supported by certain models.",
            AssertRejected(o3["o3mini"], "messages[0].content[1].type").GetProperty("message").GetString());
    }
}
