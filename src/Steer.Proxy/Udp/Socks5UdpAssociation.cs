using Steer.Proxy.Guard;
using Steer.Proxy.Inbounds;
using Steer.Proxy.Native;
using Steer.Proxy.Relay;
using Steer.Proxy.Routing;

namespace Steer.Proxy.Udp;

/// <summary>
/// A UDP association with an upstream SOCKS5 proxy (RFC 1928 §7), driven by its owner's events:
/// the TCP control connection (greeting and UDP ASSOCIATE sent together) and, once the reply names
/// the relay, a UDP socket connected to it. Both are egress sockets like any other: bound to the
/// outbound's interface, marked, registered with the loop guard before their first packet. The
/// owner registers <see cref="Control"/> and, when <see cref="OnControl"/> says Ready,
/// <see cref="Relay"/> with its loop, and sends and receives the SOCKS-wrapped datagrams itself.
/// </summary>
/// <param name="destination">What the relay socket carries, for the loop guard's description: the
/// session's destination, or null for an association carrying many (its upstream's relay).</param>
internal sealed unsafe class Socks5UdpAssociation(ProxyEngine engine, OutboundChoice choice, FlowEndpoint client, FlowEndpoint? destination)
{
    public enum Step { Pending, Ready, Ended }

    private enum Phase { Idle, Connecting, Negotiating, Ready, Closed }

    private Phase _phase;
    private FlowEndpoint _server;
    private EgressOwner? _controlOwner, _relayOwner;
    private FlowEndpoint _controlLocal;
    private long _phaseStartMs;

    /// <summary>The control connection, -1 before <see cref="Open"/> and after <see cref="Close"/>.</summary>
    public int Control { get; private set; } = -1;

    /// <summary>The socket connected to the upstream's relay, -1 until Ready.</summary>
    public int Relay { get; private set; } = -1;

    public FlowEndpoint RelayLocal { get; private set; }

    public bool IsReady => _phase == Phase.Ready;

    /// <summary>Why the association ended (an errno), for the dial-failure count.</summary>
    public int Error { get; private set; }

    /// <summary>Starts connecting the control connection; 0 or a negative errno (nothing left open).</summary>
    public int Open(long nowMs)
    {
        _server = FlowEndpoint.From(choice.Upstream!.Server.Address, choice.Upstream.Server.Port);
        _controlOwner = new EgressOwner("tcp", client, _server, choice.Rule, choice.Interface);
        var fd = Dialer.Dial(_server, udp: false, choice.Interface, engine.Options, engine.Guard, _controlOwner, out _controlLocal);
        if (fd < 0)
            return fd;
        Control = fd;
        _phase = Phase.Connecting;
        _phaseStartMs = nowMs;
        return 0;
    }

    /// <summary>Events of the control connection: connected → request sent; reply → relay socket
    /// opened (Ready, once); afterwards its end (the upstream dropped the association) → Ended.</summary>
    public Step OnControl(uint events, byte[] scratch, long nowMs)
    {
        switch (_phase)
        {
            case Phase.Connecting when (events & (Sys.EPOLLOUT | Sys.EPOLLERR | Sys.EPOLLHUP)) != 0:
                var error = Sys.GetInt(Control, Sys.SOL_SOCKET, Sys.SO_ERROR);
                if (error != 0)
                    return End(Math.Abs(error));
                // The datagrams' source port is not known to the upstream before the relay socket
                // exists: all zeros (RFC 1928 §6); it takes the control connection's host.
                var unknown = _server.IsIPv4 ? FlowEndpoint.FromIPv4(0, 0) : default;
                if (!Socks5Upstream.SendRequest(Control, Socks5Upstream.UdpAssociate, unknown, null, scratch))
                    return End(Sys.ECONNRESET);
                _phase = Phase.Negotiating;
                _phaseStartMs = nowMs;
                return Step.Pending;
            case Phase.Negotiating:
                return Socks5Upstream.ReadReply(Control, scratch, out var bound) switch
                {
                    HandshakeStep.NeedMore => Step.Pending,
                    HandshakeStep.Done when !bound.IsEmpty => OpenRelay(bound),
                    _ => End(Sys.ECONNREFUSED),
                };
            case Phase.Ready when (events & (Sys.EPOLLRDHUP | Sys.EPOLLHUP | Sys.EPOLLERR)) != 0:
                return End(Sys.ECONNRESET);
            default:
                return Step.Pending;
        }
    }

    /// <summary>The relay is at <paramref name="bound"/>, or at the server's address when it says 0.0.0.0 or ::.</summary>
    private Step OpenRelay(FlowEndpoint bound)
    {
        var relay = bound.IsUnspecified ? _server with { Port = bound.Port } : bound;
        _relayOwner = new EgressOwner("udp", client, destination ?? relay, choice.Rule, choice.Interface);
        var fd = Dialer.Dial(relay, udp: true, choice.Interface, engine.Options, engine.Guard, _relayOwner, out var local);
        if (fd < 0)
            return End(-fd);
        Relay = fd;
        RelayLocal = local;
        _phase = Phase.Ready;
        return Step.Ready;
    }

    private Step End(int errno)
    {
        Error = errno;
        return Step.Ended;
    }

    /// <summary>True when connecting or negotiating has taken longer than the handshake limit.</summary>
    public bool TimedOut(long nowMs) =>
        _phase is Phase.Connecting or Phase.Negotiating && nowMs - _phaseStartMs >= engine.Options.HandshakeMs;

    /// <summary>Closes both sockets (closing the control connection ends the association at the
    /// upstream too) and their registrations with the loop guard. The owner has unregistered them
    /// from its loop first.</summary>
    public void Close()
    {
        if (_phase == Phase.Closed)
            return;
        _phase = Phase.Closed;
        if (Relay >= 0)
        {
            Sys.close(Relay);
            Relay = -1;
            engine.Guard.Unregister(RelayLocal, udp: true, _relayOwner!);
        }
        if (Control >= 0)
        {
            Sys.close(Control);
            Control = -1;
            engine.Guard.Unregister(_controlLocal, udp: false, _controlOwner!);
        }
    }
}
