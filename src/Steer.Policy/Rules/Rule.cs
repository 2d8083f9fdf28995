namespace Steer.Policy.Rules;

/// <summary>
/// One policy rule, <c>match → action</c>, shared by every plane: the socket plane and the route
/// plane read it as "addresses go via…", the resolver as "names go via…", the proxy as "flows go to…".
/// </summary>
/// <remarks>
/// Two rules are equal when they say the same thing: where they were written
/// (<see cref="Location"/>) does not count, so a moved rule is not a changed rule.
/// </remarks>
public sealed record Rule(Destination Destination, RuleAction Action)
{
    /// <summary>Where the rule was written, for explanations and errors; null for rules made in code.</summary>
    public SourceLocation? Location { get; init; }

    public bool Equals(Rule? other) =>
        other is not null && Destination.Equals(other.Destination) && Action.Equals(other.Action);

    public override int GetHashCode() => HashCode.Combine(Destination, Action);

    /// <summary>"domain example.com via wg0".</summary>
    public override string ToString() => $"{Destination} {Action}";
}
