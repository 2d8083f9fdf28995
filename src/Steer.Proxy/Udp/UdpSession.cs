using Steer.Proxy.Guard;
using Steer.Proxy.Native;
using Steer.Proxy.Relay;
using Steer.Proxy.Routing;

namespace Steer.Proxy.Udp;

/// <summary>
/// One UDP flow (client, original destination). Direct: a connected egress socket bound to the
/// outbound's interface. Through a <c>socks5</c> outbound: a UDP association with the upstream — its
/// TCP control connection and the UDP socket connected to the upstream's relay both bound to the
/// outbound's interface, datagrams wrapped in the SOCKS UDP header on the way out and unwrapped on
/// the way back. Either way replies reach the client from a transparent socket bound to the original
/// destination, so it sees answers from the address it sent to. Closed after
/// <see cref="ProxyOptions.UdpIdleMs"/>, or when the upstream ends the association.
/// </summary>
internal sealed unsafe class UdpSession : IPollable
{
    // Side 0 is the session's first registration (ticks and `steer conns` go by it): the egress
    // socket when direct, the control connection through a socks5 outbound.
    private const int SideFirst = 0;
    private const int SideRelay = 1;
    // Datagrams that arrive while the association is set up wait here (per session, bounded).
    private const int PendingBytes = 16384;

    private enum Phase { Direct, Associating, Associated, Closed }

    private readonly ProxyEngine _engine;
    private readonly EventLoop _loop;
    private readonly UdpInbound _inbound;
    private readonly EgressOwner _owner;
    private Socks5UdpAssociation? _association;
    private Phase _phase;
    private int _egress = -1; // direct: the egress socket; socks5: the association's relay socket
    private int _reply = -1;
    private ulong _token, _relayToken;
    private long _lastActiveMs;
    private byte[]? _pending;
    private int _pendingLength;
    private bool _counted;

    public UdpSession(ProxyEngine engine, EventLoop loop, UdpInbound inbound, FlowEndpoint client, FlowEndpoint destination, OutboundChoice choice)
    {
        _engine = engine;
        _loop = loop;
        _inbound = inbound;
        Client = client;
        Destination = destination;
        Choice = choice;
        _owner = new EgressOwner("udp", client, destination, choice.Rule, choice.Interface);
        Started = DateTimeOffset.UtcNow;
        _lastActiveMs = loop.NowMs;
    }

    public FlowEndpoint Client { get; }
    public FlowEndpoint Destination { get; }
    public OutboundChoice Choice { get; }
    public FlowEndpoint EgressLocal { get; private set; }
    public DateTimeOffset Started { get; }
    public long BytesUp { get; private set; }
    public long BytesDown { get; private set; }
    public string State => _phase switch { Phase.Direct or Phase.Associated => "relaying", Phase.Closed => "closed", _ => "associating" };

    /// <summary>Dials the egress (registered with the loop guard before its first packet); false
    /// when that fails (counted), and nothing is left open.</summary>
    public bool Start()
    {
        if (Choice.Kind == OutboundKind.Socks5)
            return StartAssociation();
        var fd = Dialer.Dial(Destination, udp: true, Choice.Interface, _engine.Options, _engine.Guard, _owner, out var local);
        if (fd < 0)
        {
            _engine.CountDialFailure(Choice, -fd);
            return false;
        }
        _egress = fd;
        EgressLocal = local;
        _phase = Phase.Direct;
        _engine.Storm.FlowOpened();
        _counted = true;
        _token = _loop.Register(fd, Sys.EPOLLIN | Sys.EPOLLET, this, SideFirst);
        return true;
    }

    private bool StartAssociation()
    {
        var association = new Socks5UdpAssociation(_engine, Choice, Client, Destination);
        var opened = association.Open(_loop.NowMs);
        if (opened < 0)
        {
            _engine.CountDialFailure(Choice, -opened);
            return false;
        }
        _association = association;
        _phase = Phase.Associating;
        _engine.Storm.FlowOpened();
        _counted = true;
        _token = _loop.Register(association.Control, Sys.EPOLLIN | Sys.EPOLLOUT | Sys.EPOLLRDHUP | Sys.EPOLLET, this, SideFirst);
        return true;
    }

    public void Send(byte* data, int length)
    {
        _lastActiveMs = _loop.NowMs;
        switch (_phase)
        {
            case Phase.Direct:
                if (Sys.send(_egress, data, (nuint)length, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL) == length)
                    BytesUp += length;
                break;
            case Phase.Associated:
                SendWrapped(data, length);
                break;
            case Phase.Associating:
                Hold(data, length);
                break;
        }
    }

