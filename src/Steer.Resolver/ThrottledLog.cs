namespace Steer.Resolver;

/// <summary>The resolver's log, at most one line a second: a dead upstream or a flood of bad
/// queries must not flood the log (the counters in `steer status` count every one).</summary>
internal sealed class ThrottledLog(TextWriter log)
{
    private long _lastMs = long.MinValue / 2;

    public void Note(string message)
    {
        long now = Environment.TickCount64;
        long last = Volatile.Read(ref _lastMs);
        if (now - last < 1000 || Interlocked.CompareExchange(ref _lastMs, now, last) != last)
            return;
        lock (log)
            log.WriteLine($"steer: resolver: {message}");
    }
}
