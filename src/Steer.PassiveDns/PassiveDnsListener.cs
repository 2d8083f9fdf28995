using Steer.Linux.Native;
using Steer.Linux.Packets;
using Steer.Linux.Probes;
using Steer.PassiveDns.Capture;

namespace Steer.PassiveDns;

/// <summary>
/// Reports DNS answers seen on a network namespace's interfaces — the answers of programs that ask
/// a resolver of their own rather than Steer's. Best effort: see docs/passive-dns.md.
/// <code>
/// using var listener = PassiveDnsListener.Start(null, PassiveDnsOptions.Default, seen =&gt; map.Add(seen));
/// </code>
/// Capture runs on a thread of the listener's own; the callback is called there, one answer at a
/// time, and should hand the answer on rather than block. Disposing stops the thread and closes
/// the sockets.
/// </summary>
public sealed class PassiveDnsListener : IDisposable
{
    /// <summary>How often an idle reader wakes to expire TCP flows.</summary>
    private const int HousekeepingMilliseconds = 1000;
    /// <summary>Packets taken from one socket before looking at the others.</summary>
    private const int BatchPerSocket = 64;

    private readonly List<PacketSocket> _sockets;
    private readonly PacketWaiter _waiter;
    private readonly PassiveDnsDecoder _decoder;
    private readonly int _maxPacketBytes;
    private readonly Thread _thread;
    private readonly Lock _statisticsGate = new();
    private long _kernelPackets, _kernelDrops, _tooLong;
    private volatile Exception? _failure;
    private int _disposed;

    private PassiveDnsListener(List<PacketSocket> sockets, PassiveDnsOptions options, Action<DnsAnswerSeen> onAnswer, string name)
    {
        _sockets = sockets;
        _maxPacketBytes = options.MaxPacketBytes;
        _decoder = new PassiveDnsDecoder(onAnswer, options.Tcp);
        _waiter = new PacketWaiter();
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>
    /// Starts listening in the network namespace at <paramref name="netnsPath"/>
    /// (<c>/run/netns/NAME</c>), or in the calling thread's when it is null. Needs CAP_NET_RAW and
    /// the right to load a BPF socket filter.
    /// </summary>
    /// <exception cref="ArgumentException">Bad options, or a named interface does not exist.</exception>
    /// <exception cref="LinuxException">A socket could not be opened or bound.</exception>
    /// <exception cref="Steer.Linux.Bpf.BpfException">The filter could not be loaded.</exception>
    /// <exception cref="MissingKernelFeatureException">The kernel cannot run the filter (see <see cref="KernelFeatures.ForPassiveDns"/>).</exception>
    public static PassiveDnsListener Start(string? netnsPath, PassiveDnsOptions options, Action<DnsAnswerSeen> onAnswer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onAnswer);
        options.Validate();
        KernelFeatures.Require(KernelFeatures.ForPassiveDns);
        var sockets = netnsPath is null
            ? DnsAnswerSockets.Open(options)
            : NetNamespace.Run(netnsPath, () => DnsAnswerSockets.Open(options));
        PassiveDnsListener? listener = null;
        try
        {
            listener = new PassiveDnsListener(sockets, options, onAnswer, "passive dns" + (netnsPath is null ? "" : " " + Path.GetFileName(netnsPath)));
            listener._thread.Start();
            return listener;
        }
        catch
        {
            if (listener is not null)
                listener.Dispose();
            else
                sockets.ForEach(s => s.Dispose());
            throw;
        }
    }

    /// <summary>The counters so far, the kernel's included.</summary>
    public PassiveDnsCounters Counters
    {
        get
        {
            lock (_statisticsGate)
            {
                if (_disposed == 0)
                    CollectKernelStatistics();
                return _decoder.Snapshot(Interlocked.Read(ref _tooLong), _kernelPackets, _kernelDrops);
            }
        }
    }

    /// <summary>Why the capture thread stopped before Dispose, if it did (it never should).</summary>
    public Exception? Failure => _failure;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _waiter.Stop();
        if (_thread.IsAlive)
            _thread.Join();
        lock (_statisticsGate)
        {
            foreach (var socket in _sockets)
                socket.Dispose();
        }
        _waiter.Dispose();
        _decoder.Dispose();
    }

    private void Run()
    {
        var buffer = new byte[_maxPacketBytes];
        try
        {
            while (true)
            {
                var wait = _waiter.Wait(_sockets, HousekeepingMilliseconds);
                if (wait == PacketWait.Stopped)
                    return;
                long now = Environment.TickCount64;
                if (wait == PacketWait.Ready)
                    Drain(buffer, now);
                _decoder.Expire(now);
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    private void Drain(byte[] buffer, long now)
    {
        bool more = true;
        while (more)
        {
            more = false;
            foreach (var socket in _sockets)
            {
                for (int i = 0; i < BatchPerSocket; i++)
                {
                    if (!TryReceive(socket, buffer, out var info))
                        break;
                    if (i == BatchPerSocket - 1)
                        more = true;
                    if (info.Length > buffer.Length)
                    {
                        Interlocked.Increment(ref _tooLong);
                        continue;
                    }
                    var direction = info.Type == PacketType.Outgoing ? CaptureDirection.Outgoing : CaptureDirection.Incoming;
                    _decoder.Process(buffer.AsSpan(0, info.Length), info.InterfaceIndex, direction, now);
                }
            }
        }
    }

    private static bool TryReceive(PacketSocket socket, byte[] buffer, out PacketInfo info)
    {
        try
        {
            return socket.TryReceive(buffer, out info);
        }
        catch (LinuxException e) when (e.Errno == Errno.ENETDOWN)
        {
            // The interface a socket is bound to went down; it reports that once and resumes
            // when the interface comes back up.
            info = default;
            return false;
        }
    }

    /// <summary>Adds the kernel's counts since the last read (reading resets them).</summary>
    private void CollectKernelStatistics()
    {
        foreach (var socket in _sockets)
        {
            var statistics = socket.TakeStatistics();
            _kernelPackets += (long)statistics.Packets;
            _kernelDrops += (long)statistics.Drops;
        }
    }
}
