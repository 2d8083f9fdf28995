using Steer.Proxy.Native;

namespace Steer.Proxy.Guard;

/// <summary>
/// The second line of defence, for loops the egress registry cannot see (an address rewritten on
/// the way back): new flows per destination are counted in one-second windows; a destination
/// that passes <see cref="RatePerSecond"/> is refused for a back-off period that doubles (up to
/// <see cref="MaxBackoffMs"/>) while the storm goes on, and is forgiven after a quiet window.
/// The limit sits above what the kernel itself forwards on this class of machine (≈ 19k new
/// connections/s), so only a pathological burst is cut; a global flow cap bounds file descriptors.
/// </summary>
public sealed class StormGuard(int ratePerSecond = StormGuard.DefaultRate, long maxFlows = 0)
{
    public const int DefaultRate = 25_000;
    public const int FirstBackoffMs = 1_000;
    public const int MaxBackoffMs = 30_000;

    private sealed class Window
    {
        public long StartMs;
        public int Count;
        public long BlockedUntilMs;
        public int BackoffMs;
    }

    private readonly Dictionary<FlowEndpoint, Window> _windows = [];
    private readonly Lock _gate = new();
    private long _flows;
    private long _lastSweepMs;

    public int RatePerSecond { get; } = ratePerSecond;

    /// <summary>Most flows held at once; 0 takes it from RLIMIT_NOFILE (each flow may hold four fds).</summary>
    public long MaxFlows { get; } = maxFlows > 0 ? maxFlows : Math.Max(64, (FdLimit() - 256) / 4);

    public long LiveFlows => Interlocked.Read(ref _flows);

    /// <summary>Admits a new flow to <paramref name="destination"/>, or says why not.</summary>
    public LoopCause? Admit(in FlowEndpoint destination, long nowMs)
    {
        if (Interlocked.Read(ref _flows) >= MaxFlows)
            return LoopCause.Capacity;
        lock (_gate)
        {
            if (nowMs - _lastSweepMs > 10_000)
                Sweep(nowMs);
            if (!_windows.TryGetValue(destination, out var window))
                _windows[destination] = window = new Window { StartMs = nowMs };
            if (window.BlockedUntilMs > nowMs)
                return LoopCause.Storm;
            if (nowMs - window.StartMs >= 1000)
            {
                if (window.Count <= RatePerSecond && nowMs - window.StartMs >= 2000)
                    window.BackoffMs = 0; // a quiet window forgives
                window.StartMs = nowMs;
                window.Count = 0;
            }
            if (++window.Count > RatePerSecond)
            {
                window.BackoffMs = window.BackoffMs == 0 ? FirstBackoffMs : Math.Min(MaxBackoffMs, window.BackoffMs * 2);
                window.BlockedUntilMs = nowMs + window.BackoffMs;
                return LoopCause.Storm;
            }
        }
        return null;
    }

    public void FlowOpened() => Interlocked.Increment(ref _flows);

    public void FlowClosed() => Interlocked.Decrement(ref _flows);

    private void Sweep(long nowMs)
    {
        _lastSweepMs = nowMs;
        List<FlowEndpoint>? stale = null;
        foreach (var (key, window) in _windows)
            if (nowMs - window.StartMs > 60_000 && window.BlockedUntilMs < nowMs)
                (stale ??= []).Add(key);
        if (stale is not null)
            foreach (var key in stale)
                _windows.Remove(key);
    }

    private static unsafe long FdLimit()
    {
        var limit = stackalloc ulong[2];
        return Native.Sys.getrlimit(7 /* RLIMIT_NOFILE */, limit) == 0 && limit[0] < int.MaxValue ? (long)limit[0] : 65536;
    }
}
