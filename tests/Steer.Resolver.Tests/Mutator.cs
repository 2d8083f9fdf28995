using System.Buffers.Binary;

namespace Steer.Resolver.Tests;

/// <summary>Valid messages bent the ways corruption and attacks bend them, from a seed.</summary>
internal static class Mutator
{
    public static byte[] Mutate(byte[] bytes, int seed)
    {
        var random = new Random(seed);
        int count = random.Next(1, 4);
        for (int i = 0; i < count; i++)
            bytes = Once(bytes, random);
        return bytes;
    }

    public static byte[] RandomBytes(int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[random.Next(0, 80)];
        random.NextBytes(bytes);
        if (bytes.Length > 3 && random.Next(2) == 0)
            bytes[2] &= 0x7F; // looks like a query more often
        return bytes;
    }

    private static byte[] Once(byte[] bytes, Random random)
    {
        if (bytes.Length == 0)
            return [(byte)random.Next(256)];
        var copy = (byte[])bytes.Clone();
        int p = random.Next(copy.Length);
        switch (random.Next(7))
        {
            case 0:
                copy[p] ^= (byte)(1 << random.Next(8));
                return copy;
            case 1:
                copy[p] = new byte[] { 0, 63, 64, 0x80, 0xC0, 0xFF, (byte)random.Next(256) }[random.Next(7)];
                return copy;
            case 2:
                return copy[..p];
            case 3:
                if (copy.Length >= 12)
                    BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(4 + 2 * random.Next(4)), (ushort)(random.Next(3) == 0 ? random.Next(65536) : random.Next(0, 3)));
                return copy;
            case 4:
                if (p + 1 < copy.Length)
                {
                    int target = random.Next(3) == 0 ? p : random.Next(copy.Length + 16);
                    copy[p] = (byte)(0xC0 | (target >> 8 & 0x3F));
                    copy[p + 1] = (byte)target;
                }
                return copy;
            case 5:
                return [.. copy, (byte)random.Next(256), (byte)random.Next(256)];
            default:
                int n = random.Next(1, 8);
                return [.. copy[..p], .. copy[Math.Min(copy.Length, p + n)..]];
        }
    }
}
