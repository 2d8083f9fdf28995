using Steer.Policy.Configuration.Yaml;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Policy.Configuration.Reading;

/// <summary>The rules as written, with what the cross-checks need to point at.</summary>
internal sealed record RulesDraft(List<Rule> Rules, List<(string Outbound, Node Node)> OutboundReferences);

/// <summary>
/// <c>rules:</c> a list of <c>{ MATCH: VALUE, ACTION: VALUE }</c>, exactly one of each:
/// domain / name / cidr, and via / action / outbound. A match may also be a list
/// (<c>domain: [a.example, b.example]</c>), which is shorthand for one rule per item.
/// Optional conditions narrow the match: <c>port: 443</c> or <c>port: [80, 443, 8000-8999]</c>,
/// <c>protocol: tcp|udp</c>, <c>source: 192.168.1.0/24</c> or a list of networks. A rule with
/// conditions may leave the match out (<c>{ port: 22, via: wan0 }</c>): any destination.
/// </summary>
internal static class RulesReader
{
    private static readonly string[] MatchKeys = ["domain", "name", "cidr"];
    private static readonly string[] ActionKeys = ["via", "action", "outbound"];
    private static readonly string[] ConditionKeys = ["port", "protocol", "source"];
    private static readonly string[] Keys = [.. MatchKeys, .. ConditionKeys, .. ActionKeys];
    private static readonly string[] ActionWords = ["reject"];

    public static RulesDraft Read(Node? node, ReadContext context)
    {
        var draft = new RulesDraft([], []);
        if (node is null)
            return draft;
        // One action object per distinct action: a million rules "via wg0" share one.
        var actions = new Dictionary<string, RuleAction>();
        foreach (var item in context.List(node, "rules"))
        {
            var map = context.Mapping(item, "a rule", Keys);
            if (map is null)
                continue;
            var hasConditions = ConditionKeys.Any(map.Has);
            var conditions = hasConditions ? RuleConditionsReader.Read(map, context) : RuleConditions.None;
            var matchKey = OneOf(map, MatchKeys, context, "match", "domain: SUFFIX, name: EXACT-NAME or cidr: NETWORK", optional: hasConditions);
            var actionKey = OneOf(map, ActionKeys, context, "action", "via: IFACE, action: reject or outbound: NAME");
            var action = actionKey is null ? null : ReadAction(actionKey, map[actionKey]!, context, draft, actions);
            var destinations = matchKey is null ? hasConditions ? [(AnyDestination.Instance, map.Location)] : []
                : ReadDestinations(matchKey, map[matchKey]!, context);
            if (action is null || conditions is null)
                continue;
            foreach (var (destination, at) in destinations)
                draft.Rules.Add(Rule.Create(destination, action, conditions, at));
        }
        return draft;
    }

    /// <summary>The one key of a group present in the rule; reports none and several.</summary>
    private static string? OneOf(MapNode map, string[] group, ReadContext context, string what, string choices, bool optional = false)
    {
        var present = map.Entries.Where(e => group.Contains(e.Key.Value)).ToList();
        if (present.Count == 0 && !optional)
        {
            if (what == "match")
                choices += ", or a condition (port:, protocol:, source:) to match any destination";
            context.Error(map, $"a rule needs one {what}: {choices}");
            return null;
        }
        if (present.Count == 0)
            return null;
        if (present.Count > 1)
        {
            var names = string.Join(" and ", present.Select(e => e.Key.Value));
            var advice = what == "match" ? "write one rule for each" : "choose one";
            context.Error(present[1].Key, $"a rule has exactly one {what}; this one has {names}: {advice}");
            return null;
        }
        return present[0].Key.Value;
    }

    private static RuleAction? ReadAction(string key, Node node, ReadContext context, RulesDraft draft, Dictionary<string, RuleAction> actions)
    {
        string? text;
        switch (key)
        {
            case "via":
                text = context.InterfaceName(node, "via");
                return text is null ? null : Shared(actions, $"via {text}", () => new ViaAction(text));
            case "action":
                text = context.Text(node, "action", "reject");
                if (text is null)
                    return null;
                if (ActionWords.Contains(text))
                    return RejectAction.Instance;
                context.Error(node, $"action: '{text}' is not an action; the one action word is reject " +
                                    "(to use an interface write via: IFACE, for a proxy outbound write outbound: NAME)");
                return null;
            default:
                text = context.Text(node, "outbound", "the name of an outbound defined under proxy.outbounds");
                if (text is null)
                    return null;
                var problem = OutboundName.Validate(text);
                if (problem is not null)
                {
                    context.Error(node, $"outbound: {problem}");
                    return null;
                }
                draft.OutboundReferences.Add((text, node));
                return Shared(actions, $"outbound {text}", () => new OutboundAction(text));
        }
    }

    private static RuleAction Shared(Dictionary<string, RuleAction> actions, string key, Func<RuleAction> create)
    {
        if (!actions.TryGetValue(key, out var action))
            actions.Add(key, action = create());
        return action;
    }

    private static List<(Destination Destination, SourceLocation At)> ReadDestinations(string key, Node node, ReadContext context)
    {
        var items = node is ListNode list ? list.Items : [node];
        if (node is ListNode && items.Count == 0)
            context.Error(node, $"{key}: the list is empty; give at least one value");
        var destinations = new List<(Destination, SourceLocation)>(items.Count);
        foreach (var item in items)
        {
            if (ReadDestination(key, item, context) is { } destination)
                destinations.Add((destination, item.Location));
        }
        return destinations;
    }

    private static Destination? ReadDestination(string key, Node node, ReadContext context)
    {
        if (key == "cidr")
            return context.Network(node, "cidr") is { } network ? new CidrDestination(network) : null;
        var expected = key == "domain" ? "a domain such as example.com (it covers every name under it)" : "a name such as host.example.org";
        if (!context.Parse(node, key, expected, (string t, out DomainName n) => DomainName.TryParse(t, out n, out var e) ? null : e, out var name))
            return null;
        return key == "domain" ? new DomainDestination(name) : new NameDestination(name);
    }
}
