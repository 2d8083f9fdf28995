using Steer.Lab;
using Steer.Policy.Configuration;
using Steer.Proxy;
using Steer.Proxy.Interception;

namespace Steer.Bench.Proxy;

/// <summary>One way the gateway carries the client's flows: started and stopped between runs.</summary>
internal abstract class Mode(string name)
{
    public string Name { get; } = name;

    /// <summary>The proxy's process id (for CPU and RSS), or null for kernel forwarding.</summary>
    public virtual int? Pid => null;

    public abstract Task StartAsync(Steer.Lab.Lab lab);

    public abstract Task StopAsync(Steer.Lab.Lab lab);

    protected static async Task WaitForListenerAsync(LabHost gateway, int port)
    {
        for (var i = 0; i < 100; i++)
        {
            if (gateway.Exec("ss", "-Hltn", $"sport = :{port}").Stdout.Trim().Length > 0)
                return;
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"nothing listens on :{port} in the gateway");
    }
}

internal sealed class ForwardMode() : Mode("kernel forwarding")
{
    public override Task StartAsync(Steer.Lab.Lab lab) => Task.CompletedTask;

    public override Task StopAsync(Steer.Lab.Lab lab) => Task.CompletedTask;
}

/// <summary>Steer's proxy plane in its own process in the gateway (this program's <c>serve</c>).</summary>
internal sealed class SteerMode(string configPath) : Mode("Steer TProxy")
{
    private LabProcess? _process;

    public override int? Pid => _process?.Pid;

    public override async Task StartAsync(Steer.Lab.Lab lab)
    {
        _process = lab["gw"].Start("dotnet", typeof(SteerMode).Assembly.Location, "serve", configPath);
        await _process.WaitForOutputAsync("ready", TimeSpan.FromSeconds(20));
        await WaitForListenerAsync(lab["gw"], ProxyBench.ProxyPort);
    }

    public override async Task StopAsync(Steer.Lab.Lab lab)
    {
        _process!.CloseInput();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        _process.Dispose();
        _process = null;
    }
}

/// <summary>v2ray 4.34 (Debian package): dokodemo-door with tproxy, freedom outbound with the bypass
/// mark; interception by the same nftables table and rules Steer uses, so only the proxy differs.</summary>
internal sealed class V2rayMode(string configPath, SteerConfig steerConfig) : Mode("v2ray TProxy")
{
    private LabProcess? _process;

    public override int? Pid => _process?.Pid;

    public static string Config(ProxyOptions options) => $$"""
        {
          "log": { "loglevel": "none" },
          "inbounds": [ { "port": {{ProxyBench.ProxyPort}}, "protocol": "dokodemo-door",
                          "settings": { "network": "tcp,udp", "followRedirect": true },
                          "streamSettings": { "sockopt": { "tproxy": "tproxy" } } } ],
          "outbounds": [ { "protocol": "freedom", "settings": {},
                           "streamSettings": { "sockopt": { "mark": {{options.BypassMark}} } } } ]
        }
        """;

    public override async Task StartAsync(Steer.Lab.Lab lab)
    {
        _process = lab["gw"].Start("v2ray", "-config", configPath);
        await WaitForListenerAsync(lab["gw"], ProxyBench.ProxyPort);
        InterceptionSetup.Install(InterceptionPlan.For(steerConfig, new ProxyOptions())!, lab["gw"].NsPath);
    }

    public override async Task StopAsync(Steer.Lab.Lab lab)
    {
        InterceptionSetup.Remove(new ProxyOptions().InterceptMark, steerConfig.Routing, lab["gw"].NsPath);
        _process!.Kill();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _process = null;
    }
}
