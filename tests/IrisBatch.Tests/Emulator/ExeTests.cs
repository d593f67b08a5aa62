using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

/// <summary>The emulator as a separate process: the one stdout line callers parse, and clean exits.</summary>
public sealed class ExeTests
{
    private const string Banner = "IrisBatch emulator listening on ";

    private static ProcessStartInfo Start(string args)
    {
        string dll = Path.Combine(Path.GetDirectoryName(typeof(EmulatorHost).Assembly.Location)!, "IrisBatch.Emulator.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (string a in args.Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(a);
        return psi;
    }

    [Fact]
    public async Task Exe_prints_one_line_with_its_url_serves_and_exits_when_stdin_closes()
    {
        using var p = Process.Start(Start("--port 0 --api-key exe-key --instant --exit-on-stdin-close"))!;
        try
        {
            string? first = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(first);
            Assert.StartsWith(Banner, first);
            var url = new Uri(first![Banner.Length..]);
            Assert.Equal("127.0.0.1", url.Host);
            Assert.Equal("/", url.AbsolutePath);

            using var http = new HttpClient { BaseAddress = url };
            http.DefaultRequestHeaders.Add("Authorization", "Bearer exe-key");
            using var r = await http.GetAsync("/v1/batches");
            Assert.True(r.IsSuccessStatusCode);

            p.StandardInput.Close();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, p.ExitCode);
            Assert.Equal("", await p.StandardOutput.ReadToEndAsync());
            Assert.Equal("", await p.StandardError.ReadToEndAsync());
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }

    [Fact]
    public async Task Exe_rejects_unknown_arguments_with_usage_on_stderr()
    {
        using var p = Process.Start(Start("--bogus"))!;
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, p.ExitCode);
        Assert.Equal("", await p.StandardOutput.ReadToEndAsync());
        Assert.Contains("usage:", await p.StandardError.ReadToEndAsync());
    }

    [Fact]
    public void Options_parse_the_documented_command_line()
    {
        var o = EmulatorOptions.Parse(new[] { "--port", "0", "--api-key", "k", "--validating-ms", "1", "--in-progress-ms", "2", "--finalizing-ms", "3", "--cancelling-ms", "4", "--data-dir", "/tmp/x" });
        Assert.Equal((0, "k", 1, 2, 3, 4, "/tmp/x"), (o.Port, o.ApiKey, o.ValidatingMs, o.InProgressMs, o.FinalizingMs, o.CancellingMs, o.DataDir));
        var d = EmulatorOptions.Parse(Array.Empty<string>());
        Assert.Equal(("test-key", 200, 1000, 200, 500), (d.ApiKey, d.ValidatingMs, d.InProgressMs, d.FinalizingMs, d.CancellingMs));
        var i = EmulatorOptions.Parse(new[] { "--instant" });
        Assert.Equal((0, 0, 0, 0), (i.ValidatingMs, i.InProgressMs, i.FinalizingMs, i.CancellingMs));
    }
}
