using System.Net;
using System.Net.Sockets;
using Steer.Lab;

namespace Steer.Proxy.Tests.Lab;

/// <summary>The SOCKS5 / HTTP CONNECT inbound, and domain rules from sniffed names.</summary>
public sealed class InboundTests
{
    private const string Yaml = """
        rules:
          - { domain: example.com, via: wan1 }
          - { cidr: 10.99.0.2/32, action: reject }
        proxy:
          tproxy: { port: 7893, interfaces: [lan0] }
          socks: { listen: "10.10.0.1:1080" }
        """;

    [Theory]
    [InlineData("--socks5")]
    [InlineData("--proxytunnel")]
    public async Task Socks5_and_http_connect_relay_through_the_default_interface(string kind)
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(secondUplink: true);
        lab.Start(Yaml);

        string[] proxy = kind == "--socks5" ? ["--socks5", "10.10.0.1:1080"] : ["--proxytunnel", "-x", "http://10.10.0.1:1080"];
        var result = await lab.Client.ExecAsync(["curl", "-sS", "--max-time", "5", .. proxy, $"http://{ProxyLab.Target4}:{ProxyLab.EchoPort}/"]);

        Assert.True(result.ExitCode == 0, result + lab.Log.ToString());
        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse(result.Stdout).Address);
    }

    [Fact]
    public async Task Socks5_request_for_a_rejected_address_gets_a_socks_error_at_once()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(secondUplink: true);
        lab.Start(Yaml);

        var rejected = await lab.Client.ExecAsync("curl", "-sS", "--max-time", "5", "--socks5", "10.10.0.1:1080", "http://10.99.0.2:7000/");

        Assert.Equal(97, rejected.ExitCode); // curl: can't complete SOCKS5 connection (reply 2: not allowed by ruleset)
        Assert.Equal(1, lab.Engine!.Rejected);
    }

    [Fact]
    public async Task Tls_sni_picks_the_domain_rule_for_an_intercepted_flow()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(secondUplink: true);
        lab.Start(Yaml);
        var hello = Unit.SnifferTests.ClientHelloFor("www.example.com");

        var reply = lab.Client.Run(() => Exchange(hello));

        Assert.Equal(IPAddress.Parse("10.30.0.1"), EchoReply.Parse(reply).Address);
        var flowsSeen = lab.Log.ToString();
        Assert.DoesNotContain("refused", flowsSeen);
    }

    [Fact]
    public async Task Http_host_picks_the_domain_rule_and_other_names_take_the_default()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(secondUplink: true);
        lab.Start(Yaml);

        var matched = await lab.Client.ExecAsync("curl", "-sS", "--max-time", "5", "--resolve", "www.example.com:7000:10.99.0.1", "http://www.example.com:7000/");
        var other = await lab.Client.ExecAsync("curl", "-sS", "--max-time", "5", "--resolve", "www.example.org:7000:10.99.0.1", "http://www.example.org:7000/");

        Assert.Equal(IPAddress.Parse("10.30.0.1"), EchoReply.Parse(matched.Stdout).Address);
        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse(other.Stdout).Address);
    }

    [Fact]
    public async Task Socks5_udp_associate_relays_datagrams_through_a_bound_egress()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(secondUplink: true);
        lab.Start(Yaml);

        var (from, payload) = lab.Client.Run(UdpAssociate);

        Assert.Equal(IPEndPoint.Parse($"{ProxyLab.Target4}:{ProxyLab.EchoPort}"), from);
        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse(payload).Address);
    }

    /// <summary>RFC 1928 by hand: greeting, UDP ASSOCIATE, one datagram with the SOCKS header.</summary>
    internal static (IPEndPoint From, string Payload) UdpAssociate()
    {
        using var control = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000 };
        control.Connect(IPAddress.Parse("10.10.0.1"), 1080);
        control.Send(new byte[] { 5, 1, 0 });
        var reply = new byte[32];
        Assert.Equal(2, control.Receive(reply, 2, SocketFlags.None));
        control.Send(new byte[] { 5, 3, 0, 1, 0, 0, 0, 0, 0, 0 });
        var n = control.Receive(reply);
        Assert.True(n >= 10 && reply[1] == 0, $"associate refused: {Convert.ToHexString(reply, 0, n)}");
        var relay = new IPEndPoint(new IPAddress(reply.AsSpan(4, 4)), (reply[8] << 8) | reply[9]);

        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        udp.Bind(new IPEndPoint(IPAddress.Any, 0));
        byte[] datagram = [0, 0, 0, 1, .. IPAddress.Parse(ProxyLab.Target4).GetAddressBytes(), (byte)(ProxyLab.EchoPort >> 8), (byte)(ProxyLab.EchoPort & 0xff), .. "ping"u8];
        udp.SendTo(datagram, relay);
        var buffer = new byte[512];
        var got = udp.Receive(buffer);
        Assert.True(got > 10 && buffer[3] == 1);
        var from = new IPEndPoint(new IPAddress(buffer.AsSpan(4, 4)), (buffer[8] << 8) | buffer[9]);
        return (from, System.Text.Encoding.ASCII.GetString(buffer, 10, got - 10));
    }

    private static string Exchange(byte[] hello)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000 };
        socket.Connect(IPAddress.Parse(ProxyLab.Target4), ProxyLab.EchoPort);
        socket.Send(hello);
        var buffer = new byte[512];
        var filled = 0;
        int n;
        while ((n = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None)) > 0)
            filled += n;
        return System.Text.Encoding.ASCII.GetString(buffer, 0, filled);
    }
}
