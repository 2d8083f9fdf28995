using System.Net;
using Steer.Lab;

namespace Steer.Bench.Connect;

/// <summary>
/// The throw-away network of the benchmark: a client with two uplinks to a server that holds the
/// target addresses on lo and a TCP listener that accepts and closes. The client's main table
/// and the table of up1 (chosen by an <c>oif</c> rule, as docs/run.md advises for a bound
/// socket) both lead through up1, so plain and steered sockets take the same path and differ
/// only by Steer.
/// <code>
///  client                    server
///   up1 10.1.0.2  fd00:1::2 ── s1 10.1.0.1 fd00:1::1
///   up2 10.2.0.2  fd00:2::2 ── s2 10.2.0.1 fd00:2::1      lo 10.9.0.1 fd00:9::1, TCP :7001
/// </code>
/// </summary>
internal sealed class ConnectLab : IAsyncDisposable
{
    public const string Uplink = "up1";
    public const int UdpPort = 7000, TcpPort = 7001;
    public static readonly IPAddress Target4 = IPAddress.Parse("10.9.0.1"), Target6 = IPAddress.Parse("fd00:9::1");

    private readonly Steer.Lab.Lab _lab;

    private ConnectLab(Steer.Lab.Lab lab) => _lab = lab;

    /// <summary>The client's namespace, for <see cref="NamespaceSpawn"/>.</summary>
    public string ClientNsPath => _lab["client"].NsPath;

    public static async Task<ConnectLab> BuildAsync(string workerPath)
    {
        var lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var client = t.Host("client");
            var server = t.Host("server");
            t.Link(client.End("up1", "10.1.0.2/24", "fd00:1::2/64"), server.End("s1", "10.1.0.1/24", "fd00:1::1/64"));
            t.Link(client.End("up2", "10.2.0.2/24", "fd00:2::2/64"), server.End("s2", "10.2.0.1/24", "fd00:2::1/64"));
            server.Loopback($"{Target4}/32", $"{Target6}/128");
            client.Route("default via 10.1.0.1").Route("default via fd00:1::1")
                .Route("default via 10.1.0.1 table 101").Route("default via fd00:1::1 table 101")
                .Route("default via 10.2.0.1 table 102").Route("default via fd00:2::1 table 102")
                .Rule("oif up1 lookup 101").Rule("oif up2 lookup 102");
        });
        try
        {
            // One dual-stack listener ("::" also accepts IPv4) for both families' TCP rounds.
            var listener = lab["server"].Start(workerPath, "serve", "::", TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await listener.WaitForOutputAsync("ready", TimeSpan.FromSeconds(10));
            return new ConnectLab(lab);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _lab.DisposeAsync();
}
