using System.Diagnostics;
using Steer.Linux.Native;

namespace Steer.Bench.Connect;

/// <summary>
/// Starts programs inside a lab's network namespace without <c>ip netns exec</c>: the fork happens
/// on a thread that has entered the namespace (a child inherits its forking thread's namespaces).
/// So nothing but the program itself is timed, and steer runs in this machine's own mount
/// namespace with its real cgroup2 and bpffs mounts, as a user's script would run it —
/// <c>ip netns exec</c> would give it a private mount namespace with /sys remounted.
/// </summary>
internal static class NamespaceSpawn
{
    public static ProcessStartInfo StartInfo(IReadOnlyList<string> argv, bool redirectAll)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = redirectAll,
            RedirectStandardOutput = redirectAll,
            // Always captured: a failing steer must be able to say why.
            RedirectStandardError = true,
        };
        foreach (var arg in argv.Skip(1))
            info.ArgumentList.Add(arg);
        return info;
    }

    /// <summary>Starts <paramref name="info"/> inside the namespace at <paramref name="nsPath"/>.</summary>
    public static Process Start(string nsPath, ProcessStartInfo info) =>
        NetNamespace.Run(nsPath, () => Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} could not be started"));

    /// <summary>Runs <paramref name="info"/> to completion inside the namespace and returns how long
    /// it took from just before the fork to its exit, and the CPU time it used; a failure is an
    /// exception with its stderr. Runs must not overlap: the CPU time is counted over all children.</summary>
    public static (TimeSpan Wall, TimeSpan Cpu) TimeRun(string nsPath, ProcessStartInfo info, TimeSpan limit) =>
        NetNamespace.Run(nsPath, () =>
        {
            var cpu = ChildCpuTime.Now();
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} could not be started");
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                throw new BenchException($"`{Describe(info)}` did not finish within {limit.TotalSeconds:0} s");
            }
            var elapsed = watch.Elapsed;
            if (process.ExitCode != 0)
                throw new BenchException($"`{Describe(info)}` exited with {process.ExitCode}: {stderr.Result.Trim()}");
            return (elapsed, ChildCpuTime.Now() - cpu);
        });

    public static string Describe(ProcessStartInfo info) => string.Join(' ', [info.FileName, .. info.ArgumentList]);
}
