using System.Net.Sockets;
using System.Text;
using Steer.Linux.Native;

namespace Steer.Linux.Sysctls;

/// <summary>rp_filter modes (RFC 3704): whether a packet's source must route back out of the
/// interface it came in on.</summary>
public enum ReversePathFilter
{
    Off = 0,
    /// <summary>The reverse route must use the arrival interface: breaks asymmetric routing.</summary>
    Strict = 1,
    /// <summary>The source must be reachable through some interface.</summary>
    Loose = 2,
}

/// <summary>
/// Network sysctls (<c>/proc/sys/net/...</c>). They are per network namespace, and /proc/sys/net
/// shows the namespace of the thread that opens it: these calls act on the calling thread's
/// namespace — wrap them in <see cref="NetNamespace.Run"/> for another. Not netlink; plain files.
/// </summary>
public static class Sysctl
{
    private const int MaxValueBytes = 4096;

    /// <summary><c>sysctl KEY</c>: the value without its trailing newline. KEY is dotted
    /// (<c>net.ipv4.ip_forward</c>) or, for interface names holding dots, slashed
    /// (<c>net/ipv4/conf/eth0.100/rp_filter</c>).</summary>
    public static string Read(string key)
    {
        var path = PathOf(key);
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0)
            throw new LinuxException($"sysctl {key}: open {path}", Errno.Last);
        try
        {
            Span<byte> buffer = stackalloc byte[MaxValueBytes];
            int length = 0;
            while (length < buffer.Length)
            {
                int read = (int)ReadSome(fd, buffer[length..]);
                if (read < 0)
                    throw new LinuxException($"sysctl {key}: read {path}", Errno.Last);
                if (read == 0)
                    break;
                length += read;
            }
            return Encoding.UTF8.GetString(buffer[..length]).TrimEnd('\n');
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary><c>sysctl -w KEY=VALUE</c>. A value the kernel refuses throws with its errno
    /// (EINVAL for <c>rp_filter=strict</c>), naming the key.</summary>
    public static void Write(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var path = PathOf(key);
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC);
        if (fd < 0)
            throw new LinuxException($"sysctl -w {key}={value}: open {path}", Errno.Last);
        try
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            long written = WriteOnce(fd, bytes);
            if (written < 0)
                throw new LinuxException($"sysctl -w {key}={value}", Errno.Last);
            if (written != bytes.Length)
                throw new IOException($"sysctl -w {key}={value}: wrote {written} of {bytes.Length} bytes");
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary><c>net.ipv4.ip_forward</c> or <c>net.ipv6.conf.all.forwarding</c>: route packets
    /// between interfaces.</summary>
    public static void SetForwarding(AddressFamily family, bool on) =>
        Write(family switch
        {
            AddressFamily.InterNetwork => "net/ipv4/ip_forward",
            AddressFamily.InterNetworkV6 => "net/ipv6/conf/all/forwarding",
            _ => throw new ArgumentException($"{family} is not IPv4 or IPv6", nameof(family)),
        }, on ? "1" : "0");

    /// <summary><c>net.ipv4.conf.IFACE.rp_filter</c>; IFACE may be <c>all</c> or <c>default</c>.
    /// The kernel applies the larger of the interface's value and <c>all</c>'s.</summary>
    public static void SetReversePathFilter(string interfaceName, ReversePathFilter mode) =>
        Write(ConfKey(interfaceName, "rp_filter"), ((int)mode).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static ReversePathFilter GetReversePathFilter(string interfaceName) =>
        (ReversePathFilter)int.Parse(Read(ConfKey(interfaceName, "rp_filter")), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>net.ipv4.conf.IFACE.src_valid_mark</c>: the reverse-path check uses the
    /// packet's fwmark, so replies steered by mark rules are not dropped.</summary>
    public static void SetSourceValidMark(string interfaceName, bool on) =>
        Write(ConfKey(interfaceName, "src_valid_mark"), on ? "1" : "0");

    private static string ConfKey(string interfaceName, string setting)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        // Slashes, not dots: interface names may hold dots (eth0.100).
        return $"net/ipv4/conf/{interfaceName}/{setting}";
    }

    /// <summary>The /proc/sys path of a key under net, refusing anything that could leave it:
    /// these settings are per namespace, others are global and not this class's business.</summary>
    internal static string PathOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var relative = key.Contains('/') ? key : key.Replace('.', '/');
        var segments = relative.Split('/');
        if (segments[0] != "net" || segments.Length < 2
            || segments.Any(s => s.Length == 0 || s is "." or ".." || s.Contains('\0')))
            throw new ArgumentException($"sysctl {key}: not a key under net (net.ipv4.ip_forward, net/ipv4/conf/eth0.100/rp_filter)", nameof(key));
        return "/proc/sys/" + relative;
    }

    private static unsafe nint ReadSome(int fd, Span<byte> into)
    {
        fixed (byte* p = into)
            return Libc.read(fd, p, (nuint)into.Length);
    }

    // procfs sysctl handlers take a value in one write; a split write would be two values.
    private static unsafe long WriteOnce(int fd, byte[] bytes)
    {
        fixed (byte* p = bytes)
            return Libc.write(fd, p, (nuint)bytes.Length);
    }
}
