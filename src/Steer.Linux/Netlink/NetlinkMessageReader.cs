using System.Runtime.InteropServices;

namespace Steer.Linux.Netlink;

// Netlink integers are in host byte order, hence MemoryMarshal rather than BinaryPrimitives.

/// <summary>One netlink message inside a received datagram: its header fields and payload.</summary>
internal readonly ref struct NetlinkMessage
{
    public ushort Type { get; init; }
    public ushort Flags { get; init; }
    public uint Sequence { get; init; }
    public uint PortId { get; init; }
    /// <summary>The bytes after the 16-byte header, up to nlmsg_len.</summary>
    public ReadOnlySpan<byte> Payload { get; init; }
    /// <summary>Where the message starts in the datagram, for error offsets.</summary>
    public int Offset { get; init; }
}

/// <summary>
/// Walks the messages of one datagram. Every length is checked against what is left before it is
/// used, so a lying or truncated buffer ends in <see cref="NetlinkParseException"/>, never in an
/// out-of-range read.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public NetlinkMessageReader(ReadOnlySpan<byte> buffer) => _buffer = buffer;

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        int left = _buffer.Length - _position;
        if (left <= 0)
            return false;
        if (left < Nl.HeaderSize)
            throw new NetlinkParseException($"{left} bytes left, too few for a message header", _position);
        var rest = _buffer[_position..];
        uint length = MemoryMarshal.Read<uint>(rest);
        if (length < Nl.HeaderSize)
            throw new NetlinkParseException($"nlmsg_len {length} is shorter than the header", _position);
        if (length > (uint)left)
            throw new NetlinkParseException($"nlmsg_len {length} runs past the {left} bytes left", _position);
        message = new NetlinkMessage
        {
            Type = MemoryMarshal.Read<ushort>(rest[4..]),
            Flags = MemoryMarshal.Read<ushort>(rest[6..]),
            Sequence = MemoryMarshal.Read<uint>(rest[8..]),
            PortId = MemoryMarshal.Read<uint>(rest[12..]),
            Payload = rest[Nl.HeaderSize..(int)length],
            Offset = _position,
        };
        // The last message of a datagram may lack its alignment padding.
        _position = Math.Min(_buffer.Length, _position + Nl.Align((int)length));
        return true;
    }
}
