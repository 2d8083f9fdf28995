using Steer.Proxy.Guard;
using Steer.Proxy.Inbounds;
using Steer.Proxy.Native;
using Steer.Proxy.Routing;

namespace Steer.Proxy.Relay;

/// <summary>
/// One TCP flow from accept to close, on one loop's thread: (handshake of a SOCKS/HTTP client,
/// sniffing) → dial through the chosen outbound (SOCKS5 upstream handshake) → splice relay.
/// Every refusal resets the client at once, so a program sees a prompt error, not a hang.
/// </summary>
internal sealed unsafe partial class TcpFlow : IPollable
{
    private const int SideClient = 0, SideUpstream = 1;
    private const int SniffBytes = 4096;
    private const uint RelayEvents = Sys.EPOLLIN | Sys.EPOLLOUT | Sys.EPOLLRDHUP | Sys.EPOLLET;

    private enum Phase { ClientHandshake, Sniffing, Resolving, Dialing, UpstreamHandshake, Relaying, Associated, Closed }

    private readonly ProxyEngine _engine;
    private readonly EventLoop _loop;
    private readonly IClientHandshake? _handshake;
    private int _client;
    private int _upstream = -1;
    private ulong _clientToken, _upstreamToken;
    private Phase _phase;
    private SpliceDirection _up;   // client → upstream
    private SpliceDirection _down; // upstream → client
    private long _lastActiveMs;
    private long _phaseStartMs;
    private EgressOwner? _egressOwner; // set while the egress socket is registered with the loop guard
    private bool _counted;

    public TcpFlow(ProxyEngine engine, EventLoop loop, int client, string inbound, FlowEndpoint source, FlowEndpoint destination, IClientHandshake? handshake)
    {
        _engine = engine;
        _loop = loop;
        _client = client;
        Inbound = inbound;
        Source = source;
        Destination = destination;
        _handshake = handshake;
        Started = DateTimeOffset.UtcNow;
        _lastActiveMs = _phaseStartMs = loop.NowMs;
    }

    public string Inbound { get; }
    public FlowEndpoint Source { get; }
    public FlowEndpoint Destination { get; private set; }
    public string? Name { get; private set; }
    public OutboundChoice? Choice { get; private set; }
    public FlowEndpoint EgressLocal { get; private set; }
    public DateTimeOffset Started { get; }
    public long BytesUp => _up.Bytes;
    public long BytesDown => _down.Bytes;
    public string State => _phase.ToString().ToLowerInvariant();

    /// <summary>Registers the client socket and starts the first phase.</summary>
    public void Start()
    {
        _engine.Storm.FlowOpened();
        _counted = true;
        _clientToken = _loop.Register(_client, RelayEvents, this, SideClient);
        if (_handshake is not null)
        {
            _phase = Phase.ClientHandshake;
            return; // the registration reports data already there
        }
        Name = _engine.Selector.NameOf(Destination);
        if (Name is null && _engine.Selector.HasNameRules)
        {
            _phase = Phase.Sniffing;
            TrySniff(timedOut: false);
            return;
        }
        Dial();
    }

    public void OnEvents(int side, uint events)
    {
        switch (_phase)
        {
            case Phase.ClientHandshake when side == SideClient:
                AdvanceClientHandshake();
                break;
            case Phase.Sniffing when side == SideClient:
                TrySniff(timedOut: false);
                break;
            case Phase.Dialing when side == SideUpstream:
                if ((events & (Sys.EPOLLOUT | Sys.EPOLLERR | Sys.EPOLLHUP)) != 0)
                    Connected();
                break;
            case Phase.UpstreamHandshake when side == SideUpstream:
                AdvanceUpstreamHandshake();
                break;
            case Phase.Relaying:
                Relay(side, events);
                break;
            case Phase.Associated when (events & (Sys.EPOLLRDHUP | Sys.EPOLLHUP | Sys.EPOLLERR)) != 0:
                Close(); // the control connection ended: so does the association
                break;
            case Phase.ClientHandshake or Phase.Sniffing or Phase.Resolving or Phase.Dialing or Phase.UpstreamHandshake:
                // The client hung up or reset before we are ready: checked when relaying starts,
                // but a dead client must not keep a dial going.
                if (side == SideClient && (events & (Sys.EPOLLERR | Sys.EPOLLHUP)) != 0)
                    Abort();
                break;
        }
    }

    public void OnTick(long nowMs)
    {
        switch (_phase)
        {
            case Phase.Sniffing when nowMs - _phaseStartMs >= _engine.Options.SniffMs:
                TrySniff(timedOut: true);
                break;
            case Phase.ClientHandshake or Phase.Resolving or Phase.Dialing or Phase.UpstreamHandshake
                when nowMs - _phaseStartMs >= _engine.Options.HandshakeMs:
                Abort();
                break;
            case Phase.Associated when _association!.IsClosedByIdle:
                Close();
                break;
            case Phase.Relaying:
                var limit = _up.SourceEof || _down.SourceEof ? _engine.Options.HalfClosedIdleMs : _engine.Options.TcpIdleMs;
                if (nowMs - _lastActiveMs >= limit)
                    Abort();
                break;
        }
    }

