using System.Text.RegularExpressions;

namespace Steer.Lab;

/// <summary>
/// Namespace names of lab runs: <c>stl-PID-N-HOST</c>. The owner's pid makes names unique between
/// test processes and lets a later run recognise leftovers of a dead one; N counts labs in-process.
/// </summary>
internal static partial class LabNames
{
    public const string Prefix = "stl-";
    public const string NetnsDir = "/run/netns";
    private static int _counter;

    public static string NextRunId() => $"{Prefix}{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";

    /// <summary>The pid encoded in a lab namespace name, or null for any other name.</summary>
    public static int? OwnerOf(string nsName)
    {
        var match = OwnerPattern().Match(nsName);
        return match.Success && int.TryParse(match.Groups[1].Value, out var pid) ? pid : null;
    }

    /// <summary>Namespaces of any lab run, live or not.</summary>
    public static IReadOnlyList<string> ExistingNamespaces() =>
        Directory.Exists(NetnsDir)
            ? Directory.GetFiles(NetnsDir, Prefix + "*").Select(Path.GetFileName).OfType<string>().ToList()
            : [];

    /// <summary>Host names stay short so a namespace name stays readable in <c>ip netns</c>.</summary>
    public static void ValidateHost(string name)
    {
        if (!HostPattern().IsMatch(name))
            throw new ArgumentException($"host name '{name}' must be 1-12 of [a-z0-9], starting with a letter", nameof(name));
    }

    /// <summary>Kernel limit: IFNAMSIZ is 16 with the terminating NUL.</summary>
    public static void ValidateInterface(string name)
    {
        if (name.Length is 0 or > 15 || name.Any(c => c is '/' or ':' or ' ' or '%') || name is "." or "..")
            throw new ArgumentException($"interface name '{name}' must be 1-15 characters without '/', ':', '%' or spaces", nameof(name));
    }

    [GeneratedRegex(@"^stl-(\d+)-")]
    private static partial Regex OwnerPattern();

    [GeneratedRegex("^[a-z][a-z0-9]{0,11}$")]
    private static partial Regex HostPattern();
}
