using Steer.Policy.Configuration.Reading;
using Steer.Policy.Configuration.Yaml;
using Steer.Policy.Rules;

namespace Steer.Policy.Configuration;

/// <summary>
/// Reads steer.yaml. Pure: it is handed the text, and does no I/O of its own.
/// </summary>
/// <remarks>
/// Every section is read even after errors, and every cross-reference checked, so one run lists
/// every fix needed; each error carries file:line:column. The result is either a complete
/// <see cref="SteerConfig"/> or errors, never something in between.
/// </remarks>
public static class ConfigLoader
{
    public const string DefaultFileName = "steer.yaml";

    private static readonly string[] Sections = ["routing", "uplinks", "sources", "dns", "rules", "proxy"];

    /// <summary>Loads a configuration. Never throws for any text.</summary>
    /// <param name="fileName">How to name the file in messages.</param>
    public static ConfigResult Load(string text, string fileName = DefaultFileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var context = new ReadContext(fileName);
        var root = YamlTreeReader.Read(text, fileName, context.Errors);
        if (context.Errors.Count > 0)
            return Failed(context);
        if (root is null or ScalarNode { IsNull: true })
            return new ConfigResult(SteerConfig.Empty, [], context.Warnings);
        var map = context.Mapping(root, "the top level of steer.yaml", Sections);
        if (map is null)
            return Failed(context);

        var routing = RoutingReader.Read(map["routing"], context);
        var uplinkDrafts = UplinksReader.Read(map["uplinks"], context);
        var sourceDrafts = SourcesReader.Read(map["sources"], context);
        var dns = DnsReader.Read(map["dns"], context);
        var rulesDraft = RulesReader.Read(map["rules"], context);
        var proxyDraft = ProxyReader.Read(map["proxy"], context);

        var uplinks = ResolveUplinks(uplinkDrafts, routing, context);
        var sources = ResolveSources(sourceDrafts, uplinkDrafts, context);
        var proxy = ResolveProxy(proxyDraft, context);
        CheckOutboundReferences(rulesDraft, proxyDraft, proxyWritten: map.Has("proxy"), context);
        var rules = BuildRules(rulesDraft, context);
        if (dns is not null && rules is not null)
            WarnAboutUntaggedResolution(dns, rules, context);
        if (rules is not null && proxyDraft is null)
            WarnAboutFlowRulesWithoutProxy(rules, context);

        if (context.Errors.Count > 0 || rules is null)
            return Failed(context);
        var config = new SteerConfig(routing, uplinks, sources, dns, rules, proxy);
        return new ConfigResult(config, [], Sorted(context.Warnings));
    }

    /// <exception cref="ConfigException">The text is not a usable configuration; carries every error.</exception>
    public static SteerConfig LoadOrThrow(string text, string fileName = DefaultFileName) => Load(text, fileName).GetConfigOrThrow();

    private static ConfigResult Failed(ReadContext context) => new(null, Sorted(context.Errors), Sorted(context.Warnings));

