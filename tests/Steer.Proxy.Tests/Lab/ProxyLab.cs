using Steer.Lab;
using Steer.Policy.Configuration;
using Steer.Proxy.Interception;

namespace Steer.Proxy.Tests.Lab;

/// <summary>
/// client ── lan0 [gateway: the proxy] wan0 ── server. The server holds the destinations
/// (10.99.0.1, fd99::1) on its loopback and an echo service that answers with the source it saw:
/// the gateway's wan address means the flow was proxied, the client's address that it was forwarded.
/// </summary>
internal sealed class ProxyLab : IAsyncDisposable
{
    public const string Target4 = "10.99.0.1";
    public const string Target6 = "fd99::1";
    public const string GatewayWan4 = "10.20.0.1";
    public const string GatewayWan6 = "fd20::1";
    public const string GatewayLan4 = "10.10.0.1";
    public const int EchoPort = 7000;
    public const int ProxyPort = 7893;

    private ProxyLab(Steer.Lab.Lab lab) => Lab = lab;

    public Steer.Lab.Lab Lab { get; }
    public LabHost Client => Lab["client"];
    public LabHost Gateway => Lab["gw"];
    public LabHost Server => Lab["server"];
    public ProxyEngine? Engine { get; private set; }
    public SteerConfig? Config { get; private set; }
    public StringWriter Log { get; } = new();

    /// <summary>The upstream SOCKS5 proxy's host (with <c>upstream</c>): 10.40.0.2 behind the gateway's wan2.</summary>
    public const string UpstreamAddress = "10.40.0.2";

    public LabHost Upstream => Lab["up"];

    /// <summary>A second engine: Steer's own SOCKS5 inbound in the upstream host, as the gateway's socks5 outbound.</summary>
    public ProxyEngine? UpstreamEngine { get; private set; }

    public static async Task<ProxyLab> BuildAsync(bool secondUplink = false, bool upstream = false)
    {
        var lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var client = t.Host("client");
            var gw = t.Router("gw");
            var server = t.Host("server");
            t.Link(client.End("c0", "10.10.0.2/24", "fd10::2/64"), gw.End("lan0", "10.10.0.1/24", "fd10::1/64"));
            t.Link(gw.End("wan0", "10.20.0.1/24", "fd20::1/64"), server.End("s0", "10.20.0.2/24", "fd20::2/64"));
            server.Loopback("10.99.0.1/32", "fd99::1/128");
            client.Route("default via 10.10.0.1").Route("default via fd10::1");
            gw.Route("default via 10.20.0.2").Route("default via fd20::2");
            server.Route("10.10.0.0/24 via 10.20.0.1").Route("fd10::/64 via fd20::1");
            if (secondUplink)
            {
                // wan1 (10.30.0.1 ↔ 10.30.0.2) with a table for sockets bound to it: a rule's
                // via wan1 shows at the server as source 10.30.0.1.
                t.Link(gw.End("wan1", "10.30.0.1/24"), server.End("s1", "10.30.0.2/24"));
                gw.Rule("oif wan1 lookup 200").Route("default via 10.30.0.2 dev wan1 table 200");
            }
            if (upstream)
            {
                // up (10.40.0.2) behind the gateway's wan2; its own egress goes back through the
                // gateway (forwarded, not intercepted: TProxy is on lan0 only), so the echo server
                // sees 10.40.0.2 for a flow the upstream relayed.
                var up = t.Host("up");
                t.Link(gw.End("wan2", "10.40.0.1/24"), up.End("u0", "10.40.0.2/24"));
                up.Route("default via 10.40.0.1");
                server.Route("10.40.0.0/24 via 10.20.0.1");
            }
        });
        var proxyLab = new ProxyLab(lab);
        proxyLab.Server.Echo(EchoPort);
        return proxyLab;
    }

    /// <summary>Loads <paramref name="yaml"/> (a steer.yaml), installs interception in the gateway and starts the engine there.</summary>
    public ProxyEngine Start(string yaml, ProxyOptions? options = null)
    {
        Config = ConfigLoader.LoadOrThrow(yaml);
        options = (options ?? new ProxyOptions()) with { NetnsPath = Gateway.NsPath, Loops = options?.Loops > 0 ? options.Loops : 2 };
        var plan = InterceptionPlan.For(Config, options);
        if (plan is not null)
            InterceptionSetup.Install(plan, Gateway.NsPath);
        Engine = new ProxyEngine(Config.Proxy!, Config.Rules, options, TextWriter.Synchronized(Log)) { NameServer = ProxyEngine.NameServerOf(Config) };
        return Engine;
    }

    public const string BasicYaml = """
        proxy:
          tproxy: { port: 7893, interfaces: [lan0] }
        """;

    /// <summary>
    /// Makes the lab loop for a proxy without its bypass: the gateway's main table sends the target
    /// back to the client (a wrong route), the client routes it to the gateway again, and the
    /// gateway accepts packets from its own address on lan0 — so an unbound egress flow re-enters
    /// the proxy as a new intercepted flow. A bound egress socket (the bypass) still leaves by wan0.
    /// </summary>
    public void BreakRouting()
    {
        Client.Forwarding();
        Client.Sysctl("net.ipv4.conf.all.send_redirects", "0").Sysctl("net.ipv4.conf.c0.send_redirects", "0");
        Gateway.Sysctl("net.ipv4.conf.all.rp_filter", "0").Sysctl("net.ipv4.conf.lan0.rp_filter", "0")
               .Sysctl("net.ipv4.conf.lan0.accept_local", "1").Sysctl("net.ipv4.conf.all.accept_redirects", "0")
               .Sysctl("net.ipv4.conf.lan0.accept_redirects", "0");
        Gateway.Route("10.99.0.1/32 via 10.10.0.2 dev lan0");
        // The same for IPv6 (which has no martian-source check to relax; redirects are ignored).
        Gateway.Sysctl("net.ipv6.conf.all.accept_redirects", "0").Sysctl("net.ipv6.conf.lan0.accept_redirects", "0");
        Gateway.Route("fd99::1/128 via fd10::2 dev lan0");
    }

    /// <summary>Starts Steer's SOCKS5 inbound on 10.40.0.2:1080 in the upstream host (lab built with <c>upstream</c>).</summary>
    public ProxyEngine StartUpstream()
    {
        var config = ConfigLoader.LoadOrThrow("""
            proxy:
              socks: { listen: "10.40.0.2:1080" }
            """);
        UpstreamEngine = new ProxyEngine(config.Proxy!, config.Rules, new ProxyOptions { NetnsPath = Upstream.NsPath, Loops = 1 }, TextWriter.Synchronized(Log));
        return UpstreamEngine;
    }

    /// <summary>Open fds of this process.</summary>
    public static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;

    public void StopUpstream()
    {
        UpstreamEngine?.Dispose();
        UpstreamEngine = null;
    }

    public void StopEngine()
    {
        StopUpstream();
        Engine?.Dispose();
        Engine = null;
        if (Config is not null)
            InterceptionSetup.Remove(new ProxyOptions().InterceptMark, Config.Routing, Gateway.NsPath);
    }

    public async ValueTask DisposeAsync()
    {
        try { StopEngine(); }
        finally { await Lab.DisposeAsync(); }
    }
}
