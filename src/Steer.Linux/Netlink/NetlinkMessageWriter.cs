using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>
/// Builds one netlink request in a caller-provided buffer: header, fixed family header, then
/// attributes, nested ones included. Lengths are patched in when a message or nest is finished,
/// so callers never count bytes. Running out of room throws instead of writing a short message.
/// </summary>
internal ref struct NetlinkMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    /// <summary>Starts a message; the sequence number and port id are filled in by the sender.</summary>
    public NetlinkMessageWriter(Span<byte> buffer, ushort type, ushort flags)
    {
        _buffer = buffer;
        var header = Reserve(Nl.HeaderSize);
        MemoryMarshal.Write(header[4..], in type);
        MemoryMarshal.Write(header[6..], in flags);
    }

    /// <summary>Appends the fixed, zeroed family header (ifinfomsg, ifaddrmsg...) and returns it to fill.</summary>
    public Span<byte> AddFixed(int size) => Reserve(Nl.Align(size))[..size];

    public void AddAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var at = Reserve(Nl.Align(Nl.AttrHeaderSize + value.Length));
        WriteAttrHeader(at, type, Nl.AttrHeaderSize + value.Length);
        value.CopyTo(at[Nl.AttrHeaderSize..]);
    }

    public void AddUInt32(ushort type, uint value) => AddAttribute(type, MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in value)));

    public void AddByte(ushort type, byte value) => AddAttribute(type, new ReadOnlySpan<byte>(in value));

    /// <summary>An address attribute: 4 or 16 bytes in network order, as the kernel stores it.</summary>
    public void AddAddress(ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
            throw new InvalidOperationException($"{address} does not fit in 16 bytes");
        AddAttribute(type, bytes[..written]);
    }

    /// <summary>A NUL-terminated string attribute, as the kernel's NLA_STRING/NLA_NUL_STRING expect.</summary>
    public void AddString(ushort type, string value)
    {
        int length = Encoding.UTF8.GetByteCount(value) + 1;
        var at = Reserve(Nl.Align(Nl.AttrHeaderSize + length));
        WriteAttrHeader(at, type, Nl.AttrHeaderSize + length);
        Encoding.UTF8.GetBytes(value, at[Nl.AttrHeaderSize..]);
    }

    /// <summary>Opens a nested attribute; pass the result to <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int start = _position;
        WriteAttrHeader(Reserve(Nl.AttrHeaderSize), (ushort)(type | Nl.NLA_F_NESTED), 0);
        return start;
    }

    public void EndNested(int start)
    {
        int length = _position - start;
        if (length > ushort.MaxValue)
            throw new InvalidOperationException($"nested attribute of {length} bytes exceeds the 64 KiB rtattr limit");
        ushort len = (ushort)length;
        MemoryMarshal.Write(_buffer[start..], in len);
    }

    /// <summary>Sets nlmsg_len and nlmsg_seq and returns the finished message.</summary>
    public ReadOnlySpan<byte> Finish(uint sequence)
    {
        uint length = (uint)_position;
        MemoryMarshal.Write(_buffer, in length);
        MemoryMarshal.Write(_buffer[8..], in sequence);
        return _buffer[.._position];
    }

    private Span<byte> Reserve(int size)
    {
        if (_position + size > _buffer.Length)
            throw new InvalidOperationException($"netlink request needs more than the {_buffer.Length} bytes reserved for it");
        var span = _buffer.Slice(_position, size);
        span.Clear();
        _position += size;
        return span;
    }

    private static void WriteAttrHeader(Span<byte> at, ushort type, int length)
    {
        if (length > ushort.MaxValue)
            throw new InvalidOperationException($"attribute of {length} bytes exceeds the 64 KiB rtattr limit");
        ushort len = (ushort)length;
        MemoryMarshal.Write(at, in len);
        MemoryMarshal.Write(at[2..], in type);
    }
}
