using System.Runtime.InteropServices;
using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>One rtattr/nlattr: its type (flags masked off) and payload, with checked accessors.</summary>
internal readonly ref struct NetlinkAttribute
{
    public ushort Type { get; init; }
    public bool IsNested { get; init; }
    public ReadOnlySpan<byte> Payload { get; init; }
    /// <summary>Offset of the attribute within the span its reader walked, for error messages.</summary>
    public int Offset { get; init; }

    public uint GetUInt32() =>
        Payload.Length >= 4
            ? MemoryMarshal.Read<uint>(Payload)
            : throw new NetlinkParseException($"attribute {Type} has {Payload.Length} bytes, a u32 needs 4", Offset);

    public byte GetByte() =>
        Payload.Length >= 1
            ? Payload[0]
            : throw new NetlinkParseException($"attribute {Type} is empty, a u8 needs 1 byte", Offset);

    /// <summary>A C string: up to the first NUL, or the whole payload when the NUL is missing.</summary>
    public string GetString()
    {
        int end = Payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? Payload : Payload[..end]);
    }

    public NetlinkAttributeReader GetNested() => new(Payload);
}

/// <summary>
/// Walks a run of attributes. Like <see cref="NetlinkMessageReader"/>, every length is checked
/// before use; a bad one throws <see cref="NetlinkParseException"/>.
/// </summary>
internal ref struct NetlinkAttributeReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public NetlinkAttributeReader(ReadOnlySpan<byte> buffer) => _buffer = buffer;

    public bool TryRead(out NetlinkAttribute attribute)
    {
        attribute = default;
        int left = _buffer.Length - _position;
        if (left <= 0)
            return false;
        if (left < Nl.AttrHeaderSize)
            throw new NetlinkParseException($"{left} bytes left, too few for an attribute header", _position);
        var rest = _buffer[_position..];
        ushort length = MemoryMarshal.Read<ushort>(rest);
        ushort rawType = MemoryMarshal.Read<ushort>(rest[2..]);
        if (length < Nl.AttrHeaderSize)
            throw new NetlinkParseException($"attribute length {length} is shorter than its header", _position);
        if (length > left)
            throw new NetlinkParseException($"attribute length {length} runs past the {left} bytes left", _position);
        attribute = new NetlinkAttribute
        {
            Type = (ushort)(rawType & Nl.NLA_TYPE_MASK),
            IsNested = (rawType & Nl.NLA_F_NESTED) != 0,
            Payload = rest[Nl.AttrHeaderSize..length],
            Offset = _position,
        };
        _position = Math.Min(_buffer.Length, _position + Nl.Align(length));
        return true;
    }
}
