using Steer.Linux.Native;

namespace Steer.Cli.Run;

/// <summary>Resolves --via before anything is attached: an unknown interface stops the run.</summary>
internal static class InterfaceCheck
{
    public sealed record Resolved(string Name, int Index);

    public static Resolved Resolve(string name, TextWriter log)
    {
        if (name.Length is 0 or > 15 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
            throw new UsageException($"--via {name}: not a valid interface name (1 to 15 characters, no '/' or spaces)");
        int index = (int)Libc.if_nametoindex(name);
        if (index == 0)
        {
            var known = Directory.Exists("/sys/class/net") ? string.Join(", ", Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).Order(StringComparer.Ordinal)) : "";
            throw new UsageException($"--via {name}: no such interface in this network namespace" + (known.Length > 0 ? $" (there are: {known})" : ""));
        }
        if (name == "lo")
            throw new UsageException("--via lo: binding to the loopback interface would cut the program off from every other host");
        var operstate = $"/sys/class/net/{name}/flags";
        if (File.Exists(operstate) && (Convert.ToInt32(File.ReadAllText(operstate).Trim(), 16) & 1) == 0)
            log.WriteLine($"steer: warning: {name} is down; connections fail until it is up (Steer never uses another interface)");
        return new Resolved(name, index);
    }
}
