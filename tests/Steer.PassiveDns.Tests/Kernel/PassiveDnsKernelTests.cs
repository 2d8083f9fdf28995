using System.Net;
using System.Net.Sockets;
using Steer.Linux.Native;

namespace Steer.PassiveDns.Tests.Kernel;

/// <summary>
/// The listener against the real kernel: dnsmasq on one namespace answers a client on another,
/// and the listener runs beside the client (or the resolver) and reports what went by.
/// </summary>
public sealed class PassiveDnsKernelTests(ResolverLab lab) : IClassFixture<ResolverLab>
{
    private static readonly DnsName Www = DnsName.Parse("www.example.org"), Edge = DnsName.Parse("edge.cdn.test");

    public static TheoryData<bool, bool> Transports() => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    private static void SkipUnlessSupported()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
    }

    private PassiveDnsListener Listen(AnswerCollector into, PassiveDnsOptions? options = null, bool onResolver = false) =>
        PassiveDnsListener.Start((onResolver ? lab.Resolver : lab.Client).NsPath, options ?? PassiveDnsOptions.Default, into.Add);

    [Theory]
    [MemberData(nameof(Transports))]
    public void An_answer_to_the_client_is_reported_with_its_interface_chain_and_end_points(bool tcp, bool ipv6)
    {
        SkipUnlessSupported();
        var answers = new AnswerCollector();
        using var listener = Listen(answers);
        var server = ipv6 ? ResolverLab.Resolver6 : ResolverLab.Resolver4;
        var type = ipv6 ? DnsType.AAAA : DnsType.A; // the record family is independent of the transport's; vary both
        var (_, from) = tcp
            ? DnsClient.Tcp(lab.Client, server, "www.example.org", type)
            : DnsClient.Udp(lab.Client, server, "www.example.org", type);

        var seen = answers.Next("www.example.org");
        Assert.Equal(lab.ClientInterface, seen.InterfaceIndex);
        Assert.Equal(CaptureDirection.Incoming, seen.Direction);
        Assert.Equal(tcp ? DnsTransport.Tcp : DnsTransport.Udp, seen.Transport);
        Assert.Equal(type, seen.QuestionType);
        Assert.Equal([Www, Edge], seen.ChainNames);
        var address = Assert.Single(seen.Addresses);
        Assert.Equal(Edge, address.Owner);
        Assert.Equal(ipv6 ? "fd00:9::8" : "10.9.0.8", address.Address.ToString());
        Assert.Equal(300u, address.Ttl);
        Assert.Equal(new IPEndPoint(server, 53), seen.Server);
        Assert.Equal(from, seen.Client);
        Assert.Null(listener.Failure);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_answer_split_across_TCP_segments_is_put_back_together(bool ipv6)
    {
        SkipUnlessSupported();
        var spare = ipv6 ? ResolverLab.Spare6 : ResolverLab.Spare4;
        using var server = SplittingTcpServer.Start(lab.Resolver, spare, query => new DnsMessage
        {
            Header = new DnsHeader(query.Header.Id, 0x8180),
            Questions = query.Questions,
            Answers = [.. Enumerable.Range(1, 40).Select(i => DnsRecord.Address(query.Questions[0].Name, 60, DnsAddress.Parse($"10.77.0.{i}")))],
        }.ToArray());
        var answers = new AnswerCollector();
        using var listener = Listen(answers);

        DnsClient.Tcp(lab.Client, spare, "split.example", DnsType.A);

        var seen = answers.Next("split.example");
        Assert.True(seen.Reassembled);
        Assert.Equal(40, seen.Addresses.Count);
        Assert.Equal(new IPEndPoint(spare, 53), seen.Server);
        Assert.Equal(1, listener.Counters.TcpReassembled);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Answers_behind_IPv4_options_or_IPv6_extension_headers_pass_the_filter(bool ipv6)
    {
        SkipUnlessSupported();
        var answers = new AnswerCollector();
        using var listener = Listen(answers);
        var spare = ipv6 ? ResolverLab.Spare6 : ResolverLab.Spare4;
        var client = ipv6 ? ResolverLab.Client6 : ResolverLab.Client4;

        // An answer nobody asked for, from port 53, with the kernel adding the headers: the
        // capture sees it before the client's stack turns it away.
        lab.Resolver.Run(() =>
        {
            using var socket = new Socket(spare.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (ipv6)
            {
                byte[] options = [0, 0, 1, 4, 0, 0, 0, 0]; // 8 bytes: a PadN option
                socket.SetRawSocketOption(IPPROTO_IPV6, IPV6_HOPOPTS, options);
                socket.SetRawSocketOption(IPPROTO_IPV6, IPV6_DSTOPTS, options);
            }
            else
            {
                socket.SetRawSocketOption(IPPROTO_IP, IP_OPTIONS, [1, 1, 1, 0]); // NOP NOP NOP EOL: IHL 6
            }
            socket.Bind(new IPEndPoint(spare, 53));
            socket.SendTo(Answers.For("options.example", "192.0.2.99"), new IPEndPoint(client, 40053));
            return 0;
        });

        var seen = answers.Next("options.example");
        Assert.Equal("192.0.2.99", Assert.Single(seen.Addresses).Address.ToString());
        Assert.Equal(new IPEndPoint(client, 40053), seen.Client);
    }

    private const int IPPROTO_IP = 0, IP_OPTIONS = 4, IPPROTO_IPV6 = 41, IPV6_HOPOPTS = 54, IPV6_DSTOPTS = 59;

    [Fact]
    public async Task Other_traffic_on_the_interface_is_dropped_in_the_kernel()
    {
        SkipUnlessSupported();
        var answers = new AnswerCollector();
        using var listener = Listen(answers);
        var before = lab.Client.Counters("c0");
        const int Flood = 3000;

        // UDP from the resolver's side to the client, ports other than 53...
        lab.Resolver.Run(() =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(ResolverLab.Resolver4, 5353));
            var payload = new byte[200];
            for (int i = 0; i < Flood; i++)
                socket.SendTo(payload, new IPEndPoint(ResolverLab.Client4, 9 + i % 100));
            return 0;
        });
        // ...queries the client sends (to port 53, not from it), and a TCP stream from another port.
        for (int i = 0; i < 20; i++)
        {
            lab.Client.Run(() =>
            {
                using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
                socket.SendTo(DnsClient.Query("nobody.example", DnsType.A), new IPEndPoint(ResolverLab.Spare6, 53));
                return 0;
            });
        }
        using (var server = lab.Resolver.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(ResolverLab.Spare4, 8053));
            s.Listen();
            return s;
        }))
        {
            var pump = Task.Run(() =>
            {
                using var connection = server.Accept();
                var chunk = new byte[64 * 1024];
                for (int i = 0; i < 32; i++)
                    connection.Send(chunk);
            });
            lab.Client.Run(() =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Connect(new IPEndPoint(ResolverLab.Spare4, 8053));
                DnsClient.ReadExactly(socket, 32 * 64 * 1024);
                return 0;
            });
            await pump;
        }

        // Then one real answer, which must come through.
        DnsClient.Udp(lab.Client, ResolverLab.Resolver4, "example.com", DnsType.A);
        answers.Next("example.com");

        var received = lab.Client.Counters("c0").Since(before);
        Assert.True(received.RxPackets >= Flood, $"the flood did not arrive: {received}");
        var counters = listener.Counters;
        Assert.Equal(0, counters.NotDns);
        Assert.Equal(1, counters.Packets);
        Assert.Equal(1, counters.Answers);
        Assert.Equal(1, counters.KernelPackets); // what the filter let through
        Assert.Equal(0, counters.KernelDrops);
    }

    [Fact]
    public void Answers_a_host_sends_are_reported_only_when_asked_for()
    {
        SkipUnlessSupported();
        var incomingOnly = new AnswerCollector();
        var withOutgoing = new AnswerCollector();
        using var resolverDefault = Listen(incomingOnly, onResolver: true);
        using var resolverOutgoing = Listen(withOutgoing, PassiveDnsOptions.Default with { IncludeOutgoing = true }, onResolver: true);

        var (_, from) = DnsClient.Udp(lab.Client, ResolverLab.Resolver6, "example.com", DnsType.AAAA);

        var seen = withOutgoing.Next("example.com");
        Assert.Equal(CaptureDirection.Outgoing, seen.Direction);
        Assert.Equal(lab.ResolverInterface, seen.InterfaceIndex);
        Assert.Equal(from, seen.Client);
        Assert.Equal("fd00:9::7", Assert.Single(seen.Addresses).Address.ToString());
        Assert.Empty(incomingOnly.Drain());
        Assert.Equal(0, resolverDefault.Counters.Packets);
    }

    [Fact]
    public void Loopback_is_left_out_unless_included()
    {
        SkipUnlessSupported();
        var withoutLo = new AnswerCollector();
        var withLo = new AnswerCollector();
        var onlyLo = new AnswerCollector();
        using var defaultListener = Listen(withoutLo, onResolver: true);
        using var loopbackListener = Listen(withLo, PassiveDnsOptions.Default with { IncludeLoopback = true }, onResolver: true);
        using var namedListener = Listen(onlyLo, PassiveDnsOptions.Default with { Interfaces = ["lo"] }, onResolver: true);

        // The resolver asking itself: the answer goes over lo.
        DnsClient.Udp(lab.Resolver, ResolverLab.Resolver4, "example.com", DnsType.A);

        Assert.Equal(1, withLo.Next("example.com").InterfaceIndex);
        Assert.Equal(1, onlyLo.Next("example.com").InterfaceIndex);
        Assert.Empty(withoutLo.Drain());
        Assert.Equal(0, defaultListener.Counters.Packets);
    }

    [Fact]
    public void A_listener_bound_to_named_interfaces_sees_only_those()
    {
        SkipUnlessSupported();
        var onC0 = new AnswerCollector();
        var onLo = new AnswerCollector();
        using var c0 = Listen(onC0, PassiveDnsOptions.Default with { Interfaces = ["c0"] });
        using var lo = Listen(onLo, PassiveDnsOptions.Default with { Interfaces = ["lo"] });

        DnsClient.Udp(lab.Client, ResolverLab.Resolver4, "example.com", DnsType.A);

        Assert.Equal(lab.ClientInterface, onC0.Next("example.com").InterfaceIndex);
        Assert.Empty(onLo.Drain());
        Assert.Equal(0, lo.Counters.Packets);
    }

    [Fact]
    public void Unknown_interfaces_and_bad_options_are_refused()
    {
        SkipUnlessSupported();
        var answers = new AnswerCollector();
        var e = Assert.Throws<InvalidOperationException>(() => Listen(answers, PassiveDnsOptions.Default with { Interfaces = ["nosuch0"] }));
        Assert.Contains("nosuch0", e.Message);
        Assert.Throws<ArgumentException>(() => Listen(answers, PassiveDnsOptions.Default with { Interfaces = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Listen(answers, PassiveDnsOptions.Default with { MaxPacketBytes = 100 }));
    }

    [Fact]
    public void Dispose_stops_the_thread_and_closes_the_sockets()
    {
        SkipUnlessSupported();
        int before = OpenPacketSockets();
        var listener = Listen(new AnswerCollector(), PassiveDnsOptions.Default with { Interfaces = ["c0", "lo"] });
        Assert.Equal(before + 2, OpenPacketSockets());
        listener.Dispose();
        listener.Dispose();
        Assert.Equal(before, OpenPacketSockets());
        Assert.Null(listener.Failure);
        _ = listener.Counters; // still readable
    }

    /// <summary>AF_PACKET sockets this process holds, from /proc/self/fd and the inodes in the client namespace's /proc/thread-self/net/packet (/proc/self/net is the main thread's namespace).</summary>
    private int OpenPacketSockets()
    {
        var inodes = lab.Client.Run(() => File.ReadAllLines("/proc/thread-self/net/packet").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToHashSet());
        return Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget ?? "";
                return target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]);
            }
            catch (IOException)
            {
                return false;
            }
        });
    }
}
