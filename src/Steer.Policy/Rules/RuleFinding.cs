namespace Steer.Policy.Rules;

public enum FindingKind
{
    /// <summary>Two rules for the same destination with different actions: which one wins would depend
    /// on the order in the file, and order must not matter. An error.</summary>
    Conflict,

    /// <summary>The same rule twice. Harmless, but probably a leftover. A warning.</summary>
    Duplicate,

    /// <summary>A more specific rule with another action carves an exception out of a wider one. Information.</summary>
    Overrides,

    /// <summary>A more specific rule with the same action as the wider one around it; removing it changes nothing.</summary>
    Redundant,

    /// <summary>Two rules of one destination whose conditions some flows meet both of, with different
    /// actions, neither inside the other: the ranking decides (more kinds of condition, then the
    /// narrower). A warning: probably worth a rule for the overlap itself.</summary>
    Overlap,
}

public enum FindingSeverity
{
    Error,
    Warning,
    Info,
}

/// <summary>
/// Something worth telling about how two rules relate, for <c>steer rule list</c> and for config
/// validation. <see cref="Rule"/> is the one the finding is about; <see cref="Other"/> the rule it
/// collides with or sits inside.
/// </summary>
public sealed record RuleFinding(FindingKind Kind, Rule Rule, Rule Other)
{
    public FindingSeverity Severity => Kind switch
    {
        FindingKind.Conflict => FindingSeverity.Error,
        FindingKind.Duplicate or FindingKind.Overlap => FindingSeverity.Warning,
        _ => FindingSeverity.Info,
    };

    public string Message => Kind switch
    {
        FindingKind.Conflict =>
            $"{Rule.Match} has two actions: {Other.Action}{At(Other)} and {Rule.Action}; a destination can have one action only",
        FindingKind.Duplicate => $"{Rule} is written twice{At(Other)}; the repetition has no effect",
        FindingKind.Overrides => $"{Rule} overrides {Other}{At(Other)} for {Scope}",
        FindingKind.Overlap =>
            $"{Rule}{At(Rule)} and {Other}{At(Other)} both match some flows; the first wins them (its conditions rank first: more kinds, then narrower) — add a rule for the overlap if that is not meant",
        _ => $"{Rule} is redundant: {Other}{At(Other)} already sends {Scope} the same way",
    };

    private string Scope => (Rule.Destination switch
    {
        NameDestination name => $"the name {name.Value} only",
        DomainDestination domain => $"{domain.Value} and the names under it",
        AnyDestination => "flows",
        _ => Rule.Destination.Value,
    }) + (Rule.HasConditions ? $" ({Rule.Conditions}; proxied flows only)" : "");

    private static string At(Rule rule) => rule.Location is { } location ? $" (at {location})" : "";

    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()}: {Message}";
}
