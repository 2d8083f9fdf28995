using Steer.Policy.Configuration;

namespace Steer.Daemon.Planes;

/// <summary>
/// The planes beyond sockets and names, in the order they start (and the reverse order they
/// stop): routes before the proxy, whose interception needs the uplinks' tables. Each plane
/// adds its factory here.
/// </summary>
public static class DaemonPlanes
{
    public static IReadOnlyList<(string Name, DaemonPlaneFactory Create)> Kinds { get; } =
    [
        ("routes", RoutesDaemonPlane.Create),
        ("proxy", ProxyDaemonPlane.Create),
    ];
}

/// <summary>
/// The running planes, applied together: all or nothing across planes. `steer apply` also starts a
/// plane whose factory now returns one (a <c>proxy:</c> section was added) and retires one that
/// no longer <see cref="IDaemonPlane.Uses"/> the configuration (its section was removed) — no
/// restart needed. Planes keep the order of <see cref="DaemonPlanes.Kinds"/>.
/// </summary>
public sealed class PlaneSet : IDisposable
{
    private readonly IReadOnlyList<(string Name, DaemonPlaneFactory Create)> _kinds;
    private readonly IDaemonPlane?[] _slots; // one per kind, null while the kind is not running
    private readonly PlaneContext _context;
    private readonly TextWriter _log;

    private PlaneSet(PlaneContext context, IReadOnlyList<(string Name, DaemonPlaneFactory Create)> kinds)
    {
        _context = context;
        _log = context.Log;
        _kinds = kinds;
        _slots = new IDaemonPlane?[kinds.Count];
    }

    /// <summary>The running planes, in start order.</summary>
    public IReadOnlyList<IDaemonPlane> Planes => [.. _slots.OfType<IDaemonPlane>()];

    /// <summary>Starts every plane <paramref name="config"/> uses; if one fails, those already
    /// started are removed again and the failure propagates.</summary>
    public static PlaneSet Start(SteerConfig config, PlaneContext context,
        IReadOnlyList<(string Name, DaemonPlaneFactory Create)>? kinds = null)
    {
        var set = new PlaneSet(context, kinds ?? DaemonPlanes.Kinds);
        try
        {
            for (var i = 0; i < set._kinds.Count; i++)
                set._slots[i] = set._kinds[i].Create(config, context);
            return set;
        }
        catch
        {
            set.RemoveAll();
            throw;
        }
    }

    /// <summary>
    /// Makes the planes match <paramref name="next"/>, in start order: a running plane that still
    /// uses it applies it, a kind not running is offered it (its factory starts a plane or returns
    /// null). When one refuses, everything done is undone in reverse — changed planes get
    /// <paramref name="previous"/> back, planes just started are removed — and the refusal
    /// propagates. Only when all succeeded are the planes <paramref name="next"/> no longer uses
    /// retired (RemoveAll, then Dispose), last started first: retiring cannot be refused.
    /// </summary>
    public void Apply(SteerConfig next, SteerConfig previous)
    {
        var undo = new Stack<(int Slot, bool Started)>();
        try
        {
            for (var i = 0; i < _kinds.Count; i++)
            {
                if (_slots[i] is { } plane)
                {
                    if (!plane.Uses(next))
                        continue; // retired below, once the others have taken the configuration
                    plane.Apply(next);
                    undo.Push((i, false));
                }
                else if (_kinds[i].Create(next, _context) is { } started)
                {
                    _slots[i] = started;
                    undo.Push((i, true));
                    _log.WriteLine($"steer: {started.Name}: started by apply");
                }
            }
        }
        catch
        {
            while (undo.TryPop(out var step))
            {
                var plane = _slots[step.Slot]!;
                try
                {
                    if (step.Started)
                    {
                        _slots[step.Slot] = null;
                        plane.RemoveAll();
                        plane.Dispose();
                    }
                    else
                    {
                        plane.Apply(previous);
                    }
                }
                catch (Exception e) { _log.WriteLine($"steer: {plane.Name}: could not restore the previous configuration: {e.Message}"); }
            }
            throw;
        }
        for (var i = _slots.Length - 1; i >= 0; i--)
        {
            if (_slots[i] is { } plane && !plane.Uses(next))
            {
                _slots[i] = null;
                Retire(plane);
                _log.WriteLine($"steer: {plane.Name}: stopped by apply (its section is gone)");
            }
        }
    }

    private void Retire(IDaemonPlane plane)
    {
        try { plane.RemoveAll(); }
        catch (Exception e) { _log.WriteLine($"steer: {plane.Name}: stop: {e.Message}"); }
        plane.Dispose();
    }

    /// <summary>`steer stop`: every plane removes its kernel state, last started first.</summary>
    public void RemoveAll()
    {
        for (var i = _slots.Length - 1; i >= 0; i--)
        {
            if (_slots[i] is { } plane)
            {
                _slots[i] = null;
                Retire(plane);
            }
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i]?.Dispose();
            _slots[i] = null;
        }
    }
}
