using System.Diagnostics;
using System.Net;
using Steer.Lab;
using Steer.Proxy.Guard;

namespace Steer.Proxy.Tests.Lab;

/// <summary>
/// The loop guard against a lab whose bypass is broken on purpose (egress sockets unbound and
/// unmarked, and a route that sends the target back through the client): with the guard, one
/// client flow makes exactly one refused re-entry and the client gets an error at once; without
/// it, the same setup loops until the test stops it.
/// </summary>
[Collection(nameof(Measured))]
public sealed class LoopGuardTests
{
    private static readonly ProxyOptions BrokenBypass = new() { Bypass = false };

    /// <summary>Client flows per test: each must make exactly one refusal, always named as its
    /// egress flow by the registry (a re-entry racing the registration would show up as a second
    /// cause, refused by the host-address check instead).</summary>
    private const int Rounds = 10;

    [Theory]
    [InlineData(ProxyLab.Target4)]
    [InlineData(ProxyLab.Target6)]
    public async Task Tcp_loop_is_refused_once_and_the_client_gets_a_prompt_error(string target)
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        lab.BreakRouting();
        var engine = lab.Start(ProxyLab.BasicYaml, BrokenBypass);
        var fdsBefore = ProxyLab.OpenFds();
        var destination = new IPEndPoint(IPAddress.Parse(target), ProxyLab.EchoPort).ToString();

        for (var round = 1; round <= Rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            var outcome = lab.Client.Run(() => TryExchange(target, ProxyLab.EchoPort));
            var elapsed = watch.Elapsed;

            Assert.Equal("ConnectionReset", outcome);
            Assert.True(elapsed < TimeSpan.FromSeconds(2), $"round {round}: the client waited {elapsed}");
            Assert.Equal(round, engine.Guard.Refused);
            var cause = Assert.Single(engine.Guard.Causes);
            Assert.Equal(LoopCause.OwnEgress, cause.Cause);
            // The registry names the egress flow: registered before connect(), it cannot be beaten
            // by its own re-entry on another loop.
            Assert.True(cause.Description.Contains(" is tcp egress ", StringComparison.Ordinal), cause.Description);
            Assert.True(cause.Description.Contains($"→ {destination} (default auto", StringComparison.Ordinal), cause.Description);
        }
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(1500);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Assert.Equal(Rounds, Assert.Single(engine.Guard.Causes).Count);
        Assert.Equal(0, engine.Storm.LiveFlows);
        Assert.Equal(0, engine.Guard.LiveEgress);
        Assert.InRange(ProxyLab.OpenFds() - fdsBefore, -50, 10);
        Assert.True(cpu < TimeSpan.FromSeconds(1), $"CPU {cpu} in 1.5 s after the refusals");
        Assert.Contains("loop: its source is Steer's own egress flow", lab.Log.ToString());
    }

    /// <summary>Connects, sends a line, reads to the end: "ok" or the socket error.</summary>
    internal static string TryExchange(string address, int port)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveTimeout = 5000 };
        try
        {
            socket.Connect(IPAddress.Parse(address), port);
            socket.Send("hello\n"u8);
            var buffer = new byte[256];
            while (socket.Receive(buffer) > 0)
            {
            }
            return "ok";
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
    }

    [Theory]
    [InlineData(ProxyLab.Target4)]
    [InlineData(ProxyLab.Target6)]
    public async Task Udp_loop_is_dropped_once_per_datagram(string target)
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        lab.BreakRouting();
        var engine = lab.Start(ProxyLab.BasicYaml, BrokenBypass);
        var destination = new IPEndPoint(IPAddress.Parse(target), ProxyLab.EchoPort).ToString();

        for (var round = 1; round <= Rounds; round++)
        {
            // Each socat is a new client port: a new session, a new egress socket, one re-entry.
            await lab.Client.ExecAsync(Clients.UdpConnectedCommand(target, ProxyLab.EchoPort));

            Assert.Equal(round, engine.Guard.Refused);
            var cause = Assert.Single(engine.Guard.Causes);
            Assert.Equal(LoopCause.OwnEgress, cause.Cause);
            Assert.Equal("udp", cause.Protocol);
            Assert.True(cause.Description.Contains(" is udp egress ", StringComparison.Ordinal), cause.Description);
            Assert.True(cause.Description.Contains($"→ {destination} (default auto", StringComparison.Ordinal), cause.Description);
        }
        Assert.Equal(Rounds, engine.Storm.LiveFlows); // the clients' own sessions, until they idle out
        Assert.Equal(Rounds, engine.Guard.LiveEgress);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_the_guard_the_same_setup_loops(bool udp)
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        lab.BreakRouting();
        var engine = lab.Start(ProxyLab.BasicYaml, BrokenBypass with { Guard = false });

        var client = lab.Client.ExecAsync(udp ? Clients.UdpConnectedCommand(ProxyLab.Target4, ProxyLab.EchoPort)
                                              : Clients.TcpCommand(ProxyLab.Target4, ProxyLab.EchoPort));
        // Bounded by the test: stop as soon as the loop has made 300 flows from one client flow.
        var watch = Stopwatch.StartNew();
        while (engine.Storm.LiveFlows < 300 && watch.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(20);
        var flows = engine.Storm.LiveFlows;
        lab.StopEngine();
        try { await client; } catch (TimeoutException) { }

        Assert.True(flows >= 300, $"{flows} flows after {watch.Elapsed}: no loop?");
    }

    [Fact]
    public async Task With_the_bypass_the_broken_route_does_not_matter()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        lab.BreakRouting();
        var engine = lab.Start(ProxyLab.BasicYaml);

        var result = await lab.Client.ExecAsync(Clients.TcpCommand(ProxyLab.Target4, ProxyLab.EchoPort));

        Assert.True(result.ExitCode == 0, result + lab.Log.ToString());
        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse(result.Stdout).Address);
        Assert.Equal(0, engine.Guard.Refused);
    }
}

/// <summary>Tests that measure the process's fds and CPU run alone, not beside other labs.</summary>
[CollectionDefinition(nameof(Measured), DisableParallelization = true)]
public sealed class Measured;
