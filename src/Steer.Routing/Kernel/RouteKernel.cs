
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

    /// <summary>Everything a diff needs, read once: links, addresses, every route and rule,
    /// Steer's nft chains, and the sysctls the plane touches (with <paramref name="saved"/>
    /// originals standing in for values Steer changed).</summary>
    public (HostFacts Facts, ActualState Actual) Read(SteerConfig config, IReadOnlyDictionary<string, string> saved)
    {
        var links = _netlink.ListLinks();
        var addresses = _netlink.ListAddresses();
        var routes = _netlink.ListRoutes();
        var rules = _netlink.ListRules();
        var keys = RouteCompiler.SysctlKeys(config).Concat(saved.Keys).Distinct().ToList();
        var (current, marks, drift) = InNamespace(() =>
        {
            var values = ReadSysctlsHere(keys);
            // Without libnftables there can be no chains of Steer's; writing marks then fails with the reason.
            if (!NftContext.IsAvailable)
                return (values, (IReadOnlyList<MarkBinding>?)null, (string?)null);
            var (read, d) = WithNft(nft => (MarkChains.Read(nft, out var d, out _), d));
            return (values, read, d);
        });
        var originals = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (current.TryGetValue(key, out var value)) // absent: the interface is gone
                originals[key] = saved.TryGetValue(key, out var original) ? original : value;
        }
        var main = routes.Where(r => r.Table == RouteTable.Main).ToList();
        return (new HostFacts(links, addresses, main, originals), new ActualState(routes, rules, marks, drift, current));
    }

    // A libnftables context per long-lived thread (each talks to its thread's namespace): making
    // one reads configuration files, too slow to repeat on every reconcile. Throw-away namespace
    // threads get one for the call.
    [ThreadStatic] private static NftContext? t_nft;
    [ThreadStatic] private static string? t_nftNamespace;

    /// <summary>Runs <paramref name="work"/> with an nft context of the current thread, which is
    /// in this kernel's namespace (called inside <see cref="InNamespace"/>).</summary>
    private T WithNft<T>(Func<NftContext, T> work)
    {
        bool lasting = _netnsPath is null || t_entered == _netnsPath;
        if (!lasting)
        {
            using var once = new NftContext();
            return work(once);
        }
        var where = _netnsPath ?? "";
        if (t_nft is null || t_nftNamespace != where)
        {
            t_nft?.Dispose();
            t_nft = new NftContext();
            t_nftNamespace = where;
        }
        return work(t_nft);
    }

    private static Dictionary<string, string> ReadSysctlsHere(List<string> keys)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            try { values[key] = Sysctl.Read(key); }
            catch (LinuxException) { } // no such key: the interface does not exist
        }
        return values;
    }

    public void WriteSysctl(string key, string value) => InNamespace(() =>
    {
        Sysctl.Write(key, value);
        return 0;
    });

    public void WriteMarks(IReadOnlyList<MarkBinding> marks) => InNamespace(() => WithNft(nft =>
    {
        if (marks.Count > 0)
            nft.Run(MarkChains.WriteBatch(marks));
        else if (MarkChains.Read(nft, out _, out var others) is not null)
            nft.Run(MarkChains.RemoveBatch(others));
        return 0;
    }));

    public IReadOnlyList<MarkBinding> ReadMarks() => InNamespace(() => WithNft(nft => MarkChains.Read(nft, out _, out _) ?? []));

    public void Dispose() => _netlink.Dispose();
}
