using System.Runtime.InteropServices;

namespace Steer.Resolver;

/// <summary>
/// CLOCK_THREAD_CPUTIME_ID: the CPU time the calling thread has used, in nanoseconds. Time the
/// thread spent preempted, waiting for a core, does not count — which is what separates a
/// step's own cost from the machine's load. A system call (no vDSO for this clock): for
/// measurements switched on by hand, not for every answer.
/// </summary>
public static unsafe partial class ThreadCpuClock
{
    private const int CLOCK_THREAD_CPUTIME_ID = 3;

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, long* timespec);

    /// <summary>Nanoseconds of CPU this thread has used (0 if the clock cannot be read).</summary>
    public static long NowNanoseconds
    {
        get
        {
            long* timespec = stackalloc long[2];
            return ClockGetTime(CLOCK_THREAD_CPUTIME_ID, timespec) < 0 ? 0 : timespec[0] * 1_000_000_000L + timespec[1];
        }
    }
}
