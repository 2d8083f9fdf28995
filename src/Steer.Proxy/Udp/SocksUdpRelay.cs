using System.Buffers.Binary;
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
/// replies come back wrapped in the same header. The association lives as long as its TCP control
/// connection and is closed with it, or after <see cref="ProxyOptions.UdpIdleMs"/> without traffic.
/// Fragments (FRAG ≠ 0) and names are dropped: clients send addresses (curl, browsers do).
/// </summary>
internal sealed unsafe class SocksUdpRelay : IPollable
{
    private readonly ProxyEngine _engine;
    private readonly EventLoop _loop;
    private readonly Dictionary<FlowEndpoint, Egress> _egress = [];
    private readonly FlowEndpoint _clientHost;
    private int _fd;
    private ulong _token;
    private FlowEndpoint _client;
    private long _lastActiveMs;
    private bool _closed;

    private sealed class Egress(SocksUdpRelay relay, int fd, FlowEndpoint destination, FlowEndpoint local, EgressOwner owner) : IPollable
    {
        public int Fd = fd;
        public ulong Token;
        public FlowEndpoint Destination = destination;
        public FlowEndpoint Local = local;
        public EgressOwner Owner = owner;

        public void OnEvents(int side, uint events) => relay.Reply(this);

        public void OnTick(long nowMs)
        {
        }
    }

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
        if (datagram.Length < 10 || datagram[2] != 0)
            return; // short, or a fragment
        FlowEndpoint destination;
        int header;
        switch (datagram[3])
        {
            case 1:
                destination = FlowEndpoint.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]), BinaryPrimitives.ReadUInt16BigEndian(datagram[8..]));
                header = 10;
                break;
            case 4 when datagram.Length >= 22:
                destination = new FlowEndpoint(BinaryPrimitives.ReadUInt128BigEndian(datagram[4..]), BinaryPrimitives.ReadUInt16BigEndian(datagram[20..]));
                header = 22;
                break;
            default:
                return;
        }
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
        fixed (byte* p = payload)
            if (Sys.send(egress!.Fd, p, (nuint)payload.Length, Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL) == payload.Length)
                BytesUp += payload.Length;
    }

    private Egress? OpenEgress(FlowEndpoint destination)
    {
        var choice = _engine.Selector.Select(destination, _engine.Selector.NameOf(destination), _client, udp: true);
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
        egress.Token = _loop.Register(fd, Sys.EPOLLIN | Sys.EPOLLET, egress, 1);
        return egress;
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
                var ipv4 = egress.Destination.IsIPv4;
                var header = ipv4 ? 10 : 22;
                var start = buffer + 22 - header;
                var span = new Span<byte>(start, header);
                span[0] = 0; span[1] = 0; span[2] = 0;
                span[3] = ipv4 ? (byte)1 : (byte)4;
                if (ipv4)
                    BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)(egress.Destination.Address & uint.MaxValue));
                else
                    BinaryPrimitives.WriteUInt128BigEndian(span[4..], egress.Destination.Address);
                BinaryPrimitives.WriteUInt16BigEndian(span[(header - 2)..], egress.Destination.Port);
                var client = SockAddr.From(_client);
                if (Sys.sendto(_fd, start, (nuint)(n + header), Sys.MSG_DONTWAIT | Sys.MSG_NOSIGNAL, &client, client.Length) > 0)
                    BytesDown += n;
            }
        }
    }

    public void OnTick(long nowMs)
    {
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
            _loop.Unregister(egress.Fd, egress.Token, closing: true);
            Sys.close(egress.Fd);
            _engine.Guard.Unregister(egress.Local, udp: true, egress.Owner);
        }
        _egress.Clear();
        _loop.Unregister(_fd, _token, closing: true);
        Sys.close(_fd);
        _engine.Storm.FlowClosed();
    }
}