    private void EnterPhase(Phase phase)
    {
        _phase = phase;
        _phaseStartMs = _loop.NowMs;
    }

    private void TrySniff(bool timedOut)
    {
        var buffer = _loop.Scratch;
        nint n;
        fixed (byte* p = buffer)
            n = Sys.recv(_client, p, SniffBytes, Sys.MSG_PEEK | Sys.MSG_DONTWAIT);
        if (n == 0 || (n < 0 && Sys.Errno != Sys.EAGAIN))
        {
            // The client closed before saying anything: nothing to relay.
            Abort();
            return;
        }
        string? name = null;
        var result = n > 0 ? Sniffer.Sniff(buffer.AsSpan(0, (int)n), out name) : SniffResult.NeedMore;
        if (result == SniffResult.Found)
            Name = name;
        if (result != SniffResult.NeedMore || timedOut || n >= SniffBytes)
            Dial();
        else if (_phase != Phase.Sniffing)
            EnterPhase(Phase.Sniffing);
    }

    private void Dial()
    {
        var choice = _engine.Selector.Select(Destination, Name, Source, udp: false);
        Choice = choice;
        if (choice.Kind == OutboundKind.Reject)
        {
            _engine.CountRejected(choice);
            _handshake?.Fail(_client, _loop.Scratch, HandshakeFailure.Refused);
            Abort();
            return;
        }
        if (!Destination.HasAddress && choice.Kind == OutboundKind.Direct)
        {
            // A SOCKS/HTTP request by name with no address yet: resolve off the loop, then dial.
            EnterPhase(Phase.Resolving);
            _engine.Resolve(Name!, Destination.Port, _loop, this);
            return;
        }
        var target = choice.Kind == OutboundKind.Socks5 ? FlowEndpoint.From(choice.Upstream!.Server.Address, choice.Upstream.Server.Port) : Destination;
        // Registered with the loop guard before connect(): a re-entry of the SYN is named as this flow.
        var owner = new EgressOwner("tcp", Source, target, choice.Rule, choice.Interface);
        var fd = Dialer.Dial(target, udp: false, choice.Interface, _engine.Options, _engine.Guard, owner, out var local);
        if (fd < 0)
        {
            DialFailed(-fd);
            return;
        }
        _upstream = fd;
        _egressOwner = owner;
        EgressLocal = local;
        EnterPhase(Phase.Dialing);
        _upstreamToken = _loop.Register(fd, RelayEvents, this, SideUpstream);
    }

    /// <summary>Called on the loop when a name from a SOCKS/HTTP request has been resolved.</summary>
    public void Resolved(FlowEndpoint address)
    {
        if (_phase != Phase.Resolving)
            return;
        if (address.IsEmpty)
        {
            _handshake?.Fail(_client, _loop.Scratch, HandshakeFailure.HostUnreachable);
            Abort();
            return;
        }
        Destination = address;
        Dial();
    }

    private void DialFailed(int errno)
    {
        _engine.CountDialFailure(Choice, errno);
        _handshake?.Fail(_client, _loop.Scratch, errno == Sys.ECONNREFUSED ? HandshakeFailure.ConnectionRefused : HandshakeFailure.HostUnreachable);
        Abort();
    }

    private void Connected()
    {
        var error = Sys.GetInt(_upstream, Sys.SOL_SOCKET, Sys.SO_ERROR);
        if (error != 0)
        {
            DialFailed(Math.Abs(error));
            return;
        }
        if (Choice!.Kind == OutboundKind.Socks5)
        {
            EnterPhase(Phase.UpstreamHandshake);
            if (!Socks5Upstream.SendRequest(_upstream, Socks5Upstream.Connect, Destination, Name, _loop.Scratch))
                DialFailed(Sys.ECONNRESET);
            return;
        }
        StartRelay();
    }

    private void AdvanceUpstreamHandshake()
    {
        switch (Socks5Upstream.ReadReply(_upstream, _loop.Scratch, out _))
        {
            case HandshakeStep.NeedMore:
                return;
            case HandshakeStep.Done:
                StartRelay();
                return;
            default:
                DialFailed(Sys.ECONNREFUSED);
                return;
        }
    }

