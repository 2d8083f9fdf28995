using Steer.Policy.Names;

namespace Steer.Policy.Rules;

/// <summary>What happens to a flow a rule matches. Every plane understands every action, or says why not.</summary>
public abstract record RuleAction
{
    private protected RuleAction()
    {
    }

    /// <summary>The steer.yaml form: "via wg0", "reject", "outbound corp".</summary>
    public sealed override string ToString() => Describe();

    private protected abstract string Describe();
}

/// <summary><c>via: IFACE</c> — leave through this interface, or fail (closed) while it is down or gone.</summary>
public sealed record ViaAction : RuleAction
{
    public ViaAction(string @interface)
    {
        var problem = InterfaceName.Validate(@interface);
        Interface = problem is null ? @interface : throw new ArgumentException(problem, nameof(@interface));
    }

    public string Interface { get; }

    private protected override string Describe() => $"via {Interface}";
}

/// <summary><c>action: reject</c> — refuse the flow at once (an error to the program, not a silent drop).</summary>
public sealed record RejectAction : RuleAction
{
    private RejectAction()
    {
    }

    public static RejectAction Instance { get; } = new();

    private protected override string Describe() => "reject";
}

/// <summary><c>outbound: NAME</c> — hand the (intercepted) flow to the named proxy outbound.</summary>
public sealed record OutboundAction : RuleAction
{
    public OutboundAction(string outbound)
    {
        var problem = OutboundName.Validate(outbound);
        Outbound = problem is null ? outbound : throw new ArgumentException(problem, nameof(outbound));
    }

    public string Outbound { get; }

    private protected override string Describe() => $"outbound {Outbound}";
}
