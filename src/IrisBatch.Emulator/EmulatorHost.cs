using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator.Anthropic;
using IrisBatch.Emulator.Azure;
using IrisBatch.Emulator.Control;
using IrisBatch.Emulator.Gemini;
using IrisBatch.Emulator.Groq;
using IrisBatch.Emulator.Mistral;
using IrisBatch.Emulator.Together;
using IrisBatch.Emulator.Ollama;
using IrisBatch.Emulator.OpenAI;
using IrisBatch.Emulator.Xai;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IrisBatch.Emulator;

/// <summary>
/// A running emulator on 127.0.0.1: Kestrel with minimal APIs. Usable in-process (tests) and from the exe (Program.cs).
/// Disposing stops the server and deletes the files it stored.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private EmulatorHost(WebApplication app, EmulatorState state, Uri baseUri)
    {
        _app = app;
        State = state;
        BaseUri = baseUri;
    }

    /// <summary>e.g. http://127.0.0.1:54321 (no path).</summary>
    public Uri BaseUri { get; }

    public EmulatorState State { get; }

    public static async Task<EmulatorHost> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        if (options.LogToStandardError)
        {
            builder.Logging.AddSimpleConsole();
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The exe handles signals itself; an in-process host must not hook the test runner's Ctrl+C.
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1L << 30;
            k.Listen(IPAddress.Loopback, options.Port);
        });

        var state = new EmulatorState(options);
        var app = builder.Build();
        app.Use((ctx, next) =>
        {
            Ids.SetRequestIdHeaders(ctx.Request.Path, ctx.Response.Headers);
            return next(ctx);
        });
        OpenAIRoutes.Map(app, state);
        AzureRoutes.Map(app, state);
        GroqRoutes.Map(app, state);
        MistralRoutes.Map(app, state);
        TogetherRoutes.Map(app, state);
        AnthropicRoutes.Map(app, state);
        GeminiRoutes.Map(app, state);
        XaiRoutes.Map(app, state);
        OllamaRoutes.Map(app, state);
        ControlRoutes.Map(app, state);

        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            state.Dispose();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorHost(app, state, new Uri(address.Replace("[::1]", "127.0.0.1")));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            State.Dispose();
        }
    }

    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