    private void AdvanceClientHandshake()
    {
        var step = _handshake!.Advance(_client, _loop.Scratch, out var destination, out var name);
        if (step == HandshakeStep.NeedMore)
            return;
        if (step == HandshakeStep.Failed)
        {
            Abort();
            return;
        }
        if (_handshake is MixedHandshake { IsUdpAssociate: true } socks)
        {
            StartAssociation(socks);
            return;
        }
        Destination = destination;
        Name = name ?? (!destination.HasAddress ? null : _engine.Selector.NameOf(destination));
        if (!_engine.Admit(this, udp: false))
            return;
        Dial();
    }

    /// <summary>SOCKS5 UDP ASSOCIATE: this TCP connection now only keeps the association alive.</summary>
    private void StartAssociation(MixedHandshake socks)
    {
        _association = new Udp.SocksUdpRelay(_engine, _loop, Source);
        if (!_association.Open(SockAddr.LocalOf(_client)) || !socks.SucceedAssociate(_client, _loop.Scratch, _association.Address))
        {
            socks.Fail(_client, _loop.Scratch, HandshakeFailure.HostUnreachable);
            Abort();
            return;
        }
        Destination = _association.Address;
        EnterPhase(Phase.Associated);
    }

    private Udp.SocksUdpRelay? _association;

    public bool IsAssociation => _association is not null;

    private void StartRelay()
    {
        EnterPhase(Phase.Relaying);
        _lastActiveMs = _loop.NowMs;
        if (_handshake is not null && !_handshake.Succeed(_client, _loop.Scratch, EgressLocal))
        {
            Abort();
            return;
        }
        // Edge-triggered: data that arrived while dialing raised no new edge, so pump both once.
        Relay(SideClient, Sys.EPOLLIN);
        if (_phase == Phase.Relaying)
            Relay(SideUpstream, Sys.EPOLLIN);
    }

    private void Relay(int side, uint events)
    {
        _lastActiveMs = _loop.NowMs;
        const uint Readable = Sys.EPOLLIN | Sys.EPOLLRDHUP | Sys.EPOLLHUP | Sys.EPOLLERR;
        const uint Broken = Sys.EPOLLHUP | Sys.EPOLLERR;
        var broken = (events & Sys.EPOLLERR) != 0;
        // Edge-triggered epoll reports every ready bit on every wake-up: a socket receiving data says
        // "writable" too. Pump a direction from its sink's side only when it waits for room (bytes
        // left in its pipe): half the splice calls of a one-way stream.
        var result = 0;
        if (side == SideClient)
        {
            if ((events & Readable) != 0)
                result = _up.Pump(_client, _upstream, _loop.Pipes);
            if (result == 0 && (events & Sys.EPOLLOUT) != 0 && (_down.Pending > 0 || (events & Broken) != 0))
                result = _down.Pump(_upstream, _client, _loop.Pipes);
        }
        else
        {
            if ((events & Readable) != 0)
                result = _down.Pump(_upstream, _client, _loop.Pipes);
            if (result == 0 && (events & Sys.EPOLLOUT) != 0 && (_up.Pending > 0 || (events & Broken) != 0))
                result = _up.Pump(_client, _upstream, _loop.Pipes);
        }
        if (result < 0 || (broken && !(_up.Done && _down.Done)))
        {
            Abort(); // a reset on one side is passed on as a reset to the other
            return;
        }
        if (_up.Done && _down.Done)
            Close();
    }

    /// <summary>Both directions ended cleanly: plain close (FINs were exchanged already).</summary>
    private void Close()
    {
        // If we sent our FIN to the client before it sent its own, the intercepted socket now sits
        // in TIME_WAIT under the client's 4-tuple: remember it, so stop can clear it.
        if (Inbound == "tproxy")
            _engine.RememberClosed(Source, Destination);
        Release(abortive: false);
    }

    /// <summary>Resets both sides at once: no TIME_WAIT is left, and programs see an error at once.</summary>
    public void Abort() => Release(abortive: true);

    private void Release(bool abortive)
    {
        if (_phase == Phase.Closed)
            return;
        _phase = Phase.Closed;
        if (_client >= 0)
        {
            _loop.Unregister(_client, _clientToken, closing: true);
            if (abortive)
                Sys.SetAbortiveClose(_client);
            Sys.close(_client);
            _client = -1;
        }
        if (_upstream >= 0)
        {
            if (_upstreamToken != 0)
                _loop.Unregister(_upstream, _upstreamToken, closing: true);
            if (abortive)
                Sys.SetAbortiveClose(_upstream);
            Sys.close(_upstream);
            _upstream = -1;
        }
        _association?.Close();
        if (_egressOwner is not null)
        {
            _engine.Guard.Unregister(EgressLocal, udp: false, _egressOwner);
            _egressOwner = null;
        }
        _loop.Pipes.Return(ref _up.Pipe, _up.Pending == 0);
        _loop.Pipes.Return(ref _down.Pipe, _down.Pending == 0);
        if (_counted)
        {
            _engine.Storm.FlowClosed();
            _counted = false;
        }
    }
}
