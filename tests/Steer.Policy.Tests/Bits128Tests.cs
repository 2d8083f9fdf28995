using FsCheck;
using FsCheck.Fluent;

namespace Steer.Policy.Tests;

/// <summary>Bits128 replaces UInt128 for start-up speed; UInt128 is the oracle it must agree with.</summary>
public class Bits128Tests
{
    private static readonly Gen<UInt128> AnyValue =
        from upper in ArbMap.Default.GeneratorFor<ulong>()
        from lower in ArbMap.Default.GeneratorFor<ulong>()
        select new UInt128(upper, lower);

    private static Bits128 From(UInt128 v) => new((ulong)(v >> 64), (ulong)v);

    private static UInt128 To(Bits128 v) => new(v.Upper, v.Lower);

    [Fact]
    public void Operators_agree_with_UInt128() =>
        Check.One(Generators.Config, Prop.ForAll(AnyValue.ToArbitrary(), AnyValue.ToArbitrary(), Gen.Choose(-5, 260).ToArbitrary(), (a, b, shift) =>
        {
            Assert.Equal(a & b, To(From(a) & From(b)));
            Assert.Equal(a | b, To(From(a) | From(b)));
            Assert.Equal(~a, To(~From(a)));
            Assert.Equal(a << shift, To(From(a) << shift));
            Assert.Equal(a >> shift, To(From(a) >> shift));
            Assert.Equal(a == b, From(a) == From(b));
            Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(From(a).CompareTo(From(b))));
            Assert.Equal((uint)a, (uint)From(a));
        }));

    [Fact]
    public void Big_endian_round_trip_matches_BinaryPrimitives() =>
        Check.One(Generators.Config, Prop.ForAll(AnyValue.ToArbitrary(), a =>
        {
            Span<byte> expected = stackalloc byte[16], actual = stackalloc byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(expected, a);
            From(a).WriteBigEndian(actual);
            Assert.True(expected.SequenceEqual(actual));
            Assert.Equal(From(a), Bits128.ReadBigEndian(expected));
        }));
}
