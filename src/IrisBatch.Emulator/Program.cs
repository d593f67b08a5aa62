using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Emulator;

// Exe entry point: start, print the one line callers parse, then run until SIGTERM/Ctrl+C
// (or stdin closing with --exit-on-stdin-close).
EmulatorOptions options;
try
{
    options = EmulatorOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(EmulatorOptions.Usage);
    return 2;
}
options.LogToStandardError = true;

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void Stop(PosixSignalContext c)
{
    c.Cancel = true;
    stop.TrySetResult();
}
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

await using var host = await EmulatorHost.StartAsync(options);
Console.Out.WriteLine($"IrisBatch emulator listening on {host.BaseUri.GetLeftPart(UriPartial.Authority)}");
Console.Out.Flush();

if (options.ExitOnStdinClose)
{
    new Thread(() =>
    {
        try
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (stdin.Read(buffer, 0, buffer.Length) > 0) { }
        }
        catch (Exception) { }
        stop.TrySetResult();
    }) { IsBackground = true, Name = "stdin-watch" }.Start();
}

await stop.Task;
return 0;
