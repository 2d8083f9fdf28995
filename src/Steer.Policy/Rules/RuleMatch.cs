namespace Steer.Policy.Rules;

public enum MatchKind
{
    /// <summary>A <c>name:</c> rule for exactly this name; beats every suffix.</summary>
    ExactName,

    /// <summary>The longest <c>domain:</c> suffix the name lies under.</summary>
    DomainSuffix,

    /// <summary>The longest <c>cidr:</c> prefix containing the address.</summary>
    NetworkPrefix,

    /// <summary>A rule with conditions and no destination: below every destination.</summary>
    AnyDestination,
}

/// <summary>The answer to "which rule applies, and why": the rule and the kind of match that chose it.</summary>
/// <param name="Index">The rule's position in its <see cref="RuleSet"/> (the order it was given
/// in, duplicates dropped): what the planes write to the kernel as the rule's id, plus one.</param>
public readonly record struct RuleMatch(Rule Rule, int Index)
{
    /// <summary>The id the planes write into the kernel for this rule: <see cref="Index"/> + 1 (0: none).</summary>
    public uint Id => (uint)Index + 1;

    public MatchKind Kind => Rule.Destination switch
    {
        NameDestination => MatchKind.ExactName,
        DomainDestination => MatchKind.DomainSuffix,
        CidrDestination => MatchKind.NetworkPrefix,
        _ => MatchKind.AnyDestination,
    };

    /// <summary>"exact name exact.example.org", "suffix example.com", "prefix 10.8.0.0/16",
    /// with the conditions the flow met: "suffix example.com, port 443", "any destination, port 22".</summary>
    public string Why
    {
        get
        {
            var level = Kind switch
            {
                MatchKind.ExactName => $"exact name {Rule.Destination.Value}",
                MatchKind.DomainSuffix => $"suffix {Rule.Destination.Value}",
                MatchKind.NetworkPrefix => $"prefix {Rule.Destination.Value}",
                _ => "any destination",
            };
            return Rule.HasConditions ? $"{level}, {Rule.Conditions}" : level;
        }
    }

    /// <summary>"suffix example.com → via wg0 (steer.yaml:12:5)".</summary>
    public override string ToString() =>
        $"{Why} → {Rule.Action}{(Rule.Location is { } location ? $" ({location})" : "")}";
}
