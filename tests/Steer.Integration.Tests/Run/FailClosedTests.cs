using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Run;

/// <summary>When the chosen uplink goes away, the program's connections fail; none takes up1.</summary>
public sealed class FailClosedTests
{
    [Theory]
    [InlineData("down")]
    [InlineData("delete")]
    public async Task Connections_fail_and_no_packet_takes_another_interface(string change)
    {
        TwoUplinks.SkipUnlessSupported();
        await using var lab = await TwoUplinks.BuildAsync();
        using var echo = lab["server"].Echo(7000);
        var host = lab["host"];
        var leaks = host.CountPackets($"oifname != \"up2\" ip daddr {TwoUplinks.Service4}");
        var leaks6 = host.CountPackets($"oifname != \"up2\" ip6 daddr {TwoUplinks.Service6}");
        var signal = Path.Combine(Path.GetTempPath(), $"steer-failclosed-{Guid.NewGuid():N}");

        // The program connects once (works), waits for the uplink to change, then tries TCP and
        // UDP over both families again; each later attempt must fail.
        string Cmd(string[] argv) => string.Join(' ', argv.Select(a => $"'{a}'"));
        var script = $"""
            {Cmd(Clients.TcpCommand(TwoUplinks.Service4, 7000))} || exit 10
            while [ ! -e {signal} ]; do sleep 0.05; done
            {Cmd(Clients.TcpCommand(TwoUplinks.Service4, 7000))} && exit 11
            {Cmd(Clients.TcpCommand(TwoUplinks.Service6, 7000))} && exit 12
            {Cmd(Clients.UdpConnectedCommand(TwoUplinks.Service4, 7000))} | grep -q SRC && exit 13
            {Cmd(Clients.UdpUnconnectedCommand(TwoUplinks.Service4, 7000))} | grep -q SRC && exit 14
            exit 0
            """;
        var run = host.ExecAsync(new ExecOptions(Timeout: TimeSpan.FromSeconds(30)), SteerBinary.Run("up2", "bash", "-c", script));
        await echo.WaitForPeerAsync(_ => true, TimeSpan.FromSeconds(10));
        host.Exec(change == "down" ? ["ip", "link", "set", "up2", "down"] : ["ip", "link", "del", "up2"]).EnsureSuccess();
        await File.WriteAllTextAsync(signal, "");
        try
        {
            var result = await run;
            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
            Assert.Equal(0, leaks.Read());
            Assert.Equal(0, leaks6.Read());
            Assert.Contains(change == "down" ? "up2 went down" : "up2 was deleted", result.Stderr);
        }
        finally
        {
            File.Delete(signal);
        }
    }

    [Fact]
    public async Task A_recreated_interface_of_the_same_name_is_used_again()
    {
        TwoUplinks.SkipUnlessSupported();
        await using var lab = await TwoUplinks.BuildAsync();
        using var echo = lab["server"].Echo(7000);
        var host = lab["host"];
        var signal = Path.Combine(Path.GetTempPath(), $"steer-rebind-{Guid.NewGuid():N}");
        var tcp = string.Join(' ', Clients.TcpCommand(TwoUplinks.Service4, 7000).Select(a => $"'{a}'"));
        var run = host.ExecAsync(new ExecOptions(Timeout: TimeSpan.FromSeconds(30)),
            SteerBinary.Run("up2", "bash", "-c", $"touch {signal}.started; while [ ! -e {signal} ]; do sleep 0.05; done; for i in $(seq 30); do {tcp} && exit 0; sleep 0.1; done; exit 1"));
        // The program runs only once steer has attached and watches up2: change it after that.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(signal + ".started") && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        // up2 goes away and comes back as a new veth (new index) with the same name and address.
        host.Exec("ip", "link", "del", "up2").EnsureSuccess();
        host.Exec("ip", "link", "add", "up2", "type", "veth", "peer", "name", "s2", "netns", lab["server"].Namespace).EnsureSuccess();
        host.Exec("ip", "addr", "add", "10.2.0.2/24", "dev", "up2").EnsureSuccess();
        host.Exec("ip", "link", "set", "up2", "up").EnsureSuccess();
        lab["server"].Exec("ip", "addr", "add", "10.2.0.1/24", "dev", "s2").EnsureSuccess();
        lab["server"].Exec("ip", "link", "set", "s2", "up").EnsureSuccess();
        host.Exec("ip", "route", "replace", "default", "via", "10.2.0.1", "table", "102").EnsureSuccess();
        await Task.Delay(300);
        await File.WriteAllTextAsync(signal, "");
        try
        {
            var result = (await run).EnsureSuccess();
            Assert.Equal(System.Net.IPAddress.Parse("10.2.0.2"), EchoReply.Parse(result.Stdout).Address);
            Assert.Contains("up2 is back", result.Stderr);
        }
        finally
        {
            File.Delete(signal);
            File.Delete(signal + ".started");
        }
    }

    [Fact]
    public async Task An_unknown_interface_is_refused_before_the_command_starts()
    {
        TwoUplinks.SkipUnlessSupported();
        await using var lab = await TwoUplinks.BuildAsync();
        var result = await lab["host"].ExecAsync(SteerBinary.Run("wg9", "echo", "ran"));

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("ran", result.Stdout);
        Assert.Contains("--via wg9: no such interface", result.Stderr);
    }
}