    /// <summary>The SOCKS UDP header from the stack and the payload where it lies: one sendmsg, no copy.</summary>
    private void SendWrapped(byte* data, int length)
    {
        var header = stackalloc byte[Socks5UdpHeader.MaxLength];
        var headerLength = Socks5UdpHeader.Write(new Span<byte>(header, Socks5UdpHeader.MaxLength), Destination);
        var iov = stackalloc IoVec[2];
        iov[0] = new IoVec { Base = header, Length = (nuint)headerLength };
        iov[1] = new IoVec { Base = data, Length = (nuint)length };
        var message = new MsgHdr { Iov = iov, IovLength = 2 };
        if (Sys.sendmsg(_egress, &message, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL) == headerLength + length)
            BytesUp += length;
    }

    private void Hold(byte* data, int length)
    {
        _pending ??= new byte[PendingBytes];
        if (_pendingLength + 2 + length > PendingBytes)
            return; // dropped, as a full socket buffer would
        _pending[_pendingLength] = (byte)(length >> 8);
        _pending[_pendingLength + 1] = (byte)length;
        new ReadOnlySpan<byte>(data, length).CopyTo(_pending.AsSpan(_pendingLength + 2));
        _pendingLength += 2 + length;
    }

    public void OnEvents(int side, uint events)
    {
        if (side == SideFirst && _association is not null)
            OnControl(events);
        else
            ReadReplies();
    }

    /// <summary>The association's control connection; its end (the upstream dropped the
    /// association) ends the session.</summary>
    private void OnControl(uint events)
    {
        switch (_association!.OnControl(events, _loop.Scratch, _loop.NowMs))
        {
            case Socks5UdpAssociation.Step.Ready:
                Associated();
                return;
            case Socks5UdpAssociation.Step.Ended:
                Fail(_association.Error);
                return;
        }
    }

    /// <summary>The relay socket is open: take its replies, send what waited.</summary>
    private void Associated()
    {
        _egress = _association!.Relay;
        EgressLocal = _association.RelayLocal;
        _phase = Phase.Associated;
        _relayToken = _loop.Register(_egress, Sys.EPOLLIN | Sys.EPOLLET, this, SideRelay);
        if (_pending is null)
            return;
        fixed (byte* pending = _pending)
        {
            for (var at = 0; at < _pendingLength;)
            {
                var length = (_pending[at] << 8) | _pending[at + 1];
                SendWrapped(pending + at + 2, length);
                at += 2 + length;
            }
        }
        _pending = null;
        _pendingLength = 0;
    }

    private void Fail(int errno)
    {
        _engine.CountDialFailure(Choice, errno);
        Close();
    }

    private void ReadReplies()
    {
        var wrapped = _association is not null;
        fixed (byte* buffer = _loop.Scratch)
        {
            while (_phase != Phase.Closed)
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
                var payload = buffer;
                var length = (int)n;
                if (wrapped)
                {
                    // The relay's reply: RSV FRAG ATYP ADDR PORT DATA. The session is one
                    // destination's, so the payload goes to the client from that destination.
                    var header = Socks5UdpHeader.Read(new ReadOnlySpan<byte>(buffer, length), out _);
                    if (header == 0)
                        continue; // a fragment, a name, or short: dropped
                    payload += header;
                    length -= header;
                }
                _lastActiveMs = _loop.NowMs;
                if (_reply < 0 && (_reply = OpenReplySocket()) < 0)
                    return;
                var client = SockAddr.From(Client);
                if (Sys.sendto(_reply, payload, (nuint)length, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL, &client, client.Length) == length)
                    BytesDown += length;
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
        if (_association?.TimedOut(nowMs) == true)
            Fail(110); // ETIMEDOUT
        else if (nowMs - _lastActiveMs >= _engine.Options.UdpIdleMs)
            Close();
    }

    public void Close()
    {
        if (_phase == Phase.Closed)
            return;
        _phase = Phase.Closed;
        if (_association is { } association)
        {
            if (association.Relay >= 0)
                _loop.Unregister(association.Relay, _relayToken, closing: true);
            _loop.Unregister(association.Control, _token, closing: true);
            association.Close();
            _egress = -1;
        }
        else if (_egress >= 0)
        {
            _loop.Unregister(_egress, _token, closing: true);
            Sys.close(_egress);
            _egress = -1;
            _engine.Guard.Unregister(EgressLocal, udp: true, _owner);
        }
        if (_reply >= 0)
            Sys.close(_reply);
        _reply = -1;
        if (_counted)
        {
            _engine.Storm.FlowClosed();
            _counted = false;
        }
        _inbound.Remove(this);
    }
}
