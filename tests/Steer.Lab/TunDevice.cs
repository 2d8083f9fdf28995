using System.Net;
using Steer.Linux.Native;

namespace Steer.Lab;

/// <summary>
/// A TUN device inside a lab namespace, held open by the test process. Holding it open gives it
/// carrier; a background thread reads every packet the kernel routes into it, so a test can count
/// what entered the TUN and see where it was going. Nothing is ever written back.
/// </summary>
public sealed class TunDevice : IDisposable
{
    private const nuint TUNSETIFF = 0x400454ca; // _IOW('T', 202, int)
    private const short IFF_TUN = 0x0001, IFF_NO_PI = 0x1000;
    /// <summary>Packets kept for inspection; later ones are only counted.</summary>
    public const int KeptPackets = 4096;

    private readonly List<TunPacket> _packets = [];
    private int _tunFd = -1;
    private int _stopFd = -1;
    private Thread? _reader;
    private long _packetCount, _byteCount;

    internal TunDevice(string name) => Name = name;

    public string Name { get; }

    /// <summary>Packets read from the device so far.</summary>
    public long PacketCount => Interlocked.Read(ref _packetCount);

    /// <summary>Bytes read from the device so far (IP headers included).</summary>
    public long ByteCount => Interlocked.Read(ref _byteCount);

    /// <summary>The first <see cref="KeptPackets"/> packets read, oldest first.</summary>
    public IReadOnlyList<TunPacket> Packets { get { lock (_packets) return [.. _packets]; } }

    /// <summary>Waits until at least <paramref name="count"/> packets matching <paramref name="match"/> (all when null) were read.</summary>
    public async Task<IReadOnlyList<TunPacket>> WaitForPacketsAsync(int count, TimeSpan timeout, Func<TunPacket, bool>? match = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var seen = Packets.Where(match ?? (_ => true)).ToList();
            if (seen.Count >= count)
                return seen;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name}: {seen.Count} of {count} packets after {timeout.TotalSeconds:0.#} s (total read {PacketCount})");
            await Task.Delay(10);
        }
    }

    /// <summary>Creates the device from a thread inside the namespace; the fd stays valid (and the
    /// device in that namespace) whichever thread uses it later.</summary>
    internal unsafe void Open(string nsPath)
    {
        _tunFd = NetNamespace.Run(nsPath, () =>
        {
            var fd = LinuxException.ThrowIfNegative(Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC), "open /dev/net/tun");
            var ifr = stackalloc byte[40]; // struct ifreq: char name[16], then short flags
            new Span<byte>(ifr, 40).Clear();
            System.Text.Encoding.ASCII.GetBytes(Name, new Span<byte>(ifr, 15));
            *(short*)(ifr + 16) = IFF_TUN | IFF_NO_PI;
            if (Libc.ioctl(fd, TUNSETIFF, ifr) < 0)
            {
                var errno = Errno.Last;
                Libc.close(fd);
                throw new LinuxException($"TUNSETIFF {Name}", errno);
            }
            return fd;
        });
        // An eventfd wakes the reader on dispose: closing an fd does not wake a thread blocked on it.
        _stopFd = LinuxException.ThrowIfNegative(Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK), "eventfd");
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "tun " + Name };
        _reader.Start();
    }

    private unsafe void ReadLoop()
    {
        var buffer = new byte[65536];
        var fds = stackalloc Libc.PollFd[2];
        fds[0] = new Libc.PollFd { Fd = _tunFd, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = _stopFd, Events = Libc.POLLIN };
        while (true)
        {
            fds[0].Revents = fds[1].Revents = 0;
            if (Libc.poll(fds, 2, -1) < 0)
            {
                if (Errno.Last == Errno.EINTR)
                    continue;
                return;
            }
            if (fds[1].Revents != 0)
                return;
            while (true)
            {
                nint n;
                fixed (byte* p = buffer)
                    n = Libc.read(_tunFd, p, (nuint)buffer.Length);
                if (n <= 0)
                    break; // EAGAIN: drained
                Interlocked.Increment(ref _packetCount);
                Interlocked.Add(ref _byteCount, n);
                if (TunPacket.TryParse(buffer.AsSpan(0, (int)n), out var packet))
                {
                    lock (_packets)
                        if (_packets.Count < KeptPackets)
                            _packets.Add(packet);
                }
            }
        }
    }

    public unsafe void Dispose()
    {
        if (_stopFd >= 0)
        {
            ulong one = 1;
            Libc.write(_stopFd, &one, 8);
            _reader?.Join();
            Libc.close(_stopFd);
            _stopFd = -1;
        }
        if (_tunFd >= 0)
        {
            Libc.close(_tunFd);
            _tunFd = -1;
        }
    }

    public override string ToString() => $"{Name}: {PacketCount} packets";
}

/// <summary>What the lab notes of a packet read from a TUN: addresses, IP protocol number, and the
/// destination port for TCP and UDP.</summary>
public sealed record TunPacket(IPAddress Source, IPAddress Destination, int Protocol, int? DestinationPort, int Length)
{
    public const int Tcp = 6, Udp = 17, Icmp = 1, Icmpv6 = 58;

    internal static bool TryParse(ReadOnlySpan<byte> p, out TunPacket packet)
    {
        packet = null!;
        if (p.Length >= 20 && p[0] >> 4 == 4)
        {
            var headerLength = (p[0] & 0xf) * 4;
            packet = new TunPacket(new IPAddress(p[12..16]), new IPAddress(p[16..20]), p[9], Port(p, headerLength, p[9]), p.Length);
            return true;
        }
        if (p.Length >= 40 && p[0] >> 4 == 6)
        {
            // Extension headers are not followed: the lab's traffic has none.
            packet = new TunPacket(new IPAddress(p[8..24]), new IPAddress(p[24..40]), p[6], Port(p, 40, p[6]), p.Length);
            return true;
        }
        return false;
    }

    private static int? Port(ReadOnlySpan<byte> p, int offset, int protocol) =>
        protocol is Tcp or Udp && p.Length >= offset + 4 ? p[offset + 2] << 8 | p[offset + 3] : null;
}