    private static ConfigDiagnostic[] Sorted(List<ConfigDiagnostic> diagnostics) =>
        [.. diagnostics.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column)];

    private static EquatableArray<Uplink> ResolveUplinks(List<UplinkDraft> drafts, RoutingRanges routing, ReadContext context)
    {
        var unique = new List<UplinkDraft>();
        foreach (var draft in drafts)
        {
            var first = unique.FirstOrDefault(u => u.Interface == draft.Interface);
            if (first is not null)
                context.Error(draft.Node, $"uplink {draft.Interface} is already defined at line {first.Node.Location.Line}; one entry per interface");
            else
                unique.Add(draft);
        }
        if (unique.Count == 0)
            return default;
        var tables = TableAllocator.Allocate(unique, routing.Tables, context);
        return unique
            .Where(tables.ContainsKey)
            .Select(u => new Uplink(u.Interface, u.Gateway4, u.Gateway6, u.Return, tables[u]))
            .OrderBy(u => u.Interface, StringComparer.Ordinal)
            .ToEquatableArray();
    }

    private static EquatableArray<SourceRoute> ResolveSources(List<SourceDraft> drafts, List<UplinkDraft> uplinks, ReadContext context)
    {
        var names = uplinks.Select(u => u.Interface).Distinct().ToList();
        var sources = new List<SourceDraft>();
        foreach (var draft in drafts)
        {
            if (!names.Contains(draft.Uplink))
            {
                var known = names.Count == 0 ? "there are no uplinks" : $"uplinks are: {string.Join(", ", names)}";
                context.Error(draft.UplinkNode, $"uplink: '{draft.Uplink}' is not an uplink{Suggestions.DidYouMean(draft.Uplink, names)} ({known})");
                continue;
            }
            var first = sources.FirstOrDefault(s => s.Addresses == draft.Addresses);
            if (first is null)
                sources.Add(draft);
            else if (first.Uplink == draft.Uplink)
                context.Warn(draft.Node.Location, $"source {draft.Addresses} is listed twice (first at line {first.Node.Location.Line})");
            else
                context.Error(draft.Node, $"source {draft.Addresses} is already sent via uplink {first.Uplink} " +
                                          $"(line {first.Node.Location.Line}); replies can leave by one uplink only");
        }
        return sources
            .Select(s => new SourceRoute(s.Addresses, s.Uplink))
            .OrderBy(s => s.Addresses.IsIPv6).ThenBy(s => s.Addresses.Bits).ThenBy(s => s.Addresses.PrefixLength)
            .ToEquatableArray();
    }

    private static ProxySettings? ResolveProxy(ProxyDraft? draft, ReadContext context)
    {
        if (draft is null)
            return null;
        var outbounds = new List<Outbound>();
        foreach (var (outbound, node) in draft.Outbounds)
        {
            if (outbounds.Any(o => o.Name == outbound.Name))
                context.Error(node, $"outbound '{outbound.Name}' is defined twice; names must be unique");
            else
                outbounds.Add(outbound);
        }
        RuleAction? @default = draft.DefaultText switch
        {
            "auto" => null,
            "reject" => RejectAction.Instance,
            var name when outbounds.Any(o => o.Name == name) => new OutboundAction(name),
            var name => Undefined(name),
        };
        return new ProxySettings(
            draft.Tproxy,
            draft.Socks,
            @default,
            outbounds.OrderBy(o => o.Name, StringComparer.Ordinal).ToEquatableArray());

        RuleAction? Undefined(string name)
        {
            var names = outbounds.Select(o => o.Name).ToList();
            context.Error(draft.DefaultNode!, $"proxy.default: '{name}' is neither auto, reject nor a defined outbound" +
                                              $"{Suggestions.DidYouMean(name, names.Append("auto").Append("reject"))}" +
                                              (names.Count == 0 ? "" : $" (outbounds are: {string.Join(", ", names)})"));
            return null;
        }
    }

    private static void CheckOutboundReferences(RulesDraft rules, ProxyDraft? proxy, bool proxyWritten, ReadContext context)
    {
        // A proxy section with errors of its own has been reported; guessing its outbounds would only add noise.
        if (proxyWritten && proxy is null)
            return;
        var names = proxy?.Outbounds.Select(o => o.Outbound.Name).Distinct().ToList() ?? [];
        foreach (var (name, node) in rules.OutboundReferences)
        {
            if (names.Contains(name))
                continue;
            var where = proxy is null
                ? "there is no proxy section; define it under proxy.outbounds"
                : names.Count == 0 ? "proxy.outbounds is empty" : $"outbounds are: {string.Join(", ", names)}";
            context.Error(node, $"outbound: '{name}' is not defined{Suggestions.DidYouMean(name, names)} ({where})");
        }
    }

    private static RuleSet? BuildRules(RulesDraft draft, ReadContext context)
    {
        if (!RuleSet.TryBuild(draft.Rules, out var rules, out var conflicts))
        {
            foreach (var conflict in conflicts)
                context.Error(conflict.Rule.Location!.Value, conflict.Message);
            return null;
        }
        foreach (var duplicate in rules.Duplicates)
            context.Warn(duplicate.Rule.Location!.Value, duplicate.Message);
        return rules;
    }

    /// <summary>
    /// A name rule "via wg0" usually wants the name resolved through wg0 too: a private name may only
    /// resolve there, and asking elsewhere tells the default route's resolver which names are used.
    /// Say so once per interface.
    /// </summary>
    private static void WarnAboutUntaggedResolution(DnsSettings dns, RuleSet rules, ReadContext context)
    {
        var tagged = dns.Upstreams.Select(u => u.Interface).OfType<string>().ToHashSet();
        var warned = new HashSet<string>();
        foreach (var rule in rules)
        {
            if (rule is { Destination: DomainDestination or NameDestination, Action: ViaAction via, Location: { } at } &&
                !tagged.Contains(via.Interface) && warned.Add(via.Interface))
            {
                context.Warn(at, $"no dns upstream has interface: {via.Interface}, so names sent via {via.Interface} are resolved " +
                                 $"by the untagged upstreams; add one with interface: {via.Interface} to ask through {via.Interface}");
            }
        }
    }

    /// <summary>
    /// Port, protocol and source conditions need the whole flow, which only the proxy sees: the
    /// socket, route and name planes skip such rules. Without a proxy section they do nothing.
    /// </summary>
    private static void WarnAboutFlowRulesWithoutProxy(RuleSet rules, ReadContext context)
    {
        if (!rules.HasConditions)
            return;
        var flowRules = rules.Where(r => r.HasConditions).ToList();
        if (flowRules[0].Location is { } at)
            context.Warn(at, FlowRuleWarning.Text(flowRules[0], flowRules.Count));
    }
}
