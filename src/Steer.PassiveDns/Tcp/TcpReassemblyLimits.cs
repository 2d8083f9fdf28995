namespace Steer.PassiveDns.Tcp;

/// <summary>
/// Bounds of <see cref="TcpDnsReassembler"/>. A flow holds bytes only while a DNS message is
/// split across segments; these cap how many such flows, how many bytes in all, and for how long.
/// </summary>
public sealed record TcpReassemblyLimits
{
    public static TcpReassemblyLimits Default { get; } = new();

    /// <summary>Flows holding part of a message; the least recently seen is dropped for a new one.</summary>
    public int MaxFlows { get; init; } = 64;

    /// <summary>Bytes held by all flows together; least recently seen flows are dropped to stay under it.</summary>
    public int MaxBufferedBytes { get; init; } = 1 << 20;

    /// <summary>A message announcing more than this (at most 65535, the TCP framing's limit) is not followed.</summary>
    public int MaxMessageBytes { get; init; } = ushort.MaxValue;

    /// <summary>A flow not seen for this long is dropped with what it held.</summary>
    public TimeSpan FlowTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFlows, nameof(MaxFlows));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBufferedBytes, nameof(MaxBufferedBytes));
        if (MaxMessageBytes is < Steer.Dns.DnsHeader.Size or > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), MaxMessageBytes, $"a DNS message over TCP has {Steer.Dns.DnsHeader.Size}..65535 bytes");
        if (FlowTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(FlowTimeout), FlowTimeout, "must be positive");
    }
}
