using System.Net;
using Steer.Proxy.Guard;
using Steer.Proxy.Native;

namespace Steer.Proxy.Tests.Unit;

/// <summary>
/// The egress registry's rules: an entry made between bind(0) and connect() matches by port only
/// ("pending", for the caller to accept for the host's own addresses), one narrowed after
/// connect() matches its address alone, and an entry is removed only by the socket that made it.
/// </summary>
public sealed class LoopGuardRegistryTests
{
    private static readonly EgressOwner Owner = new("tcp", Ep("10.10.0.2:40000"), Ep("10.99.0.1:7000"), "default auto", "wan0");

    private static FlowEndpoint Ep(string text) => FlowEndpoint.From(IPEndPoint.Parse(text).Address, IPEndPoint.Parse(text).Port);

    private static LoopGuard NewGuard() => new(TextWriter.Null, new StormGuard(StormGuard.DefaultRate, 0));

    [Fact]
    public void Before_connect_any_address_with_the_port_matches_as_pending()
    {
        var guard = NewGuard();
        guard.Register(Ep("0.0.0.0:50000"), udp: false, Owner);

        Assert.Same(Owner, guard.OwnEgress(Ep("10.10.0.1:50000"), udp: false, out var pending));
        Assert.True(pending);
        Assert.Null(guard.OwnEgress(Ep("10.10.0.1:50001"), udp: false, out _));
        Assert.Null(guard.OwnEgress(Ep("10.10.0.1:50000"), udp: true, out _));      // another protocol
        Assert.Null(guard.OwnEgress(Ep("[fd10::1]:50000"), udp: false, out _));      // another family
    }

    [Fact]
    public void After_connect_only_the_chosen_address_matches()
    {
        var guard = NewGuard();
        guard.Register(Ep("0.0.0.0:50000"), udp: false, Owner);
        guard.Connected(Ep("10.10.0.1:50000"), udp: false, Owner);

        Assert.Same(Owner, guard.OwnEgress(Ep("10.10.0.1:50000"), udp: false, out var pending));
        Assert.False(pending);
        Assert.Null(guard.OwnEgress(Ep("10.10.0.2:50000"), udp: false, out _)); // a LAN client with the same port
        Assert.Equal(1, guard.LiveEgress);
    }

    [Fact]
    public void Only_the_socket_that_registered_a_port_removes_or_narrows_it()
    {
        var guard = NewGuard();
        var next = Owner with { Rule = "next" };
        guard.Register(Ep("0.0.0.0:50000"), udp: false, Owner);
        guard.Register(Ep("0.0.0.0:50000"), udp: false, next); // the port went to a new socket

        guard.Connected(Ep("10.10.0.1:50000"), udp: false, Owner);
        guard.Unregister(Ep("10.10.0.1:50000"), udp: false, Owner);

        Assert.Same(next, guard.OwnEgress(Ep("10.20.0.1:50000"), udp: false, out var pending));
        Assert.True(pending);
        guard.Unregister(Ep("0.0.0.0:50000"), udp: false, next);
        Assert.Equal(0, guard.LiveEgress);
    }

    [Fact]
    public void A_disabled_guard_matches_nothing()
    {
        var guard = NewGuard();
        guard.Register(Ep("10.10.0.1:50000"), udp: false, Owner);
        guard.Enabled = false;
        Assert.Null(guard.OwnEgress(Ep("10.10.0.1:50000"), udp: false, out _));
    }
}
