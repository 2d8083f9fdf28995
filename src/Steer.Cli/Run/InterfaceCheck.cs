using Steer.Linux.Netlink;

namespace Steer.Cli.Run;

/// <summary>Resolves --via before anything is attached: an unknown interface stops the run.</summary>
internal static class InterfaceCheck
{
    public sealed record Resolved(string Name, int Index);

    public static Resolved Resolve(string name, TextWriter log)
    {
        if (name.Length is 0 or > 15 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
            throw new UsageException($"--via {name}: not a valid interface name (1 to 15 characters, no '/' or spaces)");
        using var netlink = NetlinkHandle.Open();
        var link = netlink.GetLink(name);
        if (link is null)
        {
            var known = string.Join(", ", netlink.ListLinks().Select(l => l.Name).Order(StringComparer.Ordinal));
            throw new UsageException($"--via {name}: no such interface in this network namespace (there are: {known})");
        }
        if (name == "lo")
            throw new UsageException("--via lo: binding to the loopback interface would cut the program off from every other host");
        if (!link.IsUp)
            log.WriteLine($"steer: warning: {name} is down; connections fail until it is up (Steer never uses another interface)");
        return new Resolved(name, link.Index);
    }
}
