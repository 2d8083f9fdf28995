using System.Runtime.InteropServices;

namespace Steer.Bench.Connect;

/// <summary>
/// CPU time (user + system) of every child this process has reaped so far, from
/// <c>getrusage(RUSAGE_CHILDREN)</c>. The difference across one run of a command that was waited
/// for is what that command and its own waited-for children burned: unlike wall time, it does
/// not grow while the command waits for a core on a busy machine.
/// </summary>
internal static partial class ChildCpuTime
{
    private const int RusageChildren = -1;

    public static TimeSpan Now()
    {
        if (getrusage(RusageChildren, out var usage) != 0)
            throw new BenchException($"getrusage: errno {Marshal.GetLastPInvokeError()}");
        return Seconds(usage.UserTime) + Seconds(usage.SystemTime);
    }

    private static TimeSpan Seconds(TimeVal t) => TimeSpan.FromSeconds(t.Seconds) + TimeSpan.FromMicroseconds(t.Microseconds);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs this code does not read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct RUsage
    {
        public TimeVal UserTime;
        public TimeVal SystemTime;
        public fixed long Rest[14];
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, out RUsage usage);
}
