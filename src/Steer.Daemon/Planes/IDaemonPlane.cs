using Steer.Policy.Configuration;

namespace Steer.Daemon.Planes;

/// <summary>
/// A plane the daemon runs beside its socket and name planes (the route plane of uplinks, the
/// proxy plane). The daemon owns the lifecycle: it starts every plane at start, hands each the
/// whole configuration on `steer apply`, and removes them in reverse order on `steer stop`.
/// </summary>
public interface IDaemonPlane : IDisposable
{
    /// <summary>A short name for status and logs: "routes", "proxy".</summary>
    string Name { get; }

    /// <summary>Makes the plane match <paramref name="config"/>, all or nothing: on failure the
    /// plane is left as it was and the exception says what is wrong. Called again with the
    /// previous configuration when a later plane refuses an apply.</summary>
    void Apply(SteerConfig config);

    /// <summary>Whether <paramref name="config"/> still asks for this plane. When it does not (its
    /// section was removed), `steer apply` retires the plane — RemoveAll, then Dispose — instead
    /// of applying it; a later apply that asks for it again gets a new one from the factory.
    /// Planes that run with every daemon keep the default.</summary>
    bool Uses(SteerConfig config) => true;

    /// <summary>One line for `steer status`: what this plane enforces now.</summary>
    string Summary { get; }

    /// <summary>Removes everything this plane made in the kernel (`steer stop`). <see
    /// cref="IDisposable.Dispose"/> alone only releases the process's resources and leaves the
    /// kernel state for the next start to adopt (the daemon died or is restarting).</summary>
    void RemoveAll();
}

/// <summary>Makes a plane at daemon start, adopting what an earlier daemon left in the kernel.
/// Returns null when <paramref name="config"/> does not use this plane and nothing of it is
/// left to adopt.</summary>
public delegate IDaemonPlane? DaemonPlaneFactory(SteerConfig config, PlaneContext context);

/// <summary>What the daemon hands every plane it starts: its log, its run and state
/// directories, and the name plane's address → name map (for domain rules on flows that come
/// as addresses). Planes reference neither the daemon nor each other.</summary>
/// <param name="Resolver">Where the daemon's own resolver listens now (null while it runs none):
/// the proxy resolves names of SOCKS requests there.</param>
public sealed record PlaneContext(TextWriter Log, DaemonPaths Paths, Func<System.Net.IPAddress, string?> AddressNames,
    Func<System.Net.IPEndPoint?>? Resolver = null);

/// <summary>A plane refused a configuration or could not reach it in the kernel; the message
/// says what and why, and the plane is as it was.</summary>
public sealed class PlaneException(string message, Exception? inner = null) : Exception(message, inner);
