using System.Runtime.InteropServices;
using Steer.Proxy.Guard;
using Steer.Proxy.Native;
using Steer.Proxy.Relay;
using Steer.Proxy.Routing;

namespace Steer.Proxy.Udp;

/// <summary>
/// One SOCKS5 UDP association (RFC 1928 §7): a UDP socket on the SOCKS listener's address that the
/// client sends <c>RSV FRAG ATYP DST.ADDR DST.PORT DATA</c> datagrams to. Each destination gets its
/// own connected egress socket, bound to the interface its rule picks (as every egress socket is);
/// replies come back wrapped in the same header. A destination whose rule names a <c>socks5</c>
/// outbound goes through one UDP association with that upstream (per outbound, shared by every
/// such destination of this client): the client's datagrams already carry the header the upstream
/// wants and the upstream's replies the header the client wants, so both pass through unchanged. The association lives as long as its TCP control
/// connection and is closed with it, or after <see cref="ProxyOptions.UdpIdleMs"/> without traffic.
/// Fragments (FRAG ≠ 0) and names are dropped: clients send addresses (curl, browsers do).
/// </summary>
internal sealed unsafe class SocksUdpRelay : IPollable
{
    private readonly ProxyEngine _engine;
    private readonly EventLoop _loop;
    private readonly Dictionary<FlowEndpoint, Egress> _egress = [];
    private readonly Dictionary<string, Upstream> _upstreams = [];
    private readonly FlowEndpoint _clientHost;
    private int _fd;
    private ulong _token;
    private FlowEndpoint _client;
    private long _lastActiveMs;
    private bool _closed;

    /// <summary>A destination's way out: its own socket (direct), or an upstream's association.</summary>
    private sealed class Egress(SocksUdpRelay relay, int fd, FlowEndpoint destination, FlowEndpoint local, EgressOwner? owner, Upstream? via = null) : IPollable
    {
        public int Fd = fd;
        public ulong Token;
        public FlowEndpoint Destination = destination;
        public FlowEndpoint Local = local;
        public EgressOwner? Owner = owner;
        public Upstream? Via = via;

        public void OnEvents(int side, uint events) => relay.Reply(this);

        public void OnTick(long nowMs)
        {
        }
    }

    /// <summary>The association with one socks5 outbound's upstream; datagrams wait (bounded) until its relay is known.</summary>
    private sealed class Upstream(SocksUdpRelay relay, string key, Socks5UdpAssociation association) : IPollable
    {
        public const int PendingBytes = 16384;
        public readonly string Key = key;
        public readonly Socks5UdpAssociation Association = association;
        public ulong ControlToken, RelayToken;
        public byte[]? Pending;
        public int PendingLength;
        public bool Ended;

        public void OnEvents(int side, uint events) => relay.OnUpstream(this, side, events);

        public void OnTick(long nowMs)
        {
        }
    }

    private const int SideEgress = 1, SideControl = 2, SideUpstreamRelay = 3;

    public SocksUdpRelay(ProxyEngine engine, EventLoop loop, FlowEndpoint clientHost)
    {
        _engine = engine;
        _loop = loop;
        _clientHost = clientHost;
        _lastActiveMs = loop.NowMs;
    }

    public FlowEndpoint Address { get; private set; }

    public long BytesUp { get; private set; }

    public long BytesDown { get; private set; }

    /// <summary>Opens the association's socket on <paramref name="listen"/>'s address, port chosen by the kernel.</summary>
    public bool Open(FlowEndpoint listen)
    {
        var fd = Sys.socket(listen.IsIPv4 ? Sys.AF_INET : Sys.AF_INET6, Sys.SOCK_DGRAM | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0);
        if (fd < 0)
            return false;
        var address = SockAddr.From(listen with { Port = 0 });
        if (Sys.bind(fd, &address, address.Length) < 0)
        {
            Sys.close(fd);
            return false;
        }
        _fd = fd;
        Address = SockAddr.LocalOf(fd);
        _token = _loop.Register(fd, Sys.EPOLLIN | Sys.EPOLLET, this, 0);
        _engine.Storm.FlowOpened();
        return true;
    }

    public void OnEvents(int side, uint events)
    {
        var peer = new SockAddr();
        fixed (byte* buffer = _loop.Scratch)
        {
            while (true)
            {
                var length = SockAddr.Size;
                var n = Sys.recvfrom(_fd, buffer, (nuint)_loop.Scratch.Length, Sys.MSG_DONTWAIT, &peer, &length);
                if (n < 0)
                    return;
                var source = peer.ToEndpoint();
                // Only the host that opened the association may use it; the first datagram fixes its port.
                if (source.Address != _clientHost.Address || (!_client.IsEmpty && source != _client))
                    continue;
                _client = source;
                Forward(new Span<byte>(buffer, (int)n));
            }
        }
    }

