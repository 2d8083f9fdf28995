using System.Collections.Concurrent;
using Steer.Linux.Netlink;

namespace Steer.Daemon;

/// <summary>
/// Interface name → ifindex for the name plane, so deciding an answer costs no netlink round
/// trip. Every entry is dropped when a link event (added, changed, deleted, renamed) names its
/// interface or its index, and all are dropped when the kernel lost events; a name that does not
/// exist is remembered as missing (<see cref="Missing"/>) until a link of that name appears.
/// </summary>
/// <remarks>
/// Never stale after the event is read: the monitor is subscribed before the first lookup, and a
/// lookup stores its answer only if no event was handled while it asked (a generation count), so
/// an answer from before a delete cannot land in the cache after the delete's invalidation. If
/// the monitor stops (an error), caching stops with it: every call asks the kernel again.
/// </remarks>
public sealed class InterfaceIndexes : IDisposable
{
    /// <summary>What <see cref="IndexOf"/> returns for an interface that does not exist.</summary>
    public const int Missing = 0;

    private readonly Func<string, int?> _lookup;
    private readonly NetlinkMonitor? _monitor;
    private readonly ConcurrentDictionary<string, int> _known = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TextWriter _log;
    private long _generation;
    private volatile bool _following;

    /// <summary>With a lookup and no monitor: the caller feeds <see cref="OnEvent"/> (tests).</summary>
    public InterfaceIndexes(Func<string, int?> lookup, TextWriter log)
    {
        _lookup = lookup;
        _log = log;
        _following = true;
    }

    private InterfaceIndexes(Func<string, int?> lookup, NetlinkMonitor monitor, TextWriter log) : this(lookup, log) => _monitor = monitor;

    /// <summary>Raised on the monitor's thread after the entry of an interface was dropped (its
    /// name): whoever copied an index elsewhere (the CIDR rule map) looks it up again.</summary>
    public event Action<string>? Changed;

    /// <summary>Follows the links of the calling thread's namespace; <paramref name="lookup"/>
    /// asks the kernel (it must be safe to call from several threads).</summary>
    public static InterfaceIndexes Follow(Func<string, int?> lookup, TextWriter log)
    {
        var monitor = NetlinkMonitor.Open(NetlinkGroups.Links); // before any lookup: no gap
        var indexes = new InterfaceIndexes(lookup, monitor, log);
        new Thread(indexes.ReadLoop) { IsBackground = true, Name = "steer interface indexes" }.Start();
        return indexes;
    }

    /// <summary>How many names are cached (missing ones included).</summary>
    public int Count => _known.Count;

    /// <summary>The interface's index now, or <see cref="Missing"/>.</summary>
    public int IndexOf(string name)
    {
        if (_following && _known.TryGetValue(name, out int index))
            return index;
        long generation = Interlocked.Read(ref _generation);
        index = _lookup(name) ?? Missing;
        lock (_gate)
        {
            if (_following && _generation == generation)
                _known[name] = index;
        }
        return index;
    }

    /// <summary>Drops what an event makes doubtful: the entry of the link's name and any entry
    /// holding its index (a rename leaves the old name's entry pointing at it).</summary>
    public void OnEvent(NetlinkEvent change)
    {
        List<string> dropped = [];
        lock (_gate)
        {
            _generation++;
            if (change is LinkEvent { Link: var link })
            {
                foreach (var (name, index) in _known)
                    if (name == link.Name || index == link.Index)
                        dropped.Add(name);
                if (!dropped.Contains(link.Name))
                    dropped.Add(link.Name); // announced even when not cached: a CIDR rule may name it
            }
            else if (change is EventsLost)
            {
                dropped.AddRange(_known.Keys);
            }
            foreach (var name in dropped)
                _known.TryRemove(name, out _);
        }
        foreach (var name in dropped)
            Changed?.Invoke(name);
    }

    private void ReadLoop()
    {
        var batch = new List<NetlinkEvent>();
        try
        {
            while (_monitor!.ReadEvents(batch))
            {
                foreach (var change in batch)
                    OnEvent(change);
                batch.Clear();
            }
        }
        catch (Exception e)
        {
            _log.WriteLine($"steer: interface index cache stopped following links ({e.Message}); every decision now asks the kernel");
            StopCaching();
        }
    }

    private void StopCaching()
    {
        lock (_gate)
        {
            _following = false;
            _generation++;
            _known.Clear();
        }
    }

    public void Dispose()
    {
        StopCaching();
        _monitor?.Dispose();
    }
}
