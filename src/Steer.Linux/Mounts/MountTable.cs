namespace Steer.Linux.Mounts;

/// <summary>One line of /proc/self/mountinfo: where a filesystem of which type is mounted.</summary>
public sealed record Mount(string MountPoint, string FileSystemType, string Root);

/// <summary>
/// The mounts this process sees (its mount namespace: <c>ip netns exec</c> gives a command a
/// private one in which /sys is remounted, so cgroup2 and bpffs may be missing there).
/// </summary>
public static class MountTable
{
    public static IReadOnlyList<Mount> Read(string path = "/proc/self/mountinfo") =>
        [.. File.ReadLines(path).Select(Parse).OfType<Mount>()];

    /// <summary>Parses one mountinfo line; null for a line that does not have its fields.</summary>
    public static Mount? Parse(string line)
    {
        // id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions
        var fields = line.Split(' ');
        int separator = Array.IndexOf(fields, "-");
        if (fields.Length < 5 || separator < 5 || separator + 1 >= fields.Length)
            return null;
        return new Mount(Unescape(fields[4]), fields[separator + 1], Unescape(fields[3]));
    }

    /// <summary>The last mount of <paramref name="type"/> (the one on top), or null.</summary>
    public static Mount? FindByType(string type) => Read().LastOrDefault(m => m.FileSystemType == type);

    public static bool IsMountPointOf(string path, string type)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        return Read().Any(m => m.FileSystemType == type && m.MountPoint.TrimEnd('/') == full);
    }

    // The kernel writes space, tab, newline and backslash as \040, \011, \012 and \134.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var result = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                result.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                result.Append(field[i]);
            }
        }
        return result.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
