namespace Steer.Linux.Native;

public static partial class NetNamespace
{
    /// <summary>
    /// Names of the namespaces called <c>PREFIX-PID</c> or <c>PREFIX-PID-…</c> whose PID is gone:
    /// labs whose owner was killed before it could remove them. Namespaces of owners still
    /// running are theirs to remove, so a demo or a test never takes another's lab away.
    /// </summary>
    public static IEnumerable<string> OrphansOf(string prefix)
    {
        if (!Directory.Exists(RunDirectory))
            yield break;
        foreach (var path in Directory.GetFiles(RunDirectory, prefix + "*"))
        {
            var name = Path.GetFileName(path);
            if (IsOrphan(name, prefix))
                yield return name;
        }
    }

    /// <summary>True when the name is <c>PREFIX-PID…</c> (see <see cref="OrphansOf"/>) and that PID is gone.</summary>
    public static bool IsOrphan(string name, string prefix)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
            return false;
        var rest = name.AsSpan(prefix.Length);
        var dash = rest.IndexOf('-');
        return int.TryParse(dash < 0 ? rest : rest[..dash], out var pid) && !Directory.Exists($"/proc/{pid}");
    }
}
