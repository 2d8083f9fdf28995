using Steer.Policy.Configuration.Yaml;

namespace Steer.Policy.Configuration.Reading;

/// <summary>
/// <c>dns: { listen, upstreams, grace, cache-size, max-decisions }</c>. An upstream is "ADDRESS[:PORT]" (untagged) or
/// <c>{ address, interface }</c> (asked, through that interface, for names whose rule says so).
/// </summary>
internal static class DnsReader
{
    public const int DnsPort = 53;
    private static readonly string[] Keys = ["listen", "upstreams", "grace", "cache-size", "max-decisions"];
    private static readonly string[] UpstreamKeys = ["address", "interface"];

    public static DnsSettings? Read(Node? node, ReadContext context)
    {
        if (node is null)
            return null;
        var map = context.Mapping(node, "dns", Keys);
        if (map is null)
            return null;

        var listenNode = context.Required(map, "listen", "dns", "where the resolver listens, e.g. listen: 127.0.0.53:53");
        Endpoint listen = default;
        var ok = listenNode is not null &&
                 context.Parse(listenNode, "dns.listen", "ADDRESS[:PORT]", (string t, out Endpoint e) => ValueParsers.ParseEndpoint(t, DnsPort, out e), out listen);

        var upstreams = new List<DnsUpstream>();
        var upstreamsNode = context.Required(map, "upstreams", "dns", "at least one upstream resolver");
        if (upstreamsNode is not null)
        {
            var upstreamsOk = true;
            foreach (var item in context.List(upstreamsNode, "dns.upstreams"))
            {
                var upstream = ReadUpstream(item, context);
                upstreamsOk &= upstream is not null;
                if (upstream is null)
                    continue;
                if (upstreams.Contains(upstream))
                    context.Warn(item.Location, $"dns.upstreams: {Describe(upstream)} is listed twice");
                else
                    upstreams.Add(upstream);
            }
            if (upstreamsOk && upstreams.Count == 0)
                context.Error(upstreamsNode, "dns.upstreams: no upstream given; list at least one resolver to ask");
            else if (upstreamsOk && !upstreams.Any(u => u.Interface is null))
                context.Error(upstreamsNode, "dns.upstreams: no untagged upstream (one without 'interface'); " +
                                             "names that no rule sends elsewhere would have no resolver to ask");
            ok &= upstreamsOk && upstreams.Any(u => u.Interface is null);
        }
        uint grace = DnsSettings.DefaultGraceSeconds;
        if (map["grace"] is { } graceNode)
            ok &= context.Parse(graceNode, "dns.grace", "SECONDS",
                (string t, out uint v) => ValueParsers.ParseNumber(t, 0, DnsSettings.MaxGraceSeconds, out v), out grace);
        long cacheSize = DnsSettings.DefaultCacheSizeBytes;
        if (map["cache-size"] is { } cacheSizeNode)
            ok &= context.Parse(cacheSizeNode, "dns.cache-size", "SIZE, e.g. 64MiB", (string t, out long v) => ParseSize(t, out v), out cacheSize);
        uint maxDecisions = DnsSettings.DefaultMaxDecisions;
        if (map["max-decisions"] is { } maxDecisionsNode)
            ok &= context.Parse(maxDecisionsNode, "dns.max-decisions", "COUNT (addresses per family)",
                (string t, out uint v) => ValueParsers.ParseNumber(t, DnsSettings.MinMaxDecisions, DnsSettings.MaxMaxDecisions, out v), out maxDecisions);
        return ok && upstreamsNode is not null ? new DnsSettings(listen, upstreams.ToEquatableArray(), (int)grace, cacheSize, (int)maxDecisions) : null;
    }

    private static readonly (string Unit, long Factor)[] Units = [("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("B", 1)];

    /// <summary>A size in bytes: a whole number and a binary unit (B, KiB, MiB, GiB), within
    /// <see cref="DnsSettings.MinCacheSizeBytes"/>..<see cref="DnsSettings.MaxCacheSizeBytes"/>.
    /// Units are case-sensitive and required, so "64M" or "64mb" (which could mean 10^6) is an
    /// error that names the accepted forms, not a guess.</summary>
    internal static string? ParseSize(string text, out long bytes)
    {
        bytes = 0;
        var span = text.AsSpan().Trim();
        int digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            digits++;
        var unit = span[digits..].TrimStart();
        long factor = 0;
        foreach (var (name, f) in Units)
            if (unit.SequenceEqual(name))
                factor = f;
        const string Forms = "a whole number with a unit: B, KiB, MiB or GiB (e.g. 64MiB)";
        if (digits == 0 || digits > 12 || factor == 0 || !long.TryParse(span[..digits], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long number))
            return $"'{text}' is not a size: write {Forms}";
        if (number > DnsSettings.MaxCacheSizeBytes / factor || number * factor < DnsSettings.MinCacheSizeBytes || number * factor > DnsSettings.MaxCacheSizeBytes)
            return $"{text} is out of range 64KiB..16GiB";
        bytes = number * factor;
        return null;
    }

    private static DnsUpstream? ReadUpstream(Node node, ReadContext context)
    {
        if (node is ScalarNode)
        {
            return context.Parse(node, "dns.upstreams", "ADDRESS[:PORT] or { address: ADDRESS[:PORT], interface: IFACE }",
                (string t, out Endpoint e) => ValueParsers.ParseEndpoint(t, DnsPort, out e), out var server)
                ? new DnsUpstream(server, null)
                : null;
        }
        var map = context.Mapping(node, "an upstream", UpstreamKeys);
        if (map is null)
            return null;
        var addressNode = context.Required(map, "address", "an upstream", "the resolver's ADDRESS[:PORT]");
        Endpoint address = default;
        var ok = addressNode is not null &&
                 context.Parse(addressNode, "address", "ADDRESS[:PORT]", (string t, out Endpoint e) => ValueParsers.ParseEndpoint(t, DnsPort, out e), out address);
        string? @interface = null;
        if (map["interface"] is { } interfaceNode)
        {
            @interface = context.InterfaceName(interfaceNode, "interface");
            ok &= @interface is not null;
        }
        return ok ? new DnsUpstream(address, @interface) : null;
    }

    private static string Describe(DnsUpstream upstream) =>
        upstream.Interface is null ? upstream.Server.ToString() : $"{upstream.Server} via {upstream.Interface}";
}
