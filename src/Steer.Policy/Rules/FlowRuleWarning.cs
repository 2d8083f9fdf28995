namespace Steer.Policy.Rules;

/// <summary>
/// Port, protocol and source conditions need the whole flow, which only the proxy sees: the
/// socket, route and name planes skip such rules, so without a <c>proxy:</c> section they do
/// nothing. One wording for every place that says so — loading steer.yaml, `steer rule add`,
/// `steer start` and `steer status` (rules of the state file).
/// </summary>
public static class FlowRuleWarning
{
    /// <summary>The warning for <paramref name="rules"/> when no proxy runs, or null when none of
    /// them has conditions. Enumerates only when the set has conditioned rules.</summary>
    public static string? WithoutProxy(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (!rules.HasConditions)
            return null;
        var flowRules = rules.Where(r => r.HasConditions).ToList();
        return flowRules.Count == 0 ? null : Text(flowRules[0], flowRules.Count);
    }

    /// <summary>The text, naming the first of <paramref name="count"/> conditioned rules.</summary>
    public static string Text(Rule first, int count)
    {
        ArgumentNullException.ThrowIfNull(first);
        return $"{first}{(count > 1 ? $" and {count - 1} more rule(s)" : "")} " +
               "with port, protocol or source conditions apply to proxied flows only, and there is no proxy section: " +
               "they have no effect (the socket, route and name planes decide by address or name alone)";
    }
}
