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

/// <summary>The started planes, applied together: all or nothing across planes.</summary>
public sealed class PlaneSet : IDisposable
{
    private readonly List<IDaemonPlane> _planes = [];
    private readonly TextWriter _log;

    private PlaneSet(TextWriter log) => _log = log;

    public IReadOnlyList<IDaemonPlane> Planes => _planes;

    /// <summary>Starts every plane <paramref name="config"/> uses; if one fails, those already
    /// started are removed again and the failure propagates.</summary>
    public static PlaneSet Start(SteerConfig config, PlaneContext context,
        IReadOnlyList<(string Name, DaemonPlaneFactory Create)>? kinds = null)
    {
        var set = new PlaneSet(context.Log);
        try
        {
            foreach (var (_, create) in kinds ?? DaemonPlanes.Kinds)
                if (create(config, context) is { } plane)
                    set._planes.Add(plane);
            return set;
        }
        catch
        {
            set.RemoveAll();
            throw;
        }
    }

    /// <summary>Applies <paramref name="next"/> to every plane in order; when one refuses, the
    /// planes already changed get <paramref name="previous"/> back, and the refusal propagates.</summary>
    public void Apply(SteerConfig next, SteerConfig previous)
    {
        var applied = 0;
        try
        {
            foreach (var plane in _planes)
            {
                plane.Apply(next);
                applied++;
            }
        }
        catch
        {
            for (var i = applied - 1; i >= 0; i--)
            {
                try { _planes[i].Apply(previous); }
                catch (Exception e) { _log.WriteLine($"steer: {_planes[i].Name}: could not restore the previous configuration: {e.Message}"); }
            }
            throw;
        }
    }

    /// <summary>`steer stop`: every plane removes its kernel state, last started first.</summary>
    public void RemoveAll()
    {
        for (var i = _planes.Count - 1; i >= 0; i--)
        {
            try { _planes[i].RemoveAll(); }
            catch (Exception e) { _log.WriteLine($"steer: {_planes[i].Name}: stop: {e.Message}"); }
            _planes[i].Dispose();
        }
        _planes.Clear();
    }

    public void Dispose()
    {
        foreach (var plane in _planes)
            plane.Dispose();
        _planes.Clear();
    }
}
