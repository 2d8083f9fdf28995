using System.Buffers.Binary;

namespace Steer.Policy;

/// <summary>
/// An address as a 128-bit unsigned integer, with just the operators prefix matching needs.
/// <para>
/// Why not <see cref="UInt128"/>: ReadyToRun does not precompile code that touches it (its ABI
/// differs between platforms), so every method using it was JIT-compiled at start-up — some
/// 10 ms that every `steer run` paid before CMD could start. Two <c>ulong</c>s are precompiled.
/// </para>
/// </summary>
internal readonly record struct Bits128(ulong Upper, ulong Lower) : IComparable<Bits128>
{
    public static Bits128 Zero => default;
    public static Bits128 One => new(0, 1);
    public static Bits128 MaxValue => new(ulong.MaxValue, ulong.MaxValue);

    public static implicit operator Bits128(uint value) => new(0, value);

    public static explicit operator uint(Bits128 value) => (uint)value.Lower;

    public static Bits128 operator &(Bits128 a, Bits128 b) => new(a.Upper & b.Upper, a.Lower & b.Lower);

    public static Bits128 operator |(Bits128 a, Bits128 b) => new(a.Upper | b.Upper, a.Lower | b.Lower);

    public static Bits128 operator ~(Bits128 a) => new(~a.Upper, ~a.Lower);

    /// <summary>Shift counts are taken mod 128, as for <see cref="UInt128"/>.</summary>
    public static Bits128 operator <<(Bits128 a, int count)
    {
        count &= 127;
        if (count == 0)
            return a;
        if (count >= 64)
            return new(a.Lower << (count - 64), 0);
        return new((a.Upper << count) | (a.Lower >> (64 - count)), a.Lower << count);
    }

    /// <summary>Logical shift; counts are taken mod 128.</summary>
    public static Bits128 operator >>(Bits128 a, int count)
    {
        count &= 127;
        if (count == 0)
            return a;
        if (count >= 64)
            return new(0, a.Upper >> (count - 64));
        return new(a.Upper >> count, (a.Lower >> count) | (a.Upper << (64 - count)));
    }

    /// <summary>Unsigned order, as for <see cref="UInt128"/>.</summary>
    public int CompareTo(Bits128 other) => Upper != other.Upper ? Upper.CompareTo(other.Upper) : Lower.CompareTo(other.Lower);

    public static Bits128 ReadBigEndian(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt64BigEndian(source[8..]));

    public void WriteBigEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Upper);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Lower);
    }
}
