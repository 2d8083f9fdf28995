using FsCheck;
using FsCheck.Fluent;

namespace Steer.Dns.Tests;

/// <summary>Malformed input: random bytes, and valid messages bent the ways real corruption and attacks bend them.</summary>
internal static class Mutations
{
    public static readonly Gen<byte[]> ValidMessage = Gen.Frequency(
        (3, Generators.Message.Select(m => m.ToArray())),
        (1, Gen.Elements(Captures.All.ToArray())));

    public static readonly Gen<byte[]> RandomBytes = Gen.Frequency(
        (1, Gen.Choose(0, 40).SelectMany(n => AnyByte.ArrayOf(n))),
        // A plausible header with small counts, then noise: gets past the first checks more often.
        (2, from id in AnyByte.ArrayOf(4)
            from counts in Gen.Choose(0, 3).Select(i => (byte)i).ArrayOf(4)
            from body in Gen.Choose(0, 120).SelectMany(n => Gen.Frequency((3, AnyByte), (1, Gen.Elements<byte>(0, 1, 3, 0xC0, 0x0C))).ArrayOf(n))
            select (byte[])[.. id, 0, counts[0], 0, counts[1], 0, counts[2], 0, counts[3], .. body]));

    public static readonly Gen<byte[]> Mutated =
        ValidMessage.SelectMany(valid => Gen.Choose(1, 4).SelectMany(n => ApplyMany(valid, n)));

    private static Gen<byte> AnyByte => Gen.Choose(0, 255).Select(i => (byte)i);

    private static Gen<byte[]> ApplyMany(byte[] bytes, int count) =>
        count == 0 ? Gen.Constant(bytes) : Mutate(bytes).SelectMany(b => ApplyMany(b, count - 1));

    public static Gen<byte[]> Mutate(byte[] bytes)
    {
        if (bytes.Length == 0)
            return AnyByte.ArrayOf(1);
        var position = Gen.Choose(0, bytes.Length - 1);
        return Gen.OneOf(
            // bit flip
            from p in position from bit in Gen.Choose(0, 7) select With(bytes, p, (byte)(bytes[p] ^ (1 << bit))),
            // byte overwrite, with the values that mean something in names
            from p in position from v in Gen.Frequency((2, AnyByte), (1, Gen.Elements<byte>(0, 63, 64, 0x80, 0xC0, 0xFF))) select With(bytes, p, v),
            // truncation
            Gen.Choose(0, bytes.Length - 1).Select(n => bytes[..n]),
            // a count changed
            from which in Gen.Choose(0, 3)
            from value in Gen.Frequency((3, Gen.Choose(-1, 2)), (1, Gen.Choose(0, 0xFFFF)))
            select WithCount(bytes, which, value),
            // a compression pointer written anywhere, to anywhere (forward, self, header, past the end...)
            from p in position
            from target in Gen.Frequency((3, Gen.Choose(0, bytes.Length + 16)), (1, Gen.Constant(p)), (1, Gen.Choose(0, 0x3FFF)))
            select WithPointer(bytes, p, target),
            // trailing garbage
            AnyByte.ArrayOf(3).Select(tail => (byte[])[.. bytes, .. tail]),
            // a slice removed or repeated
            from p in position from n in Gen.Choose(1, 8) select (byte[])[.. bytes[..p], .. bytes[Math.Min(bytes.Length, p + n)..]],
            from p in position from n in Gen.Choose(1, 8) select (byte[])[.. bytes[..Math.Min(bytes.Length, p + n)], .. bytes[p..]]);
    }

    private static byte[] With(byte[] bytes, int position, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[position] = value;
        return copy;
    }

    private static byte[] WithCount(byte[] bytes, int which, int value)
    {
        if (bytes.Length < 12)
            return bytes;
        var copy = (byte[])bytes.Clone();
        var at = 4 + 2 * which;
        var current = (copy[at] << 8) | copy[at + 1];
        var next = value is >= -1 and <= 2 ? current + value : value;
        next &= 0xFFFF;
        copy[at] = (byte)(next >> 8);
        copy[at + 1] = (byte)next;
        return copy;
    }

    private static byte[] WithPointer(byte[] bytes, int position, int target)
    {
        var copy = (byte[])bytes.Clone();
        copy[position] = (byte)(0xC0 | ((target >> 8) & 0x3F));
        if (position + 1 < copy.Length)
            copy[position + 1] = (byte)target;
        return copy;
    }
}
