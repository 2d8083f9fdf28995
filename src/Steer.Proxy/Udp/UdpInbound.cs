using System.Runtime.InteropServices;
using Steer.Proxy.Guard;
using Steer.Proxy.Native;
using Steer.Proxy.Relay;
using Steer.Proxy.Routing;

namespace Steer.Proxy.Udp;

/// <summary>
/// The TProxy UDP inbound of one loop and one family: each datagram arrives with its original
/// destination (IP_RECVORIGDSTADDR); datagrams are grouped into sessions by (client, original
/// destination), each with its own connected, interface-bound egress socket. Datagrams are read
/// into the loop's one buffer and session lookups use value keys: nothing is allocated per packet.
/// </summary>
internal sealed unsafe class UdpInbound : IPollable, IDisposable
{
    private const int ControlSize = 128;

    private readonly ProxyEngine _engine;
    private readonly EventLoop _loop;
    private readonly int _fd;
    private readonly Dictionary<(FlowEndpoint Client, FlowEndpoint Destination), UdpSession> _sessions = [];
    private ulong _token;

    private UdpInbound(ProxyEngine engine, EventLoop loop, int fd)
    {
        _engine = engine;
        _loop = loop;
        _fd = fd;
    }

    public int SessionCount => _sessions.Count;

    public IEnumerable<UdpSession> Sessions => _sessions.Values;

    public static UdpInbound Open(ProxyEngine engine, EventLoop loop, FlowEndpoint address)
    {
        return loop.Invoke(() =>
        {
            var fd = SocketSetup.Listening(address, udp: true, transparent: true);
            var inbound = new UdpInbound(engine, loop, fd);
            inbound._token = loop.Register(fd, Sys.EPOLLIN, inbound, 0);
            return inbound;
        });
    }

    public void OnEvents(int side, uint events)
    {
        var peer = new SockAddr();
        var control = stackalloc byte[ControlSize];
        fixed (byte* buffer = _loop.Scratch)
        {
            for (var i = 0; i < 256; i++)
            {
                var iov = new IoVec { Base = buffer, Length = (nuint)_loop.Scratch.Length };
                var message = new MsgHdr { Name = &peer, NameLength = SockAddr.Size, Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSize };
                var n = Sys.recvmsg(_fd, &message, Sys.MSG_DONTWAIT);
                if (n < 0)
                    return;
                var destination = OriginalDestination(&message);
                if (destination.IsEmpty)
                    continue;
                Deliver(peer.ToEndpoint(), destination, buffer, (int)n);
            }
        }
    }

    private void Deliver(FlowEndpoint client, FlowEndpoint destination, byte* data, int length)
    {
        ref var session = ref CollectionsMarshal.GetValueRefOrAddDefault(_sessions, (client, destination), out var exists);
        if (!exists)
        {
            session = Open(client, destination);
            if (session is null)
            {
                _sessions.Remove((client, destination));
                return;
            }
        }
        session!.Send(data, length);
    }

    private UdpSession? Open(FlowEndpoint client, FlowEndpoint destination)
    {
        if (_engine.Check(client, destination, udp: true, _loop.NowMs))
            return null; // a loop or a storm: dropped, counted
        var choice = _engine.Selector.Select(destination, _engine.Selector.NameOf(destination), client, udp: true);
        if (choice.Kind == OutboundKind.Reject)
        {
            _engine.CountRejected(choice);
            return null;
        }
        var session = new UdpSession(_engine, _loop, this, client, destination, choice);
        return session.Start() ? session : null;
    }

    internal void Remove(UdpSession session) => _sessions.Remove((session.Client, session.Destination));

    private static FlowEndpoint OriginalDestination(MsgHdr* message)
    {
        var control = (byte*)message->Control;
        var end = control + message->ControlLength;
        var at = control;
        while (at + 16 <= end)
        {
            var length = *(nuint*)at;
            var level = *(int*)(at + 8);
            var type = *(int*)(at + 12);
            if (length < 16 || at + length > end)
                break;
            if ((level == Sys.SOL_IP && type == Sys.IP_ORIGDSTADDR) || (level == Sys.SOL_IPV6 && type == Sys.IPV6_ORIGDSTADDR))
            {
                var address = new SockAddr();
                Buffer.MemoryCopy(at + 16, &address, SockAddr.Size, Math.Min((int)length - 16, SockAddr.Size));
                return address.ToEndpoint();
            }
            at += (int)((length + 7) & ~(nuint)7);
        }
        return default;
    }

    public void OnTick(long nowMs)
    {
    }

    /// <summary>Closes every session and the socket (on the loop thread).</summary>
    public void Dispose()
    {
        _loop.Invoke(() =>
        {
            foreach (var session in _sessions.Values.ToList())
                session.Close();
            _loop.Unregister(_fd, _token);
            Sys.close(_fd);
            return 0;
        });
    }
}