    private void Forward(Span<byte> datagram)
    {
        var header = Socks5UdpHeader.Read(datagram, out var destination);
        if (header == 0)
            return; // short, a fragment, or a name
        _lastActiveMs = _loop.NowMs;
        ref var egress = ref CollectionsMarshal.GetValueRefOrAddDefault(_egress, destination, out var exists);
        if (!exists)
        {
            egress = OpenEgress(destination);
            if (egress is null)
            {
                _egress.Remove(destination);
                return;
            }
        }
        var payload = datagram[header..];
        if (egress!.Via is { } upstream)
        {
            if (SendUpstream(upstream, datagram))
                BytesUp += payload.Length;
            return;
        }
        fixed (byte* p = payload)
            if (Sys.send(egress.Fd, p, (nuint)payload.Length, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL) == payload.Length)
                BytesUp += payload.Length;
    }

    private Egress? OpenEgress(FlowEndpoint destination)
    {
        var choice = _engine.Selector.Select(destination, _engine.Selector.NameOf(destination), _client, udp: true);
        if (choice.Kind == OutboundKind.Socks5)
            return UpstreamFor(choice) is { } upstream ? new Egress(this, -1, destination, default, null, upstream) : null;
        if (choice.Kind != OutboundKind.Direct)
        {
            _engine.CountRejected(choice);
            return null;
        }
        var owner = new EgressOwner("udp", _client, destination, choice.Rule, choice.Interface);
        var fd = Dialer.Dial(destination, udp: true, choice.Interface, _engine.Options, _engine.Guard, owner, out var local);
        if (fd < 0)
        {
            _engine.CountDialFailure(choice, -fd);
            return null;
        }
        var egress = new Egress(this, fd, destination, local, owner);
        egress.Token = _loop.Register(fd, Sys.EPOLLIN | Sys.EPOLLET, egress, SideEgress);
        return egress;
    }

    /// <summary>This client's association with the upstream of <paramref name="choice"/> (one per
    /// outbound and interface), opened on first use.</summary>
    private Upstream? UpstreamFor(OutboundChoice choice)
    {
        var key = $"{choice.Upstream!.Name}|{choice.Interface}";
        if (_upstreams.TryGetValue(key, out var existing))
            return existing;
        var association = new Socks5UdpAssociation(_engine, choice, _client, null);
        var opened = association.Open(_loop.NowMs);
        if (opened < 0)
        {
            _engine.CountDialFailure(choice, -opened);
            return null;
        }
        var upstream = new Upstream(this, key, association);
        upstream.ControlToken = _loop.Register(association.Control, Sys.EPOLLIN | Sys.EPOLLOUT | Sys.EPOLLRDHUP | Sys.EPOLLET, upstream, SideControl);
        _upstreams[key] = upstream;
        return upstream;
    }

    /// <summary>The client's datagram as it came (header and payload), or held until the relay is known.</summary>
    private bool SendUpstream(Upstream upstream, Span<byte> datagram)
    {
        if (upstream.Ended)
            return false;
        if (!upstream.Association.IsReady)
        {
            upstream.Pending ??= new byte[Upstream.PendingBytes];
            if (upstream.PendingLength + 2 + datagram.Length > Upstream.PendingBytes)
                return false;
            upstream.Pending[upstream.PendingLength] = (byte)(datagram.Length >> 8);
            upstream.Pending[upstream.PendingLength + 1] = (byte)datagram.Length;
            datagram.CopyTo(upstream.Pending.AsSpan(upstream.PendingLength + 2));
            upstream.PendingLength += 2 + datagram.Length;
            return true;
        }
        fixed (byte* p = datagram)
            return Sys.send(upstream.Association.Relay, p, (nuint)datagram.Length, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL) == datagram.Length;
    }

