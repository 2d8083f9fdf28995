using Steer.Proxy.Guard;
using Steer.Proxy.Native;
using Steer.Proxy.Relay;
using Steer.Proxy.Routing;

namespace Steer.Proxy.Udp;

/// <summary>
/// One UDP flow (client, original destination): a connected egress socket bound to the outbound's
/// interface, and for replies a transparent socket bound to the original destination, so the client
/// sees answers from the address it sent to. Closed after <see cref="ProxyOptions.UdpIdleMs"/>.
/// </summary>
internal sealed unsafe class UdpSession : IPollable
{
    private readonly ProxyEngine _engine;
    private readonly EventLoop _loop;
    private readonly UdpInbound _inbound;
    private int _egress;
    private int _reply = -1;
    private ulong _token;
    private long _lastActiveMs;
    private bool _closed;

    private readonly EgressOwner _owner;

    /// <summary>Takes over <paramref name="egress"/>, dialed and registered with the loop guard
    /// (as <paramref name="owner"/>, local <paramref name="local"/>) by <see cref="Dialer.Dial"/>.</summary>
    public UdpSession(ProxyEngine engine, EventLoop loop, UdpInbound inbound, int egress, FlowEndpoint local, EgressOwner owner, FlowEndpoint client, FlowEndpoint destination, OutboundChoice choice)
    {
        _owner = owner;
        EgressLocal = local;
        _engine = engine;
        _loop = loop;
        _inbound = inbound;
        _egress = egress;
        Client = client;
        Destination = destination;
        Choice = choice;
        Started = DateTimeOffset.UtcNow;
        _lastActiveMs = loop.NowMs;
    }

    public FlowEndpoint Client { get; }
    public FlowEndpoint Destination { get; }
    public OutboundChoice Choice { get; }
    public FlowEndpoint EgressLocal { get; }
    public DateTimeOffset Started { get; }
    public long BytesUp { get; private set; }
    public long BytesDown { get; private set; }

    public void Start()
    {
        _engine.Storm.FlowOpened();
        _token = _loop.Register(_egress, Sys.EPOLLIN | Sys.EPOLLET, this, 0);
    }

    public void Send(byte* data, int length)
    {
        _lastActiveMs = _loop.NowMs;
        if (Sys.send(_egress, data, (nuint)length, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL) == length)
            BytesUp += length;
    }

    public void OnEvents(int side, uint events)
    {
        fixed (byte* buffer = _loop.Scratch)
        {
            while (true)
            {
                var n = Sys.recv(_egress, buffer, (nuint)_loop.Scratch.Length, Sys.MSG_DONTWAIT);
                if (n < 0)
                {
                    var errno = Sys.Errno;
                    if (errno == Sys.EAGAIN)
                        return;
                    if (errno == Sys.ECONNREFUSED)
                        continue; // an ICMP port unreachable: UDP goes on
                    Close();
                    return;
                }
                _lastActiveMs = _loop.NowMs;
                if (_reply < 0 && (_reply = OpenReplySocket()) < 0)
                    return;
                var client = SockAddr.From(Client);
                if (Sys.sendto(_reply, buffer, (nuint)n, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL, &client, client.Length) == n)
                    BytesDown += n;
            }
        }
    }

    /// <summary>A socket with the original destination as its address (IP_TRANSPARENT allows a
    /// foreign one); it only sends. Unconnected, so TProxy keeps delivering the client's datagrams
    /// to the inbound socket rather than to it.</summary>
    private int OpenReplySocket()
    {
        var ipv4 = Destination.IsIPv4;
        var fd = Sys.socket(ipv4 ? Sys.AF_INET : Sys.AF_INET6, Sys.SOCK_DGRAM | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        Sys.SetInt(fd, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
        Sys.SetInt(fd, Sys.SOL_SOCKET, Sys.SO_REUSEPORT, 1);
        if (!ipv4)
            Sys.SetInt(fd, Sys.SOL_IPV6, Sys.IPV6_V6ONLY, 1);
        if (ipv4)
            Sys.SetInt(fd, Sys.SOL_IP, Sys.IP_TRANSPARENT, 1);
        else
            Sys.SetInt(fd, Sys.SOL_IPV6, Sys.IPV6_TRANSPARENT, 1);
        var address = SockAddr.From(Destination);
        if (Sys.bind(fd, &address, address.Length) < 0)
        {
            Sys.close(fd);
            return -1;
        }
        return fd;
    }

    public void OnTick(long nowMs)
    {
        if (nowMs - _lastActiveMs >= _engine.Options.UdpIdleMs)
            Close();
    }

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _loop.Unregister(_egress, _token, closing: true);
        Sys.close(_egress);
        _egress = -1;
        if (_reply >= 0)
            Sys.close(_reply);
        _engine.Guard.Unregister(EgressLocal, udp: true, _owner);
        _engine.Storm.FlowClosed();
        _inbound.Remove(this);
    }
}
