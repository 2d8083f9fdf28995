using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Steer.Proxy.Tests.Lab;

/// <summary>
/// Idle timeouts of relayed TCP flows: a flow with no byte either way past the limit (or, once one
/// direction has ended, past the half-closed limit) is reset on both sides and leaves the flow list
/// (<c>steer conns</c>). UDP session expiry is <see cref="TproxyTests"/>'s.
/// </summary>
public sealed class IdleTests
{
    private const int Port = 7100;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Idle_tcp_flow_is_reset_on_both_sides_and_leaves_conns(bool halfClosed)
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        // The limit under test is short; the other one is long, so only the one meant can fire.
        var options = halfClosed ? new ProxyOptions { TcpIdleMs = 60_000, HalfClosedIdleMs = 1500 } : new ProxyOptions { TcpIdleMs = 1500, HalfClosedIdleMs = 60_000 };
        var engine = lab.Start(ProxyLab.BasicYaml, options);
        // Sockets are created inside the namespaces and then used from the test's own threads.
        using var listener = lab.Server.Run(() =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(ProxyLab.Target4), Port));
            socket.Listen();
            return socket;
        });
        using var client = lab.Client.Run(() =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
            socket.Connect(IPAddress.Parse(ProxyLab.Target4), Port);
            return socket;
        });
        using var server = listener.Accept();
        server.ReceiveTimeout = 10_000;

        // Relayed both ways, then silence.
        client.Send("ping"u8);
        var buffer = new byte[16];
        Assert.Equal(4, server.Receive(buffer));
        server.Send("pong"u8);
        Assert.Equal(4, client.Receive(buffer));
        if (halfClosed)
        {
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, server.Receive(buffer)); // the FIN was passed on
        }
        var flow = Assert.Single(engine.Flows());
        Assert.Equal("relaying", flow.State);
        var watch = Stopwatch.StartNew();

        var clientSaw = await Task.Run(() => Outcome(() => client.Receive(buffer)));
        var elapsed = watch.Elapsed;
        var serverSaw = halfClosed ? await SendUntilRefusedAsync(server) : Outcome(() => server.Receive(buffer));

        Assert.Equal("ConnectionReset", clientSaw);
        // A reset that finds the server in CLOSE_WAIT (it had the client's FIN) is reported as EPIPE.
        Assert.Equal(halfClosed ? "Shutdown" : "ConnectionReset", serverSaw);
        // The limit (1.5 s) checked on the loops' one-second tick.
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
        Assert.Empty(engine.Flows());
        Assert.Equal(0, engine.Storm.LiveFlows);
        Assert.Equal(0, engine.Guard.LiveEgress);
    }

    /// <summary>A half-closed server has read its EOF, so only a send tells the reset: the first
    /// send after it fails (the reset may still be on its way when the client has seen its own).</summary>
    private static async Task<string> SendUntilRefusedAsync(Socket server)
    {
        var outcome = "";
        for (var i = 0; i < 40 && (outcome = Outcome(() => server.Send("late"u8))).StartsWith("ok", StringComparison.Ordinal); i++)
            await Task.Delay(50);
        return outcome;
    }

    /// <summary>"ok n" or the socket error the call ended with.</summary>
    private static string Outcome(Func<int> call)
    {
        try
        {
            return $"ok {call()}";
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
    }
}
