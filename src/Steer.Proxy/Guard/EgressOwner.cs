using Steer.Proxy.Native;

namespace Steer.Proxy.Guard;

/// <summary>What the loop guard knows of a live egress socket: enough to say which flow looped.</summary>
/// <param name="Source">The ingress flow's client.</param>
/// <param name="Destination">Where the egress socket connects.</param>
/// <param name="Rule">The rule that chose the outbound.</param>
/// <param name="Interface">The interface the egress socket is bound to.</param>
public sealed record EgressOwner(string Protocol, FlowEndpoint Source, FlowEndpoint Destination, string Rule, string? Interface)
{
    public override string ToString() =>
        $"{Protocol} egress {Source} → {Destination} ({Rule}, via {Interface ?? "unbound"})";
}
