using System.Net;

namespace Steer.Linux.Resolv;

/// <summary>
/// The name servers of a resolv.conf(5) text: <c>nameserver ADDR</c> lines, in order. They are
/// the default upstreams of Steer's resolver (the host's resolution "as it was").
/// </summary>
public static class ResolvConf
{
    /// <summary>Every valid nameserver line; malformed ones are skipped as the C library does.
    /// An IPv6 link-local server keeps its zone (as an index: <c>fe80::1%eth0</c> reads as <c>fe80::1%4</c>).</summary>
    public static IReadOnlyList<IPAddress> NameServers(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var servers = new List<IPAddress>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.AsSpan().Trim();
            if (line.IsEmpty || line[0] is '#' or ';')
                continue;
            var fields = line.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0] == "nameserver" && IPAddress.TryParse(fields[1], out var address))
                servers.Add(address);
        }
        return servers;
    }

    /// <summary>The text Steer writes while it resolves for the host.</summary>
    public static string PointingAt(IPAddress listen, string previousPath) => $"""
        # Written by steer start --take-over-dns: this host resolves through Steer.
        # steer stop puts back what was here (saved in {previousPath}).
        nameserver {listen}

        """;
}
