using System.Net;
using Steer.Lab;
using Steer.Policy.Configuration;
using Steer.Proxy.Interception;

namespace Steer.Proxy.Tests.Lab;

/// <summary>`steer apply` on the proxy plane: rules change at once, a new inbound opens, and
/// removing the section takes interception out.</summary>
public sealed class ApplyTests
{
    [Fact]
    public async Task Apply_changes_rules_and_inbounds_and_removal_takes_interception_out()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        await using var lab = await ProxyLab.BuildAsync();
        var options = new ProxyOptions { NetnsPath = lab.Gateway.NsPath, Loops = 1 };
        using var service = ProxyService.Start(ConfigLoader.LoadOrThrow(ProxyLab.BasicYaml), options, TextWriter.Synchronized(lab.Log), null)!;
        Assert.Equal(IPAddress.Parse(ProxyLab.GatewayWan4), EchoReply.Parse((await lab.Client.ExecAsync(Clients.TcpCommand(ProxyLab.Target4, ProxyLab.EchoPort))).Stdout).Address);

        service.Apply(ConfigLoader.LoadOrThrow("""
            rules:
              - { cidr: 10.99.0.1/32, action: reject }
            proxy:
              tproxy: { port: 7893, interfaces: [lan0] }
              socks: { listen: "10.10.0.1:1080" }
            """));
        Assert.DoesNotContain("SRC", (await lab.Client.ExecAsync(Clients.TcpCommand(ProxyLab.Target4, ProxyLab.EchoPort))).Stdout);
        Assert.Equal(97, (await lab.Client.ExecAsync("curl", "-sS", "--max-time", "5", "--socks5", "10.10.0.1:1080", "http://10.99.0.1:7000/")).ExitCode);

        service.Apply(ConfigLoader.LoadOrThrow("rules: []\n"));
        Assert.False(InterceptionSetup.IsInstalled(options.InterceptMark, options.NetnsPath));
        Assert.Equal(IPAddress.Parse("10.10.0.2"), EchoReply.Parse((await lab.Client.ExecAsync(Clients.TcpCommand(ProxyLab.Target4, ProxyLab.EchoPort))).Stdout).Address);
    }
}
