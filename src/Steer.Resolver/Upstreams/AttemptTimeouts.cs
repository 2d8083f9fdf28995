namespace Steer.Resolver.Upstreams;

/// <summary>
/// The deadlines of attempts in flight, oldest first (one timeout for all, so the order they are
/// added in is the order they fall due in). An item names the attempt by its channel, query ID
/// and <see cref="PendingQuery.AttemptToken"/>, never by the query itself.
/// </summary>
/// <remarks>
/// Why not hold the query: an answer comes in well under a millisecond, the timeout is 1.5 s, and
/// a gen0 GC runs about every second under load. A timeout item holding its query kept the query
/// and all it points to (its bytes, key, question, client sink and address) alive past the next
/// gen0 GC, which copied them into gen1 — most of what a forwarded query allocates, copied once
/// each. Named by token, a query that was answered is garbage at once, and dies in gen0.
/// Why a locked <see cref="Queue{T}"/> and not a ConcurrentQueue: its TryPeek (which this loop
/// needs, every 10 ms) marks the segment it looks at "preserved for observation", and a preserved
/// segment neither clears nor reuses the slots it dequeues — every query it held stayed reachable
/// until the whole segment was dropped, and a new segment was allocated whenever the tail filled
/// (each twice the last while the queue never empties: up to a million slots). This ring is
/// reused; it grows to the most attempts ever in flight at once (32 bytes each) and stays that
/// size. The lock is taken once per attempt by the thread that sends it and once per item by the
/// timeout thread: uncontended in practice.
/// </remarks>
internal sealed class AttemptTimeouts
{
    private readonly Queue<AttemptTimeout> _items = new();
    private readonly Lock _lock = new();

    public void Add(in AttemptTimeout item)
    {
        lock (_lock)
            _items.Enqueue(item);
    }

    /// <summary>Takes the oldest item if its deadline is at or before <paramref name="now"/>.</summary>
    public bool TryTakeDue(long now, out AttemptTimeout item)
    {
        lock (_lock)
        {
            if (_items.TryPeek(out item) && item.DeadlineMs <= now)
            {
                _items.Dequeue();
                return true;
            }
        }
        item = default;
        return false;
    }
}

/// <summary>One attempt's deadline: the attempt is query <paramref name="Id"/> on
/// <paramref name="Channel"/> if the query in that slot still carries <paramref name="Token"/>.</summary>
internal readonly record struct AttemptTimeout(UpstreamChannel Channel, ushort Id, long Token, long DeadlineMs);
