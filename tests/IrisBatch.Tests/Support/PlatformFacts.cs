using System;
using Xunit;

namespace IrisBatch.Tests.Support;

/// <summary>A fact that needs Linux (e.g. /dev/full): elsewhere it is reported as skipped, never as passed.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute(string reason)
    {
        if (!OperatingSystem.IsLinux()) Skip = "Linux only: " + reason;
    }
}

/// <summary>A fact that needs Unix (file modes, signals): on Windows it is reported as skipped, never as passed.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute(string reason)
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix only: " + reason;
    }
}
