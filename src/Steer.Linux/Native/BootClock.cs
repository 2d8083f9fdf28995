using System.Runtime.InteropServices;

namespace Steer.Linux.Native;

/// <summary>CLOCK_BOOTTIME in nanoseconds: the clock eBPF programs read with
/// bpf_ktime_get_boot_ns, so expiry times written from here mean the same to them. It keeps
/// counting through suspend, as TTLs do.</summary>
public static unsafe partial class BootClock
{
    private const int CLOCK_BOOTTIME = 7;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clock, long* timespec);

    public static ulong NowNanoseconds
    {
        get
        {
            long* timespec = stackalloc long[2];
            if (clock_gettime(CLOCK_BOOTTIME, timespec) < 0)
                throw new LinuxException("clock_gettime(CLOCK_BOOTTIME)", Errno.Last);
            return (ulong)timespec[0] * 1_000_000_000UL + (ulong)timespec[1];
        }
    }
}
