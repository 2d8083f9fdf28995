using System.Collections.Concurrent;
using Steer.Linux.Native;

namespace Steer.Lab;

/// <summary>Running things inside a built host. Everything started here is stopped when the lab
/// is disposed.</summary>
public sealed partial class LabHost
{
    private readonly ConcurrentBag<LabProcess> _processes = [];
    private readonly ConcurrentBag<EchoServer> _echoServers = [];
    private PacketCounters? _packetCounters;
    private readonly Lock _countersGate = new();

    /// <summary>Runs <c>ip netns exec NS argv...</c> to completion (15 s limit) and returns its exit code and output.</summary>
    public ExecResult Exec(params string[] argv) => Runner.Run(InNamespace(argv));

    /// <summary>As <see cref="Exec(string[])"/>, with stdin text and a time limit.</summary>
    public ExecResult Exec(ExecOptions options, params string[] argv) => Runner.Run(InNamespace(argv), options);

    /// <summary>Runs <c>ip netns exec NS argv...</c> to completion (15 s limit).</summary>
    public Task<ExecResult> ExecAsync(params string[] argv) => Runner.RunAsync(InNamespace(argv));

    /// <summary>As <see cref="ExecAsync(string[])"/>, with stdin text and a time limit.</summary>
    public Task<ExecResult> ExecAsync(ExecOptions options, params string[] argv) => Runner.RunAsync(InNamespace(argv), options);

    /// <summary>Starts a long-running command inside the namespace; it (and anything else still in
    /// the namespace) is killed when the lab is disposed.</summary>
    public LabProcess Start(params string[] argv)
    {
        var process = LabProcess.Start(InNamespace(argv));
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs <paramref name="work"/> on a thread inside the namespace; sockets it opens stay there.</summary>
    public T Run<T>(Func<T> work) => NetNamespace.Run(NsPath, work);

    /// <summary>Packet and byte counters of an interface of this host, as the kernel reports them
    /// (<c>ip -s link</c>). They include neighbour discovery and MLD; use
    /// <see cref="CountPackets"/> to count one kind of traffic exactly.</summary>
    public InterfaceCounters Counters(string iface) =>
        InterfaceCounters.Parse(Runner.Run(["ip", "-n", Namespace, "-s", "-j", "link", "show", "dev", iface]).EnsureSuccess().Stdout);

    /// <summary>Counts packets matching an nftables expression, e.g.
    /// <c>oifname "up2" ip daddr 10.9.0.1</c>, from now on. Expressions naming <c>iifname</c>
    /// are counted on the way in (prerouting), all others on the way out (postrouting), unless
    /// <paramref name="hook"/> says otherwise. Lives in table <c>inet lab</c> of this namespace.</summary>
    public PacketCounter CountPackets(string expression, CountHook hook = CountHook.Auto)
    {
        PacketCounters counters;
        lock (_countersGate)
            counters = _packetCounters ??= new PacketCounters(this);
        return counters.Add(expression, hook);
    }

    /// <summary>Starts an echo service on <paramref name="port"/> (TCP and UDP, IPv4 and IPv6)
    /// answering each client with the address and port it came from.</summary>
    public EchoServer Echo(int port)
    {
        var udpAddresses = Addresses.Select(a => a.Split('/')[0]).Append("127.0.0.1").Append("::1").Distinct();
        var server = EchoServer.Start(NsPath, port, udpAddresses.Select(System.Net.IPAddress.Parse).ToList());
        _echoServers.Add(server);
        return server;
    }

    internal string[] InNamespace(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0)
            throw new ArgumentException("a command is needed", nameof(argv));
        if (!_built)
            throw new InvalidOperationException($"host {Name} is not built yet");
        return ["ip", "netns", "exec", Namespace, .. argv];
    }

    /// <summary>Stops what the test process holds inside the namespace (sockets and TUN fds keep a
    /// namespace alive after its name is deleted) and the processes started here.</summary>
    internal async Task StopAsync(List<Exception> errors)
    {
        foreach (var server in _echoServers)
            await Collect(errors, server.DisposeAsync().AsTask());
        foreach (var tun in _tuns)
            await Collect(errors, Task.Run(tun.Dispose));
        foreach (var process in _processes)
            await Collect(errors, Task.Run(process.Dispose));
    }

    private static async Task Collect(List<Exception> errors, Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e)
        {
            errors.Add(e);
        }
    }
}
