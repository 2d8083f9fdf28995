using Steer.Integration.Tests.LabTests;
using Steer.Integration.Tests.Run;
using Steer.Lab;
using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Xunit;

namespace Steer.Integration.Tests.Daemon;

/// <summary>
/// A daemon test in the two-uplink lab: the server runs the echo service (10.9.0.1, fd00:9::1)
/// and whatever resolvers the test starts; the daemon is attached to a throw-away cgroup with its
/// own run and state directories, so nothing of the host's is touched; clients run in a child
/// cgroup of it. Everything is stopped and removed afterwards, also when the test fails.
/// </summary>
public abstract class DaemonLabTest : IAsyncLifetime
{
    /// <summary>The server's addresses on up1's and up2's networks, where resolvers listen.</summary>
    protected const string Up1Resolver = "10.1.0.1", Up2Resolver = "10.2.0.1";

    private Steer.Lab.Lab? lab;
    private readonly DaemonSandbox sandbox = new("steer-e2e");

    protected Steer.Lab.Lab Lab => lab ?? throw new InvalidOperationException("no lab (skipped?)");
    protected LabHost Host => Lab["host"];
    protected string RunDir => sandbox.RunDir;
    protected string StateDir => sandbox.StateDir;
    protected string CgroupName => sandbox.CgroupName;

    public async ValueTask InitializeAsync()
    {
        if (Steer.Lab.Lab.SkipReason is not null)
            return;
        lab = await TwoUplinks.BuildAsync();
        lab["server"].Echo(RunLabFixture.Port);
        StartServers(lab["server"]);
        sandbox.Create("clients");
    }

    /// <summary>Starts the test class's resolvers on the server.</summary>
    protected abstract void StartServers(LabHost server);

    /// <summary>A dnsmasq answering only from its arguments (no resolv.conf, no hosts file).</summary>
    protected static void Dnsmasq(LabHost server, string listen, params string[] records) =>
        server.Start(["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=",
            $"--listen-address={listen}", "--bind-interfaces", "--port=53", .. records]);

    public async ValueTask DisposeAsync()
    {
        if (lab is null)
            return;
        await sandbox.RemoveAsync(Host);
        await lab.DisposeAsync();
    }

    protected Task<ExecResult> SteerCli(params string[] args) => SteerCliWith([], args);

    /// <summary>steer with more environment (NAME=VALUE), e.g. STEER_RESOLV_CONF.</summary>
    protected Task<ExecResult> SteerCliWith(string[] env, params string[] args) => sandbox.SteerAsync(Host, env, args);

    /// <summary>Writes steer.yaml into the state directory and returns its path.</summary>
    protected async Task<string> Config(string yaml)
    {
        var path = Path.Combine(StateDir, "steer.yaml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }

    protected async Task WaitForDecisions(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            var listing = (await SteerCli("decision")).Stdout;
            if (listing.Contains($"{count} decision(s)", StringComparison.Ordinal))
                return;
            await Task.Delay(50);
        }
        Assert.Fail($"fewer than {count} decisions after 5 s:\n{(await SteerCli("decision")).Stdout}\n{(await SteerCli("status")).Stdout}");
    }

    /// <summary>The source address the echo service saw for a TCP connection from the clients'
    /// cgroup: which uplink the connection took.</summary>
    protected Task<string> SourceSeen(string service) =>
        CgroupClient.SourceSeenAsync(Host, new Cgroup(Path.Combine(sandbox.CgroupPath, "clients")), Clients.TcpCommand(service, RunLabFixture.Port));

    /// <summary>Asks Steer's resolver (at 127.0.0.1:5353 in these tests) over UDP or TCP.</summary>
    protected async Task<string> Dig(string name, string type, bool tcp = false) =>
        (await Host.ExecAsync("dig", "@127.0.0.1", "-p", "5353", tcp ? "+tcp" : "+notcp", "+short", "+tries=1", "+time=3", name, type))
            .EnsureSuccess().Stdout.Trim();
}