    private void OnUpstream(Upstream upstream, int side, uint events)
    {
        if (upstream.Ended)
            return;
        if (side == SideUpstreamRelay)
        {
            UpstreamReplies(upstream);
            return;
        }
        switch (upstream.Association.OnControl(events, _loop.Scratch, _loop.NowMs))
        {
            case Socks5UdpAssociation.Step.Ready:
                upstream.RelayToken = _loop.Register(upstream.Association.Relay, Sys.EPOLLIN | Sys.EPOLLET, upstream, SideUpstreamRelay);
                if (upstream.Pending is { } pending)
                {
                    for (var at = 0; at < upstream.PendingLength;)
                    {
                        var length = (pending[at] << 8) | pending[at + 1];
                        SendUpstream(upstream, pending.AsSpan(at + 2, length));
                        at += 2 + length;
                    }
                    upstream.Pending = null;
                    upstream.PendingLength = 0;
                }
                return;
            case Socks5UdpAssociation.Step.Ended:
                _engine.CountDialFailure(null, upstream.Association.Error);
                EndUpstream(upstream);
                return;
        }
    }

    /// <summary>The upstream's replies carry the header the client wants (the source they came
    /// from): passed on unchanged.</summary>
    private void UpstreamReplies(Upstream upstream)
    {
        fixed (byte* buffer = _loop.Scratch)
        {
            while (true)
            {
                var n = Sys.recv(upstream.Association.Relay, buffer, (nuint)_loop.Scratch.Length, Sys.MSG_DONTWAIT);
                if (n < 0)
                {
                    if (Sys.Errno == Sys.ECONNREFUSED)
                        continue;
                    return;
                }
                var header = Socks5UdpHeader.Read(new ReadOnlySpan<byte>(buffer, (int)n), out _);
                if (header == 0)
                    continue;
                _lastActiveMs = _loop.NowMs;
                var client = SockAddr.From(_client);
                if (Sys.sendto(_fd, buffer, (nuint)n, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL, &client, client.Length) > 0)
                    BytesDown += n - header;
            }
        }
    }

    /// <summary>Closes an upstream association; its destinations pick an outbound (and open a new
    /// association) again on their next datagram.</summary>
    private void EndUpstream(Upstream upstream)
    {
        if (upstream.Ended)
            return;
        upstream.Ended = true;
        var association = upstream.Association;
        if (association.Relay >= 0)
            _loop.Unregister(association.Relay, upstream.RelayToken, closing: true);
        if (association.Control >= 0)
            _loop.Unregister(association.Control, upstream.ControlToken, closing: true);
        association.Close();
        _upstreams.Remove(upstream.Key);
        foreach (var (destination, egress) in _egress.ToList())
            if (egress.Via == upstream)
                _egress.Remove(destination);
    }

    private void Reply(Egress egress)
    {
        fixed (byte* buffer = _loop.Scratch)
        {
            while (true)
            {
                // Room for the largest header in front of the payload.
                var n = Sys.recv(egress.Fd, buffer + 22, (nuint)(_loop.Scratch.Length - 22), Sys.MSG_DONTWAIT);
                if (n < 0)
                {
                    if (Sys.Errno == Sys.ECONNREFUSED)
                        continue;
                    return;
                }
                _lastActiveMs = _loop.NowMs;
                var header = Socks5UdpHeader.LengthFor(egress.Destination);
                var start = buffer + 22 - header;
                Socks5UdpHeader.Write(new Span<byte>(start, header), egress.Destination);
                var client = SockAddr.From(_client);
                if (Sys.sendto(_fd, start, (nuint)(n + header), Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL, &client, client.Length) > 0)
                    BytesDown += n;
            }
        }
    }

    public void OnTick(long nowMs)
    {
        foreach (var upstream in _upstreams.Values.ToList())
            if (upstream.Association.TimedOut(nowMs))
            {
                _engine.CountDialFailure(null, 110); // ETIMEDOUT
                EndUpstream(upstream);
            }
        if (nowMs - _lastActiveMs >= _engine.Options.UdpIdleMs)
            IsClosedByIdle = true; // the control flow closes both on its next tick
    }

    public bool IsClosedByIdle { get; private set; }

    /// <summary>Ends the association; its control connection's flow calls this when it closes.</summary>
    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        foreach (var egress in _egress.Values)
        {
            if (egress.Fd < 0)
                continue; // through an upstream, closed below
            _loop.Unregister(egress.Fd, egress.Token, closing: true);
            Sys.close(egress.Fd);
            _engine.Guard.Unregister(egress.Local, udp: true, egress.Owner!);
        }
        foreach (var upstream in _upstreams.Values.ToList())
            EndUpstream(upstream);
        _egress.Clear();
        _loop.Unregister(_fd, _token, closing: true);
        Sys.close(_fd);
        _engine.Storm.FlowClosed();
    }
}
