using Steer.Policy.Names;

namespace Steer.Policy.Rules;

/// <summary>
/// What a rule matches: one domain suffix, one exact name or one network. Each kind has its own
/// lookup structure and its own "most specific wins" order (see <see cref="RuleSet"/>).
/// </summary>
/// <remarks>
/// Port, protocol and source conditions are optional properties of <see cref="Rule"/>
/// (<see cref="RuleConditions"/>), not kinds of destination: they narrow a destination
/// ("example.com, port 443") rather than replace it. A rule with conditions but no destination
/// has <see cref="AnyDestination"/>, the least specific level of all.
/// </remarks>
public abstract record Destination
{
    private protected Destination()
    {
    }

    /// <summary>The key that introduces it in steer.yaml: "domain", "name" or "cidr".</summary>
    public abstract string Key { get; }

    /// <summary>The normalised value: "example.com", "10.8.0.0/16".</summary>
    public abstract string Value { get; }

    /// <summary>"domain example.com": the form used in explanations and reports.</summary>
    public sealed override string ToString() => $"{Key} {Value}";
}

/// <summary><c>domain: example.com</c> — the name and every name under it, label-aligned (not badexample.com).</summary>
public sealed record DomainDestination : Destination
{
    public DomainDestination(DomainName suffix) =>
        Suffix = suffix.LabelCount > 0 ? suffix : throw new ArgumentException("default(DomainName) is not a domain", nameof(suffix));

    public DomainName Suffix { get; }

    public override string Key => "domain";

    public override string Value => Suffix.Value;
}

/// <summary><c>name: exact.example.org</c> — that one name, not its subdomains.</summary>
public sealed record NameDestination : Destination
{
    public NameDestination(DomainName name) =>
        Name = name.LabelCount > 0 ? name : throw new ArgumentException("default(DomainName) is not a name", nameof(name));

    public DomainName Name { get; }

    public override string Key => "name";

    public override string Value => Name.Value;
}

/// <summary><c>cidr: 10.8.0.0/16</c> — every address in the network (family rules as in <see cref="Cidr"/>).</summary>
public sealed record CidrDestination(Cidr Network) : Destination
{
    public override string Key => "cidr";

    public override string Value => Network.ToString();
}

/// <summary>
/// No destination: <c>{ port: 22, via: wan0 }</c>. Only a rule with conditions has it, and it ranks
/// below every destination, so it decides only flows that no destination rule covers.
/// </summary>
public sealed record AnyDestination : Destination
{
    private AnyDestination()
    {
    }

    public static AnyDestination Instance { get; } = new();

    public override string Key => "any";

    public override string Value => "*";
}
