using System.Text.Json;

namespace Steer.Lab;

/// <summary>Kernel counters of one interface (<c>ip -s link</c>, the 64-bit ones).</summary>
public sealed record InterfaceCounters(long RxPackets, long RxBytes, long TxPackets, long TxBytes)
{
    /// <summary>Reads the first interface of <c>ip -s -j link show</c> output.</summary>
    internal static InterfaceCounters Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var stats = doc.RootElement[0].GetProperty("stats64");
        var rx = stats.GetProperty("rx");
        var tx = stats.GetProperty("tx");
        return new InterfaceCounters(
            rx.GetProperty("packets").GetInt64(), rx.GetProperty("bytes").GetInt64(),
            tx.GetProperty("packets").GetInt64(), tx.GetProperty("bytes").GetInt64());
    }

    /// <summary>What changed since <paramref name="before"/>.</summary>
    public InterfaceCounters Since(InterfaceCounters before) =>
        new(RxPackets - before.RxPackets, RxBytes - before.RxBytes, TxPackets - before.TxPackets, TxBytes - before.TxBytes);
}
