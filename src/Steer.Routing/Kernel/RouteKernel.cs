
using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Steer.Linux.Nft;
using Steer.Linux.Sysctls;
using Steer.Policy.Configuration;
using Steer.Routing.Compile;
using Steer.Routing.Model;
using Steer.Routing.Nft;

namespace Steer.Routing.Kernel;

/// <summary>
/// The route plane's access to one network namespace (the daemon's own, or a lab's by path):
/// reads facts and actual state, and applies a diff all or nothing. Netlink goes through one
/// handle; sysctls and nftables act on the calling thread's namespace, so they run on a thread
/// inside it when a path is given.
/// </summary>
public sealed class RouteKernel : IDisposable
{
    private readonly string? _netnsPath;
    private readonly NetlinkHandle _netlink;

    public RouteKernel(string? netnsPath = null)
    {
        _netnsPath = netnsPath;
        _netlink = netnsPath is null ? NetlinkHandle.Open() : NetlinkHandle.OpenAt(netnsPath);
    }

    public NetlinkHandle Netlink => _netlink;

    public string? NetnsPath => _netnsPath;

    // The namespace the current thread was moved into by EnterOnCurrentThread, if any.
    [ThreadStatic] private static string? t_entered;

    /// <summary>Runs <paramref name="work"/> in this kernel's namespace: directly on the caller's
    /// thread when it is there, else on a thread that enters it (one per call).</summary>
    public T InNamespace<T>(Func<T> work) =>
        _netnsPath is null || t_entered == _netnsPath ? work() : NetNamespace.Run(_netnsPath, work);

    /// <summary>Moves the calling thread (a dedicated worker of the caller's) into this kernel's
    /// namespace, so its sysctl and nft calls need no thread of their own.</summary>
    public void EnterOnCurrentThread()
    {
        if (_netnsPath is null || t_entered == _netnsPath)
            return;
        NetNamespace.EnterOnCurrentThread(_netnsPath);
        t_entered = _netnsPath;
    }

    public HostFacts ReadFacts(SteerConfig config, IReadOnlyDictionary<string, string> saved)
    {
        var links = _netlink.ListLinks();
        var addresses = _netlink.ListAddresses();
        var main = _netlink.ListRoutes(table: RouteTable.Main);
        var keys = RouteCompiler.SysctlKeys(config).Concat(saved.Keys).Distinct().ToList();
        var current = ReadSysctls(keys);
        var originals = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!current.ContainsKey(key))
                continue; // the interface is gone
            originals[key] = saved.TryGetValue(key, out var original) ? original : current[key];
        }
        return new HostFacts(links, addresses, main, originals);
    }

    public ActualState ReadActual(IEnumerable<string> sysctlKeys)
    {
        var routes = _netlink.ListRoutes();
        var rules = _netlink.ListRules();
        var (marks, drift) = InNamespace(() =>
        {
            using var nft = new NftContext();
            var read = MarkChains.Read(nft, out var d, out _);
            return (read, d);
        });
        return new ActualState(routes, rules, marks, drift, ReadSysctls(sysctlKeys));
    }

    public Dictionary<string, string> ReadSysctls(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        if (list.Count == 0)
            return new Dictionary<string, string>(StringComparer.Ordinal);
        return InNamespace(() =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in list)
            {
                try { values[key] = Sysctl.Read(key); }
                catch (LinuxException) { } // no such key: the interface does not exist
            }
            return values;
        });
    }

    public void WriteSysctl(string key, string value) => InNamespace(() =>
    {
        Sysctl.Write(key, value);
        return 0;
    });

    public void WriteMarks(IReadOnlyList<MarkBinding> marks) => InNamespace(() =>
    {
        using var nft = new NftContext();
        if (marks.Count > 0)
            nft.Run(MarkChains.WriteBatch(marks));
        else if (MarkChains.Read(nft, out _, out var others) is not null)
            nft.Run(MarkChains.RemoveBatch(others));
        return 0;
    });

    public IReadOnlyList<MarkBinding> ReadMarks() => InNamespace(() =>
    {
        using var nft = new NftContext();
        return MarkChains.Read(nft, out _, out _) ?? [];
    });

    public void Dispose() => _netlink.Dispose();
}
