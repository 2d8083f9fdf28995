namespace Steer.Proxy.Guard;

public enum LoopCause
{
    /// <summary>The ingress flow's source is the local address and port of a live egress flow of Steer's.</summary>
    OwnEgress,

    /// <summary>The flow's original destination is one of Steer's own listeners.</summary>
    OwnListener,

    /// <summary>New flows to one destination came faster than the storm limit; refused during back-off.</summary>
    Storm,

    /// <summary>The proxy holds as many flows as its file descriptors allow.</summary>
    Capacity,
}

/// <summary>One cause of refused flows, for <c>steer loops</c>: counted, described once.</summary>
/// <param name="Description">What matched: the egress flow, its rule and interface.</param>
public sealed record LoopRecord(LoopCause Cause, string Protocol, string Key, string Description, DateTimeOffset First)
{
    private long _count;
    private long _lastTicks;

    public long Count => Interlocked.Read(ref _count);

    public DateTimeOffset Last => new(Interlocked.Read(ref _lastTicks), TimeSpan.Zero);

    internal void Hit()
    {
        Interlocked.Increment(ref _count);
        Interlocked.Exchange(ref _lastTicks, DateTimeOffset.UtcNow.UtcTicks);
    }
}
