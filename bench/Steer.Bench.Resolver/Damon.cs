using System.Globalization;

namespace Steer.Bench.Resolver;

/// <summary>DAMON, the kernel's data access monitor, when it runs on this machine: a kdamond thread
/// that wakes every sampling interval and, in physical-address mode, walks page mappings of
/// whatever it samples. Seen here: 3-6 ms bursts twice a second that delay a woken thread on the
/// same CPU — a floor under every p99 of a fixed-rate run, Steer's and the baseline's alike.</summary>
internal static class Damon
{
    private const string Admin = "/sys/kernel/mm/damon/admin/kdamonds";

    public static string? Describe()
    {
        try
        {
            if (!Directory.Exists(Admin))
                return null;
            foreach (var kdamond in Directory.EnumerateDirectories(Admin).Where(d => int.TryParse(Path.GetFileName(d), out _)))
            {
                if (File.ReadAllText(Path.Combine(kdamond, "state")).Trim() != "on")
                    continue;
                var context = Path.Combine(kdamond, "contexts", "0");
                string operations = ReadOr(Path.Combine(context, "operations"), "?");
                string sample = ReadOr(Path.Combine(context, "monitoring_attrs", "intervals", "sample_us"), "?");
                string interval = long.TryParse(sample, out long us) ? string.Create(CultureInfo.InvariantCulture, $"{us / 1000} ms") : sample;
                return $"DAMON is on (kdamond {Path.GetFileName(kdamond)}, {operations} monitoring, sampling every {interval}): " +
                       "its bursts delay threads for a few ms now and then, a floor under every p99 here (bench/README.md)";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static string ReadOr(string path, string fallback) => File.Exists(path) ? File.ReadAllText(path).Trim() : fallback;
}
