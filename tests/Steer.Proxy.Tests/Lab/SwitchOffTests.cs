using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Steer.Proxy.Interception;

namespace Steer.Proxy.Tests.Lab;

/// <summary>
/// After stop, the gateway forwards at full rate at once. The trap: the proxy's intercepted-side
/// sockets in TIME_WAIT hold the clients' own 4-tuples; once interception is gone, early demux
/// attaches a forwarded SYN that reuses one to that socket and forwarding drops it — connections
/// stall for up to a minute. Clients here have 50 ports, so every port is reused at once.
/// </summary>
public sealed class SwitchOffTests
{
    private const int Connections = 150;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task After_stop_new_connections_are_forwarded_at_once(bool clearTimeWait)
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        lab.Client.Sysctl("net.ipv4.ip_local_port_range", "40000 40049");
        var config = Steer.Policy.Configuration.ConfigLoader.LoadOrThrow(ProxyLab.BasicYaml);
        var options = new ProxyOptions { NetnsPath = lab.Gateway.NsPath, Loops = 2 };
        var service = ProxyService.Start(config, options, TextWriter.Synchronized(lab.Log), null)!;

        var proxied = lab.Client.Run(() => Churn(Connections, 2000));
        Assert.True(proxied.Failures == 0, $"through the proxy: {proxied}");
        var timeWait = lab.Gateway.Exec("ss", "-Htn", "state", "time-wait").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.True(timeWait > 0, "the proxy left no TIME_WAIT: the test would prove nothing");

        if (clearTimeWait)
            service.RemoveAll();
        else
        {
            // What stop would be without clearing TIME_WAIT: interception out, flows gone.
            service.Dispose();
            InterceptionSetup.Remove(options.InterceptMark, config.Routing, options.NetnsPath);
        }
        // 700 ms: below the first SYN retransmission (1 s), so a black-holed SYN counts as a failure.
        var forwarded = lab.Client.Run(() => Churn(clearTimeWait ? Connections : 20, 700));

        if (clearTimeWait)
        {
            Assert.True(forwarded.Failures == 0, $"after stop: {forwarded}; {lab.Log}");
            Assert.True(forwarded.Elapsed < TimeSpan.FromSeconds(10), $"after stop: {forwarded}");
            Assert.Contains("cleared", lab.Log.ToString());
            Assert.Equal(IPAddress.Parse("10.10.0.2"), forwarded.SeenAs);
        }
        else
            Assert.True(forwarded.Failures > 0, $"TIME_WAIT did not black-hole anything: {forwarded}");
    }

    private sealed record ChurnResult(int Failures, TimeSpan Elapsed, IPAddress? SeenAs)
    {
        public override string ToString() => $"{Failures} of {Connections} failed in {Elapsed.TotalSeconds:F2} s, seen as {SeenAs}";
    }

    /// <summary>Short connections one after another, each with <paramref name="timeoutMs"/> to connect and answer.</summary>
    private static ChurnResult Churn(int count, int timeoutMs)
    {
        var failures = 0;
        IPAddress? seenAs = null;
        var watch = Stopwatch.StartNew();
        var buffer = new byte[256];
        for (var i = 0; i < count; i++)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var timeout = new CancellationTokenSource(timeoutMs);
                socket.ConnectAsync(IPAddress.Parse(ProxyLab.Target4), ProxyLab.EchoPort, timeout.Token).AsTask().GetAwaiter().GetResult();
                socket.Send("hi\n"u8);
                var filled = 0;
                int n;
                while ((n = socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token).AsTask().GetAwaiter().GetResult()) > 0)
                    filled += n;
                seenAs = Steer.Lab.EchoReply.Parse(System.Text.Encoding.ASCII.GetString(buffer, 0, filled)).Address;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                failures++;
            }
        }
        return new ChurnResult(failures, watch.Elapsed, seenAs);
    }
}
