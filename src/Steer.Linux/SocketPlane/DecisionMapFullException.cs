namespace Steer.Linux.SocketPlane;

/// <summary>The kernel refused a decision because its map holds as many as it was made for
/// (E2BIG). The flow is not let through another way: the resolver answers SERVFAIL.</summary>
public sealed class DecisionMapFullException(uint capacity, Exception inner)
    : Exception($"the kernel's decision map is full ({capacity:N0} decisions per address family): raise dns.max-decisions " +
                "in steer.yaml, then `steer stop` and `steer start` (a daemon keeps the maps it was started with)", inner)
{
    public uint Capacity { get; } = capacity;
}
