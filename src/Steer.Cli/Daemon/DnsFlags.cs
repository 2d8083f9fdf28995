using System.Net;
using Steer.Cli.Run;
using Steer.Linux.Resolv;
using Steer.Policy.Configuration;
using Steer.Policy.Names;

namespace Steer.Cli.Daemon;

/// <summary>--dns-listen ADDR[:PORT] and --upstream [IFACE=]ADDR[:PORT], as a dns: section.</summary>
internal static class DnsFlags
{
    /// <summary>Null when neither flag is given (steer.yaml's dns: section, if any, applies).
    /// Without an untagged --upstream, the untagged upstreams are the host's resolv.conf servers
    /// as they were before Steer took resolution over.</summary>
    public static DnsSettings? Parse(string? listen, string[] upstreams, string resolvConf, string stateDirectory)
    {
        if (listen is null && upstreams.Length == 0)
            return null;
        var endpoint = Endpoint(listen ?? "127.0.0.53:53", "--dns-listen");
        var list = upstreams.Select(Upstream).ToList();
        if (list.All(u => u.Interface is not null))
        {
            // Names no rule sends elsewhere go where the host's resolution went before Steer.
            var original = new DnsTakeover(resolvConf, stateDirectory).OriginalServers();
            if (original.Count == 0)
                throw new UsageException($"no untagged --upstream, and {resolvConf} names no server to ask for names no rule sends elsewhere; give --upstream ADDR");
            list.AddRange(original.Select(a => new DnsUpstream(new Endpoint(a, 53), null)));
        }
        return new DnsSettings(endpoint, list.ToEquatableArray());
    }

    private static DnsUpstream Upstream(string text)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        string? iface = equals > 0 ? text[..equals] : null;
        if (iface is not null && InterfaceName.Validate(iface) is { } problem)
            throw new UsageException($"--upstream {text}: {problem}");
        return new DnsUpstream(Endpoint(text[(equals + 1)..], $"--upstream {text}"), iface);
    }

    private static Endpoint Endpoint(string text, string flag)
    {
        if (IPAddress.TryParse(text, out var bare))
            return new Endpoint(bare, 53);
        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0)
            return new Endpoint(endpoint.Address, endpoint.Port);
        throw new UsageException($"{flag}: '{text}' is not ADDR[:PORT] (IPv6 with a port: [ADDR]:PORT)");
    }
}
