using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Steer.Dns;
using Steer.Lab;

namespace Steer.Proxy.Tests.Lab;

/// <summary>
/// A SOCKS request by name for a direct outbound is resolved through Steer's own resolver (the
/// <c>dns.listen</c> of steer.yaml), not the system's: here a stand-in on the gateway's loopback
/// that alone knows www.example.com (10.99.0.1). The name's rule (via wan1) picks the interface.
/// </summary>
public sealed class OwnResolverTests
{
    private const string Yaml = """
        dns:
          listen: "127.0.0.1:5354"
          upstreams: [ 192.0.2.53 ]
        rules:
          - { domain: example.com, via: wan1 }
        proxy:
          socks: { listen: "10.10.0.1:1080" }
        """;

    [Fact]
    public async Task Socks_request_by_name_is_resolved_by_steers_resolver_and_takes_the_names_rule()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(secondUplink: true);
        using var resolver = lab.Gateway.Run(() => new StandInResolver(new IPEndPoint(IPAddress.Loopback, 5354)));
        lab.Start(Yaml);

        var result = await lab.Client.ExecAsync("curl", "-sS", "--max-time", "5", "--socks5-hostname", "10.10.0.1:1080", $"http://www.example.com:{ProxyLab.EchoPort}/");

        Assert.True(result.ExitCode == 0, result + lab.Log.ToString());
        Assert.Equal(IPAddress.Parse("10.30.0.1"), EchoReply.Parse(result.Stdout).Address); // wan1: the name's rule
        Assert.Contains("www.example.com A", resolver.Questions);
    }

    [Fact]
    public async Task A_name_steers_resolver_does_not_know_gets_a_socks_error()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync(secondUplink: true);
        using var resolver = lab.Gateway.Run(() => new StandInResolver(new IPEndPoint(IPAddress.Loopback, 5354)));
        lab.Start(Yaml);

        var result = await lab.Client.ExecAsync("curl", "-sS", "--max-time", "5", "--socks5-hostname", "10.10.0.1:1080", $"http://unknown.example.org:{ProxyLab.EchoPort}/");

        Assert.Equal(97, result.ExitCode); // curl: the SOCKS5 connection failed (host unreachable)
        Assert.Contains("unknown.example.org AAAA", resolver.Questions); // A first, then AAAA
    }

    /// <summary>Answers A questions for names under example.com with 10.99.0.1, everything else with no address.</summary>
    private sealed class StandInResolver : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly ConcurrentQueue<string> _questions = new();

        public StandInResolver(IPEndPoint listen)
        {
            _socket.Bind(listen);
            new Thread(Serve) { IsBackground = true }.Start();
        }

        public IReadOnlyCollection<string> Questions => [.. _questions];

        private void Serve()
        {
            var buffer = new byte[4096];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                int n;
                try { n = _socket.ReceiveFrom(buffer, ref from); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                var query = DnsMessage.Parse(buffer.AsSpan(0, n));
                var question = query.Questions[0];
                _questions.Enqueue($"{question.Name.ToString().TrimEnd('.')} {question.Type}");
                var known = question.Type == DnsType.A && question.Name.ToString().TrimEnd('.').EndsWith("example.com", StringComparison.Ordinal);
                var reply = new DnsMessage
                {
                    Header = query.Header with { IsResponse = true, RecursionAvailable = true },
                    Questions = query.Questions,
                    Answers = known ? [DnsRecord.Address(question.Name, 60, DnsAddress.Parse(ProxyLab.Target4))] : [],
                }.ToArray();
                try { _socket.SendTo(reply, from); } catch (SocketException) { }
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}
