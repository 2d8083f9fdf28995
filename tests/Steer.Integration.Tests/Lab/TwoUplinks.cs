using Xunit;
using Steer.Lab;

namespace Steer.Integration.Tests.LabTests;

/// <summary>
/// The topology most steering tests need: a host with two uplinks to one server, the server has a
/// service address on lo, and the host has one routing table per uplink chosen by <c>oif</c> rules
/// (so a socket bound to an uplink finds that uplink's gateway). The main table uses up1.
/// <code>
///  host                      server
///   up1 10.1.0.2  fd00:1::2 ── s1 10.1.0.1 fd00:1::1
///   up2 10.2.0.2  fd00:2::2 ── s2 10.2.0.1 fd00:2::1      lo 10.9.0.1 fd00:9::1
/// </code>
/// </summary>
internal static class TwoUplinks
{
    public const string Service4 = "10.9.0.1", Service6 = "fd00:9::1";

    public static Task<Steer.Lab.Lab> BuildAsync(Action<Topology>? more = null) => Steer.Lab.Lab.BuildAsync(t =>
    {
        var host = t.Host("host");
        var server = t.Host("server");
        t.Link(host.End("up1", "10.1.0.2/24", "fd00:1::2/64"), server.End("s1", "10.1.0.1/24", "fd00:1::1/64"));
        t.Link(host.End("up2", "10.2.0.2/24", "fd00:2::2/64"), server.End("s2", "10.2.0.1/24", "fd00:2::1/64"));
        server.Loopback($"{Service4}/32", $"{Service6}/128");
        host.Route("default via 10.1.0.1").Route("default via fd00:1::1")
            .Route("default via 10.1.0.1 table 101").Route("default via fd00:1::1 table 101")
            .Route("default via 10.2.0.1 table 102").Route("default via fd00:2::1 table 102")
            .Rule("oif up1 lookup 101").Rule("oif up2 lookup 102");
        more?.Invoke(t);
    });

    /// <summary>The address the server sees from <paramref name="iface"/> (null: the main table's up1).</summary>
    public static string SourceVia(string? iface, bool ipv6) => (iface ?? "up1", ipv6) switch
    {
        ("up1", false) => "10.1.0.2",
        ("up2", false) => "10.2.0.2",
        ("up1", true) => "fd00:1::2",
        ("up2", true) => "fd00:2::2",
        _ => throw new ArgumentOutOfRangeException(nameof(iface)),
    };

    public static void SkipUnlessSupported()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
    }
}
