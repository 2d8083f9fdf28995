using Steer.Policy.Configuration;
using Steer.Routing;
using Steer.Routing.Kernel;

namespace Steer.Daemon.Planes;

/// <summary>
/// The route plane (src/Steer.Routing) as a daemon plane: uplink tables, oif/fwmark/source rules
/// and the conntrack marks of <c>return: symmetric</c>, kept in step with netlink events. It is
/// started with every daemon — a later <c>steer apply</c> may add uplinks — and at start adopts
/// what an earlier daemon left (its objects carry Steer's protocol number).
/// </summary>
internal sealed class RoutesDaemonPlane : IDaemonPlane
{
    private readonly RoutePlane _plane;

    private RoutesDaemonPlane(RoutePlane plane) => _plane = plane;

    /// <summary>Where the original values of the sysctls the plane changes are kept.</summary>
    public static string SysctlStatePath(DaemonPaths paths) => Path.Combine(paths.RunDirectory, "routes-sysctls.json");

    public static IDaemonPlane Create(SteerConfig config, PlaneContext context)
    {
        var plane = new RoutePlane(new RoutePlaneOptions(null, SysctlStatePath(context.Paths), context.Log));
        try
        {
            var adapter = new RoutesDaemonPlane(plane);
            adapter.Apply(config);
            return adapter;
        }
        catch
        {
            plane.Dispose();
            throw;
        }
    }

    /// <summary>`steer stop` with no daemon running: removes what a dead daemon's route plane left.</summary>
    public static void RemoveLeftovers(DaemonPaths paths, TextWriter log)
    {
        using var plane = new RoutePlane(new RoutePlaneOptions(null, SysctlStatePath(paths), log));
        plane.RemoveAll();
    }

    public string Name => "routes";

    public string Summary => _plane.Summary;

    public void Apply(SteerConfig config)
    {
        try
        {
            _plane.Apply(config);
        }
        catch (RoutePlaneException e)
        {
            throw new PlaneException($"routes: {e.Message}", e);
        }
    }

    public void RemoveAll() => _plane.RemoveAll();

    public void Dispose() => _plane.Dispose();
}
