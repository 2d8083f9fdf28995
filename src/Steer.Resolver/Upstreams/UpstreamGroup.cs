namespace Steer.Resolver.Upstreams;

/// <summary>
/// The upstreams one route asks (those tagged with an interface, or the untagged ones), in the
/// configured order. A query starts at the preferred one and fails over along the list; a
/// timeout moves the preference on, so while an upstream is down, queries start with the next.
/// </summary>
internal sealed class UpstreamGroup(string? device, UpstreamServer[] servers)
{
    private int _preferred;

    /// <summary>The interface every query of this group leaves through (SO_BINDTODEVICE), or null.</summary>
    public string? Device { get; } = device;

    public UpstreamServer[] Servers { get; } = servers;

    /// <summary>The server for attempt <paramref name="attempt"/> (0-based) of a query.</summary>
    public UpstreamServer ServerFor(int attempt, int start) => Servers[(start + attempt) % Servers.Length];

    public int Preferred => Volatile.Read(ref _preferred);

    /// <summary>A server timed out: if it was the preferred one, prefer the next.</summary>
    public void Demote(UpstreamServer server)
    {
        int current = Volatile.Read(ref _preferred);
        if (ReferenceEquals(Servers[current % Servers.Length], server))
            Interlocked.CompareExchange(ref _preferred, (current + 1) % Servers.Length, current);
    }

    public void Dispose()
    {
        foreach (var server in Servers)
            server.Dispose();
    }
}
