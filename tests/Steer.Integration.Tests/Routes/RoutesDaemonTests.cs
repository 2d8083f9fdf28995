using Steer.Integration.Tests.Run;
using Steer.Lab;
using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Xunit;

namespace Steer.Integration.Tests.Routes;

/// <summary>
/// The route plane through the steer command in the topology: plan, start, explain,
/// apply and stop, with the daemon on the node (its own run directory, programs attached to a
/// throw-away cgroup).
/// </summary>
public sealed class RoutesDaemonTests : IAsyncLifetime
{
    private global::Steer.Lab.Lab? lab;
    private readonly Daemon.DaemonSandbox sandbox = new("steer-routes");
    private string StateDir => sandbox.StateDir;
    private string CgroupName => sandbox.CgroupName;

    public async ValueTask InitializeAsync()
    {
        if (global::Steer.Lab.Lab.SkipReason is not null)
            return;
        lab = await ServiceNode.BuildAsync();
        lab["node"].Echo(ServiceNode.Port);
        sandbox.Create();
    }

    public async ValueTask DisposeAsync()
    {
        if (lab is null)
            return;
        await sandbox.RemoveAsync(lab["node"]);
        await lab.DisposeAsync();
    }

    private Task<ExecResult> SteerCli(params string[] args) => sandbox.SteerAsync(lab!["node"], [], args);

    private string Write(string name, string text)
    {
        var path = Path.Combine(StateDir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Plan_start_explain_apply_and_stop_through_the_command()
    {
        if (global::Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        var node = lab!["node"];
        var before = ServiceNode.Dump(node);

        // A bad file: file:line, and nothing planned or started.
        var bad = Write("bad.yaml", "uplinks:\n  - interface: eth1\n    gateway: 10.1.0.300\n");
        var badPlan = await SteerCli("plan", "-c", bad);
        Assert.Equal(2, badPlan.ExitCode);
        Assert.Contains($"{bad}:3:", badPlan.Stderr, StringComparison.Ordinal);
        var badStart = await SteerCli("start", "--cgroup", CgroupName, "-c", bad);
        Assert.Equal(2, badStart.ExitCode);
        Assert.Equal(3, (await SteerCli("status")).ExitCode);
        Assert.Equal(before, ServiceNode.Dump(node));

        // plan prints exactly what start will do, and does nothing.
        var good = Write("steer.yaml", ServiceNode.Yaml);
        var plan = (await SteerCli("plan", "-c", good)).EnsureSuccess().Stdout;
        Assert.Contains("+ rule 10002: from 192.168.2.1/32 lookup", plan, StringComparison.Ordinal);
        Assert.Contains("+ route default via 10.1.0.1 dev eth1 table", plan, StringComparison.Ordinal);
        Assert.Contains("+ nft inet steer: connections arriving on eth2", plan, StringComparison.Ordinal);
        Assert.Contains("~ sysctl net.ipv4.conf.eth1.rp_filter = 2", plan, StringComparison.Ordinal);
        var json = (await SteerCli("plan", "-c", good, "--json")).EnsureSuccess().Stdout;
        Assert.Contains("\"canApply\": true", json, StringComparison.Ordinal);
        Assert.Equal(before, ServiceNode.Dump(node));

        (await SteerCli("start", "--cgroup", CgroupName, "-c", good)).EnsureSuccess();
        foreach (var client in new[] { "client1", "client2" })
            foreach (var service in new[] { ServiceNode.Service1, ServiceNode.Service2 })
                Assert.True(await ServiceNode.ReachesAsync(lab, client, service), $"{client} → {service}");
        Assert.Contains("no changes", (await SteerCli("plan", "-c", good)).EnsureSuccess().Stdout, StringComparison.Ordinal);
        var status = (await SteerCli("status", "--json")).EnsureSuccess().Stdout;
        Assert.Contains("2 uplinks", status, StringComparison.Ordinal);

        var explained = (await SteerCli("explain", "--from", ServiceNode.Service1, "--iif", "eth1", ServiceNode.Client1)).EnsureSuccess().Stdout;
        Assert.Contains("Steer marks the connection", explained, StringComparison.Ordinal);
        Assert.True(explained.Contains("rule         10001: from all fwmark", StringComparison.Ordinal), explained);
        Assert.Contains("leaves       eth1, where the request came in (symmetric)", explained, StringComparison.Ordinal);
        var local = (await SteerCli("explain", "--from", ServiceNode.Service2, ServiceNode.Client1)).EnsureSuccess().Stdout;
        Assert.True(local.Contains("rule         10002: from 192.168.2.1/32 lookup", StringComparison.Ordinal), local);

        // apply: the source rule goes, everything else stays.
        var fewer = Write("steer.yaml", ServiceNode.Yaml[..ServiceNode.Yaml.IndexOf("sources:", StringComparison.Ordinal)]);
        (await SteerCli("apply", "-c", fewer)).EnsureSuccess();
        Assert.DoesNotContain("10002:", node.Exec("ip", "rule", "show").Stdout, StringComparison.Ordinal);
        Assert.Contains("10001:", node.Exec("ip", "rule", "show").Stdout, StringComparison.Ordinal);

        (await SteerCli("stop")).EnsureSuccess();
        Assert.Equal(before, ServiceNode.Dump(node));
    }

    [Fact]
    public async Task Routes_and_the_proxy_run_side_by_side_and_stop_removes_both()
    {
        if (global::Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        var node = lab!["node"];
        var before = ServiceNode.Dump(node);
        var both = Write("steer.yaml", ServiceNode.Yaml + "\nproxy:\n  tproxy: { port: 7893, interfaces: [eth0] }\n");
        var plan = await SteerCli("plan", "-c", both);
        Assert.True(plan.Succeeded, plan.ToString());
        (await SteerCli("start", "--cgroup", CgroupName, "-c", both)).EnsureSuccess();
        var status = (await SteerCli("status", "--json")).EnsureSuccess().Stdout;
        Assert.Contains("\"routes\"", status, StringComparison.Ordinal);
        Assert.Contains("\"proxy\"", status, StringComparison.Ordinal);
        foreach (var client in new[] { "client1", "client2" })
            Assert.True(await ServiceNode.ReachesAsync(lab, client, ServiceNode.Service2), $"{client}\n{status}");
        // The proxy's rule sits in Steer's priority range: a sibling, not a collision.
        Assert.Contains("no changes", (await SteerCli("plan", "-c", both)).EnsureSuccess().Stdout, StringComparison.Ordinal);
        (await SteerCli("apply", "-c", both)).EnsureSuccess();
        (await SteerCli("stop")).EnsureSuccess();
        Assert.Equal(before, ServiceNode.Dump(node));
    }
}
