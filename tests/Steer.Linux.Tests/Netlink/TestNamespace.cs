using Xunit;
using System.Diagnostics;
using Steer.Linux.Native;

namespace Steer.Linux.Tests.Netlink;

/// <summary>
/// A throw-away network namespace <c>stnl-PID-N</c>, made and configured with the <c>ip</c> tool
/// (test code only), deleted on Dispose whatever happened. Requires root.
/// </summary>
internal sealed class TestNamespace : IDisposable
{
    private static int _counter;

    public string Name { get; }
    public string Path => NetNamespace.PathOf(Name);

    private TestNamespace(string name) => Name = name;

    /// <summary>Skips the calling test unless root, then creates the namespace.</summary>
    public static TestNamespace Create()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root to create network namespaces");
        var name = $"stnl-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        Run("netns", "add", name);
        return new TestNamespace(name);
    }

    /// <summary>Runs <c>ip -n NAME ARGS...</c> in the namespace.</summary>
    public string Ip(params string[] args) => Run(["-n", Name, .. args]);

    /// <summary>The ifindex <c>ip</c> reports for a link, as an independent check.</summary>
    public int IndexOf(string link)
    {
        var line = Ip("-o", "link", "show", "dev", link);
        return int.Parse(line[..line.IndexOf(':', StringComparison.Ordinal)]);
    }

    public void Dispose()
    {
        try
        {
            Run("netns", "del", Name);
        }
        catch (InvalidOperationException)
        {
            // Already gone: nothing to clean up.
        }
    }

    private static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        return output;
    }
}
