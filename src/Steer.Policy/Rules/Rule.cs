namespace Steer.Policy.Rules;

/// <summary>
/// One policy rule, <c>match → action</c>, shared by every plane: the socket plane and the route
/// plane read it as "addresses go via…", the resolver as "names go via…", the proxy as "flows go to…".
/// </summary>
/// <remarks>
/// <para>Two rules are equal when they say the same thing: where they were written
/// (<see cref="Location"/>) does not count, so a moved rule is not a changed rule.</para>
/// <para>A rule with <see cref="Conditions"/> (port, protocol, source) is a
/// <see cref="ConditionedRule"/>, made by <see cref="Create"/>: the plain rule has no field for
/// them, so a million unconditioned rules cost nothing more for the few that have some.</para>
/// </remarks>
public record Rule(Destination Destination, RuleAction Action)
{
    /// <summary>Where the rule was written, for explanations and errors; null for rules made in code.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>Port, protocol and source conditions that narrow the destination; none for a plain rule.</summary>
    public virtual RuleConditions Conditions => RuleConditions.None;

    /// <summary>A flow rule: only the proxy, which sees port and source, honours it.</summary>
    public bool HasConditions => !Conditions.IsNone;

    /// <summary>A plain rule, or a <see cref="ConditionedRule"/> when there are conditions.</summary>
    /// <exception cref="ArgumentException">A rule for any destination without a condition (it would be a default, which steer.yaml says with proxy.default).</exception>
    public static Rule Create(Destination destination, RuleAction action, RuleConditions conditions, SourceLocation? location = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(conditions);
        if (conditions.IsNone && destination is AnyDestination)
            throw new ArgumentException("a rule without a destination needs a port, protocol or source condition", nameof(conditions));
        return conditions.IsNone
            ? new Rule(destination, action) { Location = location }
            : new ConditionedRule(destination, action, conditions) { Location = location };
    }

    /// <summary>What the rule matches: "domain example.com", "domain example.com, port 443", "port 22".</summary>
    public string Match => Conditions.IsNone ? Destination.ToString()
        : Destination is AnyDestination ? Conditions.ToString()
        : $"{Destination}, {Conditions}";

    public virtual bool Equals(Rule? other) =>
        other is not null && Destination.Equals(other.Destination) && Action.Equals(other.Action) && Conditions.Equals(other.Conditions);

    public override int GetHashCode() => HashCode.Combine(Destination, Action, Conditions);

    /// <summary>"domain example.com via wg0", "domain example.com, port 443 via wg0".</summary>
    public sealed override string ToString() => $"{Match} {Action}";
}

/// <summary>A rule with port, protocol or source conditions (see <see cref="Rule.Create"/>).</summary>
public sealed record ConditionedRule : Rule
{
    private readonly RuleConditions _conditions;

    internal ConditionedRule(Destination destination, RuleAction action, RuleConditions conditions)
        : base(destination, action) => _conditions = conditions;

    public override RuleConditions Conditions => _conditions;

    public override int GetHashCode() => base.GetHashCode();

    public bool Equals(ConditionedRule? other) => base.Equals(other);
}
