using System.Globalization;

namespace Steer.Bench.Resolver;

/// <summary>The daemon's garbage collections over some rounds (`steer status --json` runtime,
/// before and after each): a collection holds every thread still, so every answer in flight waits
/// for it — at a fixed rate, the tail of the end-to-end latency.</summary>
internal sealed class GcDuring
{
    private int _collections;
    private double _pausedMs;
    private double _rounds;

    public readonly record struct Mark(int Collections, double PausedMs);

    public static Mark Start(BenchLab lab) => Read(lab);

    public void Add(Mark before, BenchLab lab)
    {
        var after = Read(lab);
        _collections += after.Collections - before.Collections;
        _pausedMs += after.PausedMs - before.PausedMs;
        _rounds++;
    }

    private static Mark Read(BenchLab lab)
    {
        var runtime = lab.SteerStatus().GetProperty("runtime");
        // Collections of gen0 count every collection (a gen1 or gen2 one counts in gen0 too).
        return new(runtime.GetProperty("collections")[0].GetInt32(), runtime.GetProperty("pauseTotalMs").GetDouble());
    }

    public override string ToString() => _rounds == 0
        ? "not measured"
        : string.Create(CultureInfo.InvariantCulture, $"{_collections} collections, {_pausedMs:0.0} ms paused in {_rounds} rounds");
}
