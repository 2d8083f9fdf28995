using Steer.Lab;

namespace Steer.Proxy.Tests.Lab;

public sealed class DebugTests
{
    [Fact]
    public async Task Dump()
    {
        await using var lab = await ProxyLab.BuildAsync();
        lab.Start(ProxyLab.BasicYaml);
        var t = lab.Client.ExecAsync(Clients.TcpCommand(ProxyLab.Target4, ProxyLab.EchoPort));
        await Task.Delay(1000);
        var text = string.Join("\n", new[] {
            lab.Gateway.Exec("nft", "list", "ruleset").Stdout,
            lab.Gateway.Exec("ip", "rule").Stdout,
            lab.Gateway.Exec("ip", "-6", "rule").Stdout,
            lab.Gateway.Exec("ip", "route", "show", "table", "all").Stdout,
            lab.Gateway.Exec("ss", "-tuanp").Stdout,
            lab.Log.ToString() });
        Assert.Fail(text);
    }
}
